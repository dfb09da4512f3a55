package site

import (
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/analytics"
	"github.com/shopspring/decimal"
)

func TestCatalogsAreComplete(t *testing.T) {
	for _, lang := range Languages {
		if catalogs[lang] == nil {
			t.Fatalf("no catalog for %s", lang)
		}
	}
	for _, a := range Languages {
		for _, b := range Languages {
			var missing []string
			for k := range catalogs[a] {
				if _, ok := catalogs[b][k]; !ok {
					missing = append(missing, k)
				}
			}
			sort.Strings(missing)
			if len(missing) > 0 {
				t.Errorf("%s lacks %d keys that %s has: %s", b, len(missing), a, strings.Join(missing, ", "))
			}
		}
		for k, v := range catalogs[a] {
			if strings.TrimSpace(v) == "" {
				t.Errorf("%s: %s is empty", a, k)
			}
			if strings.Count(v, "%") != strings.Count(catalogs["en"][k], "%") {
				t.Errorf("%s: %s has other fmt verbs than en: %q", a, k, v)
			}
		}
	}
}

// TestEnumsAreTranslated covers every domain word DESIGN.md lists.
func TestEnumsAreTranslated(t *testing.T) {
	words := map[string][]string{
		"method":  {"cash", "card", "bank_transfer", "wechat", "alipay", "other"},
		"channel": {"bank", "card", "wechat", "alipay", "cash_deposit"},
		"status": {"matched", "amount_mismatch", "missing_settlement", "missing_payment", "duplicate_settlement",
			"missing_refund_line", "missing_refund", "duplicate_refund_line", "pending"},
		"resolution": {"late_settlement", "bank_error", "cashier_error", "refunded", "written_off", "other"},
		"bucket":     {"not_due", "1-30", "31-60", "61-90", "91-120", "120+"},
		"exception":  {"cannot_pay", "refused", "dispute", "fraud"},
		"problem":    {"complex_process", "system_instability", "unclear_standards", "operator_error", "other"},
		"metric":     analytics.MetricNames,
		"met":        {"yes", "no", "unknown"},
	}
	for _, lang := range Languages {
		for family, codes := range words {
			for _, c := range codes {
				if _, ok := catalogs[lang][family+"."+c]; !ok {
					t.Errorf("%s: %s.%s is not translated", lang, family, c)
				}
			}
		}
	}
}

func TestFormatting(t *testing.T) {
	en, zh := newTr("en"), newTr("zh-Hant")
	d := decimal.RequireFromString
	cases := []struct{ got, want string }{
		{en.Money(d("1234567.5")), "1,234,567.50"},
		{en.Money(d("-1234.56")), "-1,234.56"},
		{en.Money(d("0")), "0.00"},
		{en.Money(d("999")), "999.00"},
		{en.Int(1234), "1,234"},
		{en.Percent(analytics.Rate{Value: d("0.9535"), Valid: true}), "95.4%"},
		{en.Percent(analytics.Rate{Value: d("1"), Valid: true}), "100.0%"},
		{en.Percent(analytics.Rate{}), "—"},
		{zh.Percent(analytics.Rate{}), "—"},
		{en.Points(d("-0.0123")), "−1.2 pp"},
		{en.Month("2026-09"), "Sep 2026"},
		{zh.Month("2026-09"), "2026年9月"},
		{en.Enum("channel", "cash_deposit"), "Cash deposit"},
		{zh.Enum("channel", "cash_deposit"), "現金存款"},
		{en.Enum("channel", "carrier_pigeon"), "carrier_pigeon"},
	}
	for i, c := range cases {
		if c.got != c.want {
			t.Errorf("case %d = %q, want %q", i, c.got, c.want)
		}
	}
	if len(en.missingKeys()) != 0 || len(zh.missingKeys()) != 0 {
		t.Errorf("missing keys: %v %v", en.missingKeys(), zh.missingKeys())
	}
	en.T("no.such.key")
	if got := en.missingKeys(); len(got) != 1 {
		t.Errorf("missingKeys() = %v, want [no.such.key]", got)
	}
}

