package templates

import (
	"bytes"
	"context"
	"flag"
	"os"
	"path/filepath"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the expected pages under testdata/upload")

// uploadBase is the upload page as a signed-in clerk first sees it.
func uploadBase() UploadPage {
	return UploadPage{
		Desk: Desk{Lang: "en", User: "mei", CSRF: "c0ffee", Path: "/upload", Pages: []DeskLink{{Path: "/upload", Key: "desk.upload"}, {Path: "/upload/history", Key: "desk.history"}}},
		Kinds: []KindInfo{
			{Name: "payments", Columns: []KindColumn{{Name: "txn_id", Headers: []string{"交易號", "交易号"}, Required: true}, {Name: "collector", Headers: []string{"收費員"}}}},
			{Name: "settlements", Columns: []KindColumn{{Name: "settlement_id", Required: true}}},
		},
		Kind: "settlements", DryRun: true, MaxBytes: "256 MiB",
		Profiles: []ProfileChoice{
			{Name: "wechat-pay-trade", Title: "WeChat Pay merchant trade bill · 微信支付交易账单", Kind: "settlements"},
			{Name: "my-bank", Title: "My bank", Kind: "settlements", Stored: true},
			{Name: "old-map", Title: "old-map", Stored: true},
		},
	}
}

// The upload page, one expected HTML file per case: the empty form, a
// preview, a file whose header is not found, and the report of an upload.
func TestUploadPageSnapshots(t *testing.T) {
	skipped := []SkippedLine{{Row: 10, Reason: "summary line"}, {Row: 11, Reason: "summary line"}}
	dropped := []DroppedRows{{Reason: "order revoked", Rows: 1}, {Reason: "refund not completed", Rows: 1}}
	// report is the page after two files: a statement ingested, and a
	// payments file rejected, its problems grouped; the dashboard follows.
	report := func(p *UploadPage) {
		p.DryRun = false
		p.Publish = &PublishNote{BatchSeq: 7}
		p.Reports = []FileReport{{
			FileName: "bill.csv", Kind: "settlements", Outcome: "ingested", BatchID: "b1",
			RowsTotal: 6, RowsAccepted: 6, Profile: "wechat-pay-trade", HeaderRow: 1,
			Skipped: skipped, SkippedOmitted: 3, Dropped: dropped, IgnoredColumns: []string{"公众账号ID", "费率"},
		}, {
			FileName: "pay.csv", Kind: "payments", Outcome: "rejected", RowsTotal: 40, RowsAccepted: 2, RowsRejected: 38,
			ErrorsTotal: 38, ErrorsKept: 38, ErrorsCSV: "/upload/history/12/errors.csv",
			Groups: []ProblemGroup{
				{Column: "amount", Code: "places2", Message: "more than 2 decimal places", Count: 37,
					First: []UploadError{{Row: 2, Column: "amount", Value: "1.005", Message: "more than 2 decimal places"}}},
				{Column: "bill_id", Code: "not_found", Arg: "bills", Message: "bill_id B9 not found in bills (upload bills first)", Count: 1,
					First: []UploadError{{Row: 9, Column: "bill_id", Value: "<b>B9</b>", Message: "bill_id B9 not found in bills (upload bills first)"}}},
			},
		}, {FileName: "odd.csv", Outcome: "choose", Candidates: []string{"customers", "feedback"}}}
	}
	cases := map[string]func(p *UploadPage){
		"form": func(p *UploadPage) {},
		"preview": func(p *UploadPage) {
			p.Map = "wechat-pay-trade"
			p.Previews = []FilePreview{{FileName: "bill.csv", Kind: "settlements", Preview: &UploadPreview{
				FileName: "bill.csv", Kind: "settlements", Format: "csv", Encoding: "utf-8",
				Profile: "wechat-pay-trade", ProfileTitle: "WeChat Pay merchant trade bill · 微信支付交易账单",
				HeaderRow: 1, Header: []string{"交易时间", "微信订单号", "商户订单号", "交易状态", "应结订单金额"},
				Mapping:        []ColumnSource{{Column: "settlement_id", From: `"微信订单号"`}, {Column: "channel", From: "constant wechat"}},
				IgnoredColumns: []string{"公众账号ID"}, Skipped: skipped, Dropped: dropped, Rows: 2, Rejected: 1,
				Errors:  []UploadError{{Row: 4, Column: "amount", Value: "<b>1.001</b>", Message: "more than 2 decimals"}},
				Columns: []string{"settlement_id", "channel", "amount"},
				First:   []PreviewRow{{Row: 2, Values: []string{"4200000001", "wechat", "120.00"}}},
			}}}
		},
		"preview-no-header": func(p *UploadPage) {
			p.Previews = []FilePreview{{FileName: "odd.csv", Kind: "settlements", Problem: "line 1: no header found\nthe file most resembles wechat-pay-trade"}}
		},
		"report": func(p *UploadPage) { report(p) },
		"report-zh-Hant": func(p *UploadPage) {
			report(p)
			p.Desk.Lang = "zh-Hant"
		},
		"report-zh-Hans": func(p *UploadPage) {
			report(p)
			p.Desk.Lang = "zh-Hans"
		},
	}
	for name, edit := range cases {
		t.Run(name, func(t *testing.T) {
			p := uploadBase()
			edit(&p)
			var b bytes.Buffer
			if err := Upload(p).Render(context.Background(), &b); err != nil {
				t.Fatal(err)
			}
			path := filepath.Join("testdata", "upload", name+".html")
			if *update {
				if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
					t.Fatal(err)
				}
				if err := os.WriteFile(path, b.Bytes(), 0o644); err != nil {
					t.Fatal(err)
				}
			}
			want, err := os.ReadFile(path)
			if err != nil {
				t.Fatal(err)
			}
			if !bytes.Equal(b.Bytes(), want) {
				t.Errorf("Upload(%s) differs from %s (go test ./templates -run Snapshots -update rewrites it):\n%s", name, path, b.String())
			}
		})
	}
}
