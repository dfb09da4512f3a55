package server

import (
	"context"
	"encoding/csv"
	"fmt"
	"net/http"
	"regexp"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/feeflow/feeflow/data"
)

// historyRows lists "file|outcome" of the history page's rows, in order.
var historyRowRe = regexp.MustCompile(`<tr id="attempt-\d+" class="[^"]*" data-outcome="([a-z_]+)"><td class="nowrap">[^<]*</td><td>[^<]*(?:<span class="via">[^<]*</span>)?</td><td>([^<]*)</td>`)

func historyRows(page string) []string {
	var out []string
	for _, m := range historyRowRe.FindAllStringSubmatch(page, -1) {
		out = append(out, m[2]+"|"+m[1])
	}
	return out
}

// Every attempt is in the history, newest first: committed, rejected,
// the same file again, a dry run, a file refused, through the page and
// through the API, with who, when (the organisation's zone) and counts.
func TestUploadHistory(t *testing.T) {
	d := newDeskServer(t, true)
	good := formFileT{"pay.csv", csvLines(payHeader, "P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed")}
	upload := func(fields map[string]string, f formFileT) {
		t.Helper()
		ct, body := multipartFiles(t, fields, f)
		d.mei.post("/upload?csrf="+d.mei.csrf, ct, body)
	}
	upload(map[string]string{"kind": "auto", "action": "upload"}, good)
	upload(map[string]string{"kind": "auto", "action": "upload"}, good) // the same file again
	upload(map[string]string{"kind": "payments", "action": "upload", "dry_run": "true"},
		formFileT{"dry.csv", csvLines(payHeader, "P2,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R2,completed")})
	upload(map[string]string{"kind": "auto", "action": "upload", "map": "no-such-bank"}, good) // refused as a whole
	post(t, d.ts.URL+"/api/v1/ingest/payments?filename=api-bad.csv", "text/csv", testToken,
		csvLines(payHeader, "P9,2026-09-10 10:00,C001,B1,MGMT,2.505,cash,Wang,R9,completed"))
	post(t, d.ts.URL+"/api/v1/ingest/salaries?filename=salaries.csv", "text/csv", testToken, good.body)

	resp, page := d.mei.get("/upload/history")
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("history = %s", resp.Status)
	}
	want := "salaries.csv|refused api-bad.csv|rejected upload|refused dry.csv|dry_run pay.csv|duplicate pay.csv|ingested"
	if got := strings.Join(historyRows(page), " "); got != want {
		t.Errorf("history rows = %s, want %s", got, want)
	}
	today := time.Now().In(taipei).Format("2006-01-02")
	for _, w := range []string{"Times are in Asia/Taipei", ">" + today + " ", "through the API", "Payments", "same file again", "dry run", "nothing written",
		`/upload/history/`, `/errors.csv" download>1 (CSV)</a>`, `unknown record kind &#34;salaries&#34;`, "Up to 100,000 problems are kept"} {
		if !strings.Contains(page, w) {
			t.Errorf("history lacks %q", w)
		}
	}
	_, page = d.mei.get("/upload/history?lang=zh-Hant")
	for _, w := range []string{"<h1>上傳紀錄</h1>", "收款紀錄", "重複的檔案", "模擬上傳", "已拒絕", "已匯入", "未寫入", "透過 API"} {
		if !strings.Contains(page, w) {
			t.Errorf("zh-Hant history lacks %q", w)
		}
	}
	_, page = d.mei.get("/upload/history?lang=zh-Hans")
	for _, w := range []string{"<h1>上传记录</h1>", "收款记录", "重复的文件", "模拟上传", "已拒绝", "已导入", "未写入", "通过 API"} {
		if !strings.Contains(page, w) {
			t.Errorf("zh-Hans history lacks %q", w)
		}
	}
	if resp, _ := d.vic.get("/upload/history"); resp.StatusCode != http.StatusForbidden {
		t.Errorf("history for a viewer = %s, want 403", resp.Status)
	}

	// Newest first, a page at a time.
	for i := range 60 {
		if _, err := d.store.RecordAttempt(context.Background(), data.Attempt{At: time.Now(), By: "bot", Via: "api", FileName: fmt.Sprintf("f%02d.csv", i), Kind: "payments", Outcome: "ingested"}, nil); err != nil {
			t.Fatal(err)
		}
	}
	_, page = d.mei.get("/upload/history?lang=en")
	rows := historyRows(page)
	if len(rows) != historyPageSize || rows[0] != "f59.csv|ingested" || !strings.Contains(page, `rel="next">Older</a>`) || !strings.Contains(page, "Page 1 of 2 (66 uploads)") {
		t.Errorf("page 1 = %d rows from %v, want %d, newest first, with a link to older ones", len(rows), rows[:1], historyPageSize)
	}
	_, page = d.mei.get("/upload/history?page=2")
	if rows := historyRows(page); len(rows) != 16 || rows[len(rows)-1] != "pay.csv|ingested" || !strings.Contains(page, `rel="prev">Newer</a>`) {
		t.Errorf("page 2 = %v, want the 16 oldest ending with the first upload", rows)
	}
}

