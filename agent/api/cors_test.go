package api_test

import (
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/pam-rv/pamd/agent/api"
)

func TestCORSForConfiguredOriginsOnly(t *testing.T) {
	const app = "https://app.wheelsandwins.com"
	var a *api.Server
	e := newAuthEnv(t, func(s *api.Server) { a, s.CORSOrigins = s, []string{app} })
	h := a.Handler()
	send := func(method, origin string, hdr map[string]string) *http.Response {
		t.Helper()
		req := httptest.NewRequest(method, "/api/v1/wins/expenses", nil)
		req.Host = "192.168.1.5:8000"
		req.RemoteAddr = "192.168.1.30:5000"
		if origin != "" {
			req.Header.Set("Origin", origin)
		}
		for k, v := range hdr {
			req.Header.Set(k, v)
		}
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, req)
		return rec.Result()
	}
	preflight := map[string]string{
		"Access-Control-Request-Method":          "POST",
		"Access-Control-Request-Headers":         "authorization, content-type",
		"Access-Control-Request-Private-Network": "true",
	}
	t.Run("Preflight", func(t *testing.T) {
		resp := send("OPTIONS", app, preflight)
		hd := resp.Header
		if resp.StatusCode != 204 || hd.Get("Access-Control-Allow-Origin") != app || hd.Get("Access-Control-Allow-Private-Network") != "true" ||
			hd.Get("Access-Control-Allow-Methods") == "" || hd.Get("Access-Control-Allow-Headers") == "" {
			t.Fatalf("preflight: %d %v", resp.StatusCode, hd)
		}
		if hd.Get("Access-Control-Allow-Credentials") != "" {
			t.Fatalf("credentials offered: %v", hd)
		}
	})
	t.Run("PreflightOtherOrigin", func(t *testing.T) {
		for _, o := range []string{"https://evil.example", "http://localhost:5173", "null"} {
			resp := send("OPTIONS", o, preflight)
			if resp.StatusCode != 403 || resp.Header.Get("Access-Control-Allow-Origin") != "" || resp.Header.Get("Access-Control-Allow-Private-Network") != "" {
				t.Fatalf("preflight from %s: %d %v", o, resp.StatusCode, resp.Header)
			}
		}
	})
	t.Run("ActualRequest", func(t *testing.T) {
		resp := send("GET", app, map[string]string{"Authorization": "Bearer " + e.alice})
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != app || resp.Header.Get("Access-Control-Expose-Headers") == "" {
			t.Fatalf("GET from the app: %d %v", resp.StatusCode, resp.Header)
		}
		resp = send("GET", "", map[string]string{"Authorization": "Bearer " + e.alice})
		if resp.StatusCode != 200 || resp.Header.Get("Access-Control-Allow-Origin") != "" {
			t.Fatalf("GET without Origin: %d %v", resp.StatusCode, resp.Header)
		}
	})
	t.Run("NeverWildcard", func(t *testing.T) {
		var b *api.Server
		newAuthEnv(t, func(s *api.Server) { b = s })
		req := httptest.NewRequest("OPTIONS", "/api/v1/wins/expenses", nil)
		req.Header.Set("Origin", app)
		req.Header.Set("Access-Control-Request-Method", "GET")
		rec := httptest.NewRecorder()
		b.Handler().ServeHTTP(rec, req)
		if got := rec.Header().Get("Access-Control-Allow-Origin"); got != "" || rec.Code == 204 {
			t.Fatalf("no origins configured: %d, Allow-Origin %q", rec.Code, got)
		}
	})
}
