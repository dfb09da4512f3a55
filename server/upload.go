package server

import (
	"context"
	"errors"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/templates"
)

const (
	// maxFormFiles bounds the files of one form (the body's total size is
	// bounded by Config.MaxUpload).
	maxFormFiles = 20
	// listedErrors is how many problems an answer of the API lists; the
	// upload log keeps up to data.MaxAttemptErrors of them.
	listedErrors = 1000
	// groupExamples is how many rows the page shows of each problem, and
	// maxGroups how many problems (the rest are in the CSV).
	groupExamples = 5
	maxGroups     = 20
)

func (s *Server) handleUploadCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(templates.UploadCSS)
}

func (s *Server) handleUploadJS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/javascript; charset=utf-8")
	w.Write(templates.UploadJS)
}

// kindInfos describes the record kinds, in upload order, from ingest's
// one definition of them.
func kindInfos() []templates.KindInfo {
	var out []templates.KindInfo
	for _, name := range ingest.KindNames() {
		k, _ := ingest.KindByName(name)
		info := templates.KindInfo{Name: name}
		for _, c := range k.Columns() {
			info.Columns = append(info.Columns, templates.KindColumn{Name: c.Name, Headers: c.Headers, Required: c.Required})
		}
		out = append(out, info)
	}
	return out
}

// kindOrder is a kind's place in upload order; unknown kinds come last.
func kindOrder(kind string) int {
	if i := slices.Index(ingest.KindNames(), kind); i >= 0 {
		return i
	}
	return len(ingest.KindNames())
}

func (s *Server) uploadPage(w http.ResponseWriter, r *http.Request, who principal) templates.UploadPage {
	return templates.UploadPage{Desk: s.desk(w, r, who, "/upload"), Kinds: kindInfos(), Kind: "auto", DryRun: true,
		MaxBytes: byteSize(s.cfg.MaxUpload), Profiles: s.profileChoices()}
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
	s.render(w, r, http.StatusOK, s.uploadPage(w, r, who))
}

// formFile is one file of the form, with the kind it goes in as.
type formFile struct {
	spooled
	kind       string
	candidates []string // when its kind could not be told
	problem    error    // when it could not be read at all
}

// handleUploadForm takes the page's form: one or several files, uploaded
// in upload order, or with the Preview button (action=preview) how they
// would be read, writing nothing. Each file goes in as the kind the form
// gives it (kinds: one per file, in the body's order, as upload.js sets
// them; else the kind field), and when that is "auto" as the kind its
// headers tell; a file whose kind cannot be told is not uploaded and the
// report asks for it. Who sent the form (the session cookie) and its CSRF
// token (in the action's query) are checked before any byte of the body is
// read; the fields may follow the files in the body, so they are applied
// once it is read. The server keeps no copy of a previewed file.
func (s *Server) handleUploadForm(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Finance, true)
	if err != nil {
		s.refusePage(w, r, err)
		return
	}
	page := s.uploadPage(w, r, who)
	form := map[string]string{}
	status := http.StatusOK
	worse := func(st int) {
		if st > status {
			status = st
		}
	}
	committed := false
	err = s.withFiles(w, r, who, form, func(files []spooled) error {
		var prof ingest.Profile
		if m := form["map"]; m != "" {
			p, err := s.profile(m)
			if err != nil {
				return err
			}
			prof = p
		}
		base := ingest.Upload{Encoding: form["encoding"], DryRun: isTrue(form["dry_run"]), AllowErrors: isTrue(form["allow_errors"]),
			UploadedBy: who.name, Profile: prof, MaxErrors: data.MaxAttemptErrors}
		list := s.formFiles(r.Context(), files, form, base)
		for _, f := range list {
			up := base
			up.Kind, up.Path, up.FileName, up.ContentType = f.kind, f.path, f.name, f.contentType
			if form["action"] == "preview" {
				page.Previews = append(page.Previews, s.previewFile(r.Context(), f, up, worse))
				continue
			}
			var rep templates.FileReport
			switch {
			case f.problem != nil:
				rep = s.refusedFile(r.Context(), who, "page", up, f.problem)
				worse(statusOf(codeOf(f.problem)))
			case f.kind == "":
				s.logAttempt(r.Context(), who, "page", up, nil, errKindUnknown)
				rep = templates.FileReport{FileName: f.name, Outcome: "choose", Candidates: f.candidates}
				worse(http.StatusUnprocessableEntity)
			default:
				res, err := s.cfg.Ingester.Ingest(r.Context(), up)
				s.ingested(res, err)
				id := s.logAttempt(r.Context(), who, "page", up, res, err)
				rep = fileReport(up, res, err, id)
				committed = committed || (err == nil && res != nil && res.Committed && !res.DryRun)
				worse(statusOf(codeOf(err)))
			}
			page.Reports = append(page.Reports, rep)
		}
		return nil
	})
	if k := form["kind"]; k != "" {
		page.Kind = k
	}
	page.DryRun = isTrue(form["dry_run"])
	page.Map, page.Encoding, page.Previewed = form["map"], form["encoding"], form["action"] == "preview"
	if err != nil {
		if codeOf(err) != CodeBusy && !page.Previewed {
			// Refused as a whole (a bad form, an unknown layout, too large):
			// an attempt all the same.
			s.logAttempt(r.Context(), who, "page", ingest.Upload{Kind: form["kind"], DryRun: page.DryRun}, nil, err)
		}
		page.Problem = message(err)
		worse(statusOf(codeOf(err)))
		if statusOf(codeOf(err)) >= 500 {
			s.cfg.Logger.Error("upload failed", "code", codeOf(err), "err", err)
		}
	}
	if committed {
		page.Publish = s.publishNote(r.Context())
	}
	s.render(w, r, status, page)
}

