package site

import (
	"context"
	"encoding/hex"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/templates"
	"github.com/shopspring/decimal"
)

// The lists that name names: who owes (催繳清單) with each debtor's open
// bills folded out under the list, overpaid bills, open refunds and exceptions, and what
// lies behind each open discrepancy. A customer's name and unit are read
// only for a build made with names (Options.WithNames); otherwise they are
// dropped as they are read, and the lists show customer IDs.

// listData is what the list pages show, read once for all languages.
type listData struct {
	withNames    bool
	debtors      []analytics.Debtor
	bills        map[string][]analytics.BillDetail // by customer
	overpayments []analytics.Overpayment
	exceptions   []analytics.OpenException
	refunds      []analytics.OpenRefund
	lines        []analytics.DiscrepancyLine
	debtorAnchor map[string]string // customer -> id of their bills on the who-owes page
}

func loadLists(ctx context.Context, m *analytics.Metrics, asOf time.Time, withNames bool) (*listData, error) {
	l := &listData{withNames: withNames, bills: map[string][]analytics.BillDetail{}, debtorAnchor: map[string]string{}}
	var bills []analytics.BillDetail
	// the longest first, each beside one that is mostly DuckDB's work
	err := runAll(listReads, []task{
		{"debtors' bills", func() (err error) { bills, err = m.DebtorBills(ctx, asOf); return }},
		{"discrepancy lines", func() (err error) { l.lines, err = m.DiscrepancyLines(ctx, asOf); return }},
		{"debtors", func() (err error) { l.debtors, err = m.Debtors(ctx, asOf); return }},
		{"open refunds", func() (err error) { l.refunds, err = m.RefundsOpen(ctx, asOf); return }},
		{"overpayments", func() (err error) { l.overpayments, err = m.Overpayments(ctx, asOf); return }},
		{"open exceptions", func() (err error) { l.exceptions, err = m.ExceptionsOpen(ctx, asOf); return }},
	})
	if err != nil {
		return nil, err
	}
	for i := range l.debtors {
		d := &l.debtors[i]
		if !withNames {
			d.Name, d.Unit = "", ""
		}
		l.debtorAnchor[d.CustomerID] = "bills-" + fileSafe(d.CustomerID)
	}
	// the bills come by customer (DebtorBillsQuery's order): each
	// customer's are a part of the one slice, not a copy (at 10 M payments
	// the copies held 127 MB of a build's heap)
	for i := 0; i < len(bills); {
		j := i + 1
		for j < len(bills) && bills[j].CustomerID == bills[i].CustomerID {
			j++
		}
		if c := bills[i].CustomerID; l.bills[c] == nil {
			l.bills[c] = bills[i:j:j] // capped: an append copies
		} else {
			l.bills[c] = append(l.bills[c], bills[i:j]...)
		}
		i = j
	}
	return l, nil
}

// fileSafe makes an element id (and link fragment) of an ID from the data:
// the ID itself when it is plain letters, digits, '-' and '_', else "x" and
// its bytes in hex, so no ID needs escaping in a link.
func fileSafe(id string) string {
	plain := id != ""
	for _, r := range id {
		if !(r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9' || r == '-' || r == '_') {
			plain = false
			break
		}
	}
	if plain {
		return id
	}
	return "x" + hex.EncodeToString([]byte(id))
}

// The list pages, relative to the language folder.
const (
	whoOwesFile      = "who-owes.html"
	overpaymentsFile = "overpayments.html"
	openItemsFile    = "open-items.html"
	discrepancyFile  = "discrepancy-lines.html"
)

// listPages are the list pages. A debtor's bills are on the who-owes page,
// folded under the list, not on a page of their own: a site with a
// thousand debtors stays a few pages.
func (b *builder) listPages(mk func(string, func(*pageCtx) templates.SitePage) pageDef) []pageDef {
	return []pageDef{
		mk(whoOwesFile, whoOwesPage),
		mk(overpaymentsFile, overpaymentsPage),
		mk(openItemsFile, openItemsPage),
		mk(discrepancyFile, discrepancyLinesPage),
	}
}

