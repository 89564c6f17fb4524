package api_test

import (
	"context"
	"io"
	"net/http"
	"testing"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// TestHealthFromMemory: /api/v1/health answers without credentials from the
// store's last verdict, with its age; /api/v1/health/detailed runs a full
// check on demand and renews the verdict.
func TestHealthFromMemory(t *testing.T) {
	e := newTestEnv(t)
	// A write waits for the check at open, so its verdict is in by now.
	if _, err := e.store.Create(context.Background(), alice, "profiles", schema.Row{}); err != nil {
		t.Fatal(err)
	}
	status, body := e.do(t, "", "GET", "/api/v1/health", nil)
	integrity, _ := body["integrity"].(map[string]any)
	if status != 200 || body["status"] != "ok" || integrity["status"] != "ok" || integrity["check"] != "quick_check" ||
		integrity["checked_at"] == nil || integrity["age_seconds"] == nil {
		t.Fatalf("health: %d %v", status, body)
	}
	if status, _ := e.do(t, "", "GET", "/api/v1/health/detailed", nil); status != 401 {
		t.Fatalf("detailed health without a token: %d, want 401", status)
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/health/detailed", nil)
	if status != 200 || body["status"] != "ok" {
		t.Fatalf("detailed health: %d %v", status, body)
	}
	_, body = e.do(t, "", "GET", "/api/v1/health", nil)
	if got := body["integrity"].(map[string]any)["check"]; got != "integrity_check" {
		t.Fatalf("after an on-demand check the verdict comes from %v, want integrity_check", got)
	}
}

// BenchmarkHealth: GET /api/v1/health through the whole HTTP stack over
// the demo data set, one request at a time. It reads memory only, so its
// latency must not grow with the database.
func BenchmarkHealth(b *testing.B) {
	e, _, _ := demoEnv(b)
	client := e.srv.Client()
	url := e.srv.URL + "/api/v1/health"
	get := func() {
		resp, err := client.Get(url)
		if err != nil {
			b.Fatal(err)
		}
		io.Copy(io.Discard, resp.Body)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			b.Fatalf("status %d", resp.StatusCode)
		}
	}
	get()
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
