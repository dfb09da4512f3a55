package server

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
)

// Bounds of a multipart upload besides its total size (Config.MaxUpload).
const (
	maxFormParts     = 32   // parts in one body
	maxFormNameBytes = 64   // a field's name
	maxFormValue     = 4096 // a field's value, bytes
)

func (s *Server) handleIngest(w http.ResponseWriter, r *http.Request) {
	kind := r.PathValue("kind")
	who, err := s.authorize(r, Finance, true)
	if err != nil {
		s.answer(w, kind, nil, err)
		return
	}
	q := r.URL.Query()
	up := ingest.Upload{
		Kind:           kind,
		Encoding:       q.Get("encoding"),
		Sheet:          q.Get("sheet"),
		AllowErrors:    isTrue(q.Get("allow_errors")),
		DryRun:         isTrue(q.Get("dry_run")),
		UploadedBy:     who.name,
		IdempotencyKey: r.Header.Get("Idempotency-Key"),
		MaxErrors:      data.MaxAttemptErrors, // all kept in the upload log; the answer lists listedErrors
	}
	if name := q.Get("filename"); name != "" {
		up.FileName = cleanFileName(name)
	}
	explain := isTrue(q.Get("explain"))
	// refuse answers a request refused before its file is read, and logs
	// it as an upload attempt.
	refuse := func(err error) {
		if !explain {
			s.logAttempt(r.Context(), who, "api", up, nil, err)
		}
		s.answer(w, kind, nil, err)
	}
	if tz := q.Get("tz"); tz != "" {
		loc, err := time.LoadLocation(tz)
		if err != nil {
			refuse(errorf(CodeBadRequest, "tz %q is not a known time zone", tz))
			return
		}
		up.Location = loc
	}
	if m := q.Get("map"); m != "" {
		p, err := s.profile(m)
		if err != nil {
			refuse(err)
			return
		}
		up.Profile = p
	}
	if _, ok := ingest.KindByName(kind); !ok {
		refuse(ingest.Errorf(ingest.UnknownKind, "unknown record kind %q: want one of %s", kind, strings.Join(ingest.KindNames(), ", ")))
		return
	}
	if explain {
		ex, err := s.explain(w, r, who, &up, nil, nil)
		s.answerExplain(w, kind, ex, err)
		return
	}
	res, err := s.receive(w, r, who, &up, nil, nil)
	s.ingested(res, err)
	if codeOf(err) != CodeBusy {
		s.logAttempt(r.Context(), who, "api", up, res, err)
	}
	if res != nil && len(res.Errors) > listedErrors {
		res.ErrorsOmitted += len(res.Errors) - listedErrors
		res.Errors = res.Errors[:listedErrors]
	}
	s.answer(w, kind, res, err)
}

// admit takes an upload slot for who: at most MaxQueued uploads at once,
// and at most MaxQueuedPerUser of them one uploader's. Callers have
// authenticated who already, so strangers never hold a slot.
func (s *Server) admit(who string) (release func(), err error) {
	s.mu.Lock()
	if s.perUser[who] >= s.cfg.MaxQueuedPerUser {
		s.mu.Unlock()
		return nil, errUserBusy
	}
	select {
	case s.slots <- struct{}{}:
	default:
		s.mu.Unlock()
		return nil, errBusy
	}
	s.perUser[who]++
	s.mu.Unlock()
	return func() {
		s.mu.Lock()
		if s.perUser[who]--; s.perUser[who] == 0 {
			delete(s.perUser, who)
		}
		<-s.slots
		s.mu.Unlock()
	}, nil
}

// receive spools the upload to a temporary file, lets prepare finish the
// Upload from what arrived with it (a form's fields), and ingests it.
func (s *Server) receive(w http.ResponseWriter, r *http.Request, who principal, up *ingest.Upload, form map[string]string, prepare func() error) (res *ingest.Result, err error) {
	err = s.withUpload(w, r, who, up, form, prepare, func() error {
		res, err = s.cfg.Ingester.Ingest(r.Context(), *up)
		return err
	})
	return res, err
}

