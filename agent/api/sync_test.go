package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"testing"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/replica"
	"github.com/pam-rv/pamd/sync/runner"
)

// newSyncEnv serves the sync endpoints with a runner that has no central.
func newSyncEnv(t *testing.T) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	r := runner.New(nil)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(r.Close)
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.MountSync(r, e.store)
	e.srv.Config.Handler = a.Handler()
	return e
}

func TestSyncEndpoints(t *testing.T) {
	e := newSyncEnv(t)

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
	for _, path := range []string{"/api/v1/sync/now", "/api/v1/sync/now?wait=true"} {
		status, body = e.do(t, e.alice, "POST", path, nil)
		if status != http.StatusServiceUnavailable {
			t.Fatalf("%s without central: %d %v", path, status, body)
		}
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/sync/conflicts", nil)
	if status != 200 || len(body["conflicts"].([]any)) != 0 {
		t.Fatalf("conflicts: %d %v", status, body)
	}
	if status, _ := e.do(t, "", "GET", "/api/v1/sync/status", nil); status != 401 {
		t.Fatalf("sync status without a token: %d", status)
	}
}

// gatedSyncer is a sync that reports progress, then waits for release.
type gatedSyncer struct {
	started chan struct{}
	release chan struct{}
}

func (g *gatedSyncer) Sync(ctx context.Context) (replica.Result, error) {
	g.started <- struct{}{}
	<-g.release
	return replica.Result{Pushed: 3, Pulled: 5, Applied: 5}, nil
}

// TestSyncNowStartsACycle: POST /api/v1/sync/now answers 202 with the
// cycle's id while the cycle runs; the status follows it to its end;
// ?wait=true answers the counts when the cycle is over, as before.
func TestSyncNowStartsACycle(t *testing.T) {
	e := newTestEnv(t)
	g := &gatedSyncer{started: make(chan struct{}), release: make(chan struct{})}
	r := runner.New(g)
	r.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	r.Schedule = "@every 1h"
	events := make(chan runner.Event, 4)
	r.Notify = func(ev runner.Event) { events <- ev }
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	<-g.started // the cycle at start is running now
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.MountSync(r, e.store)
	e.srv.Config.Handler = a.Handler()

	status, body := e.do(t, e.alice, "POST", "/api/v1/sync/now", nil)
	if status != http.StatusAccepted || body["state"] != "pending" {
		t.Fatalf("sync now: %d %v", status, body)
	}
	id := body["cycle"].(json.Number).String()
	if id != "2" {
		t.Fatalf("cycle id %s, want 2 (the one after the running cycle)", id)
	}
	if _, again := e.do(t, e.alice, "POST", "/api/v1/sync/now", nil); again["cycle"].(json.Number).String() != id {
		t.Fatalf("a second request before the cycle started got another cycle: %v", again)
	}
	cycle := func() map[string]any {
		t.Helper()
		status, body := e.do(t, e.alice, "GET", "/api/v1/sync/status", nil)
		if status != 200 {
			t.Fatalf("status: %d %v", status, body)
		}
		c, _ := body["cycle"].(map[string]any)
		return c
	}
	if c := cycle(); c["id"].(json.Number).String() != "1" || c["state"] != "running" {
		t.Fatalf("while the first cycle runs, status cycle = %v", c)
	}
	g.release <- struct{}{} // the first cycle ends; the asked-for one starts
	if ev := <-events; ev.Cycle != 1 || ev.Kind != "sync_finished" {
		t.Fatalf("event %+v, want cycle 1 finished", ev)
	}
	<-g.started
	if c := cycle(); c["id"].(json.Number).String() != id || c["state"] != "running" {
		t.Fatalf("status cycle = %v, want %s running", c, id)
	}
	g.release <- struct{}{}
	if ev := <-events; fmt.Sprint(ev.Cycle) != id || ev.Kind != "sync_finished" {
		t.Fatalf("event %+v, want cycle %s finished", ev, id)
	}
	c := cycle()
	if res, _ := c["result"].(map[string]any); c["id"].(json.Number).String() != id || c["state"] != "finished" || res == nil || res["pushed"].(json.Number).String() != "3" {
		t.Fatalf("finished cycle = %v", c)
	}
	// ?wait=true: the answer is the cycle's counts.
	done := make(chan struct{})
	go func() {
		defer close(done)
		<-g.started
		g.release <- struct{}{}
	}()
	status, body = e.do(t, e.alice, "POST", "/api/v1/sync/now?wait=true", nil)
	<-done
	if status != http.StatusOK || body["pulled"].(json.Number).String() != "5" {
		t.Fatalf("sync now?wait=true: %d %v", status, body)
	}
	if status, body := e.do(t, e.alice, "POST", "/api/v1/sync/now?wait=maybe", nil); status != http.StatusUnprocessableEntity {
		t.Fatalf("sync now?wait=maybe: %d %v", status, body)
	}
}

// TestConflictReview: a conflict counts as one to review for its user
// until reviewed through the API, on every screen; another user can
// neither see nor review it; the ledger keeps it, marked.
func TestConflictReview(t *testing.T) {
	e := newSyncEnv(t)
	ctx := context.Background()
	err := e.store.ApplyRemote(ctx, func(tx *localstore.SyncTx) error {
		return tx.AddConflict(ctx, schema.ConflictRecord{Table: "expenses", RowID: "0190a000-0000-7000-8000-0000000000ee", Column: "amount",
			UserID: alice, Winner: []byte(`"12.00"`), Loser: []byte(`"21.00"`), Reason: "concurrent update"})
	})
	if err != nil {
		t.Fatal(err)
	}
	open := func(token string) string {
		t.Helper()
		_, body := e.do(t, token, "GET", "/api/v1/sync/status", nil)
		return fmt.Sprint(body["conflicts"])
	}
	if open(e.alice) != "1" || open(e.bob) != "0" {
		t.Fatalf("open conflicts: alice %s, bob %s", open(e.alice), open(e.bob))
	}
	_, body := e.do(t, e.alice, "GET", "/api/v1/sync/conflicts", nil)
	id := fmt.Sprint(body["conflicts"].([]any)[0].(map[string]any)["id"])
	if status, _ := e.do(t, e.bob, "POST", "/api/v1/sync/conflicts/"+id+"/review", nil); status != 404 {
		t.Fatalf("bob reviews alice's conflict: %d", status)
	}
	if status, _ := e.do(t, e.alice, "POST", "/api/v1/sync/conflicts/nope/review", nil); status != 400 && status != 422 {
		t.Fatalf("bad id: %d", status)
	}
	status, body := e.do(t, e.alice, "POST", "/api/v1/sync/conflicts/"+id+"/review", nil)
	if status != 200 || body["reviewed_at"] == nil || body["reviewed_at"] == "" || body["loser"] != "21.00" {
		t.Fatalf("review: %d %v", status, body)
	}
	if open(e.alice) != "0" {
		t.Fatalf("still to review after the review: %s", open(e.alice))
	}
	if _, body = e.do(t, e.alice, "GET", "/api/v1/sync/conflicts", nil); len(body["conflicts"].([]any)) != 1 {
		t.Fatalf("the ledger lost the reviewed conflict: %v", body)
	}
}
