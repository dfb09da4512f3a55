package parse

import (
	"math"
	"slices"
	"strings"
	"testing"
)

func TestInt(t *testing.T) {
	cases := []struct {
		name     string
		in       string
		min, max int
		want     int
		err      string
	}{
		{"plain", "3", 1, 5, 3, ""},
		{"lowest", "1", 1, 5, 1, ""},
		{"highest", "5", 1, 5, 5, ""},
		{"negative", "-2", -5, 5, -2, ""},
		{"minus zero", "-0", 0, 5, 0, ""},
		{"thousands", "1,000", 0, 10000, 1000, ""},
		{"full-width", "３", 1, 5, 3, ""},
		{"zero fraction", "3.0", 1, 5, 3, ""},
		{"zero fraction two places", "3.00", 1, 5, 3, ""},
		{"spaces", " 4\u3000", 1, 5, 4, ""},
		{"leading zeros", "0004", 1, 5, 4, ""},

		{"empty", "", 1, 5, 0, msgRequired},
		{"fraction", "3.5", 1, 5, 0, "not a whole number"},
		{"small fraction", "3.001", 1, 5, 0, "not a whole number"},
		{"word", "three", 1, 5, 0, "not a whole number"},
		{"trailing dot", "3.", 1, 5, 0, "not a whole number"},
		{"above", "6", 1, 5, 0, "must be between 1 and 5"},
		{"below", "0", 1, 5, 0, "must be between 1 and 5"},
		{"negative below", "-6", -5, 5, 0, "must be between -5 and 5"},
		{"huge", "99999999999999999999", 1, 5, 0, "must be between 1 and 5"},
		{"huge negative", "-99999999999999999999", -5, 5, 0, "must be between -5 and 5"},
		{"largest int64", "9223372036854775807", math.MinInt64, math.MaxInt64, math.MaxInt64, ""},
		{"smallest int64", "-9223372036854775808", math.MinInt64, math.MaxInt64, math.MinInt64, ""},
		{"beyond int64", "9223372036854775808", math.MinInt64, math.MaxInt64, 0, "must be between -9223372036854775808 and 9223372036854775807"},
		{"below int64", "-9223372036854775809", math.MinInt64, math.MaxInt64, 0, "must be between -9223372036854775808 and 9223372036854775807"},
		{"plus", "+3", 1, 5, 0, msgPlus},
		{"exponent", "1e3", 1, 5000, 0, msgExponent},
		{"bad separator", "1,00", 1, 500, 0, msgSep},
		{"inner space", "1 000", 1, 5000, 0, msgSpace},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Int(c.in, c.min, c.max)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("Int(%q, %d, %d) = %d, %v; want error %q", c.in, c.min, c.max, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Int(%q, %d, %d) = %d, %v; want %d", c.in, c.min, c.max, got, err, c.want)
			}
		})
	}
}

func TestBool(t *testing.T) {
	const msgBool = "not a yes/no value (want yes, no, true, false, 1 or 0)"
	cases := []struct {
		name string
		in   string
		want bool
		err  string
	}{
		{"true", "true", true, ""},
		{"TRUE", "TRUE", true, ""},
		{"False", "False", false, ""},
		{"yes", "yes", true, ""},
		{"Yes", "Yes", true, ""},
		{"no", "no", false, ""},
		{"NO", "NO", false, ""},
		{"y", "y", true, ""},
		{"Y", "Y", true, ""},
		{"n", "n", false, ""},
		{"one", "1", true, ""},
		{"zero", "0", false, ""},
		{"t", "t", true, ""},
		{"F", "F", false, ""},
		{"shi", "是", true, ""},
		{"fou", "否", false, ""},
		{"zhen", "真", true, ""},
		{"jia", "假", false, ""},
		{"spaces", " yes\u3000", true, ""},
		{"empty", "", false, msgRequired},
		{"maybe", "maybe", false, msgBool},
		{"two", "2", false, msgBool},
		{"long word", "affirmative", false, msgBool},
		{"ok", "ok", false, msgBool},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Bool(c.in)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("Bool(%q) = %v, %v; want error %q", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Bool(%q) = %v, %v; want %v", c.in, got, err, c.want)
			}
		})
	}
}

// methods is the payment method enum of DESIGN.md, as the ingest code is
// expected to build it.
var methods = NewEnum(map[string][]string{
	"cash":          {"現金", "现金"},
	"card":          {"刷卡"},
	"bank_transfer": {"銀行轉賬", "银行转账"},
	"wechat":        {"微信", "WeChat Pay"},
	"alipay":        {"支付寶", "支付宝"},
	"other":         {"其他"},
})

