package ingest

import (
	"errors"
	"fmt"
)

// Code names what went wrong with an upload, in words a client can act on;
// the server maps each code to an HTTP status and clients read it back.
type Code string

// The codes of ingest's errors.
const (
	Rejected    Code = "rejected"     // rows were rejected; nothing was written
	BadFile     Code = "bad_file"     // the file cannot be read at all
	TooLarge    Code = "too_large"    // the file holds more than one upload may
	UnknownKind Code = "unknown_kind" // not one of the record kinds
	BadRequest  Code = "bad_request"  // the request itself is wrong
	Conflict    Code = "conflict"     // an Idempotency-Key already names another file
)

// Error is an ingest failure with its code.
type Error struct {
	Code    Code
	Message string
}

func (e *Error) Error() string { return e.Message }

// Errorf makes an Error of code with a formatted message.
func Errorf(code Code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode is the code of err: its own, or one of ingest's typed errors';
// "" for an error ingest does not know the meaning of.
func ErrorCode(err error) Code {
	var e *Error
	var bad *BadFileError
	var many *TooManyRowsError
	switch {
	case err == nil:
		return ""
	case errors.As(err, &e):
		return e.Code
	case errors.As(err, &bad):
		return BadFile
	case errors.As(err, &many):
		return TooLarge
	}
	return ""
}
