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

// TestStartReportsTheCycle: Start answers at once with the id of the cycle
// it asked for; the status shows it pending, then running with its
// progress, then finished with its result; requests before it starts
// share it.
func TestStartReportsTheCycle(t *testing.T) {
	started, release := make(chan struct{}), make(chan struct{})
	r := newRunner(syncerFunc(func(ctx context.Context) (replica.Result, error) {
		replica.ReportProgress(ctx, replica.Progress{Phase: "pull", Done: 10, Total: 20})
		started <- struct{}{}
		<-release
		return replica.Result{Pulled: 20, Applied: 20}, nil
	}))
	events := make(chan runner.Event, 4)
	r.Notify = func(ev runner.Event) { events <- ev }
	if err := r.Open(); err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	<-started // the cycle at start
	id, err := r.Start()
	if err != nil || id != 2 {
		t.Fatalf("Start = %d, %v; want cycle 2", id, err)
	}
	if again, _ := r.Start(); again != id {
		t.Fatalf("a second Start before the cycle began = %d, want %d", again, id)
	}
	if c := r.Status().Cycle; c == nil || c.ID != 1 || c.State != "running" || c.Phase != "pull" || c.Done != 10 || c.Total != 20 {
		t.Fatalf("status cycle while the first runs = %+v", c)
	}
	release <- struct{}{}
	if ev := <-events; ev.Cycle != 1 {
		t.Fatalf("event %+v, want cycle 1", ev)
	}
	<-started
	if c := r.Status().Cycle; c == nil || c.ID != id || c.State != "running" {
		t.Fatalf("status cycle = %+v, want %d running", c, id)
	}
	release <- struct{}{}
	if ev := <-events; ev.Cycle != id || ev.Kind != "sync_finished" {
		t.Fatalf("event %+v, want cycle %d finished", ev, id)
	}
	if c := r.Status().Cycle; c == nil || c.ID != id || c.State != "finished" || c.Result == nil || c.Result.Applied != 20 || c.FinishedAt == nil {
		t.Fatalf("status cycle after = %+v", c)
	}
	if next, _ := r.Start(); next != id+1 {
		t.Fatalf("Start after the cycle ended = %d, want %d", next, id+1)
	}
	<-started
	release <- struct{}{}
	<-events
}
