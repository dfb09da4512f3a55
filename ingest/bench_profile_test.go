package ingest

import (
	"bufio"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"
)

// wechatHeader is the header of a WeChat Pay trade bill (ALL).
const wechatHeader = "交易时间,公众账号ID,商户号,特约商户号,设备号,微信订单号,商户订单号,用户标识,交易类型,交易状态,付款银行,货币种类,应结订单金额,代金券金额,微信退款单号,商户退款单号,退款金额,充值券退款金额,退款类型,退款状态,商品名称,商户数据包,手续费,费率,订单金额,申请退款金额,费率备注"

// writeSettlementFiles writes the same n settlement lines twice: as a
// WeChat Pay trade bill, read through its built-in profile, and as a CSV
// with feeflow's own headers. Every 20th line is a refund.
func writeSettlementFiles(b *testing.B, wechat, plain string, n int) {
	wf, err := os.Create(wechat)
	if err != nil {
		b.Fatal(err)
	}
	pf, err := os.Create(plain)
	if err != nil {
		b.Fatal(err)
	}
	ww, pw := bufio.NewWriterSize(wf, 1<<20), bufio.NewWriterSize(pf, 1<<20)
	fmt.Fprintln(ww, wechatHeader)
	fmt.Fprintln(pw, "settlement_id,channel,txn_ref,amount,settled_at,fee,refund_ref")
	start := time.Date(2026, 9, 1, 8, 0, 0, 0, time.UTC)
	for i := 0; i < n; i++ {
		ts := start.Add(time.Duration(i) * 3 * time.Second).Format("2006-01-02 15:04:05")
		amt := fmt.Sprintf("%d.%02d", 10+i%5000, i%100)
		fee := fmt.Sprintf("0.%02d", i%100)
		if i%20 == 19 {
			fmt.Fprintf(ww, "`%s,`wx1,`1612345678,`0,`,`42%020d,`FF%08d,`o%d,`JSAPI,`REFUND,`OTHERS,`CNY,`0.00,`0.00,`503%020d,`RF%08d,`%s,`0.00,`ORIGINAL,`SUCCESS,`fee,`,`-%s000,`0.60%%,`0.00,`%s,`\n",
				ts, i, i-1, i, i, i, amt, fee, amt)
			fmt.Fprintf(pw, "503%020d,wechat,FF%08d,-%s,%s,-%s,RF%08d\n", i, i-1, amt, ts, fee, i)
			continue
		}
		fmt.Fprintf(ww, "`%s,`wx1,`1612345678,`0,`,`42%020d,`FF%08d,`o%d,`JSAPI,`SUCCESS,`CMB_DEBIT,`CNY,`%s,`0.00,`0,`0,`0.00,`0.00,`,`,`fee,`,`%s000,`0.60%%,`%s,`0.00,`\n",
			ts, i, i, i, amt, fee, amt)
		fmt.Fprintf(pw, "42%020d,wechat,FF%08d,%s,%s,%s,\n", i, i, amt, ts, fee)
	}
	fmt.Fprintln(ww, "总交易单数,应结订单总金额,退款总金额,充值券退款总金额,手续费总金额,订单总金额,申请退款总金额")
	fmt.Fprintf(ww, "`%d,`0.00,`0.00,`0.00,`0.00,`0.00,`0.00\n", n)
	for _, w := range []*bufio.Writer{ww, pw} {
		if err := w.Flush(); err != nil {
			b.Fatal(err)
		}
	}
	wf.Close()
	pf.Close()
}

// BenchmarkIngestBuiltinProfile ingests the same settlement lines as a
// WeChat Pay trade bill, recognised and read through its built-in profile,
// and as a CSV with feeflow's own headers, in the same run; it reports both
// speeds and the profile's cost as a ratio (1.0 = free).
func BenchmarkIngestBuiltinProfile(b *testing.B) {
	n := benchRows(b)
	dir := b.TempDir()
	wechat, plain := filepath.Join(dir, "wechat.csv"), filepath.Join(dir, "plain.csv")
	writeSettlementFiles(b, wechat, plain, n)
	ctx := context.Background()
	defer debug.SetGCPercent(debug.SetGCPercent(gcPercent))
	defer debug.SetMemoryLimit(debug.SetMemoryLimit(memoryLimit))
	var tPlain, tProfile time.Duration
	run := func(path string) time.Duration {
		b.StopTimer()
		in, store := benchStore(b, dir, false)
		defer store.Close()
		b.StartTimer()
		t0 := time.Now()
		res, err := in.Ingest(ctx, Upload{Kind: "settlements", Path: path, FileName: filepath.Base(path)})
		d := time.Since(t0)
		if err != nil {
			b.Fatalf("ingest %s: %v %+v", path, err, resultErrors(res))
		}
		if res.RowsAccepted != n {
			b.Fatalf("%s: accepted %d rows, want %d", path, res.RowsAccepted, n)
		}
		b.StopTimer()
		return d
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		tPlain += run(plain)
		tProfile += run(wechat)
	}
	rowsPerSec := func(d time.Duration) float64 { return float64(n) * float64(b.N) / d.Seconds() }
	b.ReportMetric(rowsPerSec(tPlain), "plain_rows/s")
	b.ReportMetric(rowsPerSec(tProfile), "profile_rows/s")
	b.ReportMetric(tProfile.Seconds()/tPlain.Seconds(), "profile_cost")
}