// listLink is a link from another page to a list page.
func (pc *pageCtx) listLink(file, key string) templates.Link {
	return templates.Link{Label: pc.t.T(key), Href: pc.href(file)}
}

// privacyNote says whose names the page shows.
func (pc *pageCtx) privacyNote() string {
	if pc.b.lists.withNames {
		return pc.t.T("privacy.names")
	}
	return pc.t.T("privacy.ids")
}

// listPageRows is how many rows of a list a page shows: the first, in the
// list's order (the largest debtors first, the oldest open items first).
// The CSV beside it holds every row; a page of a large operator's whole
// list would run to hundreds of megabytes.
var listPageRows = 1000

// list makes a list with its CSV (named id) and SQL; href, when set, links
// each row's first cell.
func (pc *pageCtx) list(id string, dt dataTable, sql string, href func(row int) string) templates.ListTable {
	t := pc.t
	if id != "" {
		pc.b.csvFile(t.lang+"/data/"+id+".csv", dt, t)
	}
	l := templates.ListTable{
		ID: id, Caption: dt.caption, Empty: t.T("table.empty"), SQL: sql,
		Text: templates.ListText{DownloadCSV: t.T("frame.csv"), ShowSQL: t.T("frame.sql")},
	}
	if id != "" {
		l.CSV = pc.up + "data/" + id + ".csv"
	}
	for _, c := range dt.cols {
		l.Columns = append(l.Columns, templates.Column{Label: t.T(c.key), Num: c.num})
	}
	rows := dt.rows[:min(len(dt.rows), listPageRows)]
	if n := dt.count(); n > len(rows) {
		l.Cut = t.T("list.cut", t.Int(len(rows)), t.Int(n))
	}
	for i, r := range rows {
		row := make([]templates.ListCell, len(r))
		for j, v := range r {
			row[j] = templates.ListCell{Text: v.display(t), Num: v.numeric(), Class: v.class, Sort: sortKey(v)}
		}
		if href != nil {
			row[0].Href = href(i)
		}
		l.Rows = append(l.Rows, row)
	}
	for _, r := range dt.foot {
		row := make([]templates.Cell, len(r))
		for j, v := range r {
			if v.kind == kText && v.text == "" {
				continue // a total has no value in this column
			}
			row[j] = templates.Cell{Text: v.display(t), Num: v.numeric(), Class: v.class}
		}
		l.Foot = append(l.Foot, row)
	}
	return l
}

// sortable lets the reader sort l by any column; it comes sorted by column
// by, largest first when desc. The first sortable list of a page loads the
// script.
func (pc *pageCtx) sortable(l templates.ListTable, by int, desc bool, first bool) templates.ListTable {
	l.Sortable, l.SortBy, l.SortDesc, l.SortHint = true, by, desc, pc.t.T("list.sort_hint")
	l.Search = pc.t.T("table.search")
	if first {
		l.Script = pc.up + "../assets/lists.js"
	}
	return l
}

// sortKey orders a cell without parsing its formatted text: money in cents,
// counts and days as integers, days as ISO dates; "" sorts by the text.
func sortKey(v val) string {
	switch v.kind {
	case kMoney:
		if !v.valid {
			return ""
		}
		if c, ok := exactCents(v.dec); ok {
			return strconv.FormatInt(c, 10)
		}
		return v.dec.Shift(2).StringFixed(0)
	case kInt:
		return strconv.Itoa(v.n)
	case kDate:
		if v.day.IsZero() {
			return "0000-00-00"
		}
		return v.day.Format(time.DateOnly)
	case kMonth:
		return v.text
	}
	return ""
}

// vDay is a day that may be missing ("—").
func vDay(d *time.Time) val {
	if d == nil {
		return vText("—")
	}
	return vDate(*d)
}