// readCSV reads an errors.csv download.
func readCSV(t *testing.T, body string) [][]string {
	t.Helper()
	recs, err := csv.NewReader(strings.NewReader(strings.TrimPrefix(body, "\ufeff"))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	return recs
}

var csvLinkRe = regexp.MustCompile(`href="(/upload/history/\d+/errors\.csv)" download>`)

// A file with 1,501 bad rows: the page summarises them by problem with the
// first rows of each, the API answer lists 1,000, and the CSV holds every
// one, formulas neutralised; the file fixed by the CSV uploads cleanly.
func TestErrorCSVRoundTrip(t *testing.T) {
	d := newDeskServer(t, true)
	lines := []string{payHeader}
	for i := range 1500 {
		lines = append(lines, fmt.Sprintf("Q%d,2026-09-10 10:00,C001,B1,MGMT,1.005,cash,Wang,R%d,completed", i, i))
	}
	lines = append(lines, `Q1500,2026-09-10 10:00,C001,B1,MGMT,5.00,"=HYPERLINK(""http://x"")",Wang,R1500,completed`)
	file := csvLines(lines...)

	resp, a := post(t, d.ts.URL+"/api/v1/ingest/payments?filename=big.csv", "text/csv", testToken, file)
	if resp.StatusCode != http.StatusUnprocessableEntity || len(a.Errors) != listedErrors {
		t.Errorf("API answer = %s with %d errors, want 422 listing %d", resp.Status, len(a.Errors), listedErrors)
	}

	ct, body := multipartFiles(t, map[string]string{"kind": "auto", "action": "upload"}, formFileT{"big.csv", file})
	resp, page := d.mei.post("/upload?csrf="+d.mei.csrf, ct, body)
	if resp.StatusCode != http.StatusUnprocessableEntity {
		t.Fatalf("page upload = %s", resp.Status)
	}
	for _, w := range []string{"1500 rows · amount: more than 2 decimal places", "1 row · method: unknown value; want one of:", "Download all 1501 problems (CSV)"} {
		if !strings.Contains(page, w) {
			t.Errorf("report lacks %q", w)
		}
	}
	if i, j := strings.Index(page, "1500 rows"), strings.Index(page, "1 row ·"); i > j {
		t.Error("the largest problem is not first")
	}
	if n := strings.Count(page, "<td><code>1.005</code></td>"); n != groupExamples {
		t.Errorf("the page shows %d rows of the amount problem, want the first %d", n, groupExamples)
	}
	m := csvLinkRe.FindStringSubmatch(page)
	if m == nil {
		t.Fatal("no link to the errors' CSV")
	}
	resp, raw := d.mei.get(m[1])
	if resp.StatusCode != http.StatusOK || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/csv") {
		t.Fatalf("GET %s = %s %s", m[1], resp.Status, resp.Header.Get("Content-Type"))
	}
	recs := readCSV(t, raw)
	if len(recs) != 1502 || strings.Join(recs[0], ",") != "row,column,value,message" {
		t.Fatalf("the CSV has %d lines (header %v), want the header and all 1501 problems", len(recs), recs[0])
	}
	if last := recs[len(recs)-1]; last[0] != "1502" || last[1] != "method" || last[2] != `'=HYPERLINK("http://x")` {
		t.Errorf("the formula's line = %q, want it neutralised with an apostrophe", last)
	}
	if resp, _ := d.vic.get(m[1]); resp.StatusCode != http.StatusForbidden {
		t.Errorf("errors CSV for a viewer = %s, want 403", resp.Status)
	}
	if resp, _ := d.mei.get("/upload/history/99999/errors.csv"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("errors CSV of no attempt = %s, want 404", resp.Status)
	}

	// Fix the file as the CSV says, row by row, and upload it again.
	rows := strings.Split(strings.TrimSuffix(string(file), "\n"), "\n")
	cols := strings.Split(payHeader, ",")
	for _, r := range recs[1:] {
		n, _ := strconv.Atoi(r[0])
		cells := splitCSVLine(t, rows[n-1])
		for i, c := range cols {
			if c == r[1] {
				cells[i] = map[string]string{"amount": "1.00", "method": "cash"}[c]
			}
		}
		rows[n-1] = strings.Join(cells, ",")
	}
	fixed := []byte(strings.Join(rows, "\n") + "\n")
	ct, body = multipartFiles(t, map[string]string{"kind": "auto", "action": "upload"}, formFileT{"big-fixed.csv", fixed})
	resp, page = d.mei.post("/upload?csrf="+d.mei.csrf, ct, body)
	if got := strings.Join(reportOutcomes(page), " "); resp.StatusCode != http.StatusOK || got != "big-fixed.csv:ingested" {
		t.Fatalf("the fixed file = %s %s, want ingested", resp.Status, got)
	}
	var n int
	d.store.DB().QueryRow(`SELECT count(*) FROM payments WHERE txn_id LIKE 'Q%'`).Scan(&n)
	if n != 1501 {
		t.Errorf("payments of the fixed file = %d, want 1501", n)
	}
}