// errKindUnknown is the problem of a file whose kind could not be told.
var errKindUnknown = ingest.Errorf(ingest.Rejected, "the record kind could not be told from the file's headers; choose it")

// formFiles gives each file of the form its kind and puts them in upload
// order (the order the form sent them within a kind).
func (s *Server) formFiles(ctx context.Context, files []spooled, form map[string]string, base ingest.Upload) []formFile {
	var kinds []string
	if k := form["kinds"]; k != "" {
		kinds = strings.Split(k, ",")
	}
	out := make([]formFile, len(files))
	for i, f := range files {
		ff := formFile{spooled: f}
		if i < len(kinds) && knownKind(kinds[i]) {
			ff.kind = kinds[i]
		} else if knownKind(form["kind"]) {
			ff.kind = form["kind"]
		} else {
			up := base
			up.Path, up.FileName, up.ContentType = f.path, f.name, f.contentType
			d, err := s.cfg.Ingester.Detect(ctx, up)
			ff.kind, ff.candidates, ff.problem = d.Kind, d.Candidates, err
		}
		out[i] = ff
	}
	sort.SliceStable(out, func(i, j int) bool { return kindOrder(out[i].kind) < kindOrder(out[j].kind) })
	return out
}

func knownKind(k string) bool {
	_, ok := ingest.KindByName(k)
	return ok
}

// previewFile says how one file would be read.
func (s *Server) previewFile(ctx context.Context, f formFile, up ingest.Upload, worse func(int)) templates.FilePreview {
	v := templates.FilePreview{FileName: f.name, Kind: f.kind}
	if f.problem != nil {
		v.Problem = message(f.problem)
		worse(statusOf(codeOf(f.problem)))
		return v
	}
	if f.kind == "" {
		v.Problem = message(errKindUnknown)
		worse(http.StatusUnprocessableEntity)
		return v
	}
	ex, err := s.cfg.Ingester.Explain(ctx, up)
	var unread *ingest.ExplainError
	switch {
	case ex != nil:
		v.Preview = preview(f.name, ex)
	case errors.As(err, &unread):
		v.Problem = unread.Error()
		worse(statusOf(string(ingest.Rejected)))
	default:
		v.Problem = message(err)
		worse(statusOf(codeOf(err)))
	}
	return v
}

// refusedFile logs and reports a file refused as a whole.
func (s *Server) refusedFile(ctx context.Context, who principal, via string, up ingest.Upload, err error) templates.FileReport {
	s.logAttempt(ctx, who, via, up, nil, err)
	return templates.FileReport{FileName: up.FileName, Kind: up.Kind, Outcome: outcomeOf(nil, err), Problem: message(err)}
}

// withFiles holds an upload slot while it spools the files of a multipart
// form to temporary files and runs do on them; the files are removed when
// do returns.
func (s *Server) withFiles(w http.ResponseWriter, r *http.Request, who principal, form map[string]string, do func([]spooled) error) error {
	release, err := s.admit(who.name)
	if err != nil {
		w.Header().Set("Retry-After", "5")
		return err
	}
	defer release()
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload)
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" || params["boundary"] == "" {
		return errorf(CodeBadRequest, "send the form as multipart/form-data")
	}
	files, err := s.spoolParts(multipart.NewReader(r.Body, params["boundary"]), form, maxFormFiles)
	for _, f := range files {
		defer os.Remove(f.path)
	}
	if err != nil {
		return err
	}
	if len(files) == 0 {
		return errNoFile
	}
	return do(files)
}

