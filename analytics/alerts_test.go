package analytics_test

import (
	"context"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/shopspring/decimal"
)

// The alerts fixture (testdata/alerts), as of its last day, 2026-10-20:
//   - open discrepancies: P4 (wechat, never settled: missing since
//     2026-09-04, 46 days), the cash groups of Wang (1300.00 collected,
//     1200.00 deposited) and Li (50.00, 49.50) of 2026-10-01 (19 days), P6
//     (card, 80.00 settled as 70.00 on 2026-10-20, 0 days); Zhao's short
//     deposit of 2026-10-02 is resolved;
//   - the latest day with decided items, 2026-10-19: wechat 1/1, card 0/1,
//     all channels 1/2;
//   - outstanding: North 500.00 (B2), South 550.00 (B3), no area 200.00
//     (B4); B5 is of 2026-11, not yet issued;
//   - A1 (match_rate, target 0.9): over 2026-09-23..2026-10-20, 1 matched of
//     5 decided (Wang, Li, Zhao, P5, P6) = 0.2; A2 (discrepancy_amount,
//     target 1000): 7 x 210.50 / 28 = 52.625 a week, met; A3 started inside
//     the 4 weeks.
func TestAlertRulesFireExactlyForTheirSubjects(t *testing.T) {
	store := loadFixture(t, "alerts")
	m := analytics.New(store)
	asOf := time.Date(2026, 10, 20, 0, 0, 0, 0, time.UTC)
	tests := []struct {
		name string
		rule analytics.Rule
		want []string // subject value since note
	}{
		{"discrepancy older than 30 days", rule("discrepancy_age", "30", ""), []string{"P4 46 2026-09-04 missing_settlement"}},
		{"discrepancy of a status older than 18 days", rule("discrepancy_age", "18", "amount_mismatch"),
			[]string{"cash:Li:2026-10-01 19 2026-10-01 amount_mismatch", "cash:Wang:2026-10-01 19 2026-10-01 amount_mismatch"}},
		{"no discrepancy older than 46 days", rule("discrepancy_age", "46", ""), nil},
		{"overall match rate below 0.6", rule("match_rate", "0.6", ""), []string{"* 0.5 2026-10-19 2026-10-19"}},
		{"overall match rate not below 0.5", rule("match_rate", "0.5", ""), nil},
		{"card match rate below 0.5", rule("match_rate", "0.5", "card"), []string{"card 0 2026-10-19 2026-10-19"}},
		{"wechat match rate not below 0.99", rule("match_rate", "0.99", "wechat"), nil},
		{"cash short by more than 0.50", rule("cash_short", "0.50", ""), []string{"cash:Wang:2026-10-01 100 2026-10-01 Wang"}},
		{"Li's cash short by more than 0.49", rule("cash_short", "0.49", "Li"), []string{"cash:Li:2026-10-01 0.5 2026-10-01 Li"}},
		{"arrears above 500", rule("area_arrears", "500", ""), []string{"South 550 - "}},
		{"North's arrears above 499.99", rule("area_arrears", "499.99", "North"), []string{"North 500 - "}},
		{"arrears above 100", rule("area_arrears", "100", ""), []string{" 200 - ", "North 500 - ", "South 550 - "}},
		{"slipped actions", analytics.Rule{Name: "r", Kind: "action_slipped"}, []string{"A1 0.2 2026-09-23 match_rate · Same-day deposits"}},
		{"a met action does not slip", analytics.Rule{Name: "r", Kind: "action_slipped", Scope: "A2"}, nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			alerts, err := m.Alerts(context.Background(), []analytics.Rule{tt.rule}, asOf)
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, a := range alerts {
				since := "-"
				if !a.Since.IsZero() {
					since = a.Since.Format(time.DateOnly)
				}
				got = append(got, fmt.Sprintf("%s %s %s %s", a.Subject, a.Value, since, a.Note))
			}
			if strings.Join(got, "\n") != strings.Join(tt.want, "\n") {
				t.Errorf("Alerts(%+v) =\n%s\nwant\n%s", tt.rule, strings.Join(got, "\n"), strings.Join(tt.want, "\n"))
			}
		})
	}
}

func rule(kind, threshold, scope string) analytics.Rule {
	return analytics.Rule{Name: "r", Kind: kind, Threshold: decimal.RequireFromString(threshold), Scope: scope}
}

