package analytics

import (
	"context"
	"crypto/sha256"
	"database/sql"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/shopspring/decimal"
)

// The kinds of alert rule (docs/alerts.md). Each compares a figure of
// analytics/sql/75_alerts.sql with the rule's threshold.
const (
	// RuleDiscrepancyAge: a reconciliation discrepancy open longer than
	// Threshold days; Scope a status ("" every one).
	RuleDiscrepancyAge = "discrepancy_age"
	// RuleMatchRate: the day's match rate below Threshold (a fraction, e.g.
	// 0.98); Scope a channel ("" all channels together).
	RuleMatchRate = "match_rate"
	// RuleCashShort: a collector's cash deposit short of the cash collected
	// by more than Threshold (money); Scope a collector ("" every one).
	RuleCashShort = "cash_short"
	// RuleAreaArrears: an area's arrears above Threshold (money); Scope an
	// area ("" every one).
	RuleAreaArrears = "area_arrears"
	// RuleActionSlipped: an improvement action whose metric over the latest
	// 4 full weeks is worse than its target; no threshold; Scope an action
	// ("" every one).
	RuleActionSlipped = "action_slipped"
)

// RuleKinds lists the kinds of alert rule, in the order pages show them.
var RuleKinds = []string{RuleDiscrepancyAge, RuleMatchRate, RuleCashShort, RuleAreaArrears, RuleActionSlipped}

// Rule is one alert rule an admin wrote.
type Rule struct {
	Name      string          `json:"name"`
	Kind      string          `json:"kind"`
	Threshold decimal.Decimal `json:"threshold"`
	Scope     string          `json:"scope,omitempty"`
}

// ReadRules reads the rules file: {"rules": [{"name", "kind", "threshold",
// "scope"}, ...]}. Every problem of every rule is reported at once.
func ReadRules(r io.Reader) ([]Rule, error) {
	var f struct {
		Rules []json.RawMessage `json:"rules"`
	}
	dec := json.NewDecoder(r)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&f); err != nil {
		return nil, fmt.Errorf("alert rules: %w", err)
	}
	var rules []Rule
	var problems []string
	seen := map[string]bool{}
	for i, raw := range f.Rules {
		var rule Rule
		var present map[string]json.RawMessage
		d := json.NewDecoder(strings.NewReader(string(raw)))
		d.DisallowUnknownFields()
		if err := d.Decode(&rule); err != nil {
			problems = append(problems, fmt.Sprintf("rule %d: %v", i+1, err))
			continue
		}
		json.Unmarshal(raw, &present)
		_, hasThreshold := present["threshold"]
		for _, p := range rule.check(hasThreshold) {
			problems = append(problems, fmt.Sprintf("rule %d (%s): %s", i+1, rule.Name, p))
		}
		if seen[rule.Name] {
			problems = append(problems, fmt.Sprintf("rule %d: the name %q is used twice", i+1, rule.Name))
		}
		seen[rule.Name] = true
		rules = append(rules, rule)
	}
	if len(problems) > 0 {
		return nil, errors.New("alert rules: " + strings.Join(problems, "; "))
	}
	return rules, nil
}

// check lists what is wrong with the rule.
func (r Rule) check(hasThreshold bool) []string {
	var p []string
	if r.Name == "" || strings.ContainsAny(r.Name, "|\n") {
		p = append(p, "name: want a name without | or line breaks")
	}
	places := map[string]int32{RuleDiscrepancyAge: 0, RuleMatchRate: 4, RuleCashShort: 2, RuleAreaArrears: 2}
	if r.Kind == RuleActionSlipped {
		if hasThreshold {
			p = append(p, "threshold: an action_slipped rule has none (each action's own target is used)")
		}
		return p
	}
	n, ok := places[r.Kind]
	switch {
	case !ok:
		p = append(p, fmt.Sprintf("kind %q: want one of %s", r.Kind, strings.Join(RuleKinds, ", ")))
	case !hasThreshold:
		p = append(p, "threshold: missing")
	case r.Threshold.IsNegative():
		p = append(p, "threshold: must not be negative")
	case !r.Threshold.Equal(r.Threshold.Truncate(n)):
		p = append(p, fmt.Sprintf("threshold %s: at most %d decimal places", r.Threshold, n))
	case r.Kind == RuleMatchRate && r.Threshold.GreaterThan(decimal.NewFromInt(1)):
		p = append(p, fmt.Sprintf("threshold %s: a match rate is a fraction between 0 and 1 (0.98 for 98%%)", r.Threshold))
	case r.Threshold.GreaterThanOrEqual(decimal.New(1, 16)):
		p = append(p, fmt.Sprintf("threshold %s: too large", r.Threshold))
	}
	return p
}

