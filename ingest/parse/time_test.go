package parse

import (
	"testing"
	"time"
	_ "time/tzdata" // the tests must not depend on the machine's zoneinfo
)

const (
	msgNotTime = "not a time (want RFC 3339 or YYYY-MM-DD HH:MM[:SS])"
	msgNotDate = "not a date (want YYYY-MM-DD)"
	msgYear    = "year must be between 1900 and 9999"
	msgMonth   = "no such month"
	msgDay     = "no such day in that month"
)

// mustLoad loads a zone or stops the test.
func mustLoad(t testing.TB, name string) *time.Location {
	t.Helper()
	loc, err := time.LoadLocation(name)
	if err != nil {
		t.Fatal(err)
	}
	return loc
}

// timeCase is one row of a time table: want is RFC 3339 (UTC) on success,
// err the exact message on failure.
type timeCase struct {
	name string
	in   string
	loc  *time.Location
	want string
	err  string
}

// checkTime runs f over cases; every success must be in UTC.
func checkTime(t *testing.T, fn string, f func(string, *time.Location) (time.Time, error), cases []timeCase) {
	t.Helper()
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := f(c.in, c.loc)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("%s(%q, %v) = %v, %v; want error %q", fn, c.in, c.loc, got, err, c.err)
				}
				return
			}
			if err != nil {
				t.Fatalf("%s(%q, %v) = error %q, want %s", fn, c.in, c.loc, err, c.want)
			}
			want, perr := time.Parse(time.RFC3339Nano, c.want)
			if perr != nil {
				t.Fatal(perr)
			}
			if !got.Equal(want) || got.Location() != time.UTC {
				t.Fatalf("%s(%q, %v) = %v, want %v", fn, c.in, c.loc, got, want.UTC())
			}
		})
	}
}

