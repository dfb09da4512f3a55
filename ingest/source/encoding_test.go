package source

import (
	"bytes"
	"math/rand/v2"
	"strings"
	"testing"

	"golang.org/x/text/encoding/unicode"
)

const (
	simplifiedHeader  = "交易号,收费时间,实收金额,支付方式"
	traditionalHeader = "交易號,收費時間,實收金額,付款方式"
)

func TestEncodings(t *testing.T) {
	simpRows := "交易号,收费时间,实收金额,支付方式\nT1,2026-09-29 10:00,12.50,微信\nT2,2026-09-29 11:00,3.00,现金\n"
	tradRows := "交易號,收費時間,實收金額,付款方式\nT1,2026-09-29 10:00,12.50,微信\nT2,2026-09-29 11:00,3.00,現金\n"
	simpHdr := strings.Split(simplifiedHeader, ",")
	tradHdr := strings.Split(traditionalHeader, ",")
	simpRecs := []Record{rec(2, "T1", "2026-09-29 10:00", "12.50", "微信"), rec(3, "T2", "2026-09-29 11:00", "3.00", "现金")}
	tradRecs := []Record{rec(2, "T1", "2026-09-29 10:00", "12.50", "微信"), rec(3, "T2", "2026-09-29 11:00", "3.00", "現金")}

	// Bytes that are clean in both GBK and Big5 and read differently: the
	// GBK bytes of a Simplified header, read as Big5.
	ambiguous := gbk(t, "交易号,收费时间")
	asBig5 := decodeSample(Big5, ambiguous, true)
	if strings.ContainsRune(asBig5, '\uFFFD') || strings.ContainsRune(decodeSample(GBK, ambiguous, true), '\uFFFD') {
		t.Fatalf("fixture is not ambiguous: %q", asBig5)
	}
	big5Names := strings.Split(asBig5, ",")
	knowsBig5 := func(s string) bool { return s == big5Names[0] }

	for _, c := range []tcase{
		{
			name: "utf-8 traditional", file: "p.csv", data: []byte(tradRows),
			opts: Options{KnownHeader: known}, enc: UTF8, header: tradHdr, records: tradRecs,
		},
		{
			name: "gbk simplified", file: "p.csv", data: gbk(t, simpRows),
			opts: Options{KnownHeader: known}, enc: GBK, header: simpHdr, records: simpRecs,
		},
		{
			name: "big5 traditional", file: "p.csv", data: big5(t, tradRows),
			opts: Options{KnownHeader: known}, enc: Big5, header: tradHdr, records: tradRecs,
		},
		{
			name: "gbk traditional headers", file: "p.csv", data: gbk(t, tradRows),
			opts: Options{KnownHeader: known}, enc: GBK, header: tradHdr, records: tradRecs,
		},
		{
			name: "gbk without KnownHeader", file: "p.csv", data: gbk(t, simpRows),
			enc: GBK, header: simpHdr, records: simpRecs,
		},
		{
			name: "big5 without KnownHeader", file: "p.csv", data: big5(t, tradRows),
			enc: Big5, header: tradHdr, records: tradRecs,
		},
		{
			name: "forced gbk", file: "p.csv", data: gbk(t, simpRows),
			opts: Options{Encoding: "gbk"}, enc: GBK, header: simpHdr, records: simpRecs,
		},
		{
			name: "forced big5 on ambiguous bytes", file: "p.csv", data: cat(ambiguous, []byte("\n1,2\n")),
			opts: Options{Encoding: Big5, KnownHeader: known}, enc: Big5, header: big5Names, records: []Record{rec(2, "1", "2")},
		},
		{
			name: "forced encoding alias gb18030", file: "p.csv", data: gbk(t, simpRows),
			opts: Options{Encoding: "GB18030"}, enc: GBK, header: simpHdr,
		},
		{
			name: "auto is detection", file: "p.csv", data: big5(t, tradRows),
			opts: Options{Encoding: Auto, KnownHeader: known}, enc: Big5, header: tradHdr,
		},
		{
			name: "charset parameter honoured", file: "p.csv", data: gbk(t, simpRows),
			opts: Options{ContentType: "text/csv; charset=GBK"}, enc: GBK, header: simpHdr,
		},
		{
			name: "forced encoding beats charset", file: "p.csv", data: big5(t, tradRows),
			opts: Options{ContentType: "text/csv; charset=gbk", Encoding: Big5}, enc: Big5, header: tradHdr,
		},
		{
			name: "unknown charset parameter: detect", file: "p.csv", data: big5(t, tradRows),
			opts: Options{ContentType: "text/csv; charset=x-unknown", KnownHeader: known}, enc: Big5, header: tradHdr,
		},
		{
			name: "a BOM beats a forced encoding", file: "p.csv", data: []byte("\xEF\xBB\xBF" + tradRows),
			opts: Options{Encoding: GBK}, enc: UTF8, header: tradHdr,
		},
		{
			name: "ambiguous bytes: KnownHeader says gbk", file: "p.csv", data: cat(ambiguous, []byte("\n1,2\n")),
			opts: Options{KnownHeader: known}, enc: GBK, header: []string{"交易号", "收费时间"},
		},
		{
			name: "ambiguous bytes: KnownHeader says big5", file: "p.csv", data: cat(ambiguous, []byte("\n1,2\n")),
			opts: Options{KnownHeader: knowsBig5}, enc: Big5, header: big5Names,
		},
		{
			name: "invalid gbk bytes in a field", file: "p.csv",
			data: cat(gbk(t, "交易号,收费员\nT1,王\nT2,"), []byte{0x81, 0x20}, gbk(t, "\nT3,李\n")),
			opts: Options{KnownHeader: known}, enc: GBK,
			records: []Record{rec(2, "T1", "王"), bad(3, "contains bytes that are not valid gbk", "收费员", "T2", "\uFFFD "), rec(4, "T3", "李")},
		},
		{
			name: "invalid big5 bytes in a field", file: "p.csv",
			data: cat(big5(t, "交易號,收費員\nT1,"), []byte{0xA4, 0x0A, 0xFF}, big5(t, ",王\n")),
			opts: Options{KnownHeader: known}, enc: Big5,
			records: []Record{bad(2, "contains bytes that are not valid big5", "收費員", "T1", "\uFFFD"), bad(3, "contains bytes that are not valid big5", "交易號", "\uFFFD", "王")},
		},
		{
			name: "invalid bytes in the header", file: "p.csv", opts: Options{Encoding: GBK},
			data:   cat(gbk(t, "交易号,"), []byte{0xFF}, []byte("\n1,2\n")),
			errSub: "header column 2 contains bytes that are not valid gbk", errRow: 1,
		},
		{
			name: "ascii header, gbk beyond the first 64 KiB", file: "p.csv", opts: Options{KnownHeader: known},
			data: cat([]byte("txn_id,collector\n"), bytes.Repeat([]byte("T0,Wang\n"), 9000), gbk(t, "T1,王小明\n")),
			enc:  GBK,
		},
		{
			name: "utf-16 le", file: "p.csv", data: utf16(t, tradRows, unicode.LittleEndian),
			errSub: "the file is UTF-16 (or binary); save it as CSV UTF-8",
		},
		{
			name: "utf-16 be", file: "p.csv", data: utf16(t, tradRows, unicode.BigEndian),
			errSub: "the file is UTF-16 (or binary); save it as CSV UTF-8",
		},
		{
			name: "utf-16 le without BOM", file: "p.csv", data: utf16(t, "txn_id,amount\nT1,1\n", unicode.LittleEndian)[2:],
			errSub: "the file is UTF-16 (or binary); save it as CSV UTF-8",
		},
		{
			name: "utf-16 with a forced encoding", file: "p.csv", data: utf16(t, tradRows, unicode.LittleEndian),
			opts: Options{Encoding: UTF8}, errSub: "the file is UTF-16",
		},
		{
			name: "random bytes", file: "p.csv", data: randomBytes(4096, 1),
			errSub: "the file is not a text export (binary data)",
		},
		{
			name: "control bytes", file: "p.csv", data: []byte("a,b\n\x01\x02\x03\x04,\x05\x06\n"),
			errSub: "binary data",
		},
		{
			name: "neither gbk nor big5", file: "p.csv", data: []byte("a\x80b,\xff\xfe\xfd\n1,2\n"),
			opts: Options{KnownHeader: known}, errSub: "cannot tell the file's encoding; it is not UTF-8, GBK or Big5 (choose one with --encoding)",
		},
		{
			name: "gbk json", file: "p.json", data: gbk(t, `[{"交易号":"T1","收费员":"王"}]`),
			opts: Options{KnownHeader: known}, enc: GBK, header: []string{"交易号", "收费员"}, records: []Record{rec(1, "T1", "王")},
		},
		{
			name: "big5 ndjson", file: "p.ndjson", data: big5(t, "{\"交易號\":\"T1\",\"收費員\":\"王\"}\n"),
			opts: Options{KnownHeader: known}, enc: Big5, header: []string{"交易號", "收費員"}, records: []Record{rec(1, "T1", "王")},
		},
	} {
		t.Run(c.name, c.run)
	}
}

