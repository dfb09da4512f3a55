package templates

import (
	"fmt"
	"strings"
)

// AlertItem is one alert as people read it: every figure already written
// for reading (a rate as a percent, money to the cent, days).
type AlertItem struct {
	Rule, Kind string
	// Subject is what the alert is about; "*" for all channels together,
	// "" for customers with no area.
	Subject, Note    string
	Value, Threshold string
	Since            string // YYYY-MM-DD, "" when unknown
	Link             string // the dashboard section behind it
}

// RuleItem is an alert rule in force.
type RuleItem struct{ Name, Kind, Threshold, Scope string }

// AlertsPage is the page of current alerts.
type AlertsPage struct {
	Desk   Desk
	Alerts []AlertItem
	// Rules are the rules in force; shown to admins only (nil for others).
	Rules     []RuleItem
	ShowRules bool
	// Configured is false when the server runs with no rules.
	Configured bool
	// EvaluatedAt and AsOf say when the rules were last evaluated and the
	// day of the data then ("" when never).
	EvaluatedAt, AsOf string
}

// AlertsCatalog holds the texts of the alerts page and the digest.
var AlertsCatalog = Catalog{
	"alerts.title":           {"Alerts", "警示", "告警"},
	"alerts.intro":           {"What the alert rules in force found in the data, after its last publish.", "生效中的警示規則在資料中發現的狀況（上次發布後評估）。", "生效的告警规则在数据中发现的情况（上次发布后评估）。"},
	"alerts.evaluated":       {"Evaluated at %s, on the data up to %s.", "評估時間 %s，資料截至 %s。", "评估时间 %s，数据截至 %s。"},
	"alerts.never":           {"The rules have not been evaluated yet: they are after the next publish.", "規則尚未評估：下次發布後即會評估。", "规则尚未评估：下次发布后即会评估。"},
	"alerts.unconfigured":    {"No alert rules are in force: an admin gives them to the server with --alerts FILE.", "目前沒有生效的警示規則：管理員可用 --alerts 檔案 提供給伺服器。", "当前没有生效的告警规则：管理员可用 --alerts 文件 提供给服务器。"},
	"alerts.none":            {"No alert holds.", "目前沒有警示。", "当前没有告警。"},
	"alerts.count":           {"%d alerts hold.", "共 %d 則警示。", "共 %d 条告警。"},
	"col.rule":               {"Rule", "規則", "规则"},
	"col.kind":               {"Kind", "類型", "类型"},
	"col.subject":            {"Subject", "對象", "对象"},
	"col.value":              {"Value", "數值", "数值"},
	"col.threshold":          {"Threshold", "門檻", "阈值"},
	"col.since":              {"Since", "起始", "起始"},
	"col.scope":              {"Scope", "範圍", "范围"},
	"col.link":               {"Dashboard", "儀表板", "仪表板"},
	"alerts.open":            {"Open", "開啟", "打开"},
	"alerts.rules":           {"Rules in force", "生效中的規則", "生效的规则"},
	"scope.all":              {"all", "全部", "全部"},
	"subject.all_channels":   {"all channels", "所有通路", "所有渠道"},
	"subject.no_area":        {"no area", "未分區", "未分区"},
	"kind.discrepancy_age":   {"Discrepancy open too long", "對帳差異逾期未結", "对账差异逾期未解决"},
	"kind.match_rate":        {"Match rate below target", "對帳相符率低於目標", "对账匹配率低于目标"},
	"kind.cash_short":        {"Cash deposit short", "現金繳存短缺", "现金缴存短缺"},
	"kind.area_arrears":      {"Area arrears above limit", "區域欠費超過上限", "区域欠费超过上限"},
	"kind.action_slipped":    {"Improvement action slipped", "改善行動未達目標", "改进措施未达目标"},
	"unit.days":              {"%s days", "%s 天", "%s 天"},
	"threshold.target":       {"target %s", "目標 %s", "目标 %s"},
	"digest.title":           {"feeflow alert digest", "feeflow 警示摘要", "feeflow 告警摘要"},
	"digest.subject":         {"feeflow alerts: %d new, %d changed, %d resolved", "feeflow 警示：新增 %d、變動 %d、解除 %d", "feeflow 告警：新增 %d、变化 %d、解除 %d"},
	"digest.asof":            {"On the data up to %s.", "資料截至 %s。", "数据截至 %s。"},
	"digest.new":             {"New", "新增", "新增"},
	"digest.changed":         {"Changed", "有變動", "有变化"},
	"digest.resolved":        {"Resolved", "已解除", "已解除"},
	"digest.all":             {"All current alerts: %s", "目前所有警示：%s", "当前所有告警：%s"},
	"digest.open_count":      {"%d alerts hold in all.", "目前共 %d 則警示。", "当前共 %d 条告警。"},
	"digest.value_vs":        {"%s (threshold %s)", "%s（門檻 %s）", "%s（阈值 %s）"},
	"digest.since":           {", since %s", "，自 %s 起", "，自 %s 起"},
	"digest.value_vs_target": {"%s (target %s)", "%s（目標 %s）", "%s（目标 %s）"},
}

