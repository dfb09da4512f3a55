// Package server is feeflow's HTTP server: every route in one place, sign-in
// and roles, upload admission, the upload desk, the SQL API, health, and the
// published site with its rebuilds.
package server

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
	"github.com/feeflow/feeflow/site/publish"
	"github.com/feeflow/feeflow/templates"
)

// Config wires the server; cmd/feeflow fills it from flags.
type Config struct {
	Store    *data.Store
	Ingester *ingest.Ingester
	Tokens   Tokens
	// SiteDir is the site folder (site/publish): its builds under
	// SiteDir/builds/<id>/, the published one linked as SiteDir/current and
	// served at /; "" serves none. The server holds its lock until Shutdown.
	SiteDir string
	// Publish writes a complete build of the site into dir (which it
	// creates); the server calls it after committed ingests (debounced) and
	// on POST /api/v1/publish. nil publishes nothing.
	Publish func(ctx context.Context, dir string) error
	// ProfilesDir holds mapping profiles NAME.json chosen with ?map=NAME.
	ProfilesDir string
	// MaxUpload bounds one request body in bytes.
	MaxUpload int64
	// MaxQueued uploads may wait for the writer; more are answered 503.
	MaxQueued int
	// TempDir receives uploads while they are ingested.
	TempDir string
	Logger  *slog.Logger
	// SQLTimeout stops an analyst's query (POST /api/v1/sql); default 30 s.
	SQLTimeout time.Duration
	// SQLMaxRows is the SQL API's row limit unless ?limit= asks for another; default 10000.
	SQLMaxRows int
}

// Server is feeflow's HTTP server: the ingest API, the upload page, health,
// and the published site.
type Server struct {
	cfg   Config
	slots chan struct{}
	pub   *publisher
}

// New builds a server; with a site folder, it takes the folder's lock, so a
// second server publishing into the same folder is refused.
func New(cfg Config) (*Server, error) {
	if cfg.MaxUpload <= 0 {
		cfg.MaxUpload = 256 << 20
	}
	if cfg.MaxQueued <= 0 {
		cfg.MaxQueued = 8
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.SQLTimeout <= 0 {
		cfg.SQLTimeout = 30 * time.Second
	}
	if cfg.SQLMaxRows <= 0 || cfg.SQLMaxRows > maxSQLRows {
		cfg.SQLMaxRows = defaultSQLRows
	}
	var folder *publish.Folder
	if cfg.SiteDir != "" {
		var err error
		if folder, err = publish.Open(cfg.SiteDir); err != nil {
			return nil, err
		}
	}
	return &Server{cfg: cfg, slots: make(chan struct{}, cfg.MaxQueued), pub: newPublisher(cfg, folder)}, nil
}

// Handler lists every route of the server in one place.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("POST /api/v1/ingest/{kind}", s.handleIngest)
	mux.HandleFunc("POST /api/v1/sql", s.handleSQL)
	mux.HandleFunc("POST /api/v1/publish", s.handlePublish)
	mux.HandleFunc("GET /upload", s.handleUploadPage)
	mux.HandleFunc("POST /upload", s.handleUploadForm)
	mux.HandleFunc("GET /upload.css", s.handleUploadCSS)
	mux.HandleFunc("GET /healthz", s.handleHealth)
	mux.HandleFunc("GET /", s.handleSite)
	return securityHeaders(mux)
}

// securityHeaders are sent with every answer: the pages load only their own
// scripts and styles and cannot be framed.
func securityHeaders(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hd := w.Header()
		hd.Set("Content-Security-Policy", "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'")
		hd.Set("X-Content-Type-Options", "nosniff")
		hd.Set("X-Frame-Options", "DENY")
		hd.Set("Referrer-Policy", "no-referrer")
		h.ServeHTTP(w, r)
	})
}

// Failures of the HTTP layer.
var (
	errUnauthorized = errorf(CodeUnauthorized, "a valid token is required: send Authorization: Bearer TOKEN")
	errBusy         = errorf(CodeBusy, "the server is busy with other uploads; retry shortly")
	errUnsupported  = errorf(CodeUnsupported, "unsupported content type: send CSV, JSON, NDJSON or XLSX, as the body or as a multipart field \"file\"")
	errNoFile       = errorf(CodeBadRequest, "no file: send the export as the request body or as a multipart field \"file\"")
)

