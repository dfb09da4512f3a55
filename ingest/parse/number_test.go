package parse

import (
	"testing"

	"github.com/shopspring/decimal"
)

// decCase is one row of a decimal table: want is the value on success, err
// the exact message on failure (one of the two is empty).
type decCase struct {
	name string
	in   string
	want string
	err  string
}

// checkDec runs f over cases and checks value, exponent and message.
func checkDec(t *testing.T, fn string, f func(string) (decimal.Decimal, error), exp int32, cases []decCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f(c.in)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("%s(%q) = %v, %v; want error %q", fn, c.in, got, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s(%q) = error %q, want %s", fn, c.in, err, c.want)
			}
			if want := decimal.RequireFromString(c.want); !got.Equal(want) {
				t.Fatalf("%s(%q) = %v, want %v", fn, c.in, got, want)
			}
			if got.Exponent() != exp {
				t.Fatalf("%s(%q) has exponent %d, want %d", fn, c.in, got.Exponent(), exp)
			}
		})
	}
}

const (
	msgRequired  = "required"
	msgNotNumber = "not a number"
	msgExponent  = "exponent form is not accepted"
	msgPlaces2   = "more than 2 decimal places"
	msgNegative  = "negative amount"
	msgTooLarge  = "larger than the largest amount 9,999,999,999,999,999.99"
	msgPlus      = "leading + is not accepted"
	msgSep       = "misplaced thousands separator (want 1,250.50)"
	msgSpace     = "space inside the number"
	msgParens    = "negative in parentheses; write it with a leading minus sign"
)

// amountShared holds the cases Amount and SignedAmount treat alike.
var amountShared = []decCase{
	{"one place", "45.5", "45.5", ""},
	{"integer", "1250", "1250", ""},
	{"two places", "1250.50", "1250.50", ""},
	{"thousands", "1,250.50", "1250.50", ""},
	{"millions", "1,234,567.89", "1234567.89", ""},
	{"thousands no fraction", "12,345", "12345", ""},
	{"zero", "0", "0", ""},
	{"zero two places", "0.00", "0", ""},
	{"leading dot", ".5", "0.5", ""},
	{"leading zeros", "007.50", "7.5", ""},
	{"many leading zeros", "00000000000000000000001.00", "1", ""},
	{"ascii spaces around", " \t12.00\r\n", "12", ""},
	{"nbsp around", "\u00a012.00\u00a0", "12", ""},
	{"ideographic space around", "\u300012\u3000", "12", ""},
	{"bom before", "\uFEFF12.30", "12.3", ""},
	{"full-width digits", "１２３４．５０", "1234.50", ""},
	{"full-width separators", "１，２５０", "1250", ""},
	{"yen", "¥12.00", "12", ""},
	{"full-width yen", "￥12", "12", ""},
	{"dollar", "$1,250.50", "1250.50", ""},
	{"full-width dollar", "＄12", "12", ""},
	{"NT dollar", "NT$1,250", "1250", ""},
	{"NT dollar lower case", "nt$5", "5", ""},
	{"HK dollar with space", "HK$ 99.90", "99.90", ""},
	{"RMB with space", "RMB 100", "100", ""},
	{"RMB without space", "RMB100", "100", ""},
	{"rmb lower case", "rmb100.1", "100.1", ""},
	{"currency then nbsp", "$\u00a012", "12", ""},
	{"currency then ideographic space", "￥\u300012", "12", ""},
	{"largest", "9999999999999999.99", "9999999999999999.99", ""},
	{"largest with separators", "9,999,999,999,999,999.99", "9999999999999999.99", ""},

	{"empty", "", "", msgRequired},
	{"only spaces", " \u3000\u00a0", "", msgRequired},
	{"letters", "abc", "", msgNotNumber},
	{"NaN", "NaN", "", msgNotNumber},
	{"nan", "nan", "", msgNotNumber},
	{"Inf", "Inf", "", msgNotNumber},
	{"minus Inf", "-Inf", "", msgNotNumber},
	{"Infinity", "Infinity", "", msgNotNumber},
	{"hex", "0x1F", "", msgNotNumber},
	{"multiple dots", "1.2.3", "", msgNotNumber},
	{"trailing garbage", "12abc", "", msgNotNumber},
	{"trailing yuan", "12元", "", msgNotNumber},
	{"trailing dot", "12.", "", msgNotNumber},
	{"lone dot", ".", "", msgNotNumber},
	{"currency alone", "$", "", msgNotNumber},
	{"double minus", "--5", "", msgNotNumber},
	{"minus inside", "1-2", "", msgNotNumber},
	{"two currencies", "$$5", "", msgNotNumber},
	{"suffix currency", "12 RMB", "", msgNotNumber},
	{"exponent", "1e3", "", msgExponent},
	{"exponent upper negative", "1E-2", "", msgExponent},
	{"exponent with fraction", "1.5e+3", "", msgExponent},
	{"e without digits", "1e", "", msgNotNumber},
	{"three places", "1.234", "", msgPlaces2},
	{"three places trailing zero", "1.230", "", msgPlaces2},
	{"tiny", "0.001", "", msgPlaces2},
	{"plus", "+5", "", msgPlus},
	{"full-width plus", "＋5", "", msgPlus},
	{"bad group of two", "1,25.0", "", msgSep},
	{"leading separator", ",100", "", msgSep},
	{"double separator", "1,,000", "", msgSep},
	{"trailing separator", "1,000,", "", msgSep},
	{"first group too long", "1234,567", "", msgSep},
	{"european decimal comma", "1.250,50", "", msgSep},
	{"group of two at end", "12,34", "", msgSep},
	{"space between digits", "1 250", "", msgSpace},
	{"nbsp between digits", "1\u00a0250", "", msgSpace},
	{"ideographic space between digits", "1\u3000250.00", "", msgSpace},
	{"too large", "10000000000000000", "", msgTooLarge},
	{"too large with places", "10000000000000000.00", "", msgTooLarge},
	{"far too large", "99999999999999999999999999999", "", msgTooLarge},
}