// A translates a key of the alerts catalog.
func (d Desk) A(key string, args ...any) string { return d.T(AlertsCatalog, key, args...) }

// kindName is the name of a rule kind in the desk's language.
func (d Desk) kindName(kind string) string { return d.A("kind." + kind) }

// subject is an alert's subject for reading.
func (d Desk) subject(a AlertItem) string {
	switch {
	case a.Kind == "match_rate" && a.Subject == "*":
		return d.A("subject.all_channels")
	case a.Kind == "area_arrears" && a.Subject == "":
		return d.A("subject.no_area")
	}
	return a.Subject
}

// value is an alert's figure with its unit.
func (d Desk) value(kind, v string) string {
	if kind == "discrepancy_age" {
		return d.A("unit.days", v)
	}
	return v
}

// threshold is an alert's threshold with its unit.
func (d Desk) threshold(kind, v string) string {
	switch kind {
	case "discrepancy_age":
		return d.A("unit.days", v)
	case "action_slipped":
		if v == "" {
			return d.A("threshold.own_target")
		}
		return d.A("threshold.target", v)
	}
	return v
}

// scope is a rule's scope for reading.
func (d Desk) scope(s string) string {
	if s == "" {
		return d.A("scope.all")
	}
	return s
}

// subjectLine is the alert's one-line description: kind, subject, note.
func (d Desk) subjectLine(a AlertItem) string {
	s := d.subject(a)
	if a.Note != "" && a.Note != a.Since {
		s += " (" + a.Note + ")"
	}
	return s
}

// Digest is the digest of the alerts to send: the new, the changed and
// the resolved ones.
type Digest struct {
	Lang                   string
	AsOf                   string // the last day of the data
	New, Changed, Resolved []AlertItem
	Open                   int    // alerts holding in all
	AlertsURL              string // the alerts page, "" without a public address
}

func (g Digest) desk() Desk { return Desk{Lang: g.Lang} }

// Subject is the e-mail's subject line.
func (g Digest) Subject() string {
	return g.desk().A("digest.subject", len(g.New), len(g.Changed), len(g.Resolved))
}

// digestGroup is one section of the digest.
type digestGroup struct {
	Heading string
	Alerts  []AlertItem
}

func (g Digest) groups() []digestGroup {
	d := g.desk()
	var out []digestGroup
	for _, s := range []struct {
		key string
		l   []AlertItem
	}{{"digest.new", g.New}, {"digest.changed", g.Changed}, {"digest.resolved", g.Resolved}} {
		if len(s.l) > 0 {
			out = append(out, digestGroup{Heading: d.A(s.key), Alerts: s.l})
		}
	}
	return out
}

// Text is the digest as plain text, the e-mail's alternative to its HTML
// and what `feeflow digest --dry-run` prints.
func (g Digest) Text() string {
	d := g.desk()
	var b strings.Builder
	fmt.Fprintf(&b, "%s\n%s\n", d.A("digest.title"), d.A("digest.asof", g.AsOf))
	for _, grp := range g.groups() {
		fmt.Fprintf(&b, "\n%s (%d)\n", grp.Heading, len(grp.Alerts))
		for _, a := range grp.Alerts {
			fmt.Fprintf(&b, "- %s · %s: %s", d.kindName(a.Kind), a.Rule, d.subjectLine(a))
			if a.Kind == "action_slipped" {
				fmt.Fprintf(&b, "\n  %s", d.A("digest.value_vs_target", a.Value, a.Threshold))
			} else {
				fmt.Fprintf(&b, "\n  %s", d.A("digest.value_vs", d.value(a.Kind, a.Value), d.threshold(a.Kind, a.Threshold)))
			}
			if a.Since != "" {
				b.WriteString(d.A("digest.since", a.Since))
			}
			b.WriteString("\n")
			if a.Link != "" {
				fmt.Fprintf(&b, "  %s\n", a.Link)
			}
		}
	}
	fmt.Fprintf(&b, "\n%s\n", d.A("digest.open_count", g.Open))
	if g.AlertsURL != "" {
		fmt.Fprintf(&b, "%s\n", d.A("digest.all", g.AlertsURL))
	}
	return b.String()
}
