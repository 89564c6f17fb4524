package api

import (
	"bytes"
	"encoding/json"
	"errors"
	"io"
	"net/http"

	"github.com/pam-rv/pamd/schema"
)

// decode reads a JSON body into v: bounded in size, numbers kept exact,
// unknown envelope fields and trailing data refused.
func (s *Server) decode(w http.ResponseWriter, r *http.Request, v any) error {
	body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return schema.Errorf(schema.ETOOLARGE, "request body over %d bytes", s.MaxBodyBytes)
		}
		return schema.Errorf(schema.EINVALID, "could not read the request body")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	dec.UseNumber()
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return schema.Errorf(schema.EINVALID, "malformed JSON: %s", jsonReason(err))
	}
	if dec.More() {
		return schema.Errorf(schema.EINVALID, "malformed JSON: data after the document")
	}
	return nil
}

func jsonReason(err error) string {
	var se *json.SyntaxError
	var te *json.UnmarshalTypeError
	switch {
	case errors.As(err, &se):
		return se.Error()
	case errors.As(err, &te):
		return "field " + schema.Truncate(te.Field, 64) + " has the wrong type"
	case errors.Is(err, io.EOF):
		return "empty body"
	}
	return schema.Truncate(err.Error(), 128)
}

type createRequest struct {
	Table string     `json:"table"`
	Data  schema.Row `json:"data"`
}

type readRequest struct {
	Table   string          `json:"table"`
	ID      string          `json:"id"`
	Filters json.RawMessage `json:"filters"`
	Order   json.RawMessage `json:"order"`
	Limit   *int            `json:"limit"`
	Offset  *int            `json:"offset"`
}

type updateRequest struct {
	Table string     `json:"table"`
	ID    string     `json:"id"`
	Data  schema.Row `json:"data"`
}

type bulkOp struct {
	Op    schema.Op  `json:"op"`
	Table string     `json:"table"`
	ID    string     `json:"id,omitempty"`
	Data  schema.Row `json:"data,omitempty"`
}

type dataResponse struct {
	Data any `json:"data"`
}

type listResponse struct {
	Data  []schema.Row `json:"data"`
	Count int          `json:"count"`
}

func requireTable(name string) error {
	if name == "" {
		return &schema.Error{Code: schema.EUNPROCESSABLE, Message: "table is required",
			Fields: []schema.FieldError{{Field: "table", Reason: "required"}}}
	}
	return nil
}

func requireData(data schema.Row) error {
	if data == nil {
		return &schema.Error{Code: schema.EUNPROCESSABLE, Message: "data must be an object",
			Fields: []schema.FieldError{{Field: "data", Reason: "required"}}}
	}
	return nil
}

func (s *Server) handleCreate(w http.ResponseWriter, r *http.Request, user string) {
	var req createRequest
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := errors.Join(requireTable(req.Table), requireData(req.Data)); err != nil {
		s.writeError(w, r, firstError(err))
		return
	}
	row, err := s.Store.Create(r.Context(), user, req.Table, req.Data)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusCreated, dataResponse{Data: row})
}

func (s *Server) handleRead(w http.ResponseWriter, r *http.Request, user string) {
	var req readRequest
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	res, err := s.read(r, user, req)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse{Data: res.Rows, Count: res.Count})
}

func (s *Server) read(r *http.Request, user string, req readRequest) (*schema.Result, error) {
	if err := requireTable(req.Table); err != nil {
		return nil, err
	}
	t, err := s.Catalog.Table(req.Table)
	if err != nil {
		return nil, err
	}
	if req.ID != "" {
		row, err := s.Store.Get(r.Context(), user, t.Name, req.ID)
		if err != nil {
			return nil, err
		}
		return &schema.Result{Rows: []schema.Row{row}, Count: 1}, nil
	}
	q, err := parseQuery(t, req.Filters, req.Order, req.Limit, req.Offset)
	if err != nil {
		return nil, err
	}
	return s.Store.Find(r.Context(), user, t.Name, q)
}

func parseQuery(t *schema.Table, filters, order json.RawMessage, limit, offset *int) (schema.Query, error) {
	var q schema.Query
	var err error
	if q.Conditions, err = t.ParseFilters(filters); err != nil {
		return q, err
	}
	if q.Order, err = t.ParseOrder(order); err != nil {
		return q, err
	}
	q.Limit, q.Offset, err = schema.CheckPage(limit, offset)
	return q, err
}

func (s *Server) handleUpdate(w http.ResponseWriter, r *http.Request, user string) {
	var req updateRequest
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := errors.Join(requireTable(req.Table), requireID(req.ID), requireData(req.Data)); err != nil {
		s.writeError(w, r, firstError(err))
		return
	}
	row, err := s.Store.Update(r.Context(), user, req.Table, req.ID, req.Data)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, dataResponse{Data: row})
}

func (s *Server) handleDelete(w http.ResponseWriter, r *http.Request, user string) {
	var req struct {
		Table string `json:"table"`
		ID    string `json:"id"`
	}
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	if err := errors.Join(requireTable(req.Table), requireID(req.ID)); err != nil {
		s.writeError(w, r, firstError(err))
		return
	}
	if err := s.Store.Delete(r.Context(), user, req.Table, req.ID); err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
}

func (s *Server) handleBulk(w http.ResponseWriter, r *http.Request, user string) {
	var req struct {
		Operations []bulkOp `json:"operations"`
	}
	if err := s.decode(w, r, &req); err != nil {
		s.writeError(w, r, err)
		return
	}
	ops := make([]schema.Operation, len(req.Operations))
	for i, o := range req.Operations {
		ops[i] = schema.Operation{Op: o.Op, Table: o.Table, ID: o.ID, Data: o.Data}
	}
	rows, err := s.Store.Apply(r.Context(), user, ops)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	results := make([]bulkOp, len(rows))
	for i, row := range rows {
		results[i] = bulkOp{Op: ops[i].Op, Table: ops[i].Table, ID: ops[i].ID, Data: row}
		if row != nil {
			results[i].ID = row.Text("id")
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"results": results})
}

func (s *Server) handleStats(w http.ResponseWriter, r *http.Request, user string) {
	st, err := s.Store.Stats(r.Context(), user)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, st)
}

func (s *Server) handleDatabaseHealth(w http.ResponseWriter, r *http.Request, user string) {
	h, err := s.Store.Health(r.Context())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	status := "ok"
	if !h.OK() {
		status = "degraded"
	}
	writeJSON(w, http.StatusOK, struct {
		Status string `json:"status"`
		*schema.Health
	}{status, h})
}

func requireID(id string) error {
	if id == "" {
		return &schema.Error{Code: schema.EUNPROCESSABLE, Message: "id is required",
			Fields: []schema.FieldError{{Field: "id", Reason: "required"}}}
	}
	return nil
}

// firstError unwraps errors.Join to the first error, which is always an
// application error here.
func firstError(err error) error {
	if j, ok := err.(interface{ Unwrap() []error }); ok && len(j.Unwrap()) > 0 {
		return j.Unwrap()[0]
	}
	return err
}
