package parse

import (
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"
	"unicode/utf8"

	"github.com/shopspring/decimal"
)

// amountMessages are all the texts Amount and SignedAmount may return: a
// fuzzer finding another one has found a path nobody wrote a message for.
var amountMessages = []string{
	msgRequired, msgNotNumber, msgExponent, msgPlaces2, msgNegative, msgTooLarge,
	msgPlus, msgSep, msgSpace, msgParens,
}

// amountSeeds are shared by the amount fuzz targets.
var amountSeeds = []string{
	"45.5", "1250", "1,250.50", "１２３４．５０", "¥12.00", "NT$ 1,250", "RMB100",
	"-0", "(12.00)", "1e3", "1.230", "1 250", "1,25.0", ",100", "9999999999999999.99",
	"10000000000000000", "0x1F", "NaN", "+5", "$-5", ".5", "12.", "\u00a012\u3000",
}

func FuzzAmount(f *testing.F) {
	for _, s := range amountSeeds {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := Amount(s)
		sd, serr := SignedAmount(s)
		if serr != nil && !slices.Contains(amountMessages, serr.Error()) {
			t.Fatalf("SignedAmount(%q) = error %q, not a known message", s, serr)
		}
		if serr == nil {
			if sd.Exponent() != -2 || sd.Abs().Cmp(maxAmount) > 0 {
				t.Fatalf("SignedAmount(%q) = %v, out of shape or range", s, sd)
			}
			if again, err := SignedAmount(sd.StringFixed(2)); err != nil || !again.Equal(sd) {
				t.Fatalf("SignedAmount(%q) = %v, but SignedAmount(%q) = %v, %v", s, sd, sd.StringFixed(2), again, err)
			}
		}
		if err != nil {
			if !slices.Contains(amountMessages, err.Error()) {
				t.Fatalf("Amount(%q) = error %q, not a known message", s, err)
			}
			return
		}
		if d.Exponent() < -2 || d.Sign() < 0 || d.Cmp(maxAmount) > 0 {
			t.Fatalf("Amount(%q) = %v, out of shape or range", s, d)
		}
		if serr != nil || !sd.Equal(d) {
			t.Fatalf("Amount(%q) = %v but SignedAmount = %v, %v", s, d, sd, serr)
		}
		again, err := Amount(d.StringFixed(2))
		if err != nil || !again.Equal(d) {
			t.Fatalf("Amount(%q) = %v, but Amount(%q) = %v, %v", s, d, d.StringFixed(2), again, err)
		}
		// Differential check against shopspring for plain ASCII numbers.
		plain := strings.ReplaceAll(s, ",", "")
		if strings.Trim(plain, "0123456789.") == "" && !strings.HasPrefix(plain, ".") {
			ref, rerr := decimal.NewFromString(plain)
			if rerr != nil || !ref.Equal(d) {
				t.Fatalf("Amount(%q) = %v, decimal.NewFromString(%q) = %v, %v", s, d, plain, ref, rerr)
			}
		}
	})
}

func FuzzDecimal(f *testing.F) {
	for _, s := range []string{"0.95", "500", "-0.5", "1,000.5", "99999999999999.99", "12345678901234.123456", "1e3", "+1"} {
		f.Add(s, uint8(2))
		f.Add(s, uint8(7))
	}
	f.Fuzz(func(t *testing.T, s string, p uint8) {
		places := int(p % 12)
		d, err := Decimal(s, places)
		if err != nil {
			return
		}
		if d.Exponent() != -int32(places) || d.Abs().Cmp(decimal.New(1, maxDecimalDigits)) >= 0 {
			t.Fatalf("Decimal(%q, %d) = %v, out of shape or range", s, places, d)
		}
		again, err := Decimal(d.StringFixed(int32(places)), places)
		if err != nil || !again.Equal(d) {
			t.Fatalf("Decimal(%q, %d) = %v, but Decimal(%q) = %v, %v", s, places, d, d.StringFixed(int32(places)), again, err)
		}
	})
}

func FuzzXLSXAmount(f *testing.F) {
	for _, s := range append([]string{"12.300000000000001", "0.30000000000000004", "1.2345678E+5",
		"-5.5511151231257827E-17", "1e999999999", "70368744177664.016", "12.0000011"}, amountSeeds...) {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		d, err := XLSXAmount(s)
		if err != nil {
			return
		}
		if d.Exponent() != -2 || d.Sign() < 0 || d.Cmp(maxAmount) > 0 {
			t.Fatalf("XLSXAmount(%q) = %v, out of shape or range", s, d)
		}
		if a, aerr := Amount(s); aerr == nil && !a.Equal(d) {
			t.Fatalf("XLSXAmount(%q) = %v but Amount = %v", s, d, a)
		}
	})
}

// fuzzLoc has clock changes both ways, so round trips cross gaps and overlaps.
var fuzzLoc = func() *time.Location {
	loc, err := time.LoadLocation("America/New_York")
	if err != nil {
		panic(err)
	}
	return loc
}()