func TestNeutralise(t *testing.T) {
	for in, want := range map[string]string{
		`=HYPERLINK("http://x")`: `'=HYPERLINK("http://x")`,
		"+1":                     "'+1",
		"-2+3":                   "'-2+3",
		"@SUM(A1)":               "'@SUM(A1)",
		"\tx":                    "'\tx",
		"\rx":                    "'\rx",
		"Wang":                   "Wang",
		"":                       "",
	} {
		if got := neutralise(in); got != want {
			t.Errorf("neutralise(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestCSVKeepsNumbersAndNeutralisesText(t *testing.T) {
	tr := newTr("en")
	dt := dataTable{cols: cols("collector", "#diff", "#collection_rate"), rows: [][]val{
		{vText("=cmd"), vMoney(decimal.RequireFromString("-12.5")), vRate(analytics.Rate{})},
		{vText("Li"), vMoney(decimal.RequireFromString("3")), vRate(analytics.Rate{Value: decimal.RequireFromString("0.5"), Valid: true})},
	}}
	got := string(dt.csv(tr))
	want := "\ufeffCollector,Difference (bank − system),Collection rate\n'=cmd,-12.50,\nLi,3.00,0.5000\n"
	if got != want {
		t.Errorf("csv = %q, want %q", got, want)
	}
}

func TestChartValue(t *testing.T) {
	if got := chartValue(point{}); got != "-" {
		t.Errorf("chartValue(gap) = %v, want -", got)
	}
	if got := chartValue(ptRate(decimal.RequireFromString("0.9535"), true)); got != 95.4 {
		t.Errorf("chartValue(95.35%%) = %v, want 95.4", got)
	}
}

// fixed2, exactCents and cents give amounts as decimal's own StringFixed(2),
// Shift(2).StringFixed(0) and Shift(2).IntPart() do, on the fast path and
// off it.
func TestFixed2MatchesDecimal(t *testing.T) {
	for _, s := range []string{
		"0", "0.00", "0.5", "-0.5", "0.05", "-0.05", "1", "-1", "12.3", "12.30", "-12.34",
		"1234567.89", "99999999999999.99", "-99999999999999.99", "9999999999999999", // 16 digits, exponent 0
		"12.345", "-12.345", "12.355", "0.005", "-0.005", // more places: rounded by decimal
		"123456789012345678.12", "1e20", "-3e-7", // too large or too small for the fast path
	} {
		checkFixed2(t, decimal.RequireFromString(s))
	}
	checkFixed2(t, decimal.New(7, 1))  // 70: a positive exponent
	checkFixed2(t, decimal.New(-7, 2)) // -700
}

func FuzzFixed2(f *testing.F) {
	for _, seed := range []struct {
		coef int64
		exp  int32
	}{{0, 0}, {-5, -2}, {123456, -2}, {1, 3}, {-999999999999999999, -2}, {5, -3}} {
		f.Add(seed.coef, seed.exp)
	}
	f.Fuzz(func(t *testing.T, coef int64, exp int32) {
		if exp < -30 || exp > 30 {
			return
		}
		checkFixed2(t, decimal.New(coef, exp))
	})
}

func checkFixed2(t *testing.T, d decimal.Decimal) {
	t.Helper()
	if got, want := fixed2(d), d.StringFixed(2); got != want {
		t.Errorf("fixed2(%s) = %q, want %q", d, got, want)
	}
	if c, ok := exactCents(d); ok {
		if got, want := strconv.FormatInt(c, 10), d.Shift(2).StringFixed(0); got != want {
			t.Errorf("exactCents(%s) = %s, want %s", d, got, want)
		}
	}
	if got, want := cents(d), d.Shift(2).IntPart(); got != want {
		t.Errorf("cents(%s) = %d, want %d", d, got, want)
	}
	if got, want := sortKey(vMoney(d)), d.Shift(2).StringFixed(0); got != want {
		t.Errorf("sortKey(%s) = %q, want %q", d, got, want)
	}
}
