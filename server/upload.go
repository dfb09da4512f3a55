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
		if m := form["map"]; m != "" {
			p, err := s.profile(m)
			if err != nil {
				return err
			}
			up.Profile = p
		}
		return nil
	})
	s.ingested(res, err)
	if form["kind"] != "" {
		page.Kind = form["kind"]
	}
	page.DryRun = isTrue(form["dry_run"])
	page.Map, page.Encoding = form["map"], form["encoding"]
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