func TestTimestamp(t *testing.T) {
	sh := mustLoad(t, "Asia/Shanghai")
	ny := mustLoad(t, "America/New_York")
	london := mustLoad(t, "Europe/London")
	lordHowe := mustLoad(t, "Australia/Lord_Howe")
	checkTime(t, "Timestamp", Timestamp, []timeCase{
		{"rfc3339 offset honoured", "2026-09-29T10:15:00+08:00", ny, "2026-09-29T02:15:00Z", ""},
		{"rfc3339 Z", "2026-09-29T10:15:00Z", sh, "2026-09-29T10:15:00Z", ""},
		{"rfc3339 lower case", "2026-09-29t10:15:00z", sh, "2026-09-29T10:15:00Z", ""},
		{"negative half-hour offset", "2026-09-29T10:15:00-05:30", sh, "2026-09-29T15:45:00Z", ""},
		{"offset without colon", "2026-09-29 10:15:00+0800", ny, "2026-09-29T02:15:00Z", ""},
		{"offset crosses midnight", "2026-01-01T01:00:00+08:00", nil, "2025-12-31T17:00:00Z", ""},
		{"fraction with offset", "2026-09-29T10:15:00.123+08:00", nil, "2026-09-29T02:15:00.123Z", ""},
		{"nanoseconds", "2026-09-29T10:15:00.123456789Z", nil, "2026-09-29T10:15:00.123456789Z", ""},
		{"T without offset is local", "2026-09-29T10:15:00", sh, "2026-09-29T02:15:00Z", ""},
		{"T without seconds", "2026-09-29T10:15", sh, "2026-09-29T02:15:00Z", ""},
		{"space without seconds", "2026-09-29 10:15", sh, "2026-09-29T02:15:00Z", ""},
		{"space with seconds", "2026-09-29 10:15:07", sh, "2026-09-29T02:15:07Z", ""},
		{"slashes", "2026/09/29 10:15", sh, "2026-09-29T02:15:00Z", ""},
		{"slashes with seconds", "2026/09/29 10:15:07", sh, "2026-09-29T02:15:07Z", ""},
		{"fraction without offset", "2026-09-29 10:15:00.5", sh, "2026-09-29T02:15:00.5Z", ""},
		{"single digits", "2026/9/3 8:05", sh, "2026-09-03T00:05:00Z", ""},
		{"two spaces", "2026-09-29  10:15", sh, "2026-09-29T02:15:00Z", ""},
		{"date alone is local midnight", "2026-09-29", sh, "2026-09-28T16:00:00Z", ""},
		{"date alone with slashes", "2026/09/29", sh, "2026-09-28T16:00:00Z", ""},
		{"leap day", "2024-02-29 00:00", nil, "2024-02-29T00:00:00Z", ""},
		{"nil location is UTC", "2026-09-29 10:15", nil, "2026-09-29T10:15:00Z", ""},
		{"unicode spaces around", "\u00a02026-09-29 10:15\u3000", sh, "2026-09-29T02:15:00Z", ""},
		{"end of day", "2026-12-31 23:59:59", nil, "2026-12-31T23:59:59Z", ""},
		{"earliest year", "1900-01-01 00:00", nil, "1900-01-01T00:00:00Z", ""},
		{"last year", "9999-12-31 23:59", nil, "9999-12-31T23:59:00Z", ""},
		{"before spring gap", "2026-03-08 01:59", ny, "2026-03-08T06:59:00Z", ""},
		{"after spring gap", "2026-03-08 03:00", ny, "2026-03-08T07:00:00Z", ""},
		{"fall overlap takes earlier", "2026-11-01 01:30", ny, "2026-11-01T05:30:00Z", ""},
		{"fall overlap with fraction", "2026-11-01 01:30:00.25", ny, "2026-11-01T05:30:00.25Z", ""},
		{"after fall overlap", "2026-11-01 02:30", ny, "2026-11-01T07:30:00Z", ""},
		{"london overlap takes earlier", "2026-10-25 01:30", london, "2026-10-25T00:30:00Z", ""},
		{"half-hour overlap takes earlier", "2026-04-05 01:45", lordHowe, "2026-04-04T14:45:00Z", ""},
		{"offset ignores gap", "2026-03-08T02:30:00-05:00", ny, "2026-03-08T07:30:00Z", ""},

		{"empty", "", sh, "", msgRequired},
		{"spaces", " \u3000", sh, "", msgRequired},
		{"spring gap", "2026-03-08 02:30", ny, "", "does not exist in America/New_York (clock change)"},
		{"half-hour gap", "2026-10-04 02:15", lordHowe, "", "does not exist in Australia/Lord_Howe (clock change)"},
		{"impossible date", "2026-02-30", sh, "", msgDay},
		{"impossible date with time", "2026-02-30 10:15", sh, "", msgDay},
		{"not a leap year", "2023-02-29", sh, "", msgDay},
		{"century not leap", "1900-02-29", sh, "", msgDay},
		{"day 31 in 30-day month", "2026-09-31", sh, "", msgDay},
		{"day zero", "2026-09-00", sh, "", msgDay},
		{"month 13", "2026-13-01", sh, "", msgMonth},
		{"month zero", "2026-00-01", sh, "", msgMonth},
		{"hour 24", "2026-09-29 24:00", sh, "", "hour must be 0 to 23"},
		{"minute 60", "2026-09-29 10:60", sh, "", "minute must be 0 to 59"},
		{"leap second", "2026-09-29 10:15:60", sh, "", "second must be 0 to 59"},
		{"year 1", "0001-01-01 00:00", sh, "", msgYear},
		{"offset hours", "2026-09-29T10:15:00+24:00", sh, "", "time zone offset out of range"},
		{"day first", "29/09/2026", sh, "", msgNotTime},
		{"hour alone", "2026-09-29 10", sh, "", msgNotTime},
		{"one-digit minute", "2026-09-29 10:5", sh, "", msgNotTime},
		{"dangling T", "2026-09-29T", sh, "", msgNotTime},
		{"dangling dot", "2026-09-29 10:15:00.", sh, "", msgNotTime},
		{"ten fraction digits", "2026-09-29 10:15:00.1234567890", sh, "", msgNotTime},
		{"fraction without seconds", "2026-09-29 10:15.5", sh, "", msgNotTime},
		{"one-digit offset", "2026-09-29T10:15:00+8", sh, "", msgNotTime},
		{"compact date", "20260929", sh, "", msgNotTime},
		{"mixed separators", "2026-09/29", sh, "", msgNotTime},
		{"word", "yesterday", sh, "", msgNotTime},
		{"am pm", "2026-09-29 10:15 PM", sh, "", msgNotTime},
		{"space before offset", "2026-09-29 10:15:00 +08:00", sh, "", msgNotTime},
		{"serial number", "45123", sh, "", msgNotTime},
		{"chinese date", "2026年9月29日", sh, "", msgNotTime},
		{"three-digit month", "2026-009-29", sh, "", msgNotTime},
		{"two-digit year", "26-09-29", sh, "", msgNotTime},
		{"trailing garbage", "2026-09-29 10:15:00x", sh, "", msgNotTime},
		{"zone name", "2026-09-29 10:15 CST", sh, "", msgNotTime},
	})
}

