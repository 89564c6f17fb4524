package main_test

import (
	"bufio"
	"database/sql"
	"flag"
	"fmt"
	"io"
	"math/rand/v2"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema/hlc"
)

// buildShipped compiles the daemon as `make build` does (static, CGO off,
// stripped), once per test binary: the benchmarks measure what ships.
var buildShipped = sync.OnceValues(func() (string, error) {
	dir, err := os.MkdirTemp("", "pamd-bin")
	if err != nil {
		return "", err
	}
	bin := filepath.Join(dir, "pamd")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", bin, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0")
	if out, err := cmd.CombinedOutput(); err != nil {
		return "", fmt.Errorf("go build: %v\n%s", err, out)
	}
	return bin, nil
})

func mustBuildShipped(tb testing.TB) string {
	tb.Helper()
	bin, err := buildShipped()
	if err != nil {
		tb.Fatal(err)
	}
	return bin
}

// smokeRun reports make test's one-iteration run of the benchmarks
// (-benchtime 1x), where the data sets are cut down.
func smokeRun() bool {
	f := flag.Lookup("test.benchtime")
	return f != nil && f.Value.String() == "1x"
}

// demoSet is a data directory filled by `pamd demo`, with a change log of
// its own, built once per test binary and copied by each run.
type demoSet struct {
	dir            string
	scale, changes int
	rows           int
}

// scale50 is issue 10's data set: `pamd demo --scale 50` (about 164,000
// rows, 106 MB) and a 100,000-row change log, as a device that has been
// offline for a while keeps. scale50Smoke, for make test's -benchtime 1x
// run, is --scale 5 and 10,000 changes.
var (
	scale50      = sync.OnceValues(func() (*demoSet, error) { return buildSet(50, 100_000) })
	scale50Smoke = sync.OnceValues(func() (*demoSet, error) { return buildSet(5, 10_000) })
)

// buildSet fills a data directory with `pamd demo --scale` and writes a
// change log of the given length.
func buildSet(scale, changes int) (*demoSet, error) {
	bin, err := buildPamd()
	if err != nil {
		return nil, err
	}
	set := &demoSet{scale: scale, changes: changes}
	if set.dir, err = os.MkdirTemp("", "pam-scale50"); err != nil {
		return nil, err
	}
	if out, err := exec.Command(bin, "demo", "--scale", strconv.Itoa(set.scale), "--data-dir", set.dir, "--log-level", "warn").CombinedOutput(); err != nil {
		return nil, fmt.Errorf("pamd demo: %v\n%s", err, out)
	}
	db, err := sql.Open("sqlite", filepath.Join(set.dir, localstore.FileName))
	if err != nil {
		return nil, err
	}
	defer db.Close()
	// The change log: the expenses' creates, then updates of them, as the
	// device recorded them, none pushed yet.
	base := int64(hlc.New(time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC).UnixMilli(), 0))
	if _, err := db.Exec(`WITH e AS (SELECT id, user_id, amount, category, date, description, created_at, row_number() OVER (ORDER BY id) AS n FROM expenses),
		r(k) AS (SELECT 0 UNION ALL SELECT k + 1 FROM r WHERE k < 9)
		INSERT INTO _pam_changes (tx, hlc, tbl, row_id, user_id, op, cl, data, created_at)
		SELECT ?1 + (k * 1000000 + n) * 65536, ?1 + (k * 1000000 + n) * 65536, 'expenses', id, user_id, CASE k WHEN 0 THEN 'create' ELSE 'update' END, 1,
			CASE k WHEN 0 THEN json_object('id', id, 'user_id', user_id, 'amount', amount, 'category', category, 'date', date, 'description', description)
			ELSE json_object('amount', amount + k) END, created_at
		FROM r, e ORDER BY k, n LIMIT ?2`, base, set.changes); err != nil {
		return nil, fmt.Errorf("write the change log: %w", err)
	}
	var n int
	if err := db.QueryRow(`SELECT count(*) FROM _pam_changes`).Scan(&n); err != nil || n != set.changes {
		return nil, fmt.Errorf("change log holds %d rows (%v), want %d", n, err, set.changes)
	}
	for _, t := range []string{"expenses", "pam_memory", "pam_analytics_logs", "pam_conversation_memory", "fuel_log", "calendar_events", "income_entries"} {
		var k int
		if err := db.QueryRow(`SELECT count(*) FROM ` + t).Scan(&k); err != nil {
			return nil, err
		}
		set.rows += k
	}
	if _, err := db.Exec(`PRAGMA wal_checkpoint(TRUNCATE)`); err != nil {
		return nil, err
	}
	return set, nil
}

