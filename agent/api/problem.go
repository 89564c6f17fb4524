package api

import (
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"

	"github.com/pam-rv/pamd/schema"
)

// codes maps application error codes to HTTP statuses, in one place.
var codes = map[string]int{
	schema.EINVALID:       http.StatusBadRequest,
	schema.EUNAUTHORIZED:  http.StatusUnauthorized,
	schema.EFORBIDDEN:     http.StatusForbidden,
	schema.ENOTFOUND:      http.StatusNotFound,
	schema.ENOTALLOWED:    http.StatusMethodNotAllowed,
	schema.ECONFLICT:      http.StatusConflict,
	schema.ETOOLARGE:      http.StatusRequestEntityTooLarge,
	schema.EUNPROCESSABLE: http.StatusUnprocessableEntity,
	schema.ERATELIMIT:     http.StatusTooManyRequests,
	schema.EUNAVAILABLE:   http.StatusServiceUnavailable,
	schema.EINTERNAL:      http.StatusInternalServerError,
}

// ErrorStatusCode returns the HTTP status for an application error code.
func ErrorStatusCode(code string) int {
	if s, ok := codes[code]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// Problem is an RFC 9457 problem document.
type Problem struct {
	Type      string              `json:"type"`
	Title     string              `json:"title"`
	Status    int                 `json:"status"`
	Detail    string              `json:"detail,omitempty"`
	Instance  string              `json:"instance,omitempty"`
	RequestID string              `json:"request_id,omitempty"`
	Errors    []schema.FieldError `json:"errors,omitempty"`
}

// writeError answers err as a problem document. Only internal errors are
// logged, and their text never reaches the client.
func (s *Server) writeError(w http.ResponseWriter, r *http.Request, err error) {
	code := schema.ErrorCode(err)
	status := ErrorStatusCode(code)
	if code == schema.EINTERNAL {
		if errors.Is(err, r.Context().Err()) && r.Context().Err() != nil {
			status = 499 // the client went away; nothing to tell it
		}
		s.logger(r).Error("internal error", slog.String("method", r.Method), slog.String("path", r.URL.Path), slog.Any("err", err))
	}
	p := Problem{
		Type:      "urn:pam:problem:" + code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    schema.ErrorMessage(err),
		Instance:  r.URL.Path,
		RequestID: requestID(r.Context()),
		Errors:    schema.ErrorFields(err),
	}
	if p.Title == "" {
		p.Title = "Client Closed Request"
	}
	if status == http.StatusTooManyRequests {
		w.Header().Set("Retry-After", "1")
	}
	w.Header().Set("Content-Type", "application/problem+json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(p)
}

// writeJSON answers v with status.
func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}
