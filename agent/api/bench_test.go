package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

func reportLatency(b *testing.B, lat []time.Duration) {
	b.Helper()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Nanoseconds()) / 1e3 }
	b.ReportMetric(q(0.50), "p50-µs")
	b.ReportMetric(q(0.99), "p99-µs")
}

// BenchmarkHTTPCachedRead: a point read through the whole HTTP stack (auth,
// routing, cache hit, JSON) over loopback, one request at a time.
func BenchmarkHTTPCachedRead(b *testing.B) {
	e := newTestEnv(b)
	row, err := e.store.Create(context.Background(), alice, "expenses", schema.Row{"amount": "12.34", "category": "fuel", "date": "2026-03-01"})
	if err != nil {
		b.Fatal(err)
	}
	url := e.srv.URL + "/api/v1/wins/expenses/" + row["id"].(string)
	client := e.srv.Client()
	get := func() {
		req, _ := http.NewRequest("GET", url, nil)
		req.Header.Set("Authorization", "Bearer "+e.alice)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get()
	e.store.Cache().Wait()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		start := time.Now()
		get()
		lat = append(lat, time.Since(start))
	}
	b.StopTimer()
	b.ReportMetric(float64(b.N)/b.Elapsed().Seconds(), "req/s")
	reportLatency(b, lat)
}

// BenchmarkDashboardReplay replays what the in-vehicle dashboard reads
// while it is open (each panel refreshes on a timer, the user adds an entry
// now and then) against the demo data set, and reports the cache hit rate.
func BenchmarkDashboardReplay(b *testing.B) {
	e, token, now := demoEnv(b)
	month := now.Format("2006-01")
	reads := []string{
		"/api/v1/wins/expenses?order=-date&limit=20",
		"/api/v1/wins/expenses?date.gte=" + month + "-01&order=-date&limit=200",
		"/api/v1/wins/budgets?end_date.gte=" + now.Format("2006-01-02") + "&limit=50",
		"/api/v1/wins/income?order=-date&limit=20",
		"/api/v1/wheels/fuel?order=-date&limit=10",
		"/api/v1/wheels/maintenance?order=-date&limit=20",
		"/api/v1/wheels/trips?order=-start_date&limit=10",
		"/api/v1/wheels/camping?limit=50",
		"/api/v1/social/posts?order=-created_at&limit=20",
	}
	client := e.srv.Client()
	do := func(method, path, body string) {
		req, _ := http.NewRequest(method, e.srv.URL+path, strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode >= 300 {
			b.Fatalf("%s %s: %d", method, path, resp.StatusCode)
		}
	}
	summary := `{"table":"budget_summary","filters":{"end_date":{"op":"gte","value":"` + now.Format("2006-01-02") + `"}}}`
	before := e.store.Cache().Stats()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		// One dashboard refresh: every panel, then (one refresh in 20)
		// the user logs an expense, which invalidates the money panels.
		for _, p := range reads {
			do("GET", p, "")
		}
		do("POST", "/api/v1/pam/database/read", summary)
		if i%20 == 19 {
			do("POST", "/api/v1/wins/expenses", fmt.Sprintf(`{"amount":"4.50","category":"dining","date":"%s"}`, now.Format("2006-01-02")))
		}
		e.store.Cache().Wait()
	}
	b.StopTimer()
	after := e.store.Cache().Stats()
	hits, misses := after.Hits-before.Hits, after.Misses-before.Misses
	b.ReportMetric(100*float64(hits)/float64(max(1, hits+misses)), "hit-%")
}

// BenchmarkOfflineChatHTTP: a question answered with no network and no
// model — the offline answerer over the demo data — end to end through
// POST /api/v1/pam/chat (session, tool, memory and analytics writes
// included).
func BenchmarkOfflineChatHTTP(b *testing.B) {
	e, token, _ := demoEnv(b)
	reg := tools.NewRegistry(e.store)
	router := llm.NewRouter(offline.New(reg))
	svc := &chat.Service{Model: router, Tools: reg, Memory: e.store, Logger: discardLogger()}
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.SetRateLimits(0, 0, 0, 0)
	a.MountAssistant(svc, reg)
	e.srv.Config.Handler = a.Handler()
	questions := []string{
		"how much did I spend this month?",
		"how much have I spent on groceries this month",
		"when is my next oil change due",
		"spent $12.50 on laundry",
	}
	client := e.srv.Client()
	lat := make([]time.Duration, 0, b.N)
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		body := fmt.Sprintf(`{"message": %q}`, questions[i%len(questions)])
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/pam/chat", strings.NewReader(body))
		req.Header.Set("Authorization", "Bearer "+token)
		start := time.Now()
		resp, err := client.Do(req)
		if err != nil {
			b.Fatal(err)
		}
		var out map[string]any
		json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		lat = append(lat, time.Since(start))
		if resp.StatusCode != 200 || out["provider"] != "offline" {
			b.Fatalf("status %d: %v", resp.StatusCode, out)
		}
	}
	b.StopTimer()
	slices.Sort(lat)
	q := func(p float64) float64 { return float64(lat[int(p*float64(len(lat)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.95), "p95-ms")
}

// demoEnv is a test server over the demo data set (scale 1) and a token of
// the demo's first user.
func demoEnv(b *testing.B) (e *testEnv, token string, now time.Time) {
	b.Helper()
	e = newTestEnv(b)
	ctx := context.Background()
	now = time.Now().UTC()
	if _, err := demo.Fill(ctx, e.store, demo.Options{Scale: 1, Now: now}); err != nil {
		b.Fatal(err)
	}
	token, err := e.store.IssueToken(ctx, demo.UserA, "bench")
	if err != nil {
		b.Fatal(err)
	}
	return e, token, now
}
