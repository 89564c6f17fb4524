package api

import (
	"encoding/json"
	"net/http"
	"net/url"
	"strconv"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// resource is a dashboard route over one table (api.md "Domain routes").
// fixed columns narrow the table: trips are calendar events of type trip.
type resource struct {
	path  string
	table string
	fixed map[string]string
}

var resources = []resource{
	{path: "/api/v1/wins/expenses", table: "expenses"},
	{path: "/api/v1/wins/budgets", table: "budgets"},
	{path: "/api/v1/wins/income", table: "income_entries"},
	{path: "/api/v1/wheels/fuel", table: "fuel_log"},
	{path: "/api/v1/wheels/maintenance", table: "maintenance_records"},
	{path: "/api/v1/wheels/trips", table: "calendar_events", fixed: map[string]string{"event_type": "trip"}},
	{path: "/api/v1/wheels/camping", table: "camping_locations"},
	{path: "/api/v1/social/groups", table: "social_groups"},
	{path: "/api/v1/social/posts", table: "social_posts"},
	{path: "/api/v1/social/marketplace", table: "marketplace_listings"},
}

func (s *Server) mountResource(res resource) {
	s.Handle("GET "+res.path, func(w http.ResponseWriter, r *http.Request, user string) {
		s.listResource(w, r, user, res)
	})
	s.Handle("POST "+res.path, func(w http.ResponseWriter, r *http.Request, user string) {
		data, err := s.decodeRow(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		for k, v := range res.fixed {
			data[k] = v
		}
		row, err := s.Store.Create(r.Context(), user, res.table, data)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusCreated, dataResponse{Data: row})
	})
	s.Handle("GET "+res.path+"/{id}", func(w http.ResponseWriter, r *http.Request, user string) {
		row, err := s.getResource(r, user, res)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, dataResponse{Data: row})
	})
	s.Handle("PATCH "+res.path+"/{id}", func(w http.ResponseWriter, r *http.Request, user string) {
		data, err := s.decodeRow(w, r)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		if _, err := s.getResource(r, user, res); err != nil {
			s.writeError(w, r, err)
			return
		}
		row, err := s.Store.Update(r.Context(), user, res.table, r.PathValue("id"), data)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, dataResponse{Data: row})
	})
	s.Handle("DELETE "+res.path+"/{id}", func(w http.ResponseWriter, r *http.Request, user string) {
		if _, err := s.getResource(r, user, res); err != nil {
			s.writeError(w, r, err)
			return
		}
		if err := s.Store.Delete(r.Context(), user, res.table, r.PathValue("id")); err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]bool{"deleted": true})
	})
}

// decodeRow reads a request body that is one row of data.
func (s *Server) decodeRow(w http.ResponseWriter, r *http.Request) (schema.Row, error) {
	var data schema.Row
	if err := s.decode(w, r, &data); err != nil {
		return nil, err
	}
	return data, requireData(data)
}

// getResource reads a row and checks it belongs to the resource's slice of
// its table.
func (s *Server) getResource(r *http.Request, user string, res resource) (schema.Row, error) {
	row, err := s.Store.Get(r.Context(), user, res.table, r.PathValue("id"))
	if err != nil {
		return nil, err
	}
	for k, v := range res.fixed {
		if row[k] != v {
			return nil, schema.Errorf(schema.ENOTFOUND, "%s %s not found", strings.TrimPrefix(res.path, "/api/v1/"), r.PathValue("id"))
		}
	}
	return row, nil
}

func (s *Server) listResource(w http.ResponseWriter, r *http.Request, user string, res resource) {
	t, err := s.Catalog.Table(res.table)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	filters, order, limit, offset, err := queryParams(r.URL.Query())
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	for k, v := range res.fixed {
		filters[k] = append(filters[k], map[string]any{"op": "eq", "value": v})
	}
	rawFilters, _ := json.Marshal(filters)
	rawOrder, _ := json.Marshal(order)
	q, err := parseQuery(t, rawFilters, rawOrder, limit, offset)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	out, err := s.Store.Find(r.Context(), user, t.Name, q)
	if err != nil {
		s.writeError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, listResponse{Data: out.Rows, Count: out.Count})
}

var filterOps = map[string]bool{"eq": true, "neq": true, "lt": true, "lte": true, "gt": true, "gte": true, "like": true, "in": true, "is_null": true}

// queryParams reads a list's query string: limit, offset, order (comma
// separated, "-col" descending) and filters as col=value or col.op=value
// (in takes a comma-separated list).
func queryParams(v url.Values) (map[string][]any, []string, *int, *int, error) {
	filters := make(map[string][]any)
	var order []string
	var limit, offset *int
	for key, vals := range v {
		val := vals[len(vals)-1]
		switch key {
		case "limit", "offset":
			n, err := strconv.Atoi(val)
			if err != nil {
				return nil, nil, nil, nil, schema.Errorf(schema.EINVALID, "%s must be an integer", key)
			}
			if key == "limit" {
				limit = &n
			} else {
				offset = &n
			}
			continue
		case "order":
			order = strings.Split(val, ",")
			continue
		case "token":
			continue
		}
		col, op := key, "eq"
		if i := strings.LastIndexByte(key, '.'); i > 0 && filterOps[key[i+1:]] {
			col, op = key[:i], key[i+1:]
		}
		var value any = queryValue(val)
		if op == "in" {
			parts := strings.Split(val, ",")
			list := make([]any, len(parts))
			for i, p := range parts {
				list[i] = queryValue(p)
			}
			value = list
		}
		filters[col] = append(filters[col], map[string]any{"op": op, "value": value})
	}
	return filters, order, limit, offset, nil
}

// queryValue types a query-string value as JSON would carry it: true,
// false and null are themselves; numbers stay text, which numeric columns
// accept.
func queryValue(s string) any {
	switch s {
	case "true":
		return true
	case "false":
		return false
	case "null":
		return nil
	}
	return s
}
