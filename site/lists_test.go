package site_test

import (
	"bytes"
	"context"
	"encoding/csv"
	"fmt"
	"path/filepath"
	"strings"
	"testing"

	"github.com/feeflow/feeflow/site"
	"github.com/shopspring/decimal"
)

// identities reads every customer's name, unit and (masked) identity number
// from the fixture's database.
func identities(t *testing.T) (names, units, ids []string) {
	t.Helper()
	rows, err := clean.store.DB().Query(`SELECT coalesce(name, ''), coalesce(unit, ''), coalesce(id_doc, '') FROM customers`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	for rows.Next() {
		var n, u, id string
		if err := rows.Scan(&n, &u, &id); err != nil {
			t.Fatal(err)
		}
		for _, x := range []struct {
			s   string
			out *[]string
		}{{n, &names}, {u, &units}, {id, &ids}} {
			if len([]rune(x.s)) >= 2 {
				*x.out = append(*x.out, x.s)
			}
		}
	}
	if len(names) == 0 || len(units) == 0 || len(ids) == 0 {
		t.Fatalf("the fixture lacks names (%d), units (%d) or identity numbers (%d) to look for", len(names), len(units), len(ids))
	}
	return names, units, ids
}

// found lists the needles that occur in any file of the site.
func found(files map[string][]byte, needles []string) map[string]bool {
	out := map[string]bool{}
	for n, b := range files {
		if vendored(n) {
			continue
		}
		for _, s := range needles {
			if bytes.Contains(b, []byte(s)) {
				out[s] = true
			}
		}
	}
	return out
}

// TestNamesOnlyWithNames: a default build has no customer's name, unit or
// identity number in any file, and says the lists go by customer ID; a build
// with names shows every debtor's name and unit on the who-owes list and
// their page, and still no identity number anywhere.
func TestNamesOnlyWithNames(t *testing.T) {
	_, plain := cleanSite(t)
	names, units, ids := identities(t)
	for s := range found(plain, append(append(names, units...), ids...)) {
		t.Errorf("the default build contains customer identity %q", s)
	}
	if !strings.Contains(string(plain["en/who-owes.html"]), "Names and units are shown only to signed-in viewers, or in a site built with --with-names.") ||
		!strings.Contains(string(plain["zh-Hant/who-owes.html"]), "--with-names") {
		t.Error("the default who-owes page does not say why it shows no names")
	}

	out := filepath.Join(t.TempDir(), "named")
	if _, err := site.Build(context.Background(), clean.m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow, WithNames: true}); err != nil {
		t.Fatal(err)
	}
	named := readTree(t, out)
	for s := range found(named, ids) {
		t.Errorf("the build with names contains identity number %q", s)
	}
	debtors, err := clean.m.Debtors(context.Background(), fixtureAsOf)
	if err != nil {
		t.Fatal(err)
	}
	if len(debtors) == 0 {
		t.Fatal("no debtor in the fixture: the test would prove nothing")
	}
	for _, lang := range site.Languages {
		list := string(named[lang+"/who-owes.html"])
		for _, d := range debtors {
			if !strings.Contains(list, "<td>"+d.Name+"</td><td>"+d.Unit+"</td>") {
				t.Errorf("%s: who owes does not name debtor %s: %q, %q", lang, d.CustomerID, d.Name, d.Unit)
			}
			if !strings.Contains(list, "<summary>"+d.CustomerID+" · "+d.Name+" · "+d.Unit+" · ") {
				t.Errorf("%s: debtor %s's bills are not under their name", lang, d.CustomerID)
			}
		}
	}
	if !strings.Contains(string(named["en/who-owes.html"]), "This page names customers") {
		t.Error("the named who-owes page does not warn that it names customers")
	}
}

// csvTotal is the last row's value in the named column of a site CSV.
func csvTotal(t *testing.T, b []byte, column string) decimal.Decimal {
	t.Helper()
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(b, []byte("\ufeff")))).ReadAll()
	if err != nil || len(recs) < 2 {
		t.Fatalf("csv: %v (%d records)", err, len(recs))
	}
	for i, h := range recs[0] {
		if h == column {
			d, err := decimal.NewFromString(recs[len(recs)-1][i])
			if err != nil {
				t.Fatal(err)
			}
			return d
		}
	}
	t.Fatalf("no column %q in %v", column, recs[0])
	return decimal.Zero
}

