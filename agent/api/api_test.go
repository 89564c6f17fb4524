package api_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/schematest"
)

const (
	alice = "0190a000-0000-7000-8000-000000000001"
	bob   = "0190a000-0000-7000-8000-000000000002"
)

var jwtSecret = []byte("super-secret-jwt-token-with-at-least-32-characters")

// testEnv is a real store behind a real HTTP server.
type testEnv struct {
	srv        *httptest.Server
	store      *localstore.Store
	alice, bob string // device tokens
}

func newTestEnv(tb testing.TB) *testEnv {
	tb.Helper()
	ctx := context.Background()
	s := storetest.Open(tb, storetest.Options{OneReader: true})
	a := api.NewServer(s, s, s.Catalog)
	a.JWTSecret = jwtSecret
	a.Logger = discardLogger()
	if _, ok := tb.(*testing.B); ok {
		a.SetRateLimits(0, 0, 0, 0) // a benchmark measures the stack, not the limiter
	}
	srv := httptest.NewServer(a.Handler())
	tb.Cleanup(srv.Close)
	env := &testEnv{srv: srv, store: s}
	var err error
	if env.alice, err = s.IssueToken(ctx, alice, "test"); err != nil {
		tb.Fatal(err)
	}
	if env.bob, err = s.IssueToken(ctx, bob, "test"); err != nil {
		tb.Fatal(err)
	}
	return env
}

// do sends a request and decodes the JSON answer into a map.
func (e *testEnv) do(tb testing.TB, token, method, path string, body any) (int, map[string]any) {
	tb.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			tb.Fatal(err)
		}
		rd = bytes.NewReader(raw)
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	if err != nil {
		tb.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	out := map[string]any{}
	if len(raw) > 0 {
		dec := json.NewDecoder(bytes.NewReader(raw))
		dec.UseNumber()
		if err := dec.Decode(&out); err != nil {
			tb.Fatalf("%s %s: answer is not JSON (%d): %s", method, path, resp.StatusCode, raw)
		}
	}
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		tb.Fatalf("%s %s: error %d is not a problem document", method, path, resp.StatusCode)
	}
	if resp.Header.Get("X-Request-Id") == "" {
		tb.Fatalf("%s %s: no X-Request-Id", method, path)
	}
	return resp.StatusCode, out
}

func (e *testEnv) pending(tb testing.TB) int {
	tb.Helper()
	n, err := e.store.PendingChanges(context.Background())
	if err != nil {
		tb.Fatal(err)
	}
	return n
}

// sameValue compares an answered value with the one sent, through the
// column's own parser so "12.5" and "12.50" are equal.
func sameValue(c *schema.Column, sent, got any) bool {
	a, errA := c.Parse(normalize(sent))
	b, errB := c.Parse(normalize(got))
	return errA == nil && errB == nil && fmt.Sprint(a) == fmt.Sprint(b)
}

// normalize round-trips a Go value through JSON with UseNumber, the form
// the API parses.
func normalize(v any) any {
	raw, _ := json.Marshal(v)
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	var out any
	dec.Decode(&out)
	return out
}