// Alert is a rule's condition holding for one subject.
type Alert struct {
	Rule, Kind string
	// Subject is what the alert is about: a discrepancy's or a cash group's
	// ref, a channel (* for all channels together), an area, an action.
	Subject string
	// Note is what else describes it: a discrepancy's status, the day of a
	// match rate, a cash group's collector, an action's metric and title.
	Note      string
	Value     decimal.Decimal // the figure (days, a rate, money, a metric's value)
	Threshold decimal.Decimal // what it was compared with
	Since     time.Time       // since when, as far as the data says; zero: unknown
	// state is what makes the alert change besides Value (a discrepancy's
	// status and amount, for its age grows every day).
	state string
}

// Key is the alert's stable identity: its rule and subject.
func (a Alert) Key() string { return a.Rule + "|" + a.Subject }

// Fingerprint changes when the alert does: a discrepancy when its status or
// amount changes (not as it ages), any other alert when its figure or
// threshold changes.
func (a Alert) Fingerprint() string {
	s := a.state
	if s == "" {
		s = a.Value.String() + "|" + a.Threshold.String() + "|" + a.Note
	}
	h := sha256.Sum256([]byte(a.Kind + "|" + a.Key() + "|" + s))
	return hex.EncodeToString(h[:8])
}

// The queries behind the alerts; every threshold and scope is a parameter.
const (
	alertDiscrepancyQuery = "SELECT ref, status, diff, opened_on, age_days FROM alert_discrepancy_age(CAST(? AS DATE), ?, ?)"
	alertMatchRateQuery   = "SELECT day, channel, match_rate FROM alert_match_rate(CAST(? AS DATE), ?, ?)"
	alertCashShortQuery   = "SELECT ref, day, coalesce(collector, ''), short FROM alert_cash_short(CAST(? AS DATE), ?, ?)"
	alertArrearsQuery     = "SELECT area, outstanding FROM alert_area_arrears(CAST(? AS DATE), ?, ?)"
	alertSlippedQuery     = "SELECT action_id, title, metric, target, from_day, value FROM alert_action_slipped(CAST(? AS DATE), ?)"
)

// Alerts evaluates the rules as of a day: every alert whose condition
// holds, rule by rule in the order given.
func (m *Metrics) Alerts(ctx context.Context, rules []Rule, asOf time.Time) ([]Alert, error) {
	day := asOf.Format(time.DateOnly)
	var out []Alert
	for _, r := range rules {
		var got []Alert
		var err error
		base := Alert{Rule: r.Name, Kind: r.Kind, Threshold: r.Threshold}
		th := r.Threshold.String()
		switch r.Kind {
		case RuleDiscrepancyAge:
			got, err = collect(ctx, m.db, alertDiscrepancyQuery, func(rows *sql.Rows, a *Alert) error {
				var diff data.Decimal
				var age int64
				*a = base
				if err := rows.Scan(&a.Subject, &a.Note, &diff, &a.Since, &age); err != nil {
					return err
				}
				a.Value = decimal.NewFromInt(age)
				a.state = a.Note + "|" + diff.Decimal.String() + "|" + th
				return nil
			}, day, th, r.Scope)
		case RuleMatchRate:
			scope := r.Scope
			if scope == "" {
				scope = "*"
			}
			got, err = collect(ctx, m.db, alertMatchRateQuery, func(rows *sql.Rows, a *Alert) error {
				var rt data.Decimal
				*a = base
				if err := rows.Scan(&a.Since, &a.Subject, &rt); err != nil {
					return err
				}
				a.Value, a.Note = rt.Decimal, a.Since.Format(time.DateOnly)
				return nil
			}, day, th, scope)
		case RuleCashShort:
			got, err = collect(ctx, m.db, alertCashShortQuery, func(rows *sql.Rows, a *Alert) error {
				var short data.Decimal
				*a = base
				if err := rows.Scan(&a.Subject, &a.Since, &a.Note, &short); err != nil {
					return err
				}
				a.Value = short.Decimal
				return nil
			}, day, th, r.Scope)
		case RuleAreaArrears:
			got, err = collect(ctx, m.db, alertArrearsQuery, func(rows *sql.Rows, a *Alert) error {
				var out data.Decimal
				*a = base
				if err := rows.Scan(&a.Subject, &out); err != nil {
					return err
				}
				a.Value = out.Decimal
				return nil
			}, day, th, r.Scope)
		case RuleActionSlipped:
			got, err = collect(ctx, m.db, alertSlippedQuery, func(rows *sql.Rows, a *Alert) error {
				var title, metric string
				var target, value data.Decimal
				*a = base
				if err := rows.Scan(&a.Subject, &title, &metric, &target, &a.Since, &value); err != nil {
					return err
				}
				a.Threshold, a.Value, a.Note = target.Decimal, value.Decimal, metric+" · "+title
				return nil
			}, day, r.Scope)
		default:
			err = fmt.Errorf("unknown kind %q", r.Kind)
		}
		if err != nil {
			return nil, fmt.Errorf("alert rule %s: %w", r.Name, err)
		}
		out = append(out, got...)
	}
	return out, nil
}