func (pc *pageCtx) feeItems(codes []string) string {
	names := make([]string, len(codes))
	for i, c := range codes {
		names[i] = pc.feeName(c)
	}
	return strings.Join(names, ", ")
}

func (pc *pageCtx) area(a string) string {
	if a == "" {
		return pc.t.T("none")
	}
	return a
}

func whoOwesPage(pc *pageCtx) templates.SitePage {
	t, d, l := pc.t, pc.d, pc.b.lists
	p := pc.frame("page.who_owes", "intro.who_owes")
	names := l.withNames
	keys := []string{"customer"}
	if names {
		keys = append(keys, "customer_name", "customer_unit")
	}
	keys = append(keys, "area", "fee_items", "#outstanding", "#bills_open", "oldest_due", "#days_overdue", "last_paid_on")
	dt := dataTable{caption: t.T("caption.debtors", t.Date(d.asOf)), cols: cols(keys...)}
	sum := decimal.Zero
	bills := 0
	for _, x := range l.debtors {
		sum = sum.Add(x.Outstanding)
		bills += x.BillsOpen
	}
	dt.long(t, len(l.debtors), func(i int, row []val) []val {
		x := &l.debtors[i]
		row = append(row, vText(x.CustomerID))
		if names {
			row = append(row, vText(x.Name), vText(x.Unit))
		}
		overdue := vInt(x.DaysOverdue)
		if x.DaysOverdue > 60 {
			overdue = overdue.with("bad")
		}
		return append(row, vText(pc.area(x.Area)), vText(pc.feeItems(x.FeeItems)), vMoney(x.Outstanding), vInt(x.BillsOpen), vDate(x.OldestDue), overdue, vDay(x.LastPaidOn))
	})
	if len(l.debtors) > 0 {
		foot := []val{vText(t.T("total.count", len(l.debtors)))}
		for range len(keys) - 8 {
			foot = append(foot, vText(""))
		}
		foot = append(foot, vText(""), vText(""), vMoney(sum), vInt(bills), vText(""), vText(""), vText(""))
		dt.foot = [][]val{foot}
	}
	outCol := slices.Index(keys, "#outstanding")
	list := pc.list("debtors", dt, fmt.Sprintf(analytics.DebtorsQuery, d.asOf.Format(time.DateOnly), d.latest)+";", func(i int) string {
		return "#" + l.debtorAnchor[l.debtors[i].CustomerID]
	})
	p.Sections = []templates.Section{{
		ID: "debtors", Heading: t.T("section.debtors"), Intro: pc.privacyNote(),
		Lists: []templates.ListTable{pc.sortable(list, outCol, true, true)},
	}, pc.debtorBills()}
	return p
}

