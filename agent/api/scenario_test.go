package api_test

import (
	"context"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// apiScenario is one request against a fresh server and store, stated as
// data (after PocketBase's tests.ApiScenario): who asks, what, and what
// must come back — the status, fragments of the body, how many changes
// the request logs for sync — and any further side effect to check.
// "{expense}" in Path, Body or a fragment stands for the id of the expense Alice has
// before every scenario (12.00 of food on 2026-03-01).
type apiScenario struct {
	Name        string
	Token       string // "alice", "bob", or "" for none
	Method      string
	Path        string
	Body        string
	Status      int
	Contains    []string // fragments the body holds
	NotContains []string // fragments it must not hold
	Changes     int      // change-log entries the request adds
	After       func(t *testing.T, e *testEnv, expense string)
}

func (sc apiScenario) run(t *testing.T) {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	seed, err := e.store.Create(ctx, alice, "expenses", schema.Row{"amount": "12.00", "category": "food", "date": "2026-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	id := seed.Text("id")
	before := e.pending(t)
	var body io.Reader
	if sc.Body != "" {
		body = strings.NewReader(strings.ReplaceAll(sc.Body, "{expense}", id))
	}
	req, err := http.NewRequest(sc.Method, e.srv.URL+strings.ReplaceAll(sc.Path, "{expense}", id), body)
	if err != nil {
		t.Fatal(err)
	}
	if tok := map[string]string{"alice": e.alice, "bob": e.bob}[sc.Token]; tok != "" {
		req.Header.Set("Authorization", "Bearer "+tok)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	raw, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != sc.Status {
		t.Fatalf("status %d, want %d: %s", resp.StatusCode, sc.Status, raw)
	}
	for _, f := range sc.Contains {
		if f = strings.ReplaceAll(f, "{expense}", id); !strings.Contains(string(raw), f) {
			t.Errorf("body lacks %s: %s", f, raw)
		}
	}
	for _, f := range sc.NotContains {
		if f = strings.ReplaceAll(f, "{expense}", id); strings.Contains(string(raw), f) {
			t.Errorf("body holds %s: %s", f, raw)
		}
	}
	if n := e.pending(t) - before; n != sc.Changes {
		t.Errorf("%d changes logged, want %d", n, sc.Changes)
	}
	if sc.After != nil {
		sc.After(t, e, id)
	}
}

// expenses counts user's expenses.
func expenses(t *testing.T, e *testEnv, user string) int {
	t.Helper()
	res, err := e.store.Find(context.Background(), user, "expenses", schema.Query{})
	if err != nil {
		t.Fatal(err)
	}
	return res.Count
}

// TestDataAPIScenarios: the generic data API (api.md "Data"), one
// scenario a row.
func TestDataAPIScenarios(t *testing.T) {
	for _, sc := range []apiScenario{
		{
			Name: "CreateOK", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/create",
			Body:   `{"table": "expenses", "data": {"amount": 45.1, "category": "groceries", "date": "2026-03-02"}}`,
			Status: 201, Contains: []string{`"amount":"45.10"`, `"category":"groceries"`, `"user_id":"` + alice + `"`}, Changes: 1,
			After: func(t *testing.T, e *testEnv, _ string) {
				if n := expenses(t, e, alice); n != 2 {
					t.Errorf("alice has %d expenses, want 2", n)
				}
			},
		},
		{
			Name: "ErrCreateUnknownColumn", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/create",
			Body:   `{"table": "expenses", "data": {"amount": "1.00", "category": "x", "date": "2026-03-02", "colour": "red"}}`,
			Status: 422, Contains: []string{"colour", "unknown column"},
		},
		{
			Name: "ErrCreateUnknownTable", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/create",
			Body: `{"table": "nope", "data": {}}`, Status: 404, Contains: []string{"nope"},
		},
		{
			Name: "ErrCreateNoToken", Method: "POST", Path: "/api/v1/pam/database/create",
			Body: `{"table": "expenses", "data": {"amount": "1.00"}}`, Status: 401, Contains: []string{`"detail"`},
		},
		{
			Name: "ErrCreateNotJSON", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/create",
			Body: `{"table": "expenses", "data": `, Status: 400,
		},
		{
			Name: "ReadOK", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/read",
			Body: `{"table": "expenses", "id": "{expense}"}`, Status: 200, Contains: []string{`"{expense}"`, `"amount":"12.00"`},
		},
		{
			Name: "ReadFiltered", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/read",
			Body: `{"table": "expenses", "filters": {"category": "fuel"}}`, Status: 200, Contains: []string{`"count":0`},
		},
		{
			Name: "ErrReadOtherUsersRow", Token: "bob", Method: "POST", Path: "/api/v1/pam/database/read",
			Body: `{"table": "expenses", "id": "{expense}"}`, Status: 403, NotContains: []string{`"amount"`},
		},
		{
			Name: "UpdateOK", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/update",
			Body: `{"table": "expenses", "id": "{expense}", "data": {"amount": "13.50"}}`, Status: 200,
			Contains: []string{`"amount":"13.50"`}, Changes: 1,
		},
		{
			Name: "ErrUpdateOtherUsersRow", Token: "bob", Method: "POST", Path: "/api/v1/pam/database/update",
			Body: `{"table": "expenses", "id": "{expense}", "data": {"amount": "0.01"}}`, Status: 403,
			After: func(t *testing.T, e *testEnv, id string) {
				if row, _ := e.store.Get(context.Background(), alice, "expenses", id); row.Text("amount") != "12.00" {
					t.Errorf("alice's expense is now %v", row["amount"])
				}
			},
		},
		{
			Name: "DeleteOK", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/delete",
			Body: `{"table": "expenses", "id": "{expense}"}`, Status: 200, Contains: []string{`"deleted":true`}, Changes: 1,
			After: func(t *testing.T, e *testEnv, id string) {
				if _, err := e.store.Get(context.Background(), alice, "expenses", id); schema.ErrorCode(err) != schema.ENOTFOUND {
					t.Errorf("deleted expense still read: %v", err)
				}
			},
		},
		{
			Name: "BulkOK", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/bulk",
			Body: `{"operations": [{"op": "create", "table": "expenses", "data": {"amount": "2.00", "category": "food", "date": "2026-03-03"}},
				{"op": "update", "table": "expenses", "id": "{expense}", "data": {"category": "groceries"}}]}`,
			Status: 200, Contains: []string{`"results"`, `"category":"groceries"`}, Changes: 2,
		},
		{
			// All or nothing: the bad second operation undoes the first.
			Name: "ErrBulkAllOrNothing", Token: "alice", Method: "POST", Path: "/api/v1/pam/database/bulk",
			Body: `{"operations": [{"op": "create", "table": "expenses", "data": {"amount": "2.00", "category": "food", "date": "2026-03-03"}},
				{"op": "create", "table": "expenses", "data": {"amount": "lots"}}]}`,
			Status: 422,
			After: func(t *testing.T, e *testEnv, _ string) {
				if n := expenses(t, e, alice); n != 1 {
					t.Errorf("alice has %d expenses after a refused batch, want 1", n)
				}
			},
		},
		{
			Name: "StatsOK", Token: "alice", Method: "GET", Path: "/api/v1/pam/database/stats",
			Status: 200, Contains: []string{`"expenses":1`, `"total_rows"`, `"pending_changes"`},
		},
		{
			Name: "StatsScoped", Token: "bob", Method: "GET", Path: "/api/v1/pam/database/stats",
			Status: 200, Contains: []string{`"expenses":0`},
		},
	} {
		t.Run(sc.Name, sc.run)
	}
}