// mustScale50 is the --scale 50 set, or under -benchtime 1x (unless full)
// its cut-down version.
func mustScale50(tb testing.TB, full bool) *demoSet {
	tb.Helper()
	get := scale50
	if !full && smokeRun() {
		get = scale50Smoke
	}
	set, err := get()
	if err != nil {
		tb.Fatal(err)
	}
	return set
}

// copySet copies the data set's database into a fresh directory.
func copySet(tb testing.TB, set *demoSet) string {
	tb.Helper()
	dir := tb.TempDir()
	src, err := os.Open(filepath.Join(set.dir, localstore.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	defer src.Close()
	dst, err := os.Create(filepath.Join(dir, localstore.FileName))
	if err != nil {
		tb.Fatal(err)
	}
	if _, err := io.Copy(dst, src); err != nil {
		tb.Fatal(err)
	}
	if err := dst.Close(); err != nil {
		tb.Fatal(err)
	}
	return dir
}

// served is a running `pamd serve` and how long it took to answer.
type served struct {
	cmd         *exec.Cmd
	addr        string
	firstAnswer time.Duration // from the process's start to its first 200 on /api/v1/health
}

// serveTimed starts `pamd serve` on dataDir and polls /api/v1/health
// until it answers 200.
func serveTimed(tb testing.TB, bin, dataDir string, env ...string) *served {
	tb.Helper()
	s := &served{addr: freePort(tb)}
	s.cmd = exec.Command(bin, "serve", "--data-dir", dataDir, "--listen", s.addr, "--log-level", "warn",
		"--token-rate", "0") // the load measures the daemon, not the limiter
	s.cmd.Env = append(os.Environ(), env...)
	client := &http.Client{Timeout: 5 * time.Second}
	start := time.Now()
	if err := s.cmd.Start(); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(s.stop)
	for {
		resp, err := client.Get("http://" + s.addr + "/api/v1/health")
		if err == nil {
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode == 200 {
				s.firstAnswer = time.Since(start)
				return s
			}
		}
		if time.Since(start) > time.Minute {
			tb.Fatalf("pamd serve did not answer health within a minute")
		}
		time.Sleep(time.Millisecond)
	}
}

func (s *served) stop() {
	if s.cmd.ProcessState == nil {
		s.cmd.Process.Signal(syscall.SIGTERM)
		s.cmd.Wait()
	}
}

// msOf is d in milliseconds.
func msOf(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }

// pct is the p-th quantile of sorted durations.
func pct(sorted []time.Duration, p float64) time.Duration {
	return sorted[min(len(sorted)-1, int(p*float64(len(sorted))))]
}

// BenchmarkServeHealth is issue 10's acceptance 3 on the real binary:
// `pamd serve` on the --scale 50 set with a 100,000-row change log. Each
// iteration starts the daemon and reports the time from the process's
// start to its first answer on /api/v1/health (start_ms, the worst over
// the iterations; goal < 300 ms), then asks health 5,000 times, one after
// the other, from the moment it answers (the start-up quick check still
// reading the file): health_p50_ms and health_p99_ms (goal < 5 ms).
func BenchmarkServeHealth(b *testing.B) {
	bin := mustBuildShipped(b)
	set := mustScale50(b, false)
	client := &http.Client{Timeout: 5 * time.Second}
	b.ResetTimer()
	var starts, lat []time.Duration
	for i := 0; i < b.N; i++ {
		s := serveTimed(b, bin, set.dir)
		starts = append(starts, s.firstAnswer)
		url := "http://" + s.addr + "/api/v1/health"
		for range 5000 {
			t0 := time.Now()
			resp, err := client.Get(url)
			if err != nil {
				b.Fatal(err)
			}
			io.Copy(io.Discard, resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 {
				b.Fatalf("health: %d", resp.StatusCode)
			}
			lat = append(lat, time.Since(t0))
		}
		s.stop()
	}
	slices.Sort(lat)
	b.ReportMetric(msOf(slices.Max(starts)), "start_ms")
	b.ReportMetric(msOf(pct(lat, 0.50)), "health_p50_ms")
	b.ReportMetric(msOf(pct(lat, 0.99)), "health_p99_ms")
	b.ReportMetric(float64(set.changes), "changes")
	b.ReportMetric(float64(set.scale), "scale")
}

// rssOf reads a process's resident set and its peak (VmRSS, VmHWM) from
// /proc, in bytes.
func rssOf(tb testing.TB, pid int) (rss, hwm int64) {
	tb.Helper()
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		tb.Fatal(err)
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		k, v, ok := strings.Cut(sc.Text(), ":")
		if !ok || (k != "VmRSS" && k != "VmHWM") {
			continue
		}
		kb, err := strconv.ParseInt(strings.TrimSuffix(strings.TrimSpace(v), " kB"), 10, 64)
		if err != nil {
			tb.Fatalf("%s: %q: %v", k, v, err)
		}
		if k == "VmRSS" {
			rss = kb << 10
		} else {
			hwm = kb << 10
		}
	}
	return rss, hwm
}

// mixedLoad is what 16 dashboard and phone clients ask of one daemon: the
// panels' lists (most recent first, a month of expenses anywhere in the
// set's history, pages further down), single rows, the budget summary,
// and writes — a new expense or an edited one in one request of ten.
type mixedLoad struct {
	base, token string
	client      *http.Client
	years       int

	mu  sync.Mutex
	ids []string // expenses created by the load, for edits
}

func (l *mixedLoad) do(tb testing.TB, method, path, body string) {
	req, _ := http.NewRequest(method, l.base+path, strings.NewReader(body))
	req.Header.Set("Authorization", "Bearer "+l.token)
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := l.client.Do(req)
	if err != nil {
		tb.Error(err)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 300 {
		msg, _ := io.ReadAll(io.LimitReader(resp.Body, 512))
		tb.Errorf("%s %s: %d %s", method, path, resp.StatusCode, msg)
		return
	}
	if method == "POST" && strings.HasPrefix(path, "/api/v1/wins/expenses") {
		var buf [4096]byte
		n, _ := io.ReadFull(resp.Body, buf[:])
		if _, rest, ok := strings.Cut(string(buf[:n]), `"id":"`); ok {
			if id, _, ok := strings.Cut(rest, `"`); ok {
				l.mu.Lock()
				l.ids = append(l.ids, id)
				l.mu.Unlock()
			}
		}
	}
	io.Copy(io.Discard, resp.Body)
}

func (l *mixedLoad) step(tb testing.TB, rnd *rand.Rand) {
	day := time.Date(2026-rnd.IntN(l.years), time.Month(1+rnd.IntN(12)), 1, 0, 0, 0, 0, time.UTC)
	switch k := rnd.IntN(20); {
	case k < 4:
		l.do(tb, "GET", "/api/v1/wins/expenses?order=-date&limit=20", "")
	case k < 8:
		l.do(tb, "GET", fmt.Sprintf("/api/v1/wins/expenses?date.gte=%s&date.lt=%s&order=-date&limit=200",
			day.Format("2006-01-02"), day.AddDate(0, 1, 0).Format("2006-01-02")), "")
	case k < 10:
		l.do(tb, "GET", fmt.Sprintf("/api/v1/wins/expenses?order=-date&limit=50&offset=%d", 50*rnd.IntN(200)), "")
	case k < 11:
		l.do(tb, "GET", "/api/v1/wheels/fuel?order=-date&limit=50", "")
	case k < 12:
		l.do(tb, "GET", "/api/v1/wins/income?order=-date&limit=20", "")
	case k < 13:
		l.do(tb, "GET", "/api/v1/wheels/maintenance?order=-date&limit=20", "")
	case k < 14:
		l.do(tb, "GET", "/api/v1/wheels/trips?order=-start_date&limit=10", "")
	case k < 15:
		l.do(tb, "GET", "/api/v1/wheels/camping?limit=50", "")
	case k < 16:
		l.do(tb, "POST", "/api/v1/pam/database/read", `{"table":"budget_summary"}`)
	case k < 17:
		l.do(tb, "GET", "/api/v1/social/posts?order=-created_at&limit=20", "")
	case k < 19:
		l.do(tb, "POST", "/api/v1/wins/expenses", fmt.Sprintf(`{"amount":"%d.50","category":"dining","date":"%s","description":"load"}`,
			1+rnd.IntN(90), day.AddDate(0, 0, rnd.IntN(28)).Format("2006-01-02")))
	default:
		l.mu.Lock()
		var id string
		if len(l.ids) > 0 {
			id = l.ids[rnd.IntN(len(l.ids))]
		}
		l.mu.Unlock()
		if id != "" {
			l.do(tb, "POST", "/api/v1/pam/database/update", fmt.Sprintf(`{"table":"expenses","id":%q,"data":{"amount":"%d.25"}}`, id, 1+rnd.IntN(90)))
		}
	}
}

// BenchmarkServeMemory is issue 10's acceptance 4 on the real binary:
// `pamd serve` on a copy of the --scale 50 set (with its 100,000-row
// change log), its resident memory read from /proc: idle_MiB 15 s after
// start with no request (goal < 50 MiB); peak_MiB, the process's high-water
// mark (VmHWM) through 30 s of 16 clients' mixed load (goal < 150 MiB);
// after_MiB 30 s after the load ends (goal < 100 MiB). It takes over a
// minute, so it runs only with PAM_BENCH_MEMORY=1 (make bench sets it).
func BenchmarkServeMemory(b *testing.B) {
	if os.Getenv("PAM_BENCH_MEMORY") != "1" {
		b.Skip("over a minute of load: set PAM_BENCH_MEMORY=1 (make bench does)")
	}
	bin := mustBuildShipped(b)
	set := mustScale50(b, true)
	const clients, load, settle, idle = 16, 30 * time.Second, 30 * time.Second, 15 * time.Second
	var idleRSS, peak, after int64
	var requests int64
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		dir := copySet(b, set)
		s := serveTimed(b, bin, dir)
		token := issueToken(b, bin, dir, demo.UserA)
		time.Sleep(idle)
		r, _ := rssOf(b, s.cmd.Process.Pid)
		idleRSS = max(idleRSS, r)

		l := &mixedLoad{base: "http://" + s.addr, token: token, years: set.scale,
			client: &http.Client{Timeout: 30 * time.Second, Transport: &http.Transport{MaxIdleConnsPerHost: clients}}}
		stop := time.Now().Add(load)
		var wg sync.WaitGroup
		var mu sync.Mutex
		for c := range clients {
			wg.Add(1)
			go func() {
				defer wg.Done()
				rnd := rand.New(rand.NewPCG(uint64(c), uint64(i)))
				n := int64(0)
				for time.Now().Before(stop) && !b.Failed() {
					l.step(b, rnd)
					n++
				}
				mu.Lock()
				requests += n
				mu.Unlock()
			}()
		}
		wg.Wait()
		_, hwm := rssOf(b, s.cmd.Process.Pid)
		peak = max(peak, hwm)
		l.client.CloseIdleConnections()
		time.Sleep(settle)
		r, _ = rssOf(b, s.cmd.Process.Pid)
		after = max(after, r)
		s.stop()
	}
	b.ReportMetric(float64(idleRSS)/(1<<20), "idle_MiB")
	b.ReportMetric(float64(peak)/(1<<20), "peak_MiB")
	b.ReportMetric(float64(after)/(1<<20), "after_MiB")
	b.ReportMetric(float64(requests)/(float64(b.N)*load.Seconds()), "req/s")
	b.ReportMetric(float64(set.scale), "scale")
}