func splitCSVLine(t *testing.T, line string) []string {
	t.Helper()
	rec, err := csv.NewReader(strings.NewReader(line)).Read()
	if err != nil {
		t.Fatal(err)
	}
	return rec
}

// When the upload log cannot be written, the upload still commits, once,
// and the page says the full list could not be kept.
func TestUploadLogFailureIsNotFatal(t *testing.T) {
	d := newDeskServer(t, true)
	if _, err := d.store.DB().Exec(`DROP TABLE upload_log.errors; DROP TABLE upload_log.attempts`); err != nil {
		t.Fatal(err)
	}
	ct, body := multipartFiles(t, map[string]string{"kind": "auto", "action": "upload", "allow_errors": "true"},
		formFileT{"pay.csv", csvLines(payHeader,
			"P1,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R1,completed",
			"P2,2026-09-10 10:00,C001,B1,MGMT,2.505,cash,Wang,R2,completed")})
	resp, page := d.mei.post("/upload?csrf="+d.mei.csrf, ct, body)
	if got := strings.Join(reportOutcomes(page), " "); resp.StatusCode != http.StatusOK || got != "pay.csv:ingested" {
		t.Fatalf("upload without a log = %s %s, want ingested", resp.Status, got)
	}
	if !strings.Contains(page, "The full list could not be kept") {
		t.Error("the page does not say the list could not be kept")
	}
	var batches, payments int
	d.store.DB().QueryRow(`SELECT count(*) FROM ingest_batches WHERE file_name = 'pay.csv'`).Scan(&batches)
	d.store.DB().QueryRow(`SELECT count(*) FROM payments`).Scan(&payments)
	if batches != 1 || payments != 1 {
		t.Errorf("after the upload: %d batches, %d payments; want 1 and 1", batches, payments)
	}
	if resp, a := post(t, d.ts.URL+"/api/v1/ingest/payments", "text/csv", testToken, csvLines(payHeader, "P3,2026-09-10 10:00,C001,B1,MGMT,250.00,cash,Wang,R3,completed")); resp.StatusCode != http.StatusOK || *a.RowsAccepted != 1 {
		t.Errorf("API upload without a log = %s %+v", resp.Status, a)
	}
}
