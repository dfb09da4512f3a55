package parse

import (
	"testing"
	"time"

	"github.com/shopspring/decimal"
)

// Sinks keep the compiler from dropping the calls under benchmark.
var (
	sinkDec  decimal.Decimal
	sinkTime time.Time
	sinkErr  error
)

func BenchmarkAmount(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"plain", "1234.50"},
		{"integer", "1250"},
		{"thousands", "1,234,567.89"},
		{"currency", "¥1,234.50"},
		{"full-width", "１２３４．５０"},
		{"rejected", "1.234"},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkDec, sinkErr = Amount(c.in)
			}
		})
	}
	// For scale: the library's own parser, which accepts what Amount refuses.
	b.Run("reference_decimal.NewFromString", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkDec, sinkErr = decimal.NewFromString("1234.50")
		}
	})
}

func BenchmarkTimestamp(b *testing.B) {
	sh := mustLoad(b, "Asia/Shanghai")
	ny := mustLoad(b, "America/New_York")
	for _, c := range []struct {
		name string
		in   string
		loc  *time.Location
	}{
		{"local_Shanghai", "2026-09-29 10:15:00", sh},
		{"local_New_York", "2026-09-29 10:15:00", ny},
		{"local_UTC", "2026-09-29 10:15:00", time.UTC},
		{"rfc3339_offset", "2026-09-29T10:15:00+08:00", sh},
		{"slashes_short", "2026/9/3 8:05", sh},
		{"date_only", "2026-09-29", sh},
	} {
		b.Run(c.name, func(b *testing.B) {
			b.ReportAllocs()
			for b.Loop() {
				sinkTime, sinkErr = Timestamp(c.in, c.loc)
			}
		})
	}
	// For scale: the standard library on one fixed layout.
	b.Run("reference_time.ParseInLocation", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			sinkTime, sinkErr = time.ParseInLocation(time.DateTime, "2026-09-29 10:15:00", sh)
		}
	})
}
