package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pam-rv/pamd/agent/api"
)

// TestRequestRateLimits: past its burst a token gets 429 with Retry-After
// while another token goes on; a LAN address past its burst gets 429
// before any work while another address and loopback go on.
func TestRequestRateLimits(t *testing.T) {
	e := newTestEnv(t)
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.SetRateLimits(5, 1, 10, 1)
	h := a.Handler()
	e.srv.Config.Handler = h

	for i := range 5 {
		if status, body := e.do(t, e.alice, "GET", "/api/v1/pam/database/stats", nil); status != 200 {
			t.Fatalf("alice request %d: %d %v", i, status, body)
		}
	}
	req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/pam/database/stats", nil)
	req.Header.Set("Authorization", "Bearer "+e.alice)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "1" {
		t.Fatalf("alice past her burst: %d Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if status, _ := e.do(t, e.bob, "GET", "/api/v1/pam/database/stats", nil); status != 200 {
		t.Fatalf("bob is limited by alice's use: %d", status)
	}

	from := func(addr string) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", "/api/v1/health", nil)
		r.Host, r.RemoteAddr = "127.0.0.1:8000", addr
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	for i := range 10 {
		if w := from("192.168.1.50:4000"); w.Code != 200 {
			t.Fatalf("LAN request %d: %d %s", i, w.Code, w.Body)
		}
	}
	if w := from("192.168.1.50:4001"); w.Code != http.StatusTooManyRequests || w.Header().Get("Retry-After") == "" {
		t.Fatalf("LAN address past its burst: %d %s", w.Code, w.Body)
	}
	if w := from("192.168.1.51:4000"); w.Code != 200 {
		t.Fatalf("another address: %d", w.Code)
	}
	for range 20 {
		if w := from("127.0.0.1:5000"); w.Code != 200 {
			t.Fatalf("loopback is limited per address: %d", w.Code)
		}
	}
}