func TestEnum(t *testing.T) {
	const msgUnknown = "unknown value; want one of: alipay, bank_transfer, card, cash, other, wechat"
	cases := []struct{ name, in, want, err string }{
		{"canonical", "bank_transfer", "bank_transfer", ""},
		{"title case with space", "Bank Transfer", "bank_transfer", ""},
		{"dash", "bank-transfer", "bank_transfer", ""},
		{"upper underscore", "BANK_TRANSFER", "bank_transfer", ""},
		{"double space", "bank  transfer", "bank_transfer", ""},
		{"mixed separators", "bank -_transfer", "bank_transfer", ""},
		{"ideographic space", "bank\u3000transfer", "bank_transfer", ""},
		{"traditional alias", "銀行轉賬", "bank_transfer", ""},
		{"simplified alias", "银行转账", "bank_transfer", ""},
		{"alias with space folded", "wechat-pay", "wechat", ""},
		{"alias as listed", "WeChat Pay", "wechat", ""},
		{"full-width letters", "ＣＡＳＨ", "cash", ""},
		{"trimmed", " cash\u00a0", "cash", ""},
		{"chinese", "微信", "wechat", ""},

		{"empty", "", "", msgRequired},
		{"unknown", "cheque", "", msgUnknown},
		{"partial", "bank", "", msgUnknown},
		{"joined words", "banktransfer", "", msgUnknown},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := methods.Parse(c.in)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("Parse(%q) = %q, %v; want error %q", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Parse(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
	t.Run("values sorted and copied", func(t *testing.T) {
		want := []string{"alipay", "bank_transfer", "card", "cash", "other", "wechat"}
		got := methods.Values()
		if !slices.Equal(got, want) {
			t.Fatalf("Values() = %v, want %v", got, want)
		}
		got[0] = "changed"
		if methods.Values()[0] != "alipay" {
			t.Fatal("Values() shares its slice with the Enum")
		}
	})
	t.Run("zero enum", func(t *testing.T) {
		if got, err := (Enum{}).Parse("x"); err == nil || err.Error() != "unknown value" {
			t.Fatalf("Enum{}.Parse(%q) = %q, %v; want error %q", "x", got, err, "unknown value")
		}
	})
	for _, bad := range []struct {
		name string
		m    map[string][]string
	}{
		{"alias of two values", map[string][]string{"a": {"x"}, "b": {"X"}}},
		{"canonical folds like another", map[string][]string{"bank_transfer": nil, "bank-transfer": nil}},
		{"empty alias", map[string][]string{"a": {" "}}},
	} {
		t.Run("panics on "+bad.name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatalf("NewEnum(%v) did not panic", bad.m)
				}
			}()
			NewEnum(bad.m)
		})
	}
}

func TestText(t *testing.T) {
	const (
		msgControl  = "contains control characters"
		msgEncoding = "contains undecodable bytes; check the file's encoding"
	)
	cases := []struct {
		name string
		in   string
		max  int
		want string
		err  string
	}{
		{"plain", "hello", 10, "hello", ""},
		{"trimmed", " \u3000hi\u00a0\n", 10, "hi", ""},
		{"empty", "", 10, "", ""},
		{"only spaces", "  ", 10, "", ""},
		{"tab inside", "a\tb", 10, "a\tb", ""},
		{"exactly max runes", "héllo", 5, "héllo", ""},
		{"chinese runes counted", "收费员张三", 5, "收费员张三", ""},
		{"no limit", strings.Repeat("x", 10000), 0, strings.Repeat("x", 10000), ""},
		{"formula kept for the writer to neutralise", "=1+1", 10, "=1+1", ""},

		{"NUL", "a\x00b", 10, "", msgControl},
		{"newline inside is kept (multi-line comments)", "a\nb", 10, "a\nb", ""},
		{"carriage return inside is kept", "a\rb", 10, "a\rb", ""},
		{"escape", "a\x1b[31m", 10, "", msgControl},
		{"DEL", "a\x7fb", 10, "", msgControl},
		{"C1 control", "a\u0085b", 10, "", msgControl},
		{"C1 from wrong charset", "caf\u0083", 10, "", msgControl},
		{"invalid UTF-8", "\xb2\xe2\xca\xd4", 10, "", msgEncoding},
		{"replacement character", "a\uFFFDb", 10, "", msgEncoding},
		{"encoding before control", "\x00\xff", 10, "", msgEncoding},
		{"too long", "héllo!", 5, "", "longer than 5 characters"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Text(c.in, c.max)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("Text(%q, %d) = %q, %v; want error %q", c.in, c.max, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Text(%q, %d) = %q, %v; want %q", c.in, c.max, got, err, c.want)
			}
		})
	}
}