func randomBytes(n int, seed uint64) []byte {
	r := rand.New(rand.NewPCG(seed, seed))
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(r.UintN(256))
	}
	return b
}

func TestDetectEncodingUnit(t *testing.T) {
	for _, c := range []struct {
		name  string
		head  []byte
		trunc bool
		want  Encoding
		bom   int
		err   string
	}{
		{"ascii", []byte("a,b\n"), false, UTF8, 0, ""},
		{"utf-8 cut inside a rune", []byte("a,交")[:4], true, UTF8, 0, ""},
		{"bom", []byte("\xEF\xBB\xBFa"), false, UTF8, 3, ""},
		{"utf-16 bom", []byte("\xFF\xFEa\x00"), false, "", 0, "UTF-16"},
		{"nul", []byte("a,b\x00c,d\n1,2,3,4,5,6\n"), false, "", 0, "binary data"},
	} {
		t.Run(c.name, func(t *testing.T) {
			enc, bom, ferr := detectEncoding(c.head, c.trunc, nil, false, nil)
			if c.err != "" {
				if ferr == nil || !strings.Contains(ferr.Message, c.err) {
					t.Fatalf("err = %v, want %q", ferr, c.err)
				}
				return
			}
			if ferr != nil || enc != c.want || bom != c.bom {
				t.Fatalf("= %q, %d, %v; want %q, %d", enc, bom, ferr, c.want, c.bom)
			}
		})
	}
}

// Without KnownHeader, the oddness score tells GBK from Big5 for common
// Chinese text that both decode cleanly.
func TestOddnessPrefersTheRightReading(t *testing.T) {
	for _, s := range []string{simplifiedHeader, "收费员,客户编号,区域,房号", "王小明,李四,张三,物业管理费"} {
		b := gbk(t, s)
		if enc, err := chooseEncoding(b, false, nil, false, nil); err != nil || enc != GBK {
			t.Errorf("%s as GBK: got %q, %v", s, enc, err)
		}
	}
	for _, s := range []string{traditionalHeader, "收費員,客戶編號,區域,房號", "王小明,李四,張三,物業管理費"} {
		b := big5(t, s)
		if enc, err := chooseEncoding(b, false, nil, false, nil); err != nil || enc != Big5 {
			t.Errorf("%s as Big5: got %q, %v", s, enc, err)
		}
	}
}

func newRand(seed uint64) *rand.Rand { return rand.New(rand.NewPCG(seed, seed)) }