func TestAmount(t *testing.T) {
	cases := append([]decCase{
		{"minus", "-1", "", msgNegative},
		{"minus zero", "-0", "", msgNegative},
		{"minus zero places", "-0.00", "", msgNegative},
		{"unicode minus", "\u22125", "", msgNegative},
		{"full-width minus", "－5", "", msgNegative},
		{"minus before currency", "-$5", "", msgNegative},
		{"minus after currency", "$-5", "", msgNegative},
		{"accounting parentheses", "(12.00)", "", msgNegative},
		{"full-width parentheses", "（12.00）", "", msgNegative},
		{"parentheses with currency", "($12.00)", "", msgNegative},
		{"minus and three places", "-1.234", "", msgNegative},
		{"minus garbage is not a number first", "-abc", "", msgNotNumber},
	}, amountShared...)
	checkDec(t, "Amount", Amount, -2, cases)
}

func TestSignedAmount(t *testing.T) {
	cases := append([]decCase{
		{"minus", "-12.50", "-12.50", ""},
		{"minus zero", "-0", "0", ""},
		{"minus zero places", "-0.00", "0", ""},
		{"unicode minus", "\u22125", "-5", ""},
		{"full-width minus", "－５", "-5", ""},
		{"minus before currency", "-$5", "-5", ""},
		{"minus after currency", "$-5", "-5", ""},
		{"minus after currency and space", "RMB -5.5", "-5.5", ""},
		{"minus thousands", "-1,250.50", "-1250.50", ""},
		{"smallest", "-9999999999999999.99", "-9999999999999999.99", ""},
		{"accounting parentheses", "(12.00)", "", msgParens},
		{"minus too large", "-10000000000000000", "", msgTooLarge},
		{"minus three places", "-1.234", "", msgPlaces2},
		{"lone minus", "-", "", msgNotNumber},
		{"two signs", "-$-5", "", msgNotNumber},
		{"minus and plus", "-+5", "", msgNotNumber},
	}, amountShared...)
	checkDec(t, "SignedAmount", SignedAmount, -2, cases)
}

