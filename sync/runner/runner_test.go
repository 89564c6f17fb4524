package runner_test

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pam-rv/pamd/sync/replica"
	"github.com/pam-rv/pamd/sync/runner"
)

// syncerFunc adapts a function to runner.Syncer.
type syncerFunc func(ctx context.Context) (replica.Result, error)

func (f syncerFunc) Sync(ctx context.Context) (replica.Result, error) { return f(ctx) }

func newRunner(s runner.Syncer) *runner.Runner {
	r := runner.New(s)
	r.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	r.Schedule = "@every 1h"
	r.Debounce = 10 * time.Millisecond
	r.BackoffMin, r.BackoffMax = 5*time.Millisecond, 20*time.Millisecond
	return r
}

func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for %s", what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}

func TestNotConfigured(t *testing.T) {
	r := newRunner(nil)
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	if st := r.Status(); st.Central != "none" || st.Online {
		t.Fatalf("status = %+v", st)
	}
	if _, err := r.SyncNow(context.Background()); !errors.Is(err, runner.ErrNotConfigured) {
		t.Fatalf("SyncNow = %v", err)
	}
}

// TestRetriesUntilReachable: while central is down the runner retries with
// backoff and reports the error; once it answers, the sync runs and the
// status says online.
func TestRetriesUntilReachable(t *testing.T) {
	var calls, failures atomic.Int32
	failures.Store(3)
	r := newRunner(syncerFunc(func(context.Context) (replica.Result, error) {
		calls.Add(1)
		return replica.Result{Pushed: 2}, nil
	}))
	var events atomic.Int32
	r.Notify = func(runner.Event) { events.Add(1) }
	r.Probe = func(context.Context) error {
		if failures.Add(-1) >= 0 {
			return errors.New("dial tcp: no route to host")
		}
		return nil
	}
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	waitFor(t, "a successful sync", func() bool { return calls.Load() == 1 })
	waitFor(t, "online status", func() bool { return r.Status().Online })
	st := r.Status()
	if st.LastError != "" || st.LastSuccess == nil || st.LastResult.Pushed != 2 {
		t.Fatalf("status = %+v", st)
	}
	// Three failures and a success; the success is told after the status
	// says online, so wait for it rather than race it.
	waitFor(t, "four sync events", func() bool { return events.Load() >= 4 })
	// A local write while online syncs shortly after.
	r.Poke()
	waitFor(t, "a sync after a local write", func() bool { return calls.Load() == 2 })
}