// TestCRUDEveryWritableTable walks the schema and round-trips generated
// rows through the HTTP API on every table the edge may write.
func TestCRUDEveryWritableTable(t *testing.T) {
	e := newTestEnv(t)
	cat := schema.Default()
	walked := 0
	for _, tbl := range cat.Tables {
		if !tbl.Allows(schema.OpCreate) {
			continue
		}
		walked++
		t.Run(tbl.Name, func(t *testing.T) {
			user := e.alice
			row := schematest.Row(tbl, 1)
			before := e.pending(t)
			status, body := e.do(t, user, "POST", "/api/v1/pam/database/create", map[string]any{"table": tbl.Name, "data": row})
			if status != http.StatusCreated {
				t.Fatalf("create: %d %v", status, body)
			}
			created := body["data"].(map[string]any)
			id := created["id"].(string)
			if tbl.Owner != "" && created[tbl.Owner] != alice {
				t.Fatalf("owner = %v, want alice", created[tbl.Owner])
			}
			for k, v := range row {
				c, _ := tbl.Column(k)
				if !sameValue(c, v, created[k]) {
					t.Errorf("created %s = %v, sent %v", k, created[k], v)
				}
			}
			if got := e.pending(t); got != before+1 {
				t.Fatalf("create left %d change records, want 1", got-before)
			}

			status, body = e.do(t, user, "POST", "/api/v1/pam/database/read", map[string]any{"table": tbl.Name, "id": id})
			if status != http.StatusOK || body["count"].(json.Number).String() != "1" {
				t.Fatalf("read: %d %v", status, body)
			}

			upd := schematest.Row(tbl, 2)
			status, body = e.do(t, user, "POST", "/api/v1/pam/database/update", map[string]any{"table": tbl.Name, "id": id, "data": upd})
			if !tbl.Allows(schema.OpUpdate) {
				if status != http.StatusMethodNotAllowed {
					t.Fatalf("update of append-only table: %d %v", status, body)
				}
			} else {
				if status != http.StatusOK {
					t.Fatalf("update: %d %v", status, body)
				}
				_, body = e.do(t, user, "POST", "/api/v1/pam/database/read", map[string]any{"table": tbl.Name, "id": id})
				got := body["data"].([]any)[0].(map[string]any)
				for k, v := range upd {
					c, _ := tbl.Column(k)
					if !sameValue(c, v, got[k]) {
						t.Errorf("updated %s = %v, sent %v", k, got[k], v)
					}
				}
				if got := e.pending(t); got != before+2 {
					t.Fatalf("after update %d change records, want 2", got-before)
				}
			}
			beforeDelete := e.pending(t)
			status, body = e.do(t, user, "POST", "/api/v1/pam/database/delete", map[string]any{"table": tbl.Name, "id": id})
			if status != http.StatusOK || body["deleted"] != true {
				t.Fatalf("delete: %d %v", status, body)
			}
			if got := e.pending(t); got != beforeDelete+1 {
				t.Fatalf("delete left %d change records, want 1", got-beforeDelete)
			}
			status, _ = e.do(t, user, "POST", "/api/v1/pam/database/read", map[string]any{"table": tbl.Name, "id": id})
			if status != http.StatusNotFound {
				t.Fatalf("read after delete: %d", status)
			}
		})
	}
	if walked < 25 {
		t.Fatalf("walked only %d writable tables", walked)
	}
}

func TestScoping(t *testing.T) {
	e := newTestEnv(t)
	_, body := e.do(t, e.alice, "POST", "/api/v1/wins/expenses", map[string]any{"amount": "12.00", "category": "food", "date": "2026-03-01"})
	id := body["data"].(map[string]any)["id"].(string)

	tests := []struct {
		name, token, method, path string
		body                      any
		want                      int
	}{
		{"NoToken", "", "GET", "/api/v1/wins/expenses", nil, 401},
		{"BadToken", "pam_nope", "GET", "/api/v1/wins/expenses", nil, 401},
		{"GarbageJWT", "eyJhbGciOi.x.y", "GET", "/api/v1/wins/expenses", nil, 401},
		{"OtherUsersRow", e.bob, "GET", "/api/v1/wins/expenses/" + id, nil, 403},
		{"OtherUsersRowRead", e.bob, "POST", "/api/v1/pam/database/read", map[string]any{"table": "expenses", "id": id}, 403},
		{"OtherUsersUpdate", e.bob, "PATCH", "/api/v1/wins/expenses/" + id, map[string]any{"amount": "1"}, 403},
		{"OtherUsersDelete", e.bob, "POST", "/api/v1/pam/database/delete", map[string]any{"table": "expenses", "id": id}, 403},
		{"OtherUserIDFilter", e.bob, "POST", "/api/v1/pam/database/read", map[string]any{"table": "expenses", "filters": map[string]any{"user_id": alice}}, 403},
		{"OtherUserIDCreate", e.bob, "POST", "/api/v1/pam/database/create", map[string]any{"table": "expenses", "data": map[string]any{"user_id": alice, "amount": "1", "category": "x", "date": "2026-01-01"}}, 403},
		{"ReferenceWrite", e.alice, "POST", "/api/v1/pam/database/create", map[string]any{"table": "camping_locations", "data": map[string]any{"name": "x"}}, 405},
		{"ViewWrite", e.alice, "POST", "/api/v1/pam/database/create", map[string]any{"table": "budget_summary", "data": map[string]any{}}, 405},
		{"ServerTableWrite", e.alice, "POST", "/api/v1/pam/database/create", map[string]any{"table": "affiliate_sales", "data": map[string]any{}}, 405},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do(t, tt.token, tt.method, tt.path, tt.body)
			if status != tt.want {
				t.Fatalf("status %d, want %d: %v", status, tt.want, body)
			}
			if body["detail"] == "" || body["detail"] == nil {
				t.Fatalf("problem without detail: %v", body)
			}
		})
	}

	t.Run("ListNeverLeaks", func(t *testing.T) {
		status, body := e.do(t, e.bob, "GET", "/api/v1/wins/expenses", nil)
		if status != 200 || len(body["data"].([]any)) != 0 {
			t.Fatalf("bob's list: %d %v", status, body)
		}
	})
}