// debtorBills is every debtor's open bills, one folded table each, in the
// list's order; the who-owes list links each debtor to theirs.
func (pc *pageCtx) debtorBills() templates.Section {
	t, d, l := pc.t, pc.d, pc.b.lists
	bc := cols("bill", "period", "fee_item", "due_date", "#net_due", "#paid", "#refunded", "#outstanding", "txn_ids")
	row := func(r []val, b *analytics.BillDetail) []val {
		return append(r, vText(b.BillID), vMonth(b.Period), vText(pc.feeName(b.FeeItem)), vDate(b.DueDate),
			vMoney(b.NetDue), vMoney(b.Paid), vMoney(b.Refunded), vMoney(b.Outstanding).with("bad"), vText(strings.Join(b.TxnIDs, " ")))
	}
	s := templates.Section{ID: "bills", Heading: t.T("section.debtor_bills"), Intro: t.T("intro.debtor_bills")}
	for _, x := range l.debtors[:min(len(l.debtors), listPageRows)] { // the debtors the list shows
		dt := dataTable{caption: t.T("caption.debtor_bills", x.CustomerID, t.Date(d.asOf)), cols: bc}
		for i := range l.bills[x.CustomerID] {
			dt.rows = append(dt.rows, row(nil, &l.bills[x.CustomerID][i]))
		}
		dt.foot = [][]val{{vText(t.T("total")), vText(""), vText(""), vText(""), vText(""), vText(""), vText(""), vMoney(x.Outstanding), vText("")}}
		fold := []string{x.CustomerID}
		if l.withNames {
			fold = append(fold, x.Name, x.Unit)
		}
		fold = append(fold, pc.area(x.Area), t.Money(x.Outstanding))
		list := pc.list("", dt, "", nil)
		list.ID, list.Fold = l.debtorAnchor[x.CustomerID], strings.Join(fold, " · ")
		s.Lists = append(s.Lists, list)
	}
	if len(l.debtors) > 0 {
		// every debtor's bills, in the list's order, written as they are made
		var order []*analytics.BillDetail
		for _, x := range l.debtors {
			bills := l.bills[x.CustomerID]
			for i := range bills {
				order = append(order, &bills[i])
			}
		}
		all := dataTable{cols: append(cols("customer"), bc...)}
		all.long(t, len(order), func(i int, r []val) []val {
			return row(append(r, vText(order[i].CustomerID)), order[i])
		})
		pc.b.csvFile(t.lang+"/data/debtor_bills.csv", all, t)
		s.Links = []templates.Link{{Label: t.T("link.debtor_bills_csv"), Href: pc.href("data/debtor_bills.csv")}}
	}
	s.Code = []templates.Fact{{Label: t.T("frame.sql"), Value: fmt.Sprintf(analytics.DebtorBillsQuery, d.asOf.Format(time.DateOnly), d.latest) + ";"}}
	return s
}

func overpaymentsPage(pc *pageCtx) templates.SitePage {
	t, d, l := pc.t, pc.d, pc.b.lists
	p := pc.frame("page.overpayments", "intro.overpayments")
	dt := dataTable{caption: t.T("caption.overpayments", t.Date(d.asOf)),
		cols: cols("bill", "customer", "area", "period", "fee_item", "#net_due", "#paid", "#overpaid", "#refunded", "#credit", "txn_ids")}
	over, refunded, credit := decimal.Zero, decimal.Zero, decimal.Zero
	for _, o := range l.overpayments {
		c := vMoney(o.Credit)
		if o.Credit.IsPositive() {
			c = c.with("bad")
		}
		dt.rows = append(dt.rows, []val{vText(o.BillID), vText(o.CustomerID), vText(pc.area(o.Area)), vMonth(o.Period), vText(pc.feeName(o.FeeItem)),
			vMoney(o.NetDue), vMoney(o.Paid), vMoney(o.Overpaid), vMoney(o.Refunded), c, vText(strings.Join(o.TxnIDs, " "))})
		over, refunded, credit = over.Add(o.Overpaid), refunded.Add(o.Refunded), credit.Add(o.Credit)
	}
	if len(l.overpayments) > 0 {
		dt.foot = [][]val{{vText(t.T("total.count", len(l.overpayments))), vText(""), vText(""), vText(""), vText(""), vText(""), vText(""), vMoney(over), vMoney(refunded), vMoney(credit), vText("")}}
	}
	list := pc.list("overpayments", dt, fmt.Sprintf(analytics.OverpaymentsQuery, d.asOf.Format(time.DateOnly), d.latest)+";", nil)
	p.Sections = []templates.Section{{ID: "overpaid", Heading: t.T("section.overpayments"), Lists: []templates.ListTable{pc.sortable(list, 3, false, true)}}}
	return p
}