func FuzzTimestamp(f *testing.F) {
	for _, s := range []string{
		"2026-09-29T10:15:00+08:00", "2026-09-29T10:15:00Z", "2026-09-29T10:15", "2026-09-29 10:15:00",
		"2026/9/3 8:05", "2026-09-29", "2026-09-29 10:15:00.123", "2026-03-08 02:30", "2026-11-01 01:30",
		"2026-02-30", "2026-09-29 24:00", "9999-12-31T23:59:59-23:59", "1900-01-01T00:00:00+23:59",
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := Timestamp(s, fuzzLoc)
		if err != nil {
			return
		}
		if ts.Location() != time.UTC {
			t.Fatalf("Timestamp(%q) = %v, not in UTC", s, ts)
		}
		text := ts.Format(time.RFC3339Nano)
		again, err := Timestamp(text, fuzzLoc)
		if err != nil {
			// Only an instant at the edge of the accepted years may fall
			// outside them once written in UTC.
			if y := ts.Year(); y == 1899 || y == 10000 {
				return
			}
			t.Fatalf("Timestamp(%q) = %v, but Timestamp(%q) = %v", s, ts, text, err)
		}
		if !again.Equal(ts) {
			t.Fatalf("Timestamp(%q) = %v, but Timestamp(%q) = %v", s, ts, text, again)
		}
		// A date Date accepts is, without a written offset, Timestamp's UTC midnight.
		if d, err := Date(s); err == nil {
			if st, _ := scanStamp(trim(s)); !st.hasZone {
				if u, err := Timestamp(s, time.UTC); err != nil || !u.Equal(d) {
					t.Fatalf("Date(%q) = %v, but Timestamp in UTC = %v, %v", s, d, u, err)
				}
			}
		}
	})
}

func FuzzExcelSerial(f *testing.F) {
	for _, s := range []string{"45123", "45123.5", "4.51235E4", "60", "61", "1", "0.5", "2958465.999999999", "46089.104166666664", "2026-09-29"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ts, err := ExcelSerial(s, fuzzLoc)
		if err != nil {
			return
		}
		if ts.Location() != time.UTC || ts.Year() < 1899 || ts.Year() > 10000 || ts.Nanosecond() != 0 && readable(s) {
			t.Fatalf("ExcelSerial(%q) = %v, out of shape or range", s, ts)
		}
	})
}

// readable reports whether s is a number ExcelSerial reads itself (rather
// than passing to Timestamp, which keeps fractions of a second).
func readable(s string) bool {
	_, ok := readRaw(trim(s))
	return ok
}

func FuzzPeriod(f *testing.F) {
	for _, s := range []string{"2026-09", "2026/09", "2026-9", "202609", "2026年9月", "2026年09月", "2026-13", "2026年9"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		p, err := Period(s)
		if err != nil {
			return
		}
		if len(p) != 7 || p[4] != '-' {
			t.Fatalf("Period(%q) = %q, not YYYY-MM", s, p)
		}
		if again, err := Period(p); err != nil || again != p {
			t.Fatalf("Period(%q) = %q, but Period(%q) = %q, %v", s, p, p, again, err)
		}
	})
}

func FuzzEnum(f *testing.F) {
	for _, s := range []string{"Bank Transfer", "bank-transfer", "BANK_TRANSFER", "銀行轉賬", "ＣＡＳＨ", "cheque", "-", "_cash_"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		v, err := methods.Parse(s)
		if err != nil {
			return
		}
		if !slices.Contains(methods.Values(), v) {
			t.Fatalf("Parse(%q) = %q, not a canonical value", s, v)
		}
		for _, again := range []string{v, strings.ToUpper(v), strings.ReplaceAll(v, "_", " ")} {
			if got, err := methods.Parse(again); err != nil || got != v {
				t.Fatalf("Parse(%q) = %q, but Parse(%q) = %q, %v", s, v, again, got, err)
			}
		}
	})
}

func FuzzText(f *testing.F) {
	for _, s := range []string{"hello", " 收费员 ", "a\tb", "a\x00b", "\xff", "a\uFFFDb", "caf\u0083"} {
		f.Add(s, uint8(5))
	}
	f.Fuzz(func(t *testing.T, s string, max uint8) {
		got, err := Text(s, int(max))
		if err != nil {
			return
		}
		if !utf8.ValidString(got) || strings.ContainsRune(got, utf8.RuneError) ||
			max > 0 && utf8.RuneCountInString(got) > int(max) || trim(got) != got {
			t.Fatalf("Text(%q, %d) = %q, breaks its promise", s, max, got)
		}
		for _, r := range got {
			if r < 0x20 && r != '\t' && r != '\n' && r != '\r' || r >= 0x7F && r <= 0x9F {
				t.Fatalf("Text(%q, %d) = %q, contains control %U", s, max, got, r)
			}
		}
		if again, err := Text(got, int(max)); err != nil || again != got {
			t.Fatalf("Text(%q) = %q, but Text(%q) = %q, %v", s, got, got, again, err)
		}
	})
}

func FuzzInt(f *testing.F) {
	for _, s := range []string{"3", "-2", "1,000", "３", "3.0", "3.5", "+3", "9223372036854775807", "-9223372036854775808"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		const lo, hi = -1000000, 1000000
		v, err := Int(s, lo, hi)
		if err != nil {
			return
		}
		if v < lo || v > hi {
			t.Fatalf("Int(%q) = %d, out of range", s, v)
		}
		if again, err := Int(strconv.Itoa(v), lo, hi); err != nil || again != v {
			t.Fatalf("Int(%q) = %d, but Int(%q) = %d, %v", s, v, strconv.Itoa(v), again, err)
		}
	})
}
