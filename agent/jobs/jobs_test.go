package jobs

import (
	"context"
	"errors"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

func openStore(t *testing.T, dir string) *localstore.Store {
	t.Helper()
	s := localstore.New(filepath.Join(dir, localstore.FileName), schema.Default())
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

func quiet() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// started starts a scheduler at now with the jobs and waits for the runs
// due at start.
func started(t *testing.T, store Store, now time.Time, jobs ...Job) *Scheduler {
	t.Helper()
	s := New(store, quiet())
	s.Now = func() time.Time { return now }
	for _, j := range jobs {
		if err := s.Add(j); err != nil {
			t.Fatal(err)
		}
	}
	if err := s.Start(context.Background()); err != nil {
		t.Fatal(err)
	}
	s.wg.Wait()
	t.Cleanup(s.Stop)
	return s
}

func counting(name string, n *atomic.Int32) Job {
	return Job{Name: name, Schedule: "@daily", Period: 24 * time.Hour, Run: func(context.Context) (string, error) {
		n.Add(1)
		return "counted", nil
	}}
}

// TestCatchUpOncePerPeriod: a job never run runs at start; a restart in the
// same period does not run it again, nor does a firing of the schedule; the
// next day's start does.
func TestCatchUpOncePerPeriod(t *testing.T) {
	store := openStore(t, t.TempDir())
	day := time.Date(2026, 7, 1, 9, 0, 0, 0, time.Local)
	var n atomic.Int32
	s := started(t, store, day, counting("backup", &n))
	if n.Load() != 1 {
		t.Fatalf("first start ran %d times, want 1", n.Load())
	}
	st := s.Status()
	if len(st) != 1 || st[0].Last == nil || st[0].Last.Result != "counted" || !st[0].OK || st[0].Last.Period != "2026-07-01" {
		t.Fatalf("status = %+v", st)
	}
	s.run(s.jobs[0], false) // the schedule fires in the same day
	started(t, store, day.Add(5*time.Hour), counting("backup", &n))
	if n.Load() != 1 {
		t.Fatalf("same day: ran %d times, want 1", n.Load())
	}
	started(t, store, day.Add(24*time.Hour), counting("backup", &n))
	if n.Load() != 2 {
		t.Fatalf("next day: ran %d times, want 2", n.Load())
	}
}

// TestFailuresRecorded: an error and a panic are results, not crashes.
func TestFailuresRecorded(t *testing.T) {
	store := openStore(t, t.TempDir())
	now := time.Date(2026, 7, 1, 9, 0, 0, 0, time.UTC)
	s := started(t, store, now,
		Job{Name: "fails", Schedule: "@hourly", Period: time.Hour, Run: func(context.Context) (string, error) { return "", errors.New("disk full") }},
		Job{Name: "panics", Schedule: "@hourly", Period: time.Hour, Run: func(context.Context) (string, error) { panic("boom") }})
	for _, st := range s.Status() {
		if st.OK || st.Last == nil || st.Last.Error == "" {
			t.Errorf("%s: %+v", st.Name, st)
		}
	}
	runs, err := store.JobRuns(context.Background())
	if err != nil || runs["panics"].Error != "panic: boom" || runs["fails"].Error != "disk full" || runs["fails"].Period != "2026-07-01T09:00:00" {
		t.Fatalf("record = %+v, %v", runs, err)
	}
	if _, err := s.RunNow("nope"); schema.ErrorCode(err) != schema.ENOTFOUND {
		t.Fatalf("unknown job: %v", err)
	}
}

// The killed child: a job that marks its start in a file, then waits to be
// killed.
const childEnv = "PAM_JOBS_TEST_CHILD"

func TestMain(m *testing.M) {
	if dir := os.Getenv(childEnv); dir != "" {
		runChild(dir)
		return
	}
	os.Exit(m.Run())
}

func runChild(dir string) {
	ctx := context.Background()
	s := localstore.New(filepath.Join(dir, localstore.FileName), schema.Default())
	if err := s.Open(ctx); err != nil {
		panic(err)
	}
	sch := New(s, quiet())
	sch.Add(Job{Name: "rollup", Schedule: "@daily", Period: 24 * time.Hour, Run: func(ctx context.Context) (string, error) {
		appendLine(filepath.Join(dir, "runs"), "started")
		select {} // until killed
	}})
	sch.Start(ctx)
	select {}
}

func appendLine(path, line string) {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o600)
	if err != nil {
		panic(err)
	}
	f.WriteString(line + "\n")
	f.Close()
}

// TestKilledJobResumes: a daemon killed (SIGKILL) in the middle of a job
// runs it again at its next start, once; the start after that does not.
func TestKilledJobResumes(t *testing.T) {
	dir := t.TempDir()
	runs := filepath.Join(dir, "runs")
	cmd := exec.Command(os.Args[0], "-test.run", "^$")
	cmd.Env = append(os.Environ(), childEnv+"="+dir)
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	exited := make(chan error, 1)
	go func() { exited <- cmd.Wait() }()
	for {
		if b, _ := os.ReadFile(runs); len(b) > 0 {
			break
		}
		select {
		case err := <-exited:
			t.Fatalf("the child exited before its job started: %v", err)
		case <-time.After(20 * time.Millisecond):
		}
	}
	cmd.Process.Kill()
	<-exited

	store := openStore(t, dir)
	job := Job{Name: "rollup", Schedule: "@daily", Period: 24 * time.Hour, Run: func(context.Context) (string, error) {
		appendLine(runs, "finished")
		return "rolled up", nil
	}}
	s := started(t, store, time.Now(), job)
	s.Stop()
	started(t, store, time.Now(), job)
	b, _ := os.ReadFile(runs)
	if got := strings.Fields(string(b)); strings.Join(got, ",") != "started,finished" {
		t.Fatalf("runs = %v, want the killed run then one resumed run", got)
	}
}