func openItemsPage(pc *pageCtx) templates.SitePage {
	t, d, l := pc.t, pc.d, pc.b.lists
	p := pc.frame("page.open_items", "intro.open_items")

	// refunds: a line per stage, then every open refund
	stages := dataTable{caption: t.T("caption.refund_stages", t.Date(d.asOf)), cols: cols("stage", "#count", "#amount", "#oldest_days")}
	for _, stage := range []string{"requested", "approved"} {
		n, oldest, amount := 0, 0, decimal.Zero
		for _, r := range l.refunds {
			if r.Stage == stage {
				n, oldest, amount = n+1, max(oldest, r.AgeDays), amount.Add(r.Amount)
			}
		}
		stages.rows = append(stages.rows, []val{vEnum("stage", stage), vInt(n), vMoney(amount), vInt(oldest)})
	}
	refunds := dataTable{caption: t.T("caption.refunds_open", t.Date(d.asOf)),
		cols: cols("refund", "stage", "requested_on", "#age_days", "#stage_days", "#amount", "txn", "customer", "bill", "reason")}
	for _, r := range l.refunds {
		age := vInt(r.AgeDays)
		if r.AgeDays > 30 {
			age = age.with("bad")
		}
		refunds.rows = append(refunds.rows, []val{vText(r.RefundID), vEnum("stage", r.Stage), vDate(r.RequestedOn), age, vInt(r.StageDays),
			vMoney(r.Amount), vText(r.TxnID), vText(r.CustomerID), vText(r.BillID), vText(r.Reason)})
	}
	sql := fmt.Sprintf(analytics.RefundsOpenQuery, d.asOf.Format(time.DateOnly)) + ";"
	stageList := pc.list("refund_stages", stages, sql, nil)
	refundList := pc.sortable(pc.list("refunds_open", refunds, sql, nil), 2, false, true) // oldest request first

	exc := dataTable{caption: t.T("caption.exceptions_open", t.Date(d.asOf)),
		cols: cols("exception", "type", "occurred_on", "#age_days", "escalated", "customer", "bill", "collector", "reason")}
	exc.long(t, len(l.exceptions), func(i int, r []val) []val {
		e := &l.exceptions[i]
		age := vInt(e.AgeDays)
		if e.AgeDays > 30 {
			age = age.with("bad")
		}
		esc := vEnum("flag", "no")
		if e.Escalated {
			esc = vEnum("flag", "yes")
		}
		return append(r, vText(e.ExceptionID), vEnum("exception", e.Type), vDate(e.OccurredOn), age, esc,
			vText(e.CustomerID), vText(e.BillID), vText(e.Collector), vText(e.Reason))
	})
	excList := pc.sortable(pc.list("exceptions_open", exc, fmt.Sprintf(analytics.ExceptionsOpenQuery, d.asOf.Format(time.DateOnly))+";", nil), 2, false, false)

	p.Sections = []templates.Section{
		{ID: "refunds", Heading: t.T("section.refunds_open"), Lists: []templates.ListTable{stageList, refundList}},
		{ID: "exceptions", Heading: t.T("section.exceptions_open"), Lists: []templates.ListTable{excList}},
	}
	return p
}

func discrepancyLinesPage(pc *pageCtx) templates.SitePage {
	t, d, l := pc.t, pc.d, pc.b.lists
	p := pc.frame("page.discrepancy_lines", "intro.discrepancy_lines")
	dt := dataTable{caption: t.T("caption.discrepancy_lines", t.Date(d.asOf)),
		cols: cols("ref", "status", "opened_on", "item", "item_id", "day", "channel", "collector", "#amount")}
	for _, x := range l.lines {
		dt.rows = append(dt.rows, []val{vText(x.Ref), vEnum("status", x.Status), vDate(x.OpenedOn), vEnum("item", x.Item), vText(x.ItemID),
			vDate(x.Day), vEnum("channel", x.Channel), vText(x.Collector), vMoney(x.Amount)})
	}
	list := pc.list("discrepancy_lines", dt, fmt.Sprintf(analytics.DiscrepancyLinesQuery, d.asOf.Format(time.DateOnly), d.latest)+";", nil)
	p.Sections = []templates.Section{{
		ID: "lines", Heading: t.T("section.discrepancy_lines"),
		Links: []templates.Link{pc.listLink("reconciliation.html", "section.recon_open")},
		Lists: []templates.ListTable{list},
	}}
	return p
}
