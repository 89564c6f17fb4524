// Package jobs runs the daemon's scheduled work (robfig/cron) and keeps the
// record of each job's last run in the store. From that record a restart
// catches up a period it missed (the RV was off at midnight), resumes a
// run that was killed mid-way, and never runs one period's job twice;
// /api/v1/health/detailed shows it.
package jobs

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"slices"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

	"github.com/pam-rv/pamd/schema"
)

// Job is one piece of scheduled work. Run must be safe to repeat: a run
// killed mid-way is run again.
type Job struct {
	Name     string
	Schedule string // a cron spec ("@daily", "0 3 * * *", "@every 1h")
	// Period is what one finished run covers: a day (in local time) or a
	// slice of one. Zero means the schedule's own interval (a day for
	// "@daily", an hour for "@every 1h").
	Period time.Duration
	Run    func(ctx context.Context) (result string, err error)
}

// Store keeps the record of the runs.
type Store interface {
	JobStarted(ctx context.Context, name, period string, at time.Time) error
	JobFinished(ctx context.Context, r schema.JobRun) error
	JobRuns(ctx context.Context) (map[string]schema.JobRun, error)
}

// Status is a job's schedule and last run, as health reports it.
type Status struct {
	Name     string         `json:"name"`
	Schedule string         `json:"schedule"`
	Running  bool           `json:"running"`
	Last     *schema.JobRun `json:"last_run,omitempty"`
	Seconds  float64        `json:"last_duration_seconds"`
	OK       bool           `json:"ok"` // the last run ended without an error (or none ran yet)
	Next     time.Time      `json:"next_run"`
}

// Scheduler runs jobs. Add every job, then Start; Stop waits for runs in
// flight.
type Scheduler struct {
	Store  Store
	Logger *slog.Logger
	Now    func() time.Time

	cron   *cron.Cron
	ctx    context.Context
	cancel context.CancelFunc
	wg     sync.WaitGroup

	mu   sync.Mutex
	jobs []*entry
	last map[string]schema.JobRun
}

type entry struct {
	Job
	id      cron.EntryID
	running sync.Mutex // one run of a job at a time
	busy    bool       // guarded by Scheduler.mu
}

// New returns a scheduler recording its runs in store.
func New(store Store, logger *slog.Logger) *Scheduler {
	ctx, cancel := context.WithCancel(context.Background())
	return &Scheduler{Store: store, Logger: logger, Now: time.Now, ctx: ctx, cancel: cancel,
		cron: cron.New(), last: map[string]schema.JobRun{}}
}

// Add registers a job; a bad schedule is an error naming it.
func (s *Scheduler) Add(j Job) error {
	if j.Name == "" || j.Run == nil {
		return errors.New("jobs: a job needs a name and a Run")
	}
	sched, err := cron.ParseStandard(j.Schedule)
	if err != nil {
		return fmt.Errorf("job %s: schedule %q: %w", j.Name, j.Schedule, err)
	}
	if j.Period == 0 {
		j.Period = interval(sched)
	}
	e := &entry{Job: j}
	e.id = s.cron.Schedule(sched, cron.FuncJob(func() { s.run(e, false) }))
	s.mu.Lock()
	s.jobs = append(s.jobs, e)
	s.mu.Unlock()
	return nil
}

// Start reads the record of past runs, starts the schedule and, in the
// background, runs every job that is due: never run, killed mid-run, or
// its current period not yet done.
func (s *Scheduler) Start(ctx context.Context) error {
	runs, err := s.Store.JobRuns(ctx)
	if err != nil {
		return fmt.Errorf("jobs: %w", err)
	}
	s.mu.Lock()
	s.last = runs
	var due []*entry
	now := s.Now()
	for _, e := range s.jobs {
		if s.dueLocked(e, now) {
			due = append(due, e)
		}
	}
	s.mu.Unlock()
	s.cron.Start()
	for _, e := range due {
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			s.run(e, false)
		}()
	}
	return nil
}

// dueLocked reports whether a job must run at start.
func (s *Scheduler) dueLocked(e *entry, now time.Time) bool {
	last, ok := s.last[e.Name]
	switch {
	case !ok:
		return true
	case !last.Finished():
		return true // killed mid-run: resume
	case e.Period > 0:
		return last.Period != periodOf(now, e.Period)
	}
	return false
}

