package templates

import "strconv"

// ListTable is a list of the published site that names which bills,
// customers, refunds or lines: a table whose first cell may link to a
// detail page, whose headings sort the rows in the browser (lists.js), with
// its CSV and SQL like any block. Sort carries each cell's sort key (cents
// for money, ISO days), so sorting never parses formatted text.
type ListTable struct {
	ID       string // element id: letters, digits, - and _
	Caption  string
	Columns  []Column
	Rows     [][]ListCell
	Foot     [][]Cell // totals: they stay below the rows when sorted
	Empty    string
	Sortable bool
	SortBy   int    // the column the rows come sorted by
	SortDesc bool   // ... largest first
	SortHint string // how to sort, said once under the table
	Search   string // when set, the label of a box that keeps the rows holding its text
	CSV      string // relative link to the list's CSV; "" for none
	SQL      string
	Script   string // relative path of lists.js; set on the first sortable list of a page
	Fold     string // when set, the list is folded under this summary (a <details> with the list's ID)
	Cut      string // when set, the page shows only the first rows and this says so (the CSV has them all)
	Text     ListText
}

// ListText is the fixed wording around a list.
type ListText struct {
	DownloadCSV, ShowSQL string
}

// ListCell is one cell of a list.
type ListCell struct {
	Text  string
	Href  string // relative link (first cell only); "" for none
	Num   bool
	Class string
	Sort  string // sort key; "" sorts by Text
}

// ariaSort is the aria-sort value of column i.
func (l ListTable) ariaSort(i int) string {
	if !l.Sortable || i != l.SortBy {
		return ""
	}
	if l.SortDesc {
		return "descending"
	}
	return "ascending"
}

func listColspan(l ListTable) string { return colspan(Table{Columns: l.Columns}) }

func colIndex(i int) string { return strconv.Itoa(i) }