func TestDate(t *testing.T) {
	f := func(s string, _ *time.Location) (time.Time, error) { return Date(s) }
	checkTime(t, "Date", f, []timeCase{
		{"dashes", "2026-09-29", nil, "2026-09-29T00:00:00Z", ""},
		{"slashes", "2026/09/29", nil, "2026-09-29T00:00:00Z", ""},
		{"single digits", "2026/9/3", nil, "2026-09-03T00:00:00Z", ""},
		{"single digits dashes", "2026-9-3", nil, "2026-09-03T00:00:00Z", ""},
		{"midnight", "2026-09-29 00:00", nil, "2026-09-29T00:00:00Z", ""},
		{"midnight with seconds", "2026-09-29 00:00:00", nil, "2026-09-29T00:00:00Z", ""},
		{"midnight rfc3339", "2026-09-29T00:00:00Z", nil, "2026-09-29T00:00:00Z", ""},
		{"midnight with offset keeps the written date", "2026-09-29T00:00:00.000+08:00", nil, "2026-09-29T00:00:00Z", ""},
		{"leap day", "2024-02-29", nil, "2024-02-29T00:00:00Z", ""},
		{"spaces", "\u3000 2026-09-29 ", nil, "2026-09-29T00:00:00Z", ""},

		{"empty", "", nil, "", msgRequired},
		{"impossible", "2026-02-30", nil, "", msgDay},
		{"month 13", "2026-13-01", nil, "", msgMonth},
		{"with a time", "2026-09-29 10:15", nil, "", "has a time of day (want a date alone, YYYY-MM-DD)"},
		{"with a fraction", "2026-09-29 00:00:00.001", nil, "", "has a time of day (want a date alone, YYYY-MM-DD)"},
		{"day first", "29.09.2026", nil, "", msgNotDate},
		{"month only", "2026-09", nil, "", msgNotDate},
		{"compact", "20260929", nil, "", msgNotDate},
		{"year too early", "1899-12-31", nil, "", msgYear},
	})
}

