package server

import (
	"errors"
	"net/http"

	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/templates"
)

func (s *Server) handleUploadCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(templates.UploadCSS)
}

func (s *Server) uploadPage(who principal) templates.UploadPage {
	p := templates.UploadPage{Kinds: ingest.KindNames(), Kind: ingest.KindNames()[0], DryRun: true, MaxBytes: byteSize(s.cfg.MaxUpload), User: who.name}
	if who.sess != nil {
		p.CSRF = who.sess.csrf
	}
	return p
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

// handleUploadForm takes the page's form. Who sent it (the session cookie)
// and the form's CSRF token (in the action's query) are checked before any
// byte of the body is read; the fields may follow the file in the body, so
// they are applied once it is read.
func (s *Server) handleUploadForm(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Finance, true)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	page := s.uploadPage(who)
	form := map[string]string{}
	up := ingest.Upload{UploadedBy: who.name}
	res, err := s.receive(w, r, who, &up, form, func() error {
		if _, ok := ingest.KindByName(form["kind"]); !ok {
			return ingest.Errorf(ingest.UnknownKind, "unknown record kind %q", form["kind"])
		}
		up.Kind, up.Encoding = form["kind"], form["encoding"]
		up.DryRun, up.AllowErrors = isTrue(form["dry_run"]), isTrue(form["allow_errors"])
		return nil
	})
	s.ingested(res, err)
	if form["kind"] != "" {
		page.Kind = form["kind"]
	}
	page.DryRun = isTrue(form["dry_run"])
	if res != nil {
		page.Report = report(up.FileName, res, err)
	} else if err != nil {
		page.Problem = message(err)
	}
	code := codeOf(err)
	if statusOf(code) >= 500 {
		s.cfg.Logger.Error("upload failed", "code", code, "err", err)
	}
	s.render(w, r, statusOf(code), page)
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
