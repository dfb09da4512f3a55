package e2e_test

import (
	"fmt"
	"net/url"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/chromedp/chromedp"
)

// listState is the who-owes list as the reader sees it: the column it is
// sorted by, the direction, and the amounts in the order shown (cents).
type listState struct {
	Col    int     `json:"col"`
	Dir    string  `json:"dir"`
	Cents  []int64 `json:"cents"`
	Amount string  `json:"amount"` // the first row's amount as shown
	Label  string  `json:"label"`  // the amount column's heading
}

const listJS = `(() => {
	const t = document.querySelector('#debtors table');
	const heads = [...t.tHead.rows[0].cells];
	const col = heads.findIndex(h => h.hasAttribute('aria-sort'));
	const rows = [...t.tBodies[0].rows];
	const out = heads.findIndex(h => h.classList.contains('num'));
	return {col, dir: col < 0 ? '' : heads[col].getAttribute('aria-sort'),
		cents: rows.map(r => Number(r.cells[out].dataset.sort)),
		amount: rows.length ? rows[0].cells[out].textContent.trim() : '', label: heads[out].textContent.trim()};
})()`

// layoutJS reports what breaks a page at the reader's width: the page
// scrolling sideways, a card wider than the screen, and boxes of the page's
// flow that overlap the one before them.
const layoutJS = `(() => {
	const w = document.documentElement.clientWidth;
	const problems = [];
	if (document.documentElement.scrollWidth > w + 1) problems.push('the page scrolls sideways: ' + document.documentElement.scrollWidth + ' > ' + w);
	document.querySelectorAll('.block').forEach(b => {
		const r = b.getBoundingClientRect();
		if (r.left < -1 || r.right > w + 1) problems.push('card ' + (b.id || b.className) + ' spans ' + r.left + '..' + r.right + ' of ' + w);
	});
	const flow = [...document.querySelectorAll('main .heading, main > .intro, main section > *')];
	for (let i = 1; i < flow.length; i++) {
		const a = flow[i-1].getBoundingClientRect(), b = flow[i].getBoundingClientRect();
		if (a.height && b.height && b.top < a.bottom - 1) problems.push(flow[i].tagName + '.' + flow[i].className + ' overlaps the ' + flow[i-1].tagName + ' above it');
	}
	const wrap = document.querySelector('.list .table-wrap');
	return {problems, scrolls: wrap ? wrap.scrollWidth > wrap.clientWidth : false, width: w};
})()`

type layout struct {
	Problems []string `json:"problems"`
	Scrolls  bool     `json:"scrolls"`
	Width    int      `json:"width"`
}

// A finance director finds who owes most, sorts by amount both ways and
// opens a debtor's bills, in both languages, on a desktop and at a phone's
// 390 px (the list scrolls inside its card, nothing overlaps), from the
// server and from file://, with no request leaving the site.
func TestWhoOwesInChromium(t *testing.T) {
	setup(t)
	origins := map[string]string{"server": shared.ts.URL, "file": "file://" + filepath.ToSlash(shared.build)}
	for _, origin := range []string{"server", "file"} {
		for _, lang := range []string{"en", "zh-Hant"} {
			for _, width := range []int64{1280, 390} {
				t.Run(fmt.Sprintf("%s/%s/%d", origin, lang, width), func(t *testing.T) {
					base, err := url.Parse(origins[origin])
					if err != nil {
						t.Fatal(err)
					}
					whoOwes(t, base, origins[origin]+"/"+lang+"/who-owes.html", lang, width)
				})
			}
		}
	}
}

