package server

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/feeflow/feeflow/analytics"
	"github.com/feeflow/feeflow/data"
)

// The SQL API's bounds.
const (
	defaultSQLRows = 10000
	maxSQLRows     = 100000
	maxSQLBody     = 1 << 20 // one query's text, bytes
)

// QueryRunner runs an analyst's SQL through the read-only gate. The server
// is given an analytics.Worker, which runs it in a process of its own over
// the latest published snapshot; without one, queries run in-process on the
// store (tests, and servers started without the feeflow binary).
type QueryRunner interface {
	Run(ctx context.Context, query string, opts analytics.QueryOptions) ([]*analytics.Result, error)
}

// inProcess runs queries on the server's own store.
type inProcess struct{ store *data.Store }

func (q inProcess) Run(ctx context.Context, query string, opts analytics.QueryOptions) ([]*analytics.Result, error) {
	return analytics.Query(ctx, q.store, query, opts)
}

// handleSQL runs an analyst's query through the read-only gate:
// POST /api/v1/sql with {"query": "..."} (or the SQL as a plain text body),
// answered as {"columns", "rows", "truncated"} or, with Accept: text/csv, as
// CSV (truncation then in the Feeflow-Truncated header). Query parameters:
// limit (rows), timeout (at most the server's).
func (s *Server) handleSQL(w http.ResponseWriter, r *http.Request) {
	if _, err := s.authorize(r, Analyst, true); err != nil {
		s.answerSQLError(w, err)
		return
	}
	limit := s.cfg.SQLMaxRows
	if v := r.URL.Query().Get("limit"); v != "" {
		n, err := strconv.Atoi(v)
		if err != nil || n < 1 || n > maxSQLRows {
			s.answerSQLError(w, errorf(CodeBadRequest, "limit must be a number of rows from 1 to %d", maxSQLRows))
			return
		}
		limit = n
	}
	timeout := s.cfg.SQLTimeout
	if v := r.URL.Query().Get("timeout"); v != "" {
		d, err := time.ParseDuration(v)
		if err != nil || d <= 0 {
			s.answerSQLError(w, errorf(CodeBadRequest, "timeout must be a duration such as 10s"))
			return
		}
		timeout = min(d, s.cfg.SQLTimeout) // a client may shorten the server's limit, not lengthen it
	}
	query, err := readQuery(w, r)
	if err != nil {
		s.answerSQLError(w, err)
		return
	}
	results, err := s.cfg.SQL.Run(r.Context(), query, analytics.QueryOptions{MaxRows: limit, Timeout: timeout, Single: true})
	switch {
	case errors.Is(err, analytics.ErrWorkerDied):
		died := errorf(CodeWorkerDied, "%s", err.Error())
		s.health.failed("worker", died)
		s.answerSQLError(w, died)
		return
	case err != nil && codeOf(err) == CodeInternal:
		s.health.failed("worker", err)
		s.answerSQLError(w, err)
		return
	case err != nil:
		s.health.succeeded("worker") // the worker answered, with the query's own failure
		s.answerSQLError(w, err)
		return
	}
	s.health.succeeded("worker")
	res, loc := results[0], analytics.Zone(r.Context(), s.cfg.Store)
	if wantsCSV(r.Header.Get("Accept")) {
		w.Header().Set("Content-Type", "text/csv; charset=utf-8")
		w.Header().Set("Cache-Control", "no-store")
		w.Header().Set("Feeflow-Truncated", strconv.FormatBool(res.Truncated))
		w.WriteHeader(http.StatusOK)
		if err := analytics.WriteCSV(w, res, loc); err != nil {
			s.cfg.Logger.Error("write sql answer", "err", err)
		}
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusOK)
	if err := json.NewEncoder(w).Encode(analytics.ToJSON(res, loc)); err != nil {
		s.cfg.Logger.Error("write sql answer", "err", err)
	}
}

// readQuery takes the SQL from a JSON body {"query": "..."} or a text body.
func readQuery(w http.ResponseWriter, r *http.Request) (string, error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSQLBody))
	if err != nil {
		return "", err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := strings.TrimSpace(string(body))
	if mt == "application/json" || (mt == "" && strings.HasPrefix(trimmed, "{")) {
		var req struct {
			Query *string `json:"query"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Query == nil {
			return "", errorf(CodeBadRequest, `send {"query": "SELECT ..."} as JSON, or the SQL as a text/plain body`)
		}
		return *req.Query, nil
	}
	if trimmed == "" {
		return "", errorf(CodeBadRequest, `no query: send {"query": "SELECT ..."} as JSON, or the SQL as a text/plain body`)
	}
	return string(body), nil
}

func wantsCSV(accept string) bool {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		if mt == "text/csv" {
			return true
		}
	}
	return false
}

// answerSQLError answers {"error": "...", "code": "..."} with the status of
// the code.
func (s *Server) answerSQLError(w http.ResponseWriter, err error) { s.answerError(w, "sql", err) }