func TestJWT(t *testing.T) {
	e := newTestEnv(t)
	tok := signJWT(t, map[string]any{"sub": bob, "aud": "authenticated", "exp": time.Now().Add(time.Hour).Unix()})
	if status, body := e.do(t, tok, "GET", "/api/v1/wins/expenses", nil); status != 200 {
		t.Fatalf("valid JWT: %d %v", status, body)
	}
	expired := signJWT(t, map[string]any{"sub": bob, "exp": time.Now().Add(-time.Hour).Unix()})
	if status, _ := e.do(t, expired, "GET", "/api/v1/wins/expenses", nil); status != 401 {
		t.Fatalf("expired JWT: %d", status)
	}
	noExp := signJWT(t, map[string]any{"sub": bob})
	if status, _ := e.do(t, noExp, "GET", "/api/v1/wins/expenses", nil); status != 401 {
		t.Fatalf("JWT without exp: %d", status)
	}
}

func TestHealthAndSchema(t *testing.T) {
	e := newTestEnv(t)
	status, body := e.do(t, "", "GET", "/api/v1/health", nil)
	if status != 200 || body["status"] != "ok" {
		t.Fatalf("health: %d %v", status, body)
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/pam/database/health", nil)
	if status != 200 || body["integrity"] != "ok" || body["tables_present"].(json.Number).String() != "39" || body["tables_expected"].(json.Number).String() != "39" {
		t.Fatalf("database health: %d %v", status, body)
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/pam/database/schema", nil)
	tables := body["tables"].([]any)
	if status != 200 || len(tables) != 39 {
		t.Fatalf("schema: %d, %d tables", status, len(tables))
	}
	first := tables[0].(map[string]any)
	if first["name"] != "profiles" || first["owner_column"] != "id" || first["sync_role"] != "U" || len(first["columns"].([]any)) == 0 {
		t.Fatalf("schema profiles = %v", first)
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/pam/database/stats", nil)
	if status != 200 || len(body["tables"].(map[string]any)) != 39 {
		t.Fatalf("stats: %d %v", status, body)
	}
}

func TestTripsResource(t *testing.T) {
	e := newTestEnv(t)
	status, body := e.do(t, e.alice, "POST", "/api/v1/wheels/trips", map[string]any{
		"title": "Moab", "start_date": "2026-04-01T00:00:00Z", "end_date": "2026-04-08T00:00:00Z"})
	if status != 201 || body["data"].(map[string]any)["event_type"] != "trip" {
		t.Fatalf("create trip: %d %v", status, body)
	}
	e.do(t, e.alice, "POST", "/api/v1/pam/database/create", map[string]any{"table": "calendar_events", "data": map[string]any{
		"title": "Dentist", "start_date": "2026-04-03T09:00:00Z", "end_date": "2026-04-03T10:00:00Z"}})
	_, body = e.do(t, e.alice, "GET", "/api/v1/wheels/trips?order=-start_date", nil)
	if n := len(body["data"].([]any)); n != 1 {
		t.Fatalf("trips list has %d rows, want 1", n)
	}
	status, body = e.do(t, e.alice, "POST", "/api/v1/wheels/trips", map[string]any{
		"title": "Backwards", "start_date": "2026-04-08T00:00:00Z", "end_date": "2026-04-01T00:00:00Z"})
	if status != 422 {
		t.Fatalf("trip ending before it starts: %d %v", status, body)
	}
}
