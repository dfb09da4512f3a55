// Package templates holds feeflow's templ components: plain structs in, HTML
// out, no I/O.
package templates

import _ "embed"

// UploadPage is the finance upload page: the form, and the report of the
// last upload when there is one.
type UploadPage struct {
	Kinds    []string // record kinds in upload order
	Kind     string   // the kind chosen last
	DryRun   bool
	Report   *UploadReport // nil before the first upload
	Problem  string        // a request-level error (bad token, unreadable file)
	MaxBytes string        // the upload limit, for the hint under the file field
	User     string        // who is signed in
	CSRF     string        // the session's CSRF token, sent with every form
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

// RefusedPage says why a signed-in person may not open a page.
type RefusedPage struct {
	User    string
	CSRF    string
	Problem string
}