// withUpload holds an upload slot while it spools the upload to a
// temporary file, lets prepare finish the Upload, and runs do on it; the
// file is removed when do returns.
func (s *Server) withUpload(w http.ResponseWriter, r *http.Request, who principal, up *ingest.Upload, form map[string]string, prepare, do func() error) error {
	release, err := s.admit(who.name)
	if err != nil {
		w.Header().Set("Retry-After", "5")
		return err
	}
	defer release()
	r.Body = http.MaxBytesReader(w, r.Body, s.cfg.MaxUpload)
	path, err := s.spool(r, up, form)
	if path != "" {
		defer os.Remove(path)
	}
	if err != nil {
		return err
	}
	if prepare != nil {
		if err := prepare(); err != nil {
			return err
		}
	}
	up.Path = path
	return do()
}

// acceptedTypes are the content types of the formats feeflow reads;
// application/octet-stream and an empty type let the content decide.
var acceptedTypes = map[string]bool{
	"text/csv": true, "application/csv": true, "text/plain": true, "text/tab-separated-values": true,
	"application/json": true, "application/x-ndjson": true, "application/ndjson": true, "application/jsonl": true,
	"application/x-jsonlines": true, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": true,
	"application/vnd.ms-excel": true, "application/msexcel": true, "application/x-msexcel": true, "application/x-excel": true,
	"application/excel": true, "application/octet-stream": true, "": true,
}

func (s *Server) spool(r *http.Request, up *ingest.Upload, form map[string]string) (string, error) {
	ct := r.Header.Get("Content-Type")
	mt, params, err := mime.ParseMediaType(ct)
	if ct != "" && err != nil {
		return "", errUnsupported
	}
	if mt == "multipart/form-data" {
		if params["boundary"] == "" {
			return "", errorf(CodeBadRequest, "malformed multipart body: no boundary")
		}
		return s.spoolMultipart(multipart.NewReader(r.Body, params["boundary"]), up, form)
	}
	if !acceptedTypes[mt] {
		return "", errUnsupported
	}
	up.ContentType = ct
	return s.spoolBody(r.Body)
}

// readError marks a failure reading the request, as opposed to writing
// the spool file.
type readError struct{ err error }

func (e *readError) Error() string { return e.err.Error() }
func (e *readError) Unwrap() error { return e.err }

type bodyReader struct{ r io.Reader }

func (b bodyReader) Read(p []byte) (int, error) {
	n, err := b.r.Read(p)
	if err != nil && err != io.EOF {
		err = &readError{err}
	}
	return n, err
}

// spoolBody copies body into a new file of the spool folder. A body that
// ends before its length is a bad request; a full disk is disk_full.
func (s *Server) spoolBody(body io.Reader) (string, error) {
	f, err := os.CreateTemp(s.cfg.TempDir, "feeflow-upload-*")
	if err != nil {
		return "", err
	}
	path := f.Name()
	_, err = io.Copy(f, bodyReader{body})
	if cerr := f.Close(); err == nil {
		err = cerr
	}
	return path, requestFault(err)
}

// requestFault tells a body that was cut short (400) from a body that was
// too large (413) and from a failure of the server's own disk.
func requestFault(err error) error {
	var re *readError
	var tooLarge *http.MaxBytesError
	if err == nil || !errors.As(err, &re) || errors.As(err, &tooLarge) {
		return err
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return errorf(CodeBadRequest, "the request body ended before it was complete; nothing was written")
	}
	if errors.Is(err, os.ErrDeadlineExceeded) {
		return errorf(CodeRequestTimeout, "the request body came too slowly and was cut off; nothing was written")
	}
	return err
}

func (s *Server) spoolMultipart(mr *multipart.Reader, up *ingest.Upload, form map[string]string) (string, error) {
	files, err := s.spoolParts(mr, form, 1)
	path := ""
	if len(files) > 0 {
		path, up.FileName, up.ContentType = files[0].path, files[0].name, files[0].contentType
	}
	if err == nil && path == "" {
		err = errNoFile
	}
	return path, err
}

