package api_test

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
)

// TestBadInput: every kind of bad input gets its 4xx problem, never a 500,
// and nothing is written.
func TestBadInput(t *testing.T) {
	e := newTestEnv(t)
	bigIn := make([]string, 5000)
	for i := range bigIn {
		bigIn[i] = fmt.Sprintf("%q", fmt.Sprint(i))
	}
	manyConds := make([]string, 200)
	for i := range manyConds {
		manyConds[i] = `{"op":"gte","value":"1"}`
	}
	deep := strings.Repeat(`{"a":`, 20000) + "1" + strings.Repeat("}", 20000)
	tests := []struct {
		name string
		path string
		body string
		want int
	}{
		{"Empty", "/api/v1/pam/database/create", ``, 400},
		{"MalformedJSON", "/api/v1/pam/database/create", `{"table": "expenses", "data": {`, 400},
		{"TrailingData", "/api/v1/pam/database/create", `{"table": "expenses", "data": {}} {}`, 400},
		{"NotAnObject", "/api/v1/pam/database/create", `[1,2,3]`, 400},
		{"UnknownEnvelopeField", "/api/v1/pam/database/create", `{"table": "expenses", "data": {}, "sql": "x"}`, 400},
		{"MissingTable", "/api/v1/pam/database/create", `{"data": {}}`, 422},
		{"DataNotObject", "/api/v1/pam/database/create", `{"table": "expenses", "data": "amount=1"}`, 400},
		{"UnknownTable", "/api/v1/pam/database/create", `{"table": "nope", "data": {}}`, 404},
		{"SQLInTable", "/api/v1/pam/database/read", `{"table": "expenses; DROP TABLE expenses; --"}`, 404},
		{"SQLInColumn", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount\" FROM expenses; --": 1}}`, 422},
		{"SQLInFilterColumn", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"1=1 OR user_id": "x"}}`, 422},
		{"SQLInOrder", "/api/v1/pam/database/read", `{"table": "expenses", "order": "date; DROP TABLE expenses"}`, 422},
		{"SQLInValue", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"category": "x' OR '1'='1"}}`, 200},
		{"UnknownColumn", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": "1", "category": "a", "date": "2026-01-01", "colour": "red"}}`, 422},
		{"WrongType", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": true, "category": "a", "date": "2026-01-01"}}`, 422},
		{"BadDate", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": "1", "category": "a", "date": "2026-02-30"}}`, 422},
		{"TooManyDecimals", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": "1.005", "category": "a", "date": "2026-01-01"}}`, 422},
		{"HugeNumber", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": 1e400, "category": "a", "date": "2026-01-01"}}`, 422},
		{"NegativeAmount", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": "-5", "category": "a", "date": "2026-01-01"}}`, 422},
		{"MissingRequired", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": "5"}}`, 422},
		{"EnumViolation", "/api/v1/pam/database/create", `{"table": "calendar_events", "data": {"title": "x", "start_date": "2026-01-01", "end_date": "2026-01-02", "event_type": "party"}}`, 422},
		{"NullRequired", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": null, "category": "a", "date": "2026-01-01"}}`, 422},
		{"SharedScopeID", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"id": "00000000-0000-0000-0000-000000000000", "amount": "1", "category": "a", "date": "2026-01-01"}}`, 422},
		{"FarFutureCreatedAt", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"amount": "1", "category": "a", "date": "2026-01-01", "created_at": "9999-12-31T00:00:00Z"}}`, 422},
		{"SetUpdatedAt", "/api/v1/pam/database/create", `{"table": "budgets", "data": {"updated_at": "2026-01-01T00:00:00Z"}}`, 422},
		{"BadID", "/api/v1/pam/database/read", `{"table": "expenses", "id": "1 OR 1=1"}`, 422},
		{"UnknownOp", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"amount": {"op": "regex", "value": "1"}}}`, 422},
		{"OpWithExtraKeys", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"amount": {"op": "gt", "value": "1", "or": {}}}}`, 422},
		{"LikeOnNumber", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"amount": {"op": "like", "value": "1%"}}}`, 422},
		{"NestedFilterValue", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"category": {"op": "eq", "value": {"op": "eq", "value": "x"}}}}`, 422},
		{"HugeIn", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"category": {"op": "in", "value": [` + strings.Join(bigIn, ",") + `]}}}`, 422},
		{"TooManyConditions", "/api/v1/pam/database/read", `{"table": "expenses", "filters": {"category": [` + strings.Join(manyConds, ",") + `]}}`, 422},
		{"DeepFilter", "/api/v1/pam/database/read", `{"table": "expenses", "filters": ` + deep + `}`, 400},
		{"LimitTooBig", "/api/v1/pam/database/read", `{"table": "expenses", "limit": 100000}`, 422},
		{"NegativeOffset", "/api/v1/pam/database/read", `{"table": "expenses", "offset": -1}`, 422},
		{"BodyTooLarge", "/api/v1/pam/database/create", `{"table": "expenses", "data": {"description": "` + strings.Repeat("x", 2<<20) + `"}}`, 413},
		{"EmptyBulk", "/api/v1/pam/database/bulk", `{"operations": []}`, 422},
		{"BulkUnknownOp", "/api/v1/pam/database/bulk", `{"operations": [{"op": "drop", "table": "expenses"}]}`, 422},
		{"UpdateWithoutID", "/api/v1/pam/database/update", `{"table": "expenses", "data": {"amount": "1"}}`, 422},
		{"UpdateNothing", "/api/v1/pam/database/update", `{"table": "expenses", "id": "0190a000-0000-7000-8000-0000000000ff", "data": {}}`, 404},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, body := e.do(t, e.alice, "POST", tt.path, tt.body)
			if status != tt.want {
				t.Fatalf("status %d, want %d: %v", status, tt.want, body)
			}
			if status >= 400 && (body["title"] == nil || body["status"] == nil) {
				t.Fatalf("not a problem document: %v", body)
			}
		})
	}
	if n := e.pending(t); n != 0 {
		t.Fatalf("bad input wrote %d changes", n)
	}
}

// TestBulkAllOrNothingHTTP: one bad operation rolls back the others.
func TestBulkAllOrNothingHTTP(t *testing.T) {
	e := newTestEnv(t)
	body := map[string]any{"operations": []any{
		map[string]any{"op": "create", "table": "expenses", "data": map[string]any{"amount": "1", "category": "a", "date": "2026-01-01"}},
		map[string]any{"op": "create", "table": "income_entries", "data": map[string]any{"amount": "10", "source": "x", "date": "2026-01-01"}},
		map[string]any{"op": "create", "table": "expenses", "data": map[string]any{"amount": "oops", "category": "a", "date": "2026-01-01"}},
	}}
	status, resp := e.do(t, e.alice, "POST", "/api/v1/pam/database/bulk", body)
	if status != 422 || !strings.Contains(fmt.Sprint(resp["detail"]), "operation 2") {
		t.Fatalf("bulk: %d %v", status, resp)
	}
	if n := e.pending(t); n != 0 {
		t.Fatalf("failed bulk wrote %d changes", n)
	}
	body["operations"] = body["operations"].([]any)[:2]
	status, resp = e.do(t, e.alice, "POST", "/api/v1/pam/database/bulk", body)
	if status != 200 || len(resp["results"].([]any)) != 2 || e.pending(t) != 2 {
		t.Fatalf("good bulk: %d %v", status, resp)
	}
}

// FuzzDataAPI throws arbitrary bodies at the data API: the answer is never
// a 500 and always JSON.
func FuzzDataAPI(f *testing.F) {
	for _, seed := range []string{
		`{"table": "expenses", "data": {"amount": "1", "category": "a", "date": "2026-01-01"}}`,
		`{"table": "expenses", "filters": {"date": [{"op": "gte", "value": "2026-01-01"}]}, "order": "-date", "limit": 5}`,
		`{"table": "calendar_events", "id": "0190a000-0000-7000-8000-000000000001"}`,
		`{"operations": [{"op": "create", "table": "expenses", "data": {}}]}`,
		`{"table": "budget_summary", "filters": {"percent_used": {"op": "gt", "value": 50}}}`,
	} {
		for _, path := range []int{0, 1, 2, 3, 4} {
			f.Add(path, seed)
		}
	}
	e := newTestEnv(f)
	paths := []string{"create", "read", "update", "delete", "bulk"}
	f.Fuzz(func(t *testing.T, path int, body string) {
		p := "/api/v1/pam/database/" + paths[(path%len(paths)+len(paths))%len(paths)]
		req, _ := http.NewRequest("POST", e.srv.URL+p, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+e.alice)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var v any
		if err := json.NewDecoder(resp.Body).Decode(&v); err != nil {
			t.Fatalf("%s: answer is not JSON", p)
		}
		if resp.StatusCode >= 500 {
			t.Fatalf("%s %q: status %d: %v", p, body, resp.StatusCode, v)
		}
	})
}