func whoOwes(t *testing.T, base *url.URL, pageURL, lang string, width int64) {
	ctx, v, _ := open(t, pageURL, "")
	if err := chromedp.Do(ctx, chromedp.EmulateViewport(width, 844)); err != nil {
		t.Fatal(err)
	}
	state := func() listState {
		t.Helper()
		s, err := chromedp.Run(ctx, chromedp.Evaluate[listState](listJS))
		if err != nil {
			t.Fatal(err)
		}
		return s
	}
	sorted := func(s listState, desc bool) bool {
		for i := 1; i < len(s.Cents); i++ {
			if desc && s.Cents[i] > s.Cents[i-1] || !desc && s.Cents[i] < s.Cents[i-1] {
				return false
			}
		}
		return true
	}
	checkLayout := func(what string) {
		t.Helper()
		l, err := chromedp.Run(ctx, chromedp.Evaluate[layout](layoutJS))
		if err != nil {
			t.Fatal(err)
		}
		for _, p := range l.Problems {
			t.Errorf("%s at %d px: %s", what, l.Width, p)
		}
		if width < 600 && !l.Scrolls {
			t.Errorf("%s at %d px: the list does not scroll inside its card", what, l.Width)
		}
	}

	if lang, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.documentElement.lang`)); err != nil || lang == "" {
		t.Fatalf("page language %q (%v)", lang, err)
	}
	s := state()
	if len(s.Cents) < 2 {
		t.Fatalf("who owes lists %d debtors; the test needs at least two", len(s.Cents))
	}
	if s.Dir != "descending" || !sorted(s, true) {
		t.Fatalf("who owes is not largest first: %+v", s)
	}
	checkLayout("who owes")

	// sort by amount: smallest first, then largest first again
	amountHead := fmt.Sprintf(`#debtors thead th:nth-child(%d) button`, s.Col+1)
	for _, want := range []string{"ascending", "descending"} {
		err := chromedp.Do(ctx, chromedp.Click(amountHead),
			chromedp.WaitReady(fmt.Sprintf(`#debtors thead th:nth-child(%d)[aria-sort="%s"]`, s.Col+1, want)))
		if err != nil {
			t.Fatalf("sort %s: %v", want, err)
		}
		if got := state(); got.Col != s.Col || !sorted(got, want == "descending") || len(got.Cents) != len(s.Cents) {
			t.Errorf("after sorting %s: %+v", want, got)
		}
	}

	// open the largest debtor's bills: they unfold, and add up to what the list says
	first, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#debtors tbody th a').textContent.trim()`))
	if err != nil {
		t.Fatal(err)
	}
	owed := state()
	if err := chromedp.Do(ctx, chromedp.Click(`#debtors tbody tr:first-child th a`), chromedp.WaitVisible(`details#bills-`+first+`[open] tfoot`)); err != nil {
		t.Fatalf("open %s's bills: %v", first, err)
	}
	// the page, the bills, and their total under the column headed as on the list
	got, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`((id, label) => {
		const d = document.getElementById(id);
		const heads = [...d.querySelectorAll('thead th')].map(h => h.textContent.trim());
		const foot = d.querySelector('tfoot tr');
		const i = heads.indexOf(label);
		const r = d.getBoundingClientRect();
		return [location.hash, d.querySelector('summary').textContent,
			String(d.querySelectorAll('tbody tr').length),
			i < 0 || !foot ? '' : foot.cells[i].textContent.trim(),
			String(r.top > -1 && r.top < innerHeight)];
	})(`+strconvQuote("bills-"+first)+`, `+strconvQuote(owed.Label)+`)`))
	if err != nil {
		t.Fatal(err)
	}
	if got[0] != "#bills-"+first || !strings.HasPrefix(got[1], first+" · ") {
		t.Errorf("the link of %s went to %s, unfolding %q", first, got[0], got[1])
	}
	if got[2] == "0" {
		t.Errorf("%s's bills list no bill", first)
	}
	if got[3] != owed.Amount {
		t.Errorf("%s's bills total %q outstanding, who owes says %q", first, got[3], owed.Amount)
	}
	if got[4] != "true" {
		t.Errorf("%s's bills are unfolded out of sight", first)
	}
	checkLayout("a debtor's bills")

	// one area's debtors: the search box keeps exactly the rows of that area
	area, err := chromedp.Run(ctx, chromedp.Evaluate[string](`document.querySelector('#debtors tbody tr').cells[1].textContent.trim()`))
	if err != nil || area == "" {
		t.Fatalf("the first debtor's area: %q, %v", area, err)
	}
	if err := chromedp.Do(ctx, chromedp.SendKeys(`#debtors input.list-search`, area)); err != nil {
		t.Fatalf("search for %s: %v", area, err)
	}
	counts, err := chromedp.Run(ctx, chromedp.Evaluate[[]int](`((area) => {
		const rows = [...document.querySelectorAll('#debtors tbody tr')];
		const shown = rows.filter(r => !r.hidden);
		return [shown.length, shown.filter(r => r.cells[1].textContent.trim() === area).length,
			rows.filter(r => r.cells[1].textContent.trim() === area).length];
	})(`+strconvQuote(area)+`)`))
	if err != nil {
		t.Fatal(err)
	}
	if counts[0] == 0 || counts[0] != counts[1] || counts[1] != counts[2] {
		t.Errorf("searching %q shows %d rows, %d of them in the area, of the %d debtors in it", area, counts[0], counts[1], counts[2])
	}
	for _, p := range v.problems {
		t.Error(p)
	}
	for _, r := range v.foreign(base) {
		t.Errorf("request outside the site: %s", r)
	}
}

// strconvQuote writes s as a JavaScript string literal (JSON's quoting is
// valid JavaScript).
func strconvQuote(s string) string { return strconv.QuoteToASCII(s) }
