// Package templates holds feeflow's templ components: plain structs in, HTML
// out, no I/O.
package templates

import (
	_ "embed"
	"strings"
)

// UploadPage is the finance upload page: the form, and the report of the
// last upload when there is one.
type UploadPage struct {
	Kinds    []string // record kinds in upload order
	Kind     string   // the kind chosen last
	Encoding string   // the encoding chosen last ("" or auto: detect)
	// Profiles are the profiles offered; Map the one chosen last ("":
	// recognise the layout automatically).
	Profiles []ProfileChoice
	Map      string
	DryRun   bool
	Report   *UploadReport // nil before the first upload
	// Preview is how the file chosen will be read (nil unless asked);
	// PreviewProblem why it cannot be read as the kind (no header found).
	Preview        *UploadPreview
	PreviewProblem string
	Problem        string // a request-level error (bad token, unreadable file)
	// Previewed is set when the form was sent to preview the file, not
	// to upload it (a Problem is then the preview's).
	Previewed bool
	MaxBytes  string // the upload limit, for the hint under the file field
	User      string // who is signed in
	CSRF      string // the session's CSRF token, sent with every form
}

// ProfileChoice is a profile the upload form offers.
type ProfileChoice struct {
	Name   string
	Title  string
	Kind   string // the kind it reads; "" for a stored profile that names none
	Stored bool   // from the server's folder of profiles, not built in
}

// profileGroup is the profiles of one kind, built-in or stored, as one
// optgroup of the form's profile choice.
type profileGroup struct {
	Label    string
	Kind     string
	Profiles []ProfileChoice
}

// profileGroups groups the page's profiles by kind, in upload order,
// built-in ones first; profiles that name no kind come last.
func (p UploadPage) profileGroups() []profileGroup {
	var groups []profileGroup
	add := func(kind string, stored bool, label string) {
		g := profileGroup{Label: label, Kind: kind}
		for _, c := range p.Profiles {
			if c.Kind == kind && c.Stored == stored {
				g.Profiles = append(g.Profiles, c)
			}
		}
		if len(g.Profiles) > 0 {
			groups = append(groups, g)
		}
	}
	for _, k := range p.Kinds {
		add(k, false, k+": built-in")
		add(k, true, k+": stored")
	}
	add("", true, "stored, any kind")
	return groups
}

// LoginPage is the sign-in form.
type LoginPage struct {
	Next    string // where to go once signed in (a path on this server)
	CSRF    string // the form's CSRF token (also in a cookie)
	Name    string // the name typed last
	Problem string // why the last attempt failed
}

// UploadReport is the ingest answer shown as a table.
type UploadReport struct {
	FileName      string
	Kind          string
	Status        string // "ingested", "validated (dry run)", "rejected: nothing was written", "already ingested"
	OK            bool
	BatchID       string
	DuplicateOf   string
	SHA256        string
	RowsTotal     int
	RowsAccepted  int
	RowsRejected  int
	RowsDuplicate int
	Errors        []UploadError
	ErrorsOmitted int
	// How the file was read: the profile ("" for feeflow's own headers),
	// the header line, the lines that are not rows, the rows left out by
	// reason and the file's columns not read.
	Profile        string
	HeaderRow      int
	Skipped        []SkippedLine
	SkippedOmitted int
	Dropped        []DroppedRows
	IgnoredColumns []string
}

// SkippedLine is a line of the file that is not a row (preamble, footer).
type SkippedLine struct {
	Row    int
	Reason string
}

// DroppedRows counts the rows left out for one reason.
type DroppedRows struct {
	Reason string
	Rows   int
}

// UploadPreview is how a file will be read, shown before anything is
// written.
type UploadPreview struct {
	FileName     string
	Kind         string
	Format       string
	Encoding     string
	Profile      string // "" for feeflow's own headers
	ProfileTitle string
	HeaderRow    int
	Header       []string
	// Mapping says where each column comes from.
	Mapping        []ColumnSource
	IgnoredColumns []string
	Skipped        []SkippedLine
	SkippedOmitted int
	Dropped        []DroppedRows
	Rows           int // rows read as the kind's rows
	Rejected       int
	Errors         []UploadError
	// Columns and First are the first rows exactly as they would be stored.
	Columns []string
	First   []PreviewRow
}

// ColumnSource is where one column's value comes from.
type ColumnSource struct {
	Column string
	From   string
}

// PreviewRow is one row as it would be stored, with its line in the file.
type PreviewRow struct {
	Row    int
	Values []string
}

// UploadError is one row problem.
type UploadError struct {
	Row     int
	Column  string
	Value   string
	Message string
}

// UploadCSS is the upload page's stylesheet.
//
//go:embed upload.css
var UploadCSS []byte

// UploadJS is the upload page's script: it offers the layouts of the
// chosen kind and shows a preview without leaving the page (the page works
// without it).
//
//go:embed upload.js
var UploadJS []byte

// RefusedPage says why a signed-in person may not open a page.
type RefusedPage struct {
	User    string
	CSRF    string
	Problem string
}

// joinCells writes a header line's cells as the file has them.
func joinCells(cells []string) string { return strings.Join(cells, ", ") }