// arrears_by_area splits the arrears of arrears_aging by area, to the cent.
func TestArrearsByArea(t *testing.T) {
	store := loadFixture(t, "alerts")
	got := asCSV(t, store, "arrears_by_area")
	want := "area,bills,outstanding\n,1,200.00\nNorth,1,500.00\nSouth,1,550.00\n"
	if got != want {
		t.Errorf("arrears_by_area =\n%s\nwant\n%s", got, want)
	}
	var total, aging string
	db := store.DB()
	if err := db.QueryRow(`SELECT sum(outstanding)::VARCHAR FROM arrears_by_area`).Scan(&total); err != nil {
		t.Fatal(err)
	}
	if err := db.QueryRow(`SELECT sum(outstanding)::VARCHAR FROM arrears_aging(DATE '2026-10-20')`).Scan(&aging); err != nil {
		t.Fatal(err)
	}
	if total != aging {
		t.Errorf("arrears by area sum to %s, arrears_aging to %s", total, aging)
	}
}

// An alert's fingerprint follows what matters: a discrepancy's status and
// amount, not its age; any other alert's figure.
func TestAlertFingerprint(t *testing.T) {
	store := loadFixture(t, "alerts")
	m := analytics.New(store)
	ctx := context.Background()
	at := func(day string, r analytics.Rule) analytics.Alert {
		t.Helper()
		d, _ := time.Parse(time.DateOnly, day)
		l, err := m.Alerts(ctx, []analytics.Rule{r}, d)
		if err != nil || len(l) != 1 {
			t.Fatalf("Alerts(%s, %+v) = %v, %v; want one", day, r, l, err)
		}
		return l[0]
	}
	old := rule("discrepancy_age", "30", "")
	if a, b := at("2026-10-20", old), at("2026-10-19", old); a.Value.Equal(b.Value) || a.Fingerprint() != b.Fingerprint() || a.Key() != b.Key() {
		t.Errorf("a discrepancy a day older: ages %s, %s; fingerprints %s, %s; want other ages, same fingerprint and key", a.Value, b.Value, a.Fingerprint(), b.Fingerprint())
	}
	arrears := rule("area_arrears", "500", "South")
	other := rule("area_arrears", "400", "South")
	if a, b := at("2026-10-20", arrears), at("2026-10-20", other); a.Fingerprint() == b.Fingerprint() {
		t.Errorf("another threshold, same fingerprint %s", a.Fingerprint())
	}
}

func TestReadRules(t *testing.T) {
	good := `{"rules": [
		{"name": "old", "kind": "discrepancy_age", "threshold": 30},
		{"name": "rate", "kind": "match_rate", "threshold": "0.98", "scope": "wechat"},
		{"name": "cash", "kind": "cash_short", "threshold": 100.05},
		{"name": "north", "kind": "area_arrears", "threshold": "50000", "scope": "North"},
		{"name": "slipped", "kind": "action_slipped"}]}`
	rules, err := analytics.ReadRules(strings.NewReader(good))
	if err != nil {
		t.Fatal(err)
	}
	if len(rules) != 5 || rules[2].Threshold.String() != "100.05" || rules[1].Scope != "wechat" {
		t.Errorf("ReadRules = %+v", rules)
	}
	bad := []struct{ name, json, want string }{
		{"unknown kind", `{"rules": [{"name": "x", "kind": "weather", "threshold": 1}]}`, `kind "weather"`},
		{"missing threshold", `{"rules": [{"name": "x", "kind": "cash_short"}]}`, "threshold: missing"},
		{"3 places of money", `{"rules": [{"name": "x", "kind": "cash_short", "threshold": "1.005"}]}`, "at most 2 decimal places"},
		{"fractional days", `{"rules": [{"name": "x", "kind": "discrepancy_age", "threshold": 1.5}]}`, "at most 0 decimal places"},
		{"a rate as percent", `{"rules": [{"name": "x", "kind": "match_rate", "threshold": 98}]}`, "fraction"},
		{"negative", `{"rules": [{"name": "x", "kind": "area_arrears", "threshold": -1}]}`, "negative"},
		{"slipped with threshold", `{"rules": [{"name": "x", "kind": "action_slipped", "threshold": 1}]}`, "has none"},
		{"twice the name", `{"rules": [{"name": "x", "kind": "action_slipped"}, {"name": "x", "kind": "action_slipped"}]}`, "used twice"},
		{"unknown field", `{"rules": [{"name": "x", "kind": "action_slipped", "limit": 1}]}`, "unknown field"},
		{"every problem at once", `{"rules": [{"name": "x", "kind": "weather"}, {"name": "y", "kind": "cash_short"}]}`, "rule 2 (y): threshold: missing"},
	}
	for _, tt := range bad {
		t.Run(tt.name, func(t *testing.T) {
			_, err := analytics.ReadRules(strings.NewReader(tt.json))
			if err == nil || !strings.Contains(err.Error(), tt.want) {
				t.Errorf("ReadRules(%s) = %v, want an error with %q", tt.json, err, tt.want)
			}
		})
	}
}
