package server

import (
	"errors"
	"net/http"
	"os"
	"strings"

	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/templates"
)

func (s *Server) handleUploadCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(templates.UploadCSS)
}

func (s *Server) handleUploadJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(templates.UploadJS)
}

func (s *Server) uploadPage(who principal) templates.UploadPage {
	p := templates.UploadPage{Kinds: ingest.KindNames(), Kind: ingest.KindNames()[0], DryRun: true, MaxBytes: byteSize(s.cfg.MaxUpload), User: who.name,
		Profiles: s.profileChoices()}
	if who.sess != nil {
		p.CSRF = who.sess.csrf
	}
	return p
}

// profileChoices are the profiles the upload form offers: the built-in
// ones, then the stored ones of the profiles folder (read anew for each
// page, so a profile dropped there is offered at once). A stored profile
// that cannot be read is left out and logged; choosing it by name still
// says why it is refused.
func (s *Server) profileChoices() []templates.ProfileChoice {
	var l []templates.ProfileChoice
	builtin := map[string]bool{}
	for _, p := range ingest.BuiltinProfiles() {
		builtin[p.Name] = true
		l = append(l, templates.ProfileChoice{Name: p.Name, Title: profileTitle(p.Title, p.Name), Kind: p.Kind})
	}
	if s.cfg.ProfilesDir == "" {
		return l
	}
	files, err := os.ReadDir(s.cfg.ProfilesDir)
	if err != nil {
		s.cfg.Logger.Error("list stored profiles", "dir", s.cfg.ProfilesDir, "err", err)
		return l
	}
	for _, f := range files {
		name, ok := strings.CutSuffix(f.Name(), ".json")
		if !ok || f.IsDir() || builtin[name] || !profileName.MatchString(name) {
			continue
		}
		p, err := ingest.LookupProfile(name, s.cfg.ProfilesDir)
		if err != nil {
			s.cfg.Logger.Warn("stored profile left out of the upload page", "name", name, "err", err)
			continue
		}
		l = append(l, templates.ProfileChoice{Name: name, Title: profileTitle(p.Title, name), Kind: p.Kind, Stored: true})
	}
	return l
}

// profileTitle is a profile's English title with its Chinese one, else its name.
func profileTitle(title map[string]string, name string) string {
	en, zh := title["en"], title["zh"]
	switch {
	case en != "" && zh != "":
		return en + " · " + zh
	case en != "":
		return en
	case zh != "":
		return zh
	}
	return name
}

// handleUploadPage shows the upload desk to someone signed in with the
// finance role.
func (s *Server) handleUploadPage(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Finance, false)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, s.uploadPage(who))
}

// handleUploadForm takes the page's form: an upload, or with the Preview
// button (action=preview) how the file would be read, writing nothing. Who
// sent it (the session cookie) and the form's CSRF token (in the action's
// query) are checked before any byte of the body is read; the fields may
// follow the file in the body, so they are applied once it is read. The
// server keeps no copy of a previewed file: the upload sends it again.
func (s *Server) handleUploadForm(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Finance, true)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	page := s.uploadPage(who)
	form := map[string]string{}
	up := ingest.Upload{UploadedBy: who.name}
	var res *ingest.Result
	var ex *ingest.Explanation
	err = s.withUpload(w, r, who, &up, form, func() error {
		if _, ok := ingest.KindByName(form["kind"]); !ok {
			return ingest.Errorf(ingest.UnknownKind, "unknown record kind %q", form["kind"])
		}
		up.Kind, up.Encoding = form["kind"], form["encoding"]
		up.DryRun, up.AllowErrors = isTrue(form["dry_run"]), isTrue(form["allow_errors"])
		if m := form["map"]; m != "" {
			p, err := s.profile(m)
			if err != nil {
				return err
			}
			up.Profile = p
		}
		return nil
	}, func() (err error) {
		if form["action"] == "preview" {
			ex, err = s.cfg.Ingester.Explain(r.Context(), up)
			return err
		}
		res, err = s.cfg.Ingester.Ingest(r.Context(), up)
		s.ingested(res, err)
		return err
	})
	if form["kind"] != "" {
		page.Kind = form["kind"]
	}
	page.DryRun = isTrue(form["dry_run"])
	page.Map, page.Encoding, page.Previewed = form["map"], form["encoding"], form["action"] == "preview"
	var unread *ingest.ExplainError
	status := statusOf(codeOf(err))
	switch {
	case ex != nil:
		page.Preview = preview(up.FileName, ex)
	case errors.As(err, &unread):
		page.PreviewProblem, status = unread.Error(), statusOf(string(ingest.Rejected))
	case res != nil:
		page.Report = report(up.FileName, res, err)
	case err != nil:
		page.Problem = message(err)
	}
	if status >= 500 {
		s.cfg.Logger.Error("upload failed", "code", codeOf(err), "err", err)
	}
	s.render(w, r, status, page)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page templates.UploadPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	closeOnFailure(w, status)
	w.WriteHeader(status)
	if err := templates.Upload(page).Render(r.Context(), w); err != nil {
		s.cfg.Logger.Error("render upload page", "err", err)
	}
}

