package api_test

import (
	"net/http"
	"testing"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/sync/runner"
)

func TestSyncEndpoints(t *testing.T) {
	e := newTestEnv(t)
	r := runner.New(nil)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.MountSync(r, e.store)
	e.srv.Config.Handler = a.Handler()

	e.do(t, e.alice, "POST", "/api/v1/wins/expenses", map[string]any{"amount": "3.00", "category": "x", "date": "2026-03-01"})
	status, body := e.do(t, e.alice, "GET", "/api/v1/sync/status", nil)
	if status != 200 || body["central"] != "none" || body["online"] != false || body["pending_changes"].(interface{ String() string }).String() != "1" {
		t.Fatalf("status: %d %v", status, body)
	}
	for _, key := range []string{"last_push_at", "last_pull_at", "cursor", "conflicts", "last_error"} {
		if _, ok := body[key]; !ok {
			t.Errorf("sync status lacks %q", key)
		}
	}
	status, body = e.do(t, e.alice, "POST", "/api/v1/sync/now", nil)
	if status != http.StatusServiceUnavailable {
		t.Fatalf("sync now without central: %d %v", status, body)
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/sync/conflicts", nil)
	if status != 200 || len(body["conflicts"].([]any)) != 0 {
		t.Fatalf("conflicts: %d %v", status, body)
	}
	if status, _ := e.do(t, "", "GET", "/api/v1/sync/status", nil); status != 401 {
		t.Fatalf("sync status without a token: %d", status)
	}
}
