package schema

import (
	"errors"
	"fmt"
)

// Application error codes. The HTTP edge maps each to one status in one
// table; everything else in PAM only ever returns these codes.
const (
	EINVALID       = "invalid"       // malformed input (400)
	EUNAUTHORIZED  = "unauthorized"  // no or bad credentials (401)
	EFORBIDDEN     = "forbidden"     // another user's data (403)
	ENOTFOUND      = "not_found"     // unknown table, row, column or tool (404)
	ENOTALLOWED    = "not_allowed"   // operation not allowed on this table (405)
	ECONFLICT      = "conflict"      // unique key or state conflict (409)
	ETOOLARGE      = "too_large"     // body or request over its limit (413)
	EUNPROCESSABLE = "unprocessable" // valid JSON failing the table's schema (422)
	ERATELIMIT     = "rate_limited"  // too many requests (429)
	EUNAVAILABLE   = "unavailable"   // a needed dependency is down (503)
	EINTERNAL      = "internal"      // a bug or an I/O failure (500)
)

// FieldError names one offending field of an input.
type FieldError struct {
	Field  string `json:"field"`
	Reason string `json:"reason"`
}

// Error is an application error: a code callers may branch on, a message
// safe to show to a user, and optionally the fields at fault.
type Error struct {
	Code    string
	Message string
	Fields  []FieldError
}

func (e *Error) Error() string {
	return fmt.Sprintf("pam error: code=%s message=%s", e.Code, e.Message)
}

// Errorf returns an *Error with a formatted message.
func Errorf(code, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// ErrorCode returns the code of the application error in err's chain, or
// EINTERNAL for any other non-nil error.
func ErrorCode(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Code
	}
	return EINTERNAL
}

// ErrorMessage returns the message of the application error in err's chain,
// or a generic message that leaks nothing for any other error.
func ErrorMessage(err error) string {
	var e *Error
	if err == nil {
		return ""
	} else if errors.As(err, &e) {
		return e.Message
	}
	return "Internal error."
}

// ErrorFields returns the field errors of the application error in err's chain.
func ErrorFields(err error) []FieldError {
	var e *Error
	if errors.As(err, &e) {
		return e.Fields
	}
	return nil
}