func TestDecimal(t *testing.T) {
	type dc struct {
		decCase
		places int
	}
	cases := []dc{
		{decCase{"target ratio", "0.95", "0.95", ""}, 2},
		{decCase{"whole target", "500", "500", ""}, 2},
		{decCase{"negative", "-0.5", "-0.5", ""}, 2},
		{decCase{"thousands", "1,000.5", "1000.5", ""}, 1},
		{decCase{"full-width", "０．９５", "0.95", ""}, 2},
		{decCase{"zero places", "42", "42", ""}, 0},
		{decCase{"many places", "0.123456789", "0.123456789", ""}, 9},
		{decCase{"largest", "99999999999999.99", "99999999999999.99", ""}, 2},
		{decCase{"beyond int64 on big path", "12345678901234.123456", "12345678901234.123456", ""}, 6},
		{decCase{"negative on big path", "-12345678901234.5", "-12345678901234.5", ""}, 6},
		{decCase{"big path with separators", "12,345,678,901,234.5", "12345678901234.5", ""}, 10},
		{decCase{"empty", "", "", msgRequired}, 2},
		{decCase{"three places", "0.955", "", "more than 2 decimal places"}, 2},
		{decCase{"two places when one allowed", "0.95", "", "more than 1 decimal places"}, 1},
		{decCase{"fraction when none allowed", "1.5", "", "not a whole number"}, 0},
		{decCase{"too large", "100000000000000", "", "too large (at most 14 digits before the decimal point)"}, 2},
		{decCase{"currency", "$5", "", msgNotNumber}, 2},
		{decCase{"percent", "95%", "", msgNotNumber}, 2},
		{decCase{"exponent", "1e3", "", msgExponent}, 2},
		{decCase{"plus", "+1", "", msgPlus}, 2},
		{decCase{"bad separator", "1,00", "", msgSep}, 2},
	}
	for _, c := range cases {
		checkDec(t, "Decimal", func(s string) (decimal.Decimal, error) { return Decimal(s, c.places) }, -int32(c.places), []decCase{c.decCase})
	}
	t.Run("negative places panics", func(t *testing.T) {
		defer func() {
			if recover() == nil {
				t.Fatal("Decimal(\"1\", -1) did not panic")
			}
		}()
		_, _ = Decimal("1", -1)
	})
}

func TestXLSXAmount(t *testing.T) {
	checkDec(t, "XLSXAmount", XLSXAmount, -2, []decCase{
		{"double noise above", "12.300000000000001", "12.30", ""},
		{"double noise sum", "0.30000000000000004", "0.30", ""},
		{"double noise below", "2.9999999999999996", "3", ""},
		{"exponent form", "1.2345678E+5", "123456.78", ""},
		{"exponent lower case", "1e2", "100", ""},
		{"plain integer", "45123", "45123", ""},
		{"plain decimal", "12.5", "12.5", ""},
		{"trailing zeros", "123456789012.34000", "123456789012.34", ""},
		{"exactly the tolerance", "12.000001", "12", ""},
		{"relative tolerance for large values", "40000000000.010002", "40000000000.01", ""},
		{"exact beyond double cents", "80000000000000", "80000000000000", ""},
		{"minus zero", "-0", "0", ""},
		{"negative noise around zero", "-5.5511151231257827E-17", "0", ""},
		{"vanishing", "1E-40", "0", ""},
		{"string cell with currency", "¥1,250.00", "1250", ""},
		{"largest", "9999999999999999.99", "9999999999999999.99", ""},

		{"empty", "", "", msgRequired},
		{"three places", "12.345", "", msgPlaces2},
		{"many places", "12.3456789", "", msgPlaces2},
		{"just beyond tolerance", "12.0000011", "", msgPlaces2},
		{"negative", "-12.5", "", msgNegative},
		{"negative three places", "-12.345", "", msgNegative},
		{"negative exponent form", "-1.5E+3", "", msgNegative},
		{"too large", "1E+16", "", msgTooLarge},
		{"rounds up past largest", "9999999999999999.995", "", msgTooLarge},
		{"absurd exponent", "1e999999999", "", msgTooLarge},
		{"absurd negative", "-1e999999999", "", msgNegative},
		{"beyond double cents", "70368744177664.016", "", "too large to be exact in an Excel number cell; store the amount as text"},
		{"text", "abc", "", msgNotNumber},
		{"NaN", "NaN", "", msgNotNumber},
		{"string cell three places", "1,250.505", "", msgPlaces2},
		{"exponent without digits", "1e", "", msgNotNumber},
		{"plus", "+5", "", msgPlus},
	})
}