// Stop ends the schedule and waits for runs in flight (their context is
// cancelled).
func (s *Scheduler) Stop() {
	s.cancel()
	<-s.cron.Stop().Done()
	s.wg.Wait()
	s.mu.Lock()
	jobs := slices.Clone(s.jobs)
	s.mu.Unlock()
	for _, e := range jobs { // runs started by cron before Stop
		e.running.Lock()
		e.running.Unlock()
	}
}

// RunNow runs a job at once, even if its period is done, and returns its
// record.
func (s *Scheduler) RunNow(name string) (schema.JobRun, error) {
	s.mu.Lock()
	i := slices.IndexFunc(s.jobs, func(e *entry) bool { return e.Name == name })
	s.mu.Unlock()
	if i < 0 {
		return schema.JobRun{}, schema.Errorf(schema.ENOTFOUND, "no job named %q", name)
	}
	return s.run(s.jobs[i], true), nil
}

// run runs a job unless it is running already or, when not forced, its
// period is already done (a cron firing right after a catch-up).
func (s *Scheduler) run(e *entry, force bool) schema.JobRun {
	e.running.Lock()
	defer e.running.Unlock()
	if s.ctx.Err() != nil {
		return schema.JobRun{}
	}
	now := s.Now()
	period := periodOf(now, e.Period)
	s.mu.Lock()
	last, ok := s.last[e.Name]
	if !force && ok && e.Period > 0 && last.Finished() && last.Period == period {
		s.mu.Unlock()
		return last
	}
	e.busy = true
	s.mu.Unlock()
	log := s.Logger.With("job", e.Name)
	if err := s.Store.JobStarted(s.ctx, e.Name, period, now); err != nil {
		log.Warn("record of the run not kept", "err", err)
	}
	result, err := s.safeRun(e)
	r := schema.JobRun{Name: e.Name, Period: period, StartedAt: now, FinishedAt: s.Now(), Result: result}
	r.Duration = r.FinishedAt.Sub(now)
	if err != nil {
		r.Error = err.Error()
		log.Error("job failed", "err", err, "took", r.Duration.Round(time.Millisecond))
	} else {
		log.Info("job done", "result", result, "took", r.Duration.Round(time.Millisecond))
	}
	if s.ctx.Err() == nil || err == nil { // a run cut short by Stop is resumed at the next start
		if ferr := s.Store.JobFinished(context.WithoutCancel(s.ctx), r); ferr != nil {
			log.Warn("record of the run not kept", "err", ferr)
		}
	}
	s.mu.Lock()
	s.last[e.Name], e.busy = r, false
	s.mu.Unlock()
	return r
}

func (s *Scheduler) safeRun(e *entry) (result string, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("panic: %v", p)
		}
	}()
	return e.Run(s.ctx)
}

// Status lists every job with its last run and next firing.
func (s *Scheduler) Status() []Status {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Status, 0, len(s.jobs))
	for _, e := range s.jobs {
		st := Status{Name: e.Name, Schedule: e.Schedule, Running: e.busy, OK: true, Next: s.cron.Entry(e.id).Next}
		if last, ok := s.last[e.Name]; ok {
			st.Last = &last
			st.Seconds = last.Duration.Seconds()
			st.OK = last.Error == "" && last.Finished()
		}
		out = append(out, st)
	}
	return out
}

// interval is the time between two firings of a schedule, measured from
// a fixed Monday so that it does not depend on when the daemon starts.
func interval(sched cron.Schedule) time.Duration {
	first := sched.Next(time.Date(2026, 1, 5, 0, 0, 0, 0, time.Local))
	return sched.Next(first).Sub(first)
}

// periodOf names the period t falls in: a local date for a day or
// longer, the start of the slice of the day otherwise.
func periodOf(t time.Time, p time.Duration) string {
	switch {
	case p <= 0:
		return ""
	case p >= 24*time.Hour:
		return t.Format(time.DateOnly)
	}
	day := time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, t.Location())
	return day.Add(t.Sub(day).Truncate(p)).Format("2006-01-02T15:04:05")
}