// spooled is one file of a multipart body, spooled to disk.
type spooled struct {
	path        string
	name        string // the name the sender gave it, cleaned
	contentType string
}

// spoolParts spools each "file" part of a multipart body (at most
// maxFiles of them) and reads the other fields into form. The files
// spooled so far are returned with an error too, for the caller to remove.
func (s *Server) spoolParts(mr *multipart.Reader, form map[string]string, maxFiles int) ([]spooled, error) {
	var files []spooled
	for parts := 0; ; parts++ {
		if parts == maxFormParts {
			return files, errorf(CodeBadRequest, "the form has more than %d fields", maxFormParts)
		}
		part, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			var tooLarge *http.MaxBytesError
			if errors.As(err, &tooLarge) {
				return files, err
			}
			if errors.Is(err, os.ErrDeadlineExceeded) {
				return files, errorf(CodeRequestTimeout, "the request body came too slowly and was cut off; nothing was written")
			}
			return files, errorf(CodeBadRequest, "malformed or incomplete multipart body; nothing was written")
		}
		name := part.FormName()
		if len(name) > maxFormNameBytes {
			return files, errorf(CodeBadRequest, "a form field name is longer than %d bytes", maxFormNameBytes)
		}
		if name == "file" {
			if len(files) == maxFiles {
				if maxFiles == 1 {
					return files, errorf(CodeBadRequest, "send one file per upload")
				}
				return files, errorf(CodeBadRequest, "send at most %d files at once", maxFiles)
			}
			pt := part.Header.Get("Content-Type")
			mt, _, _ := mime.ParseMediaType(pt)
			if !acceptedTypes[mt] {
				return files, errUnsupported
			}
			// The name is only a label for messages and the batch record; it
			// never reaches a path.
			f := spooled{name: cleanFileName(part.FileName()), contentType: pt}
			f.path, err = s.spoolBody(part)
			if f.path != "" {
				files = append(files, f)
			}
			if err != nil {
				return files, err
			}
			continue
		}
		b, err := io.ReadAll(io.LimitReader(bodyReader{part}, maxFormValue+1))
		if err != nil {
			return files, requestFault(err)
		}
		if len(b) > maxFormValue {
			return files, errorf(CodeBadRequest, "form field %q is longer than %d bytes", name, maxFormValue)
		}
		if form != nil {
			form[name] = string(b)
		}
	}
	return files, nil
}

var unsafeName = regexp.MustCompile(`[^\p{L}\p{N}._ ()\-]+`)

// cleanFileName keeps the base name of an uploaded file, printable, short.
func cleanFileName(name string) string {
	name = filepath.Base(strings.ReplaceAll(name, `\`, "/"))
	name = unsafeName.ReplaceAllString(name, "_")
	if r := []rune(name); len(r) > 120 {
		name = string(r[:120])
	}
	if name == "." || name == "/" || name == "" || name == ".." {
		return "upload"
	}
	return name
}

var profileName = regexp.MustCompile(`^[A-Za-z0-9_-]{1,64}$`)

// profile finds a profile by name: a built-in statement profile, else
// NAME.json in the profiles folder.
func (s *Server) profile(name string) (ingest.Profile, error) {
	if !profileName.MatchString(name) {
		return nil, errorf(CodeBadRequest, "unknown mapping profile %q", name)
	}
	return ingest.LookupProfile(name, s.cfg.ProfilesDir)
}

// answer writes the ingest answer; failures carry the documented fields too,
// with the reason in errors and in "error", and the code in "code".
func (s *Server) answer(w http.ResponseWriter, kind string, res *ingest.Result, err error) {
	code := codeOf(err)
	status := statusOf(code)
	if status >= 500 {
		s.cfg.Logger.Error("ingest failed", "kind", kind, "code", code, "err", err)
	}
	if code == CodeBusy {
		w.Header().Set("Retry-After", "5")
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