// handleDetect says which kind each file of the form holds (upload.js asks
// as soon as files are chosen or dropped, sending the head of each text
// file): {"files": [{"name", "kind", "candidates", "profile", "error"}]}.
func (s *Server) handleDetect(w http.ResponseWriter, r *http.Request) {
	who, err := s.authorize(r, Finance, true)
	if err != nil {
		s.answerError(w, "detect", err)
		return
	}
	type detected struct {
		Name string `json:"name"`
		ingest.Detection
		Error string `json:"error,omitempty"`
	}
	var out []detected
	err = s.withFiles(w, r, who, map[string]string{}, func(files []spooled) error {
		for _, f := range files {
			d, err := s.cfg.Ingester.Detect(r.Context(), ingest.Upload{Path: f.path, FileName: f.name, ContentType: f.contentType})
			x := detected{Name: f.name, Detection: d}
			if err != nil {
				x.Error = message(err)
			}
			out = append(out, x)
		}
		return nil
	})
	if err != nil {
		s.answerError(w, "detect", err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"files": out})
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

// publishNote is where the dashboard's rebuild stands for a commit just
// made; nil when the server publishes no site.
func (s *Server) publishNote(ctx context.Context) *templates.PublishNote {
	seq, err := s.cfg.Store.CommittedBatches(ctx)
	if err != nil {
		s.cfg.Logger.Error("count batches for the publish note", "err", err)
		return nil
	}
	st := s.pub.status(s.zone())
	if st.State == "none" {
		return nil
	}
	n := &templates.PublishNote{BatchSeq: seq}
	if st.State == "published" && st.IncludesBatches >= seq {
		n.Published, n.At, n.Zone = true, st.at.In(s.zone()).Format("15:04"), st.Zone
	}
	return n
}

// outcomeOf names what became of an upload, as the log and the reports say.
func outcomeOf(res *ingest.Result, err error) string {
	switch {
	case res != nil && res.DuplicateOf != nil:
		return "duplicate"
	case res != nil && errors.Is(err, ingest.ErrRejected):
		return "rejected"
	case err != nil && statusOf(codeOf(err)) >= 500:
		return "failed"
	case err != nil:
		return "refused"
	case res != nil && res.DryRun:
		return "dry_run"
	case res != nil && res.Replayed:
		return "duplicate"
	}
	return "ingested"
}

// logAttempt records an upload attempt in the upload log and returns its
// ID (0 when it could not be written). The log is written after the
// batch's own transaction, never inside it: a failure to write it is
// logged and changes nothing of the upload.
func (s *Server) logAttempt(ctx context.Context, who principal, via string, up ingest.Upload, res *ingest.Result, err error) int64 {
	name := up.FileName
	if name == "" {
		name = "upload"
	}
	a := data.Attempt{At: s.cfg.Now(), By: who.name, Via: via, FileName: name, Kind: up.Kind, DryRun: up.DryRun, Outcome: outcomeOf(res, err)}
	if !knownKind(a.Kind) {
		a.Kind = ""
	}
	var errs []data.AttemptError
	if res != nil {
		a.BatchID, a.RowsTotal, a.RowsAccepted, a.RowsRejected, a.RowsDuplicate = res.BatchID, res.RowsTotal, res.RowsAccepted, res.RowsRejected, res.RowsDuplicate
		if res.DuplicateOf != nil {
			a.DuplicateOf = *res.DuplicateOf
		}
		if !res.Committed {
			a.BatchID = ""
		}
		a.ErrorsTotal = len(res.Errors) + res.ErrorsOmitted
		for _, e := range res.Errors {
			errs = append(errs, data.AttemptError{Row: e.Row, Column: e.Column, Value: e.Value, Message: e.Message})
		}
	}
	if err != nil && (res == nil || len(res.Errors) == 0) {
		a.Problem = message(err)
	}
	// The request may have been cut off after the batch was written: the
	// log is written all the same.
	id, lerr := s.cfg.Store.RecordAttempt(context.WithoutCancel(ctx), a, errs)
	if lerr != nil {
		s.cfg.Logger.Error("the upload log was not written; the upload itself is unaffected", "file", name, "by", who.name, "err", lerr)
		return 0
	}
	return id
}

// fileReport is the page's report of one ingested file.
func fileReport(up ingest.Upload, res *ingest.Result, err error, attempt int64) templates.FileReport {
	rep := templates.FileReport{FileName: up.FileName, Kind: up.Kind, Outcome: outcomeOf(res, err)}
	if rep.FileName == "" {
		rep.FileName = "upload"
	}
	if res == nil {
		rep.Problem = message(err)
		return rep
	}
	if res.Committed {
		rep.BatchID = res.BatchID
	}
	if res.DuplicateOf != nil {
		rep.DuplicateOf = *res.DuplicateOf
	}
	rep.RowsTotal, rep.RowsAccepted, rep.RowsRejected, rep.RowsDuplicate = res.RowsTotal, res.RowsAccepted, res.RowsRejected, res.RowsDuplicate
	rep.Profile, rep.HeaderRow, rep.IgnoredColumns = res.Profile, res.HeaderRow, res.IgnoredColumns
	rep.Skipped, rep.SkippedOmitted, rep.Dropped = skippedLines(res.Skipped), res.SkippedOmitted, droppedRows(res.Dropped)
	rep.Groups = groupProblems(res.Errors)
	if len(rep.Groups) > maxGroups {
		rep.GroupsOmitted, rep.Groups = len(rep.Groups)-maxGroups, rep.Groups[:maxGroups]
	}
	rep.ErrorsTotal = len(res.Errors) + res.ErrorsOmitted
	rep.ErrorsKept = min(len(res.Errors), data.MaxAttemptErrors)
	if attempt > 0 && len(res.Errors) > 0 {
		rep.ErrorsCSV = errorsCSVPath(attempt)
	}
	if err != nil && !errors.Is(err, ingest.ErrRejected) && len(res.Errors) == 0 {
		rep.Problem = message(err)
	}
	return rep
}

func errorsCSVPath(attempt int64) string {
	return "/upload/history/" + strconv.FormatInt(attempt, 10) + "/errors.csv"
}

// problemKinds name the recurring problems of ingest's row errors, so the
// page can count them together and say them in the reader's language; arg
// is the submatch the text takes (a kind, a list of values). Problems not
// listed are grouped by their own words.
var problemKinds = []struct {
	code string
	re   *regexp.Regexp
	arg  int
}{
	{"required", regexp.MustCompile(`^required$`), 0},
	{"places2", regexp.MustCompile(`^more than 2 decimal places$`), 0},
	{"negative", regexp.MustCompile(`^negative amount$`), 0},
	{"not_number", regexp.MustCompile(`^not a number$`), 0},
	{"not_time", regexp.MustCompile(`^not a time \(want RFC 3339 or YYYY-MM-DD HH:MM\[:SS\]\)$`), 0},
	{"not_date", regexp.MustCompile(`^not a date \(want YYYY-MM-DD\)$`), 0},
	{"has_time", regexp.MustCompile(`^has a time of day \(want a date alone, YYYY-MM-DD\)$`), 0},
	{"not_period", regexp.MustCompile(`^not a billing month \(want YYYY-MM\)$`), 0},
	{"unknown_value", regexp.MustCompile(`^unknown value; want one of: (.+)$`), 1},
	{"not_found", regexp.MustCompile(` not found in (\w+) \(upload \w+ first\)$`), 1},
	{"conflict_db", regexp.MustCompile(` already ingested with other values in batch `), 0},
	{"conflict_file", regexp.MustCompile(` appears again with other values \(first at row \d+`), 0},
	{"line_break", regexp.MustCompile(`^contains a line break$`), 0},
	{"undecodable", regexp.MustCompile(`^contains undecodable bytes; check the file's encoding$`), 0},
	{"missing_column", regexp.MustCompile(`^required column \S+ is missing`), 0},
}

// groupProblems summarises row errors by column and kind of problem, the
// most frequent first, with the first rows of each.
func groupProblems(errs []ingest.RowError) []templates.ProblemGroup {
	var groups []templates.ProblemGroup
	index := map[string]int{}
	for _, e := range errs {
		g := templates.ProblemGroup{Column: e.Column, Message: e.Message}
		for _, k := range problemKinds {
			if m := k.re.FindStringSubmatch(e.Message); m != nil {
				g.Code = k.code
				if k.arg > 0 {
					g.Arg = m[k.arg]
				}
				break
			}
		}
		key := e.Column + "\x00" + g.Code + "\x00" + g.Arg
		if g.Code == "" {
			// The same problem of other rows: their values and numbers differ.
			msg := e.Message
			if e.Value != "" {
				msg = strings.ReplaceAll(msg, e.Value, "…")
			}
			key += "\x00" + wordsOnly.ReplaceAllString(msg, "#")
		}
		i, ok := index[key]
		if !ok {
			i = len(groups)
			index[key] = i
			groups = append(groups, g)
		}
		groups[i].Count++
		if len(groups[i].First) < groupExamples {
			groups[i].First = append(groups[i].First, templates.UploadError(e))
		}
	}
	sort.SliceStable(groups, func(i, j int) bool { return groups[i].Count > groups[j].Count })
	return groups
}

// wordsOnly matches what varies between rows within a problem's words:
// identifiers and amounts (anything holding a digit) and quoted values.
var wordsOnly = regexp.MustCompile(`"[^"]*"|[^\s(),;:]*\d[^\s(),;:]*`)

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
