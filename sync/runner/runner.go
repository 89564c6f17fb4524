// Package runner decides when the device syncs: on a cron schedule, soon
// after local writes while online, and as soon as connectivity returns. It
// watches connectivity with exponential backoff and full jitter (so a fleet
// coming back from an outage does not reconnect in lockstep), runs one sync
// at a time, and keeps the status the API reports.
package runner

import (
	"context"
	"errors"
	"log/slog"
	"math/rand/v2"
	"sync"
	"sync/atomic"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/pam-rv/pamd/sync/replica"
)

// Syncer runs one push+pull cycle.
type Syncer interface {
	Sync(ctx context.Context) (replica.Result, error)
}

// Status is what GET /api/v1/sync/status answers (api.md), less what the
// store knows (pending changes, conflicts), which the API adds.
type Status struct {
	Online      bool             `json:"online"`
	Central     string           `json:"central"` // "configured" or "none"
	Running     bool             `json:"running"`
	LastPushAt  *time.Time       `json:"last_push_at"`
	LastPullAt  *time.Time       `json:"last_pull_at"`
	LastSuccess *time.Time       `json:"last_success_at"`
	LastResult  *replica.Result  `json:"last_result,omitempty"`
	LastError   string           `json:"last_error"`
	NextRetryAt *time.Time       `json:"next_retry_at,omitempty"`
	Cursor      map[string]int64 `json:"cursor,omitempty"`
}

// Event is told to the notifier when a sync finishes or fails.
type Event struct {
	Kind   string // "sync_finished" or "sync_failed"
	Result replica.Result
	Err    error
}

// ErrNotConfigured is returned by SyncNow when no central database is set.
var ErrNotConfigured = errors.New("no central database configured")

// Runner schedules syncs. Create with New, set fields, Open, Close. Every
// field must be set before Open: Open starts the loop and a first sync,
// which read them from another goroutine.
type Runner struct {
	Syncer Syncer // nil when no central database is configured
	// Probe checks that the central database answers.
	Probe    func(ctx context.Context) error
	Schedule string        // cron spec; default every 5 minutes
	Debounce time.Duration // delay after a local write; default 5 s
	// Backoff bounds for reconnect attempts.
	BackoffMin, BackoffMax time.Duration
	Notify                 func(Event)
	Logger                 *slog.Logger
	Now                    func() time.Time

	cron   *cron.Cron
	kick   chan struct{}
	wg     sync.WaitGroup
	cancel context.CancelFunc
	runMu  sync.Mutex // one sync at a time

	mu     sync.Mutex // guards status and failures
	status Status
	fails  int

	poked atomic.Bool // a debounced sync after local writes is pending
}

// New returns a runner with defaults set.
func New(s Syncer) *Runner {
	return &Runner{
		Syncer: s, Schedule: "@every 5m", Debounce: 5 * time.Second,
		BackoffMin: time.Second, BackoffMax: 15 * time.Minute,
		Logger: slog.Default(), Now: time.Now, kick: make(chan struct{}, 1),
	}
}

// Open starts the monitor and the schedule.
func (r *Runner) Open() error {
	r.status.Central = "none"
	if r.Syncer == nil {
		return nil
	}
	r.status.Central = "configured"
	ctx, cancel := context.WithCancel(context.Background())
	r.cancel = cancel
	r.cron = cron.New()
	if _, err := r.cron.AddFunc(r.Schedule, r.Kick); err != nil {
		cancel()
		return err
	}
	r.cron.Start()
	r.wg.Add(1)
	go func() { defer r.wg.Done(); r.loop(ctx) }()
	r.Kick() // a first sync at start
	return nil
}

// Close stops the schedule and waits for a running sync to end.
func (r *Runner) Close() {
	if r.cancel == nil {
		return
	}
	<-r.cron.Stop().Done()
	r.cancel()
	r.wg.Wait()
}

// Kick asks for a sync as soon as possible.
func (r *Runner) Kick() {
	select {
	case r.kick <- struct{}{}:
	default:
	}
}

// Poke tells the runner a local write happened: sync shortly, while online.
func (r *Runner) Poke() {
	r.mu.Lock()
	online := r.status.Online
	r.mu.Unlock()
	if !online || r.Syncer == nil || !r.poked.CompareAndSwap(false, true) {
		return // offline, unconfigured, or a sync is already on its way
	}
	time.AfterFunc(r.Debounce, func() {
		r.poked.Store(false)
		r.Kick()
	})
}

// loop waits for kicks and retries with backoff while offline.
func (r *Runner) loop(ctx context.Context) {
	var retry <-chan time.Time
	for {
		select {
		case <-ctx.Done():
			return
		case <-r.kick:
		case <-retry:
		}
		retry = nil
		if _, err := r.SyncNow(ctx); err != nil && ctx.Err() == nil {
			d := r.backoff()
			at := r.Now().Add(d)
			r.mu.Lock()
			r.status.NextRetryAt = &at
			r.mu.Unlock()
			retry = time.After(d)
		}
	}
}

// backoff is exponential in the consecutive failures, with full jitter.
func (r *Runner) backoff() time.Duration {
	r.mu.Lock()
	n := r.fails
	r.mu.Unlock()
	ceil := r.BackoffMin << min(n, 30)
	if ceil > r.BackoffMax || ceil <= 0 {
		ceil = r.BackoffMax
	}
	return time.Duration(rand.Int64N(int64(ceil)) + 1)
}

// SyncNow runs one cycle now (waiting for a running one to finish first).
func (r *Runner) SyncNow(ctx context.Context) (replica.Result, error) {
	if r.Syncer == nil {
		return replica.Result{}, ErrNotConfigured
	}
	r.runMu.Lock()
	defer r.runMu.Unlock()
	r.setRunning(true)
	defer r.setRunning(false)
	if r.Probe != nil {
		if err := r.Probe(ctx); err != nil {
			r.fail(err, false)
			return replica.Result{}, err
		}
	}
	res, err := r.Syncer.Sync(ctx)
	if err != nil {
		r.fail(err, true)
		return res, err
	}
	now := r.Now()
	r.mu.Lock()
	r.fails = 0
	r.status.Online = true
	r.status.LastPushAt, r.status.LastPullAt, r.status.LastSuccess = &now, &now, &now
	r.status.LastResult = &res
	r.status.LastError = ""
	r.status.NextRetryAt = nil
	r.mu.Unlock()
	r.Logger.Info("sync finished", "pushed", res.Pushed, "rejected", res.Rejected, "pulled", res.Pulled,
		"applied", res.Applied, "conflicts", res.Conflicts, "took", res.Duration.Round(time.Millisecond))
	if r.Notify != nil {
		r.Notify(Event{Kind: "sync_finished", Result: res})
	}
	return res, nil
}

func (r *Runner) setRunning(v bool) {
	r.mu.Lock()
	r.status.Running = v
	r.mu.Unlock()
}

func (r *Runner) fail(err error, reached bool) {
	r.mu.Lock()
	r.fails++
	r.status.Online = reached && isDataProblem(err)
	r.status.LastError = err.Error()
	r.mu.Unlock()
	r.Logger.Warn("sync failed", "err", err)
	if r.Notify != nil {
		r.Notify(Event{Kind: "sync_failed", Err: err})
	}
}

// isDataProblem is a failure with the link up (the server answered).
func isDataProblem(err error) bool {
	var pe interface{ SQLState() string }
	return errors.As(err, &pe)
}

// Status returns a copy of the current status.
func (r *Runner) Status() Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	st := r.status
	if st.Central == "" {
		st.Central = "none"
	}
	return st
}