func TestExcelSerial(t *testing.T) {
	sh := mustLoad(t, "Asia/Shanghai")
	ny := mustLoad(t, "America/New_York")
	checkTime(t, "ExcelSerial", ExcelSerial, []timeCase{
		{"whole day UTC", "45123", nil, "2023-07-16T00:00:00Z", ""},
		{"whole day local", "45123", sh, "2023-07-15T16:00:00Z", ""},
		{"noon local", "45123.5", sh, "2023-07-16T04:00:00Z", ""},
		{"exponent form", "4.51235E4", nil, "2023-07-16T12:00:00Z", ""},
		{"double noise rounds to second", "45123.333333333336", nil, "2023-07-16T08:00:00Z", ""},
		{"half second rounds up", "45123.00000579", nil, "2023-07-16T00:00:01Z", ""},
		{"rounds into next day", "45123.999999999", nil, "2023-07-17T00:00:00Z", ""},
		{"serial 1", "1", nil, "1900-01-01T00:00:00Z", ""},
		{"serial 59", "59", nil, "1900-02-28T00:00:00Z", ""},
		{"serial 61", "61", nil, "1900-03-01T00:00:00Z", ""},
		{"largest", "2958465", nil, "9999-12-31T00:00:00Z", ""},
		{"largest evening", "2958465.75", nil, "9999-12-31T18:00:00Z", ""},
		{"fall overlap takes earlier", "46327.0625", ny, "2026-11-01T05:30:00Z", ""},
		{"text falls back to Timestamp", "2026-09-29 10:15", sh, "2026-09-29T02:15:00Z", ""},

		{"empty", "", nil, "", msgRequired},
		{"zero", "0", nil, "", "date serial number out of range (1 to 2958465)"},
		{"negative", "-1", nil, "", "date serial number out of range (1 to 2958465)"},
		{"beyond 9999", "2958466", nil, "", "date serial number out of range (1 to 2958465)"},
		{"rounds beyond 9999", "2958465.999999999", nil, "", "date serial number out of range (1 to 2958465)"},
		{"absurd exponent", "1e999999999", nil, "", "date serial number out of range (1 to 2958465)"},
		{"time only", "0.5", nil, "", "a time of day without a date"},
		{"fictitious leap day", "60", nil, "", "1900-02-29 does not exist (Excel's 1900 leap-year bug)"},
		{"fictitious leap day noon", "60.5", nil, "", "1900-02-29 does not exist (Excel's 1900 leap-year bug)"},
		{"spring gap", "46089.104166666664", ny, "", "does not exist in America/New_York (clock change)"},
		{"text that is no time", "abc", nil, "", msgNotTime},
	})
}

func TestPeriod(t *testing.T) {
	cases := []struct{ name, in, want, err string }{
		{"canonical", "2026-09", "2026-09", ""},
		{"slash", "2026/09", "2026-09", ""},
		{"one-digit month", "2026-9", "2026-09", ""},
		{"slash one-digit month", "2026/9", "2026-09", ""},
		{"compact", "202609", "2026-09", ""},
		{"chinese", "2026年9月", "2026-09", ""},
		{"chinese two-digit month", "2026年09月", "2026-09", ""},
		{"spaces", "\u3000 2026-09 ", "2026-09", ""},
		{"earliest", "1900-01", "1900-01", ""},
		{"latest", "9999-12", "9999-12", ""},
		{"december", "2026-12", "2026-12", ""},

		{"empty", "", "", msgRequired},
		{"month 13", "2026-13", "", msgMonth},
		{"month zero", "2026-00", "", msgMonth},
		{"compact month 13", "202613", "", msgMonth},
		{"chinese month 13", "2026年13月", "", msgMonth},
		{"year too early", "1899-12", "", msgYear},
		{"year alone", "2026", "", "not a billing month (want YYYY-MM)"},
		{"two-digit year", "26-09", "", "not a billing month (want YYYY-MM)"},
		{"full date", "2026-09-01", "", "not a billing month (want YYYY-MM)"},
		{"chinese without month sign", "2026年9", "", "not a billing month (want YYYY-MM)"},
		{"chinese with day", "2026年9月1日", "", "not a billing month (want YYYY-MM)"},
		{"three-digit month", "2026-009", "", "not a billing month (want YYYY-MM)"},
		{"dot", "2026.09", "", "not a billing month (want YYYY-MM)"},
		{"compact one-digit", "20269", "", "not a billing month (want YYYY-MM)"},
		{"trailing dash", "2026-", "", "not a billing month (want YYYY-MM)"},
		{"word", "September", "", "not a billing month (want YYYY-MM)"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := Period(c.in)
			if c.err != "" {
				if err == nil || err.Error() != c.err {
					t.Fatalf("Period(%q) = %q, %v; want error %q", c.in, got, err, c.err)
				}
				return
			}
			if err != nil || got != c.want {
				t.Fatalf("Period(%q) = %q, %v; want %q", c.in, got, err, c.want)
			}
		})
	}
}
