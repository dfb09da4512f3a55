package server

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
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

// The SQL API's answers other than JSON.
const (
	csvType     = "text/csv"
	parquetType = "application/vnd.apache.parquet"
)

// handleSQL runs an analyst's query through the read-only gate:
// POST /api/v1/sql with {"query": "..."} (or the SQL as a plain text body),
// answered as {"columns", "rows", "truncated"} or, with Accept: text/csv, as
// CSV, or with Accept: application/vnd.apache.parquet as a Parquet file
// (data.WriteParquet, as `feeflow sql --out x.parquet`); the JSON body's
// "format" ("json", "csv", "parquet") chooses too. Query parameters:
// limit (rows), timeout (at most the server's). Every answer carries the
// result's size and bounds in headers: Feeflow-Rows, Feeflow-Truncated (true/false),
// Feeflow-Truncated-By (rows or bytes), Feeflow-Row-Limit,
// Feeflow-Byte-Limit, and the query's time as Server-Timing: query;dur=MS.
// People signed in (the SQL workbench) send the session's CSRF token in
// X-CSRF-Token.
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
	query, format, err := readQuery(w, r)
	if err != nil {
		s.answerSQLError(w, err)
		return
	}
	if format == "" {
		format = acceptedFormat(r.Header.Get("Accept"))
	}
	started := time.Now()
	results, err := s.cfg.SQL.Run(r.Context(), query, analytics.QueryOptions{MaxRows: limit, Timeout: timeout, Single: true})
	elapsed := time.Since(started)
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
	h := w.Header()
	h.Set("Cache-Control", "no-store")
	h.Set("Feeflow-Rows", strconv.Itoa(len(res.Rows)))
	h.Set("Feeflow-Truncated", strconv.FormatBool(res.Truncated))
	if res.Truncated {
		h.Set("Feeflow-Truncated-By", res.TruncatedBy)
	}
	h.Set("Feeflow-Row-Limit", strconv.Itoa(limit))
	h.Set("Feeflow-Byte-Limit", strconv.FormatInt(data.DefaultMaxBytes, 10)) // the gate's, as QueryOptions.MaxBytes is left 0
	h.Set("Server-Timing", fmt.Sprintf("query;dur=%.1f", float64(elapsed.Microseconds())/1000))
	switch format {
	case "parquet":
		// Written whole first: a failure then answers an error, not half a file.
		var buf bytes.Buffer
		if err := data.WriteParquet(&buf, res); err != nil {
			s.answerSQLError(w, err)
			return
		}
		h.Set("Content-Type", parquetType)
		h.Set("Content-Disposition", `attachment; filename="query.parquet"`)
		h.Set("Content-Length", strconv.Itoa(buf.Len()))
		w.WriteHeader(http.StatusOK)
		w.Write(buf.Bytes())
		return
	case "csv":
		h.Set("Content-Type", "text/csv; charset=utf-8")
		h.Set("Content-Disposition", `attachment; filename="query.csv"`)
		w.WriteHeader(http.StatusOK)
		if err := analytics.WriteCSV(w, res, loc); err != nil {
			s.cfg.Logger.Error("write sql answer", "err", err)
		}
		return
	}
	h.Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(http.StatusOK)
	if err := json.NewEncoder(w).Encode(analytics.ToJSON(res, loc)); err != nil {
		s.cfg.Logger.Error("write sql answer", "err", err)
	}
}

// readQuery takes the SQL from a JSON body {"query": "...", "format": "..."}
// or a text body; format is "" unless the JSON names one.
func readQuery(w http.ResponseWriter, r *http.Request) (query, format string, err error) {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxSQLBody))
	if err != nil {
		return "", "", err
	}
	mt, _, _ := mime.ParseMediaType(r.Header.Get("Content-Type"))
	trimmed := strings.TrimSpace(string(body))
	if mt == "application/json" || (mt == "" && strings.HasPrefix(trimmed, "{")) {
		var req struct {
			Query  *string `json:"query"`
			Format string  `json:"format"`
		}
		if err := json.Unmarshal(body, &req); err != nil || req.Query == nil {
			return "", "", errorf(CodeBadRequest, `send {"query": "SELECT ..."} as JSON, or the SQL as a text/plain body`)
		}
		switch req.Format {
		case "", "json", "csv", "parquet":
		default:
			return "", "", errorf(CodeBadRequest, `format %q: want "json", "csv" or "parquet"`, req.Format)
		}
		return *req.Query, req.Format, nil
	}
	if trimmed == "" {
		return "", "", errorf(CodeBadRequest, `no query: send {"query": "SELECT ..."} as JSON, or the SQL as a text/plain body`)
	}
	return string(body), "", nil
}

// acceptedFormat is the answer's format an Accept header asks for: csv,
// parquet, else json.
func acceptedFormat(accept string) string {
	for _, part := range strings.Split(accept, ",") {
		mt, _, _ := mime.ParseMediaType(strings.TrimSpace(part))
		switch mt {
		case csvType:
			return "csv"
		case parquetType:
			return "parquet"
		}
	}
	return "json"
}

// answerSQLError answers {"error": "...", "code": "..."} with the status of
// the code.
func (s *Server) answerSQLError(w http.ResponseWriter, err error) { s.answerError(w, "sql", err) }
