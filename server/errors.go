package server

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"syscall"

	"github.com/feeflow/feeflow/data"
	"github.com/feeflow/feeflow/ingest"
)

// Error is a failure of the HTTP layer, with a code a client can act on.
// Failures of the other packages carry their own codes (ingest.Code); codeOf
// reads them all.
type Error struct {
	Code    string
	Message string
}

func (e *Error) Error() string { return e.Message }

func errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// The codes of the server's own failures, and of the data package's
// failures as the server answers them. Ingest's codes (ingest.Rejected,
// ingest.BadFile, ...) are answered as they are.
const (
	CodeUnauthorized      = "unauthorized"            // no or bad credentials
	CodeForbidden         = "forbidden"               // signed in, but the role is missing
	CodeBusy              = "busy"                    // every slot is taken; retry
	CodeUnsupported       = "unsupported"             // a content type feeflow does not read
	CodeBadRequest        = string(ingest.BadRequest) // the request itself is wrong
	CodeTooLarge          = string(ingest.TooLarge)   // the body or the file is over the limit
	CodeDiskFull          = "disk_full"               // no space left where the server writes
	CodeNoSite            = "no_site"                 // the server publishes no site
	CodeShuttingDown      = "shutting_down"           // the server is stopping
	CodeBuildFailed       = "build_failed"            // the site build failed; the old one stays
	CodeRefused           = "refused"                 // the SQL is not allowed
	CodeSeveralStatements = "several_statements"      // the SQL passed but holds several statements
	CodeQueryError        = "query_error"             // the SQL failed in DuckDB
	CodeTimeout           = "timeout"                 // the query ran out of time
	CodeUnavailable       = "unavailable"             // the request was cancelled or timed out
	CodeRequestTimeout    = "request_timeout"         // the client sent its body too slowly
	CodeNoKey             = "no_key"                  // the server has no password key to send
	CodeWorkerDied        = "worker_died"             // the query's worker process stopped (out of memory, a crash); the next query starts a new one
	CodeInternal          = "internal"                // a fault of the server; see its log
)

// codeOf names the code of err, whichever package it comes from.
func codeOf(err error) string {
	var own *Error
	var tooLarge *http.MaxBytesError
	var refused *data.RefusedError
	var qerr *data.QueryError
	var timeout *data.TimeoutError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &own):
		return own.Code
	case errors.Is(err, syscall.ENOSPC), data.IsDiskFull(err):
		return CodeDiskFull
	case ingest.ErrorCode(err) != "":
		return string(ingest.ErrorCode(err))
	case errors.As(err, &tooLarge):
		return CodeTooLarge
	case errors.As(err, &refused):
		if refused.Reason == data.SingleStatementReason {
			return CodeSeveralStatements
		}
		return CodeRefused
	case errors.As(err, &qerr):
		return CodeQueryError
	case errors.As(err, &timeout):
		return CodeTimeout
	case errors.Is(err, data.ErrBusy):
		return CodeBusy
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return CodeUnavailable
	}
	return CodeInternal
}

// statusOf is the one place codes become HTTP statuses.
func statusOf(code string) int {
	switch code {
	case "":
		return http.StatusOK
	case string(ingest.Rejected):
		return http.StatusUnprocessableEntity
	case string(ingest.BadFile), CodeBadRequest, CodeRefused, CodeSeveralStatements, CodeQueryError:
		return http.StatusBadRequest
	case string(ingest.UnknownKind):
		return http.StatusNotFound
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case string(ingest.Conflict):
		return http.StatusConflict
	case CodeUnsupported:
		return http.StatusUnsupportedMediaType
	case CodeUnauthorized:
		return http.StatusUnauthorized
	case CodeForbidden:
		return http.StatusForbidden
	case CodeBusy, CodeShuttingDown, CodeUnavailable, CodeWorkerDied:
		return http.StatusServiceUnavailable
	case CodeNoSite:
		return http.StatusNotImplemented
	case CodeNoKey:
		return http.StatusNotFound
	case CodeTimeout:
		return http.StatusGatewayTimeout
	case CodeRequestTimeout:
		return http.StatusRequestTimeout
	case CodeDiskFull:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// message is what the client reads for err; internal faults are not
// detailed (the server log has them).
func message(err error) string {
	var tooLarge *http.MaxBytesError
	switch code := codeOf(err); {
	case errors.As(err, &tooLarge):
		return fmt.Sprintf("the upload is larger than the limit of %s", byteSize(tooLarge.Limit))
	case code == CodeDiskFull:
		return "disk full: the server has no space left to take this request; nothing was written"
	case code == CodeInternal:
		return "internal error; nothing was written (see the server log)"
	}
	return err.Error()
}
