package server

import (
	"errors"
	"net/http"

	"github.com/feeflow/feeflow/ingest"
)

// explain spools the upload as receive does and says how it would be read,
// writing nothing: the API's ?explain=true and the upload page's preview.
func (s *Server) explain(w http.ResponseWriter, r *http.Request, who principal, up *ingest.Upload, form map[string]string, prepare func() error) (ex *ingest.Explanation, err error) {
	err = s.withUpload(w, r, who, up, form, prepare, func() error {
		ex, err = s.cfg.Ingester.Explain(r.Context(), *up)
		return err
	})
	return ex, err
}

// answerExplain writes the Explanation, or the failure as {"error",
// "code", "errors"}. A file that cannot be read as the kind (no header
// found) is answered 422 "rejected", as the upload of it would be, with the
// line read and the profile it most resembles in errors.
func (s *Server) answerExplain(w http.ResponseWriter, kind string, ex *ingest.Explanation, err error) {
	if err == nil {
		writeJSON(w, http.StatusOK, ex)
		return
	}
	type failure struct {
		Error  string            `json:"error"`
		Code   string            `json:"code"`
		Errors []ingest.RowError `json:"errors"`
	}
	var unread *ingest.ExplainError
	if errors.As(err, &unread) {
		writeJSON(w, statusOf(string(ingest.Rejected)), failure{Error: unread.Error(), Code: string(ingest.Rejected), Errors: unread.Errors})
		return
	}
	code := codeOf(err)
	status := statusOf(code)
	if status >= 500 && code != CodeTimeout {
		s.cfg.Logger.Error("explain failed", "kind", kind, "code", code, "err", err)
	}
	if code == CodeBusy {
		w.Header().Set("Retry-After", "5")
	}
	writeJSON(w, status, failure{Error: message(err), Code: code, Errors: []ingest.RowError{{Message: message(err)}}})
}
