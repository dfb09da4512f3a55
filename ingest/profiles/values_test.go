package profiles

import "testing"

func TestNormAmount(t *testing.T) {
	for _, c := range []struct {
		in, want, currency string
		err                bool
	}{
		{in: "1250.50", want: "1250.50"},
		{in: "+10000.00", want: "10000.00"},
		{in: "−45.00", want: "-45.00"},
		{in: "-45.00", want: "-45.00"},
		{in: "¥1,250.00", want: "1,250.00", currency: "CNY"},
		{in: "￥12.00", want: "12.00", currency: "CNY"},
		{in: "NT$300", want: "300", currency: "TWD"},
		{in: "US$ 5.10", want: "5.10", currency: "USD"},
		{in: "CNY 88.00", want: "88.00", currency: "CNY"},
		{in: "88.00 CNY", want: "88.00", currency: "CNY"},
		{in: "-¥5.00", want: "-5.00", currency: "CNY"},
		{in: "¥-5.00", want: "-5.00", currency: "CNY"},
		{in: "0.32000", want: "0.32"},
		{in: "`0.72000", want: "0.72"},
		{in: "-0.30000", want: "-0.30"},
		{in: "0.325", err: true},
		{in: "0.32001", err: true},
		{in: "=\"12.50\"", want: "12.50"},
		{in: "=12.50", want: "12.50"},
		{in: "\t12.50\t", want: "12.50"},
		{in: "`", want: ""},
		{in: "−", want: ""},
		{in: "--", want: ""},
		{in: "100.00元", want: "100.00"},
		{in: "1,250.00-", want: "-1,250.00"},
	} {
		got, cur, err := NormAmount(c.in)
		if (err != nil) != c.err || got != c.want && !c.err || cur != c.currency && !c.err {
			t.Errorf("NormAmount(%q) = %q, %q, %v; want %q, %q, error %v", c.in, got, cur, err, c.want, c.currency, c.err)
		}
	}
}

func TestNormTime(t *testing.T) {
	for _, c := range []struct {
		name        string
		date, clock string
		d           Dates
		zone        string
		want        string
		err         bool
	}{
		{name: "iso", date: "2026-09-01 08:15:22", want: "2026-09-01 08:15:22"},
		{name: "split", date: "2026-09-01", clock: "08:15:22", want: "2026-09-01 08:15:22"},
		{name: "yyyymmdd", date: "20260901", want: "2026-09-01 00:00:00"},
		{name: "yyyymmdd hhmmss", date: "20260901", clock: "081522", want: "2026-09-01 08:15:22"},
		{name: "slashes", date: "2026/9/1 8:05", want: "2026-09-01 08:05:00"},
		{name: "mdy", date: "9/1/2026", d: Dates{Order: "MDY"}, want: "2026-09-01 00:00:00"},
		{name: "dmy", date: "1/9/2026", d: Dates{Order: "DMY"}, want: "2026-09-01 00:00:00"},
		{name: "dmy dots", date: "01.09.2026 10:00", d: Dates{Order: "DMY"}, want: "2026-09-01 10:00:00"},
		{name: "ambiguous", date: "9/1/2026", err: true},
		{name: "chinese", date: "2026年9月1日", want: "2026-09-01 00:00:00"},
		{name: "chinese with time", date: "2026年9月1日 10:30:00", want: "2026-09-01 10:30:00"},
		{name: "roc", date: "115/09/01", d: Dates{Calendar: "roc"}, want: "2026-09-01 00:00:00"},
		{name: "roc digits", date: "1150901", d: Dates{Calendar: "roc"}, want: "2026-09-01 00:00:00"},
		{name: "roc 8 digits", date: "01150901", d: Dates{Calendar: "roc"}, want: "2026-09-01 00:00:00"},
		{name: "roc with time", date: "115/09/01 14:03:09", d: Dates{Calendar: "roc"}, want: "2026-09-01 14:03:09"},
		{name: "zone offset", date: "2026-09-01 10:00:00", zone: "+08:00", want: "2026-09-01 10:00:00+08:00"},
		{name: "zone utc+8", date: "2026-09-01 10:00:00", zone: "UTC+8", want: "2026-09-01 10:00:00+08:00"},
		{name: "zone name", date: "2026-07-01 10:00:00", zone: "America/Los_Angeles", want: "2026-07-01 10:00:00-07:00"},
		{name: "zone name winter", date: "2026-01-05 10:00:00", zone: "America/Los_Angeles", want: "2026-01-05 10:00:00-08:00"},
		{name: "zone gmt", date: "2026-01-05 10:00:00", zone: "GMT", want: "2026-01-05 10:00:00Z"},
		{name: "zone unknown", date: "2026-01-05 10:00:00", zone: "Mars/Base", err: true},
		{name: "backtick", date: "`2026-09-01 08:15:22", want: "2026-09-01 08:15:22"},
		{name: "rfc3339 untouched", date: "2026-09-01T08:15:22+08:00", want: "2026-09-01T08:15:22+08:00"},
	} {
		t.Run(c.name, func(t *testing.T) {
			got, err := NormTime(c.date, c.clock, &c.d, c.zone)
			if (err != nil) != c.err || !c.err && got != c.want {
				t.Errorf("NormTime(%q, %q) = %q, %v; want %q, error %v", c.date, c.clock, got, err, c.want, c.err)
			}
		})
	}
}

func TestCleanCell(t *testing.T) {
	for in, want := range map[string]string{
		"`4200000001":        "4200000001",
		"=\"0012345\"":       "0012345",
		"\"2026-09-01\"\t":   "2026-09-01",
		"  交易成功  ":           "交易成功",
		"plain":              "plain",
		"\ufeff交易时间":         "交易时间",
		"4200000001\t":       "4200000001",
		"\"say \"\"hi\"\"\"": `say "hi"`,
	} {
		if got := CleanCell(in); got != want {
			t.Errorf("CleanCell(%q) = %q, want %q", in, got, want)
		}
	}
}
