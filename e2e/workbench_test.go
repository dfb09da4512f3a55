package e2e_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/chromedp/cdproto/browser"
	"github.com/chromedp/cdproto/page"
	"github.com/chromedp/chromedp"
	"github.com/chromedp/chromedp/kb"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/server"
)

// An analyst signs in, types a query, runs it with Ctrl-Enter, reads the
// result with its decimals exact, draws a chart of it and saves it; another
// analyst signs in and finds it. All under the server's CSP, asking for
// nothing outside the site.
func TestWorkbenchInChromium(t *testing.T) {
	setup(t)
	ctx := context.Background()
	key := server.PasswordKey("e2e-workbench-key-0123456789abcdef")
	for _, name := range []string{"ann-wb", "bo-wb"} {
		hash, err := key.Hash(name + "-password")
		if err != nil {
			t.Fatal(err)
		}
		if err := shared.store.AddUser(ctx, data.Account{Name: name, Secret: hash, Roles: "analyst", CreatedAt: time.Now()}); err != nil {
			t.Fatal(err)
		}
	}
	// A server of its own with sign-in, on the shared database; queries run
	// in-process through the same gate as the worker's.
	srv, err := server.New(server.Config{Store: shared.store, Ingester: ingest.New(shared.store, ingest.Config{}), TempDir: t.TempDir(), PasswordKey: key})
	if err != nil {
		t.Fatal(err)
	}
	ts := httptest.NewServer(srv.Handler())
	defer ts.Close()
	base, _ := url.Parse(ts.URL)

	// What the grid must show: the query's result as the gate returns it.
	// The last two columns are figures a JavaScript float would change
	// (1234567890123456.78 becomes 1234567890123456.8, 0.10 becomes 0.1).
	const query = "SELECT period, sum(billed) AS billed, sum(collected) AS collected,\n\t1234567890123456.78::DECIMAL(18,2) AS big, 0.10::DECIMAL(18,2) AS dime, NULL AS nothing\nFROM collection_monthly GROUP BY period ORDER BY period"
	typed := strings.ReplaceAll(query, "\t", "  ") // Tab indents with spaces
	res, err := analytics.Query(ctx, shared.store, typed, analytics.QueryOptions{Single: true})
	if err != nil {
		t.Fatal(err)
	}
	var want [][]string
	for _, row := range res[0].Rows {
		var cells []string
		for i, v := range row {
			if v == nil {
				cells = append(cells, "NULL")
			} else {
				cells = append(cells, analytics.CellText(res[0].Columns[i], v, nil))
			}
		}
		want = append(want, cells)
	}
	if len(want) < 2 {
		t.Fatalf("the query returned %d rows; the test needs a few", len(want))
	}

	// A tab of its own: open's minute is for one page, this is a session
	// of several steps (each wait below is for an event, bounded only
	// against a hang).
	tab, cancel := chromedp.NewContext(shared.browser)
	defer cancel()
	v := &visit{}
	if err := v.listen(tab); err != nil {
		t.Fatal(err)
	}
	tab, cancelTab := context.WithTimeout(tab, 5*time.Minute)
	defer cancelTab()
	if err := chromedp.Do(tab, chromedp.Navigate(ts.URL+"/sql")); err != nil {
		t.Fatal(err)
	}
	eval := func(js string) string {
		t.Helper()
		s, err := chromedp.Run(tab, chromedp.Evaluate[string](js))
		if err != nil {
			t.Fatalf("%s: %v", js, err)
		}
		return s
	}
	signIn := func(name string) {
		t.Helper()
		if p := eval(`location.pathname`); p != "/login" {
			t.Fatalf("a stranger opening /sql is at %s, want /login", p)
		}
		if err := chromedp.Do(tab, chromedp.SetValue("#name", name), chromedp.SetValue("#password", name+"-password")); err != nil {
			t.Fatal(err)
		}
		if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(`button[type="submit"]`))); err != nil {
			t.Fatal(err)
		}
		if p, s := eval(`location.pathname`), eval(`document.body.innerText`); p != "/sql" || !strings.Contains(s, "Signed in as "+name) {
			t.Fatalf("after signing in as %s: at %s, page %.200q; want the workbench", name, p, s)
		}
	}
	signIn("ann-wb")

	// Type the query (a tab included) and run it with Ctrl-Enter.
	if err := chromedp.Do(tab, chromedp.SendKeys("#wb-sql", query), chromedp.KeyEvent(kb.Enter, chromedp.KeyModifiers(chromedp.ModifierCtrl))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.WaitVisible("#wb-grid table")); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.getElementById('wb-sql').value`); got != typed {
		t.Errorf("the editor holds %q, want %q (Tab as two spaces)", got, typed)
	}
	grid, err := chromedp.Run(tab, chromedp.Evaluate[[][]string](`Array.from(document.querySelectorAll('#wb-grid tbody tr')).map(tr => Array.from(tr.cells).map(td => td.textContent))`))
	if err != nil {
		t.Fatal(err)
	}
	if fmt.Sprint(grid) != fmt.Sprint(want) {
		t.Errorf("the grid shows\n%v\nwant the query's result\n%v", grid, want)
	}
	if n := eval(`String(document.querySelectorAll('#wb-grid td.null').length)`); n != fmt.Sprint(len(want)) {
		t.Errorf("%s cells marked NULL, want %d", n, len(want))
	}
	if s := eval(`document.getElementById('wb-status').textContent`); !strings.Contains(s, fmt.Sprintf("%d rows", len(want))) || !strings.Contains(s, "ran in") {
		t.Errorf("the status reads %q, want the row count and the time", s)
	}

	// A line chart of collected by period, drawn by the vendored ECharts.
	if err := chromedp.Do(tab,
		chromedp.SetValue("#wb-x", "0"), chromedp.SetValue("#wb-y", "2"), chromedp.SetValue("#wb-kind", "line"),
		chromedp.Click("#wb-draw"),
	); err != nil {
		t.Fatal(err)
	}
	drawn := `(() => {
		const el = document.getElementById('wb-chart');
		const c = window.echarts && echarts.getInstanceByDom(el);
		if (!c) return '';
		const o = c.getOption();
		for (const cv of el.querySelectorAll('canvas')) {
			if (!(cv.width > 0 && cv.height > 0)) continue;
			const px = cv.getContext('2d').getImageData(0, 0, cv.width, cv.height).data;
			for (let i = 3; i < px.length; i += 4) if (px[i] !== 0) return o.series[0].type + ':' + o.xAxis[0].data.length + ':' + o.series[0].name;
		}
		return '';
	})()`
	got, err := chromedp.Run(tab, chromedp.Poll[string](drawn, chromedp.WithPollingTimeout(time.Minute)))
	if err != nil {
		t.Fatalf("the chart is not drawn: %v", err)
	}
	if wantChart := fmt.Sprintf("line:%d:collected", len(want)); got != wantChart {
		t.Errorf("the chart is %q, want %q", got, wantChart)
	}

	// Its tooltip shows the exact figure, in plain text the CSP lets through.
	eval(`echarts.getInstanceByDom(document.getElementById('wb-chart')).dispatchAction({type: 'showTip', seriesIndex: 0, dataIndex: 1}), ''`)
	tip := want[1][0] + " · collected: " + want[1][2]
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`Array.from(document.querySelectorAll('.wb-chart-tooltip')).some(el => el.textContent === `+jsString(tip)+`)`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Errorf("no tooltip reading %q: %v", tip, err)
	}
	if png, err := chromedp.Run(tab, chromedp.FullScreenshot(100)); err != nil {
		t.Errorf("screenshot: %v", err)
	} else if err := os.WriteFile(filepath.Join(screenshots(t), "workbench.png"), png, 0o644); err != nil {
		t.Error(err)
	}

	// The downloads: the same result from the server, as files.
	downloads := t.TempDir()
	if _, err := chromedp.Call(tab, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorAllow, DownloadPath: downloads}); err != nil {
		t.Fatal(err)
	}
	defer chromedp.Call(tab, browser.SetDownloadBehavior, browser.SetDownloadBehaviorParams{Behavior: browser.SetDownloadBehaviorBehaviorDefault})
	for _, format := range []string{"csv", "parquet"} {
		if err := chromedp.Do(tab, chromedp.Click("#wb-"+format)); err != nil {
			t.Fatal(err)
		}
		done := fmt.Sprintf("Downloaded %d rows as ", len(want))
		if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.getElementById('wb-status').textContent.startsWith(`+jsString(done)+`)`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
			t.Fatalf("%s download: the status reads %q", format, eval(`document.getElementById('wb-status').textContent`))
		}
		file := filepath.Join(downloads, "query."+format)
		b, err := waitFile(file)
		if err != nil {
			t.Fatalf("%s download: %v", format, err)
		}
		switch format {
		case "csv":
			recs, err := csv.NewReader(bytes.NewReader(b)).ReadAll()
			if err != nil || len(recs) != len(want)+1 {
				t.Fatalf("the CSV download has %d records (%v), want %d and a header", len(recs), err, len(want))
			}
			for i, r := range recs[1:] {
				if r[1] != want[i][1] || r[3] != want[i][3] || r[4] != want[i][4] {
					t.Errorf("CSV row %d = %v, want %v", i+1, r, want[i])
				}
			}
		case "parquet":
			if !bytes.HasPrefix(b, []byte("PAR1")) || !bytes.HasSuffix(b, []byte("PAR1")) {
				t.Errorf("the Parquet download is not a Parquet file (%d bytes)", len(b))
			}
		}
	}

	// A refused query shows the API's own words, and no stale result.
	_, refusal := analytics.Query(ctx, shared.store, "DROP TABLE payments", analytics.QueryOptions{Single: true})
	if refusal == nil {
		t.Fatal("DROP TABLE ran")
	}
	if err := chromedp.Do(tab, chromedp.SetValue("#wb-sql", "DROP TABLE payments"), chromedp.Click("#wb-run"), chromedp.WaitVisible("#wb-error")); err != nil {
		t.Fatal(err)
	}
	if got := eval(`document.getElementById('wb-error').firstChild.textContent`); got != refusal.Error() {
		t.Errorf("the page shows the refusal %q, want the API's %q", got, refusal.Error())
	}
	if n := eval(`String(document.querySelectorAll('#wb-grid tr').length) + ' ' + document.getElementById('wb-csv').disabled`); n != "0 true" {
		t.Errorf("after a refusal the grid has %s rows and downloads disabled (want 0 true)", n)
	}
	// A result cut at the row limit says so (the byte limit's headers are
	// tested in server/, without sending 64 MiB to a browser).
	const cut = "first 10,000 rows of more: the result stops at the limit of 10,000 rows"
	if err := chromedp.Do(tab, chromedp.SetValue("#wb-sql", "SELECT * FROM range(10001)"), chromedp.Click("#wb-run")); err != nil {
		t.Fatal(err)
	}
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`document.getElementById('wb-status').textContent.includes(`+jsString(cut)+`)`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Errorf("the status reads %q, want %q", eval(`document.getElementById('wb-status').textContent`), cut)
	}
	if err := chromedp.Do(tab, chromedp.SetValue("#wb-sql", typed)); err != nil {
		t.Fatal(err)
	}

	// Save it; another analyst finds it.
	const title = "Collected by period (e2e)"
	if err := chromedp.Do(tab, chromedp.SetValue("#wb-title", title), chromedp.Click("#wb-save")); err != nil {
		t.Fatal(err)
	}
	listed := `Array.from(document.querySelectorAll('#wb-saved-list li')).map(li => li.querySelector('.wb-saved-title').textContent + ' / ' + li.querySelector('.wb-saved-by').textContent).join('\n')`
	if _, err := chromedp.Run(tab, chromedp.Poll[bool](`(`+listed+`).includes(`+jsString(title+" / ann-wb, ")+`)`, chromedp.WithPollingTimeout(time.Minute))); err != nil {
		t.Fatalf("the saved query is not listed: %v; the list reads %q", err, eval(listed))
	}
	if _, err := chromedp.Run(tab, chromedp.WaitEvent(page.LoadEventFired, nil, chromedp.Click(`form.who button`))); err != nil {
		t.Fatal(err)
	}
	if err := chromedp.Do(tab, chromedp.Navigate(ts.URL+"/sql")); err != nil {
		t.Fatal(err)
	}
	signIn("bo-wb")
	if l := eval(listed); !strings.Contains(l, title+" / ann-wb, ") {
		t.Fatalf("bo-wb's saved queries read %q, want ann-wb's %q", l, title)
	}
	// Opening it puts its SQL in the editor.
	open := fmt.Sprintf(`Array.from(document.querySelectorAll('#wb-saved-list li')).find(li => li.querySelector('.wb-saved-title').textContent === %s).querySelector('.wb-open').click()`, jsString(title))
	eval(open + `, ''`)
	if got := eval(`document.getElementById('wb-sql').value`); got != typed {
		t.Errorf("the opened query reads %q, want %q", got, typed)
	}

	if f := v.foreign(base); len(f) > 0 {
		t.Errorf("requests outside the site: %v", f)
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	for _, p := range v.problems {
		if strings.Contains(p, "/api/v1/sql") && strings.Contains(p, "400") {
			continue // the refused DROP above, answered 400 on purpose
		}
		t.Error(p) // a script, style or request blocked by the CSP shows here
	}
}

// waitFile waits for the browser to finish writing a download (Chromium
// writes it under another name, then renames it).
func waitFile(path string) ([]byte, error) {
	deadline := time.Now().Add(time.Minute) // against a hang only
	for {
		b, err := os.ReadFile(path)
		if err == nil {
			return b, nil
		}
		if time.Now().After(deadline) {
			return nil, err
		}
		time.Sleep(20 * time.Millisecond)
	}
}

// jsString quotes s as a JavaScript string literal.
func jsString(s string) string {
	return "'" + strings.NewReplacer(`\`, `\\`, `'`, `\'`, "\n", `\n`).Replace(s) + "'"
}