func (s *Server) handleIngest(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	name, ok := s.authorize(r, r.Header.Get("Authorization"))
	if !ok {
		s.answer(w, r, kind, nil, errUnauthorized)
		return
	}
	q := r.URL.Query()
	up := ingest.Upload{
		Kind:           kind,
		Encoding:       q.Get("encoding"),
		Sheet:          q.Get("sheet"),
		AllowErrors:    isTrue(q.Get("allow_errors")),
		DryRun:         isTrue(q.Get("dry_run")),
		UploadedBy:     name,
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
		FileName:       q.Get("filename"),
	}
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			s.answer(w, r, kind, nil, errorf(CodeBadRequest, "tz %q is not a known time zone", tz))
			return
		}
		up.Location = loc
	}
	if m := q.Get("map"); m != "" {
		p, err := s.profile(m)
		if err != nil {
			s.answer(w, r, kind, nil, err)
			return
		}
		up.Profile = p
	}
	if _, ok := ingest.KindByName(kind); !ok {
		s.answer(w, r, kind, nil, ingest.Errorf(ingest.UnknownKind, "unknown record kind %q: want one of %s", kind, strings.Join(ingest.KindNames(), ", ")))
		return
	}
	res, err := s.receive(w, r, &up, nil, nil)
	s.ingested(res, err)
	s.answer(w, r, kind, res, err)
}

// receive spools the upload to a temporary file, lets prepare finish the
// Upload from what arrived with it (a form's fields), and ingests it. At most
// MaxQueued uploads are admitted at once; the rest are told to retry.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, up *ingest.Upload, form map[string]string, prepare func() error) (*ingest.Result, error) {
	select {
	case s.slots <- struct{}{}:
		defer func() { <-s.slots }()
	default:
		w.Header().Set("Retry-After", "5")
		return nil, errBusy
	}
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload)
	path, err := s.spool(r, up, form)
	if path != "" {
		defer os.Remove(path)
	}
	if err != nil {
		return nil, err
	}
	if prepare != nil {
		if err := prepare(); err != nil {
			return nil, err
		}
	}
	up.Path = path
	return s.cfg.Ingester.Ingest(r.Context(), *up)
}

// acceptedTypes are the content types of the formats feeflow reads;
// application/octet-stream and an empty type let the content decide.
var acceptedTypes = map[string]bool{
	"text/csv": true, "application/csv": true, "text/plain": true, "text/tab-separated-values": true,
	"application/json": true, "application/x-ndjson": true, "application/ndjson": true, "application/jsonl": true,
	"application/x-jsonlines": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"application/octet-stream": true, "": true,
}

func (s *Server) spool(r *http.Request, up *ingest.Upload, form map[string]string) (string, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct != "" && err != nil {
		return "", errUnsupported
	}
	if mt == "multipart/form-data" {
		return s.spoolMultipart(multipart.NewReader(r.Body, params["boundary"]), up, form)
	}
	if !acceptedTypes[mt] {
		return "", errUnsupported
	}
	up.ContentType = ct
	return s.spoolBody(r.Body)
}

func (s *Server) spoolBody(body io.Reader) (string, error) {
	f, err := os.CreateTemp(s.cfg.TempDir, "feeflow-upload-*")
	if err != nil {
		return "", err
	}
	path := f.Name()
	_, err = io.Copy(f, body)
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, err
}