func report(fileName string, res *ingest.Result, err error) *templates.UploadReport {
	rep := &templates.UploadReport{
		FileName: fileName, Kind: res.Kind, BatchID: res.BatchID, SHA256: res.FileSHA256,
		RowsTotal: res.RowsTotal, RowsAccepted: res.RowsAccepted, RowsRejected: res.RowsRejected,
		RowsDuplicate: res.RowsDuplicate, ErrorsOmitted: res.ErrorsOmitted,
	}
	if rep.FileName == "" {
		rep.FileName = "upload"
	}
	for _, e := range res.Errors {
		rep.Errors = append(rep.Errors, templates.UploadError(e))
	}
	rep.Profile, rep.HeaderRow, rep.IgnoredColumns = res.Profile, res.HeaderRow, res.IgnoredColumns
	rep.Skipped, rep.SkippedOmitted, rep.Dropped = skippedLines(res.Skipped), res.SkippedOmitted, droppedRows(res.Dropped)
	switch {
	case res.DuplicateOf != nil:
		rep.Status, rep.OK, rep.DuplicateOf = "already ingested; nothing written", true, *res.DuplicateOf
	case errors.Is(err, ingest.ErrRejected), err != nil:
		rep.Status = "rejected; nothing was written"
	case res.DryRun:
		rep.Status, rep.OK = "checked (dry run); nothing written", true
	default:
		rep.Status, rep.OK = "ingested", true
	}
	return rep
}

func preview(fileName string, ex *ingest.Explanation) *templates.UploadPreview {
	v := &templates.UploadPreview{
		FileName: fileName, Kind: ex.Kind, Format: ex.Format, Encoding: ex.Encoding,
		Profile: ex.Profile, ProfileTitle: profileTitle(ex.ProfileTitle, ""), HeaderRow: ex.HeaderRow, Header: ex.Header,
		IgnoredColumns: ex.IgnoredColumns, Skipped: skippedLines(ex.Skipped), SkippedOmitted: ex.SkippedOmitted,
		Dropped: droppedRows(ex.Dropped), Rows: ex.Rows, Rejected: ex.Rejected, Columns: ex.Columns,
	}
	if v.FileName == "" {
		v.FileName = "upload"
	}
	for _, m := range ex.Mapping {
		v.Mapping = append(v.Mapping, templates.ColumnSource{Column: m.Column, From: m.From})
	}
	for _, e := range ex.Errors {
		v.Errors = append(v.Errors, templates.UploadError(e))
	}
	for _, r := range ex.Preview {
		v.First = append(v.First, templates.PreviewRow{Row: r.Row, Values: r.Values})
	}
	return v
}

func skippedLines(l []ingest.Skipped) []templates.SkippedLine {
	var out []templates.SkippedLine
	for _, s := range l {
		out = append(out, templates.SkippedLine{Row: s.Row, Reason: s.Reason})
	}
	return out
}

func droppedRows(l []ingest.Dropped) []templates.DroppedRows {
	var out []templates.DroppedRows
	for _, d := range l {
		out = append(out, templates.DroppedRows{Reason: d.Reason, Rows: d.Rows})
	}
	return out
}