// TestWhoOwesEqualsAging: the who-owes total is the aging total of the
// arrears page, and each debtor's open bills, linked from their row, add up
// to what they owe.
func TestWhoOwesEqualsAging(t *testing.T) {
	_, files := cleanSite(t)
	owed := csvTotal(t, files["en/data/debtors.csv"], "Outstanding (CNY)")
	aged := csvTotal(t, files["en/data/arrears_aging.csv"], "Outstanding (CNY)")
	if owed.IsZero() || !owed.Equal(aged) {
		t.Errorf("who owes totals %s, the aging %s", owed, aged)
	}
	debtors, err := clean.m.Debtors(context.Background(), fixtureAsOf)
	if err != nil {
		t.Fatal(err)
	}
	bills, err := clean.m.DebtorBills(context.Background(), fixtureAsOf)
	if err != nil {
		t.Fatal(err)
	}
	perCustomer := map[string]decimal.Decimal{}
	for _, b := range bills {
		perCustomer[b.CustomerID] = perCustomer[b.CustomerID].Add(b.Outstanding)
	}
	for _, d := range debtors {
		if !perCustomer[d.CustomerID].Equal(d.Outstanding) {
			t.Errorf("%s owes %s, their bills add up to %s", d.CustomerID, d.Outstanding, perCustomer[d.CustomerID])
		}
		page := string(files["en/who-owes.html"])
		start := strings.Index(page, `<details class="block list fold" id="bills-`+d.CustomerID+`">`)
		end := strings.Index(page[max(start, 0):], "</details>")
		_, foot, _ := strings.Cut(page[max(start, 0):max(start, 0)+max(end, 0)], "<tfoot>")
		if start < 0 || end < 0 || !strings.Contains(foot, `<td class="num">`+groupMoney(d.Outstanding)+`</td>`) {
			t.Errorf("%s's bills are missing or do not total %s", d.CustomerID, groupMoney(d.Outstanding))
		}
		if !strings.Contains(page, `<a href="#bills-`+d.CustomerID+`">`+d.CustomerID+`</a>`) {
			t.Errorf("who owes does not link %s to their bills", d.CustomerID)
		}
	}
}

// groupMoney writes an amount as the pages do: 1,234.50.
func groupMoney(d decimal.Decimal) string {
	s := d.StringFixed(2)
	intPart, frac, _ := strings.Cut(s, ".")
	var b strings.Builder
	for i, r := range intPart {
		if i > 0 && (len(intPart)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(r)
	}
	return b.String() + "." + frac
}

// TestLongListsShowTheirFirstRows: a list longer than a page shows its
// first rows, in the list's order, says so, and its CSV holds every row; the
// who-owes page folds out the bills of the debtors it shows only.
func TestLongListsShowTheirFirstRows(t *testing.T) {
	cleanSite(t)
	debtors, err := clean.m.Debtors(context.Background(), fixtureAsOf)
	if err != nil {
		t.Fatal(err)
	}
	const shown = 3
	if len(debtors) <= shown {
		t.Fatalf("%d debtors in the fixture: the test would prove nothing", len(debtors))
	}
	restore := site.SetListPageRows(shown)
	defer restore()
	out := filepath.Join(t.TempDir(), "site")
	if _, err := site.Build(context.Background(), clean.m, site.Options{Out: out, AsOf: fixtureAsOf, Now: fixtureNow, Langs: []string{"en"}}); err != nil {
		t.Fatal(err)
	}
	files := readTree(t, out)
	page := string(files["en/who-owes.html"])
	for i, d := range debtors {
		linked := strings.Contains(page, `<a href="#bills-`+d.CustomerID+`">`+d.CustomerID+`</a>`)
		folded := strings.Contains(page, `id="bills-`+d.CustomerID+`"`)
		if want := i < shown; linked != want || folded != want {
			t.Errorf("debtor %d (%s, owes %s): listed %v, bills folded out %v; want %v", i+1, d.CustomerID, d.Outstanding, linked, folded, want)
		}
	}
	note := fmt.Sprintf("This page shows the first %d of %d rows", shown, len(debtors))
	if !strings.Contains(page, note) {
		t.Errorf("the who-owes page does not say %q", note)
	}
	recs, err := csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files["en/data/debtors.csv"], []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	// a header, every debtor, the total
	if len(recs) != len(debtors)+2 {
		t.Errorf("debtors.csv has %d records, want %d debtors with header and total", len(recs), len(debtors))
	}
	bills, err := clean.m.DebtorBills(context.Background(), fixtureAsOf)
	if err != nil {
		t.Fatal(err)
	}
	recs, err = csv.NewReader(bytes.NewReader(bytes.TrimPrefix(files["en/data/debtor_bills.csv"], []byte("\ufeff")))).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(bills)+1 {
		t.Errorf("debtor_bills.csv has %d records, want %d bills and a header", len(recs), len(bills))
	}
}