func (s *Server) spoolMultipart(mr *multipart.Reader, up *ingest.Upload, form map[string]string) (string, error) {
	path := ""
	for {
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			return path, errorf(CodeBadRequest, "malformed multipart body: %v", err)
		}
		if part.FormName() == "file" {
			if path != "" {
				return path, errorf(CodeBadRequest, "send one file per upload")
			}
			pt := part.Header.Get("Content-Type")
			mt, _, _ := mime.ParseMediaType(pt)
			if !acceptedTypes[mt] {
				return path, errUnsupported
			}
			up.ContentType = pt
			// The name is only a label for messages and the batch record; it
			// never reaches a path.
			up.FileName = cleanFileName(part.FileName())
			if path, err = s.spoolBody(part); err != nil {
				return path, err
			}
			continue
		}
		if form != nil {
			b, err := io.ReadAll(io.LimitReader(part, 4096))
			if err != nil {
				return path, err
			}
			form[part.FormName()] = string(b)
		}
	}
	if path == "" {
		return "", errNoFile
	}
	return path, nil
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._ ()\-]+`)

// cleanFileName keeps the base name of an uploaded file, printable, short.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = unsafeName.ReplaceAllString(name, "_")
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	if name == "." || name == "/" || name == "" {
		return "upload"
	}
	return name
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// profile loads the mapping profile NAME.json from the profiles folder.
func (s *Server) profile(name string) (ingest.Profile, error) {
	if !profileName.MatchString(name) || s.cfg.ProfilesDir == "" {
		return nil, errorf(CodeBadRequest, "unknown mapping profile %q", name)
	}
	b, err := os.ReadFile(filepath.Join(s.cfg.ProfilesDir, name+".json"))
	if err != nil {
		return nil, errorf(CodeBadRequest, "unknown mapping profile %q", name)
	}
	p, err := ingest.ParseProfile(b)
	if err != nil {
		return nil, errorf(CodeBadRequest, "mapping profile %s: %v", name, err)
	}
	return p, nil
}

func (s *Server) authorize(r *http.Request, header string) (string, bool) {
	tok, ok := strings.CutPrefix(header, "Bearer ")
	if !ok {
		return "", false
	}
	return s.cfg.Tokens.Check(strings.TrimSpace(tok))
}

// answer writes the ingest answer; failures carry the documented fields too,
// with the reason in errors and in "error".
func (s *Server) answer(w http.ResponseWriter, r *http.Request, kind string, res *ingest.Result, err error) {
	code := codeOf(err)
	status := statusOf(code)
	if status >= 500 {
		s.cfg.Logger.Error("ingest failed", "kind", kind, "code", code, "err", err)
	}
	type answer struct {
		*ingest.Result
		Error string `json:"error,omitempty"`
		Code  string `json:"code,omitempty"`
	}
	if res == nil {
		res = &ingest.Result{Kind: kind, Errors: []ingest.RowError{}}
	}
	a := answer{Result: res, Code: code}
	if err != nil {
		a.Error = message(err)
		if len(res.Errors) == 0 {
			res.Errors = []ingest.RowError{{Message: a.Error}}
		}
	}
	writeJSON(w, status, a)
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.Encode(v)
}

func (s *Server) handleHealth(w http.ResponseWriter, r *http.Request) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	state, status := "ok", http.StatusOK
	if err := s.cfg.Store.DB().PingContext(ctx); err != nil {
		state, status = "unavailable", http.StatusServiceUnavailable
	}
	writeJSON(w, status, map[string]string{"status": state, "database": state})
}

// handleSite serves the current build; before the first one, / leads to the
// upload page.
func (s *Server) handleSite(w http.ResponseWriter, r *http.Request) {
	b := s.pub.current()
	if b == nil {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/upload", http.StatusSeeOther)
			return
		}
		http.NotFound(w, r)
		return
	}
	s.pub.serve(w, r, b)
}

func (s *Server) handleUploadCSS(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Content-Type", "text/css; charset=utf-8")
	w.Write(templates.UploadCSS)
}

func (s *Server) uploadPage() templates.UploadPage {
	return templates.UploadPage{Kinds: ingest.KindNames(), Kind: ingest.KindNames()[0], DryRun: true, MaxBytes: byteSize(s.cfg.MaxUpload)}
}

func (s *Server) handleUploadPage(w http.ResponseWriter, r *http.Request) {
	s.render(w, r, http.StatusOK, s.uploadPage())
}

// handleUploadForm takes the page's form: the token comes as a field, since
// a plain form cannot send an Authorization header. Fields may follow the
// file in the body, so they are applied once the body is read.
func (s *Server) handleUploadForm(w http.ResponseWriter, r *http.Request) {
	page := s.uploadPage()
	form := map[string]string{}
	up := ingest.Upload{}
	res, err := s.receive(w, r, &up, form, func() error {
		name, ok := s.cfg.Tokens.Check(strings.TrimSpace(form["token"]))
		if !ok {
			return errUnauthorized
		}
		if _, ok := ingest.KindByName(form["kind"]); !ok {
			return ingest.Errorf(ingest.UnknownKind, "unknown record kind %q", form["kind"])
		}
		up.Kind, up.UploadedBy, up.Encoding = form["kind"], name, form["encoding"]
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
		if errors.Is(err, errUnauthorized) {
			page.Problem = "the access token is not valid; nothing was uploaded"
		}
	}
	s.render(w, r, statusOf(codeOf(err)), page)
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, page templates.UploadPage) {
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
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
	case err != nil:
		rep.Status = "rejected; nothing was written"
	case res.DryRun:
		rep.Status, rep.OK = "checked (dry run); nothing written", true
	default:
		rep.Status, rep.OK = "ingested", true
	}
	return rep
}

func isTrue(s string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(s))
	return err == nil && b
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}
