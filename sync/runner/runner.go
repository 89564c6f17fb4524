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
	// Cycle is the cycle running now, else the one asked for and not yet
	// started, else the last one.
	Cycle *Cycle `json:"cycle,omitempty"`
}

// Cycle is one push+pull cycle as the status reports it.
type Cycle struct {
	ID         int64           `json:"id"`
	State      string          `json:"state"`           // "pending", "running", "finished" or "failed"
	Phase      string          `json:"phase,omitempty"` // "push" or "pull" while running
	Done       int             `json:"done"`            // changes handled in this phase
	Total      int             `json:"total"`           // changes known to wait in it (0 when unknown)
	StartedAt  *time.Time      `json:"started_at,omitempty"`
	FinishedAt *time.Time      `json:"finished_at,omitempty"`
	Result     *replica.Result `json:"result,omitempty"`
	Error      string          `json:"error,omitempty"`
}

// Event is told to the notifier when a sync finishes or fails.
type Event struct {
	Kind   string // "sync_finished" or "sync_failed"
	Cycle  int64  // the cycle's id
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

	mu      sync.Mutex // guards status, failures and cycles
	status  Status
	fails   int
	cycles  int64  // the last cycle id handed out
	pending *Cycle // asked for by Start, not yet running
	current *Cycle // running, or the last one

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

// Start asks for a cycle and returns its id at once: the next cycle to
// start, which a running one does not count as (it may have begun before
// the caller's changes). Requests before that cycle starts share it.
// Progress and outcome are in Status().Cycle.
func (r *Runner) Start() (int64, error) {
	if r.Syncer == nil {
		return 0, ErrNotConfigured
	}
	r.mu.Lock()
	if r.pending == nil {
		r.cycles++
		r.pending = &Cycle{ID: r.cycles, State: "pending"}
	}
	id := r.pending.ID
	r.mu.Unlock()
	r.Kick()
	return id, nil
}

// SyncNow runs one cycle now (waiting for a running one to finish first);
// it is the cycle a Start before it asked for, if one waits.
func (r *Runner) SyncNow(ctx context.Context) (replica.Result, error) {
	if r.Syncer == nil {
		return replica.Result{}, ErrNotConfigured
	}
	r.runMu.Lock()
	defer r.runMu.Unlock()
	cycle := r.begin()
	defer r.setRunning(false)
	if r.Probe != nil {
		if err := r.Probe(ctx); err != nil {
			r.fail(cycle, err, false)
			return replica.Result{}, err
		}
	}
	res, err := r.Syncer.Sync(replica.WithProgress(ctx, func(p replica.Progress) {
		r.mu.Lock()
		cycle.Phase, cycle.Done, cycle.Total = p.Phase, p.Done, p.Total
		r.mu.Unlock()
	}))
	if err != nil {
		r.fail(cycle, err, true)
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
	cycle.State, cycle.Phase, cycle.FinishedAt, cycle.Result = "finished", "", &now, &res
	r.mu.Unlock()
	r.Logger.Info("sync finished", "cycle", cycle.ID, "pushed", res.Pushed, "rejected", res.Rejected, "pulled", res.Pulled,
		"applied", res.Applied, "conflicts", res.Conflicts, "took", res.Duration.Round(time.Millisecond))
	if r.Notify != nil {
		r.Notify(Event{Kind: "sync_finished", Cycle: cycle.ID, Result: res})
	}
	return res, nil
}

// begin marks a cycle running: the pending one if a Start asked for it,
// else a new one.
func (r *Runner) begin() *Cycle {
	r.mu.Lock()
	defer r.mu.Unlock()
	c := r.pending
	r.pending = nil
	if c == nil {
		r.cycles++
		c = &Cycle{ID: r.cycles}
	}
	now := r.Now()
	c.State, c.StartedAt = "running", &now
	r.current = c
	r.status.Running = true
	return c
}

func (r *Runner) setRunning(v bool) {
	r.mu.Lock()
	r.status.Running = v
	r.mu.Unlock()
}

func (r *Runner) fail(c *Cycle, err error, reached bool) {
	now := r.Now()
	r.mu.Lock()
	r.fails++
	r.status.Online = reached && isDataProblem(err)
	r.status.LastError = err.Error()
	c.State, c.Phase, c.FinishedAt, c.Error = "failed", "", &now, err.Error()
	r.mu.Unlock()
	r.Logger.Warn("sync failed", "cycle", c.ID, "err", err)
	if r.Notify != nil {
		r.Notify(Event{Kind: "sync_failed", Cycle: c.ID, Err: err})
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
	c := r.current
	if r.pending != nil && (c == nil || c.State != "running") {
		c = r.pending
	}
	if c != nil {
		cp := *c
		st.Cycle = &cp
	}
	return st
}
