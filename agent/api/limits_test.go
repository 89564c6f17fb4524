package api_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"runtime"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/pam-rv/pamd/agent/api"
)

// serveFrom answers one request as if it came from addr.
func serveFrom(h http.Handler, addr, authz, origin string) *http.Response {
	req := httptest.NewRequest("GET", "/api/v1/wins/expenses", nil)
	req.RemoteAddr = addr
	req.Host = "127.0.0.1:8000"
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	if origin != "" {
		req.Header.Set("Origin", origin)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec.Result()
}

func TestBadTokensFromOneAddressGet429(t *testing.T) {
	var a *api.Server
	e := newAuthEnv(t, func(s *api.Server) { a = s })
	h := a.Handler()
	const attacker = "192.168.1.66:40000"
	var first429 int
	for i := range 1000 {
		bad := "Bearer pam_" + strconv.Itoa(i)
		if i%2 == 1 {
			bad = "Bearer " + signJWT(t, claims(bob, map[string]any{"aud": "wrong"}))
		}
		resp := serveFrom(h, attacker, bad, "")
		switch resp.StatusCode {
		case 401:
			if first429 != 0 {
				t.Fatalf("guess %d: 401 after a 429 at %d: the lock-out lifted during the attack", i, first429)
			}
		case 429:
			if first429 == 0 {
				first429 = i
			}
			if ra, err := strconv.Atoi(resp.Header.Get("Retry-After")); err != nil || ra < 1 {
				t.Fatalf("guess %d: 429 with Retry-After %q", i, resp.Header.Get("Retry-After"))
			}
		default:
			t.Fatalf("guess %d: status %d", i, resp.StatusCode)
		}
	}
	if first429 == 0 || first429 > 20 {
		t.Fatalf("first 429 at guess %d, want within the first 20", first429)
	}
	// The attacker's address is locked out even with a good token; others
	// are not.
	if resp := serveFrom(h, attacker, "Bearer "+e.alice, ""); resp.StatusCode != 429 {
		t.Fatalf("good token from the locked-out address: %d, want 429", resp.StatusCode)
	}
	if resp := serveFrom(h, "192.168.1.10:5000", "Bearer "+e.alice, ""); resp.StatusCode != 200 {
		t.Fatalf("good token from another address: %d", resp.StatusCode)
	}
	// A client not yet signed in (no token) is not a guess.
	for range 100 {
		if resp := serveFrom(h, "192.168.1.11:5000", "", ""); resp.StatusCode != 401 {
			t.Fatalf("no token: %d, want 401", resp.StatusCode)
		}
	}
}

// TestBadTokensFromManyAddresses: 20,000 addresses guessing keep the
// limiter's memory bounded (measured), and addresses beyond its table share
// one bucket, so rotating addresses does not buy more guesses.
func TestBadTokensFromManyAddresses(t *testing.T) {
	var a *api.Server
	newAuthEnv(t, func(s *api.Server) { a = s })
	h := a.Handler()
	var before, after runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	got401 := 0
	for i := range 20000 {
		addr := fmt.Sprintf("10.%d.%d.%d:1234", i>>16&255, i>>8&255, i&255)
		if serveFrom(h, addr, "Bearer pam_guess"+strconv.Itoa(i), "").StatusCode == 401 {
			got401++
		}
	}
	runtime.GC()
	runtime.ReadMemStats(&after)
	grew := int64(after.HeapAlloc) - int64(before.HeapAlloc)
	t.Logf("20,000 guessing addresses: %d checked (401), heap grew %d KiB", got401, grew>>10)
	if got401 > 4096+20+100 {
		t.Fatalf("%d guesses were checked from rotating addresses, want at most the table's 4096 plus one bucket", got401)
	}
	if grew > 8<<20 {
		t.Fatalf("heap grew %d bytes for the limiter, want bounded (< 8 MiB)", grew)
	}
}

func TestWebSocketsPerUserCapped(t *testing.T) {
	e := newAuthEnv(t, func(s *api.Server) {
		s.WebSocketsPerUser = 3
		s.Handle("GET /ws/test", func(w http.ResponseWriter, r *http.Request, user string) {
			c, err := websocket.Accept(w, r, nil)
			if err != nil {
				return
			}
			defer c.CloseNow()
			c.Read(r.Context()) // until the client goes
		})
	})
	ctx := context.Background()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws/test"
	dial := func(tok string) (*websocket.Conn, int) {
		t.Helper()
		c, resp, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: http.Header{"Authorization": {"Bearer " + tok}}})
		if err != nil {
			if resp == nil {
				t.Fatal(err)
			}
			return nil, resp.StatusCode
		}
		return c, 101
	}
	var open []*websocket.Conn
	for i := range 3 {
		c, status := dial(e.alice)
		if status != 101 {
			t.Fatalf("socket %d: %d", i, status)
		}
		open = append(open, c)
	}
	if _, status := dial(e.alice); status != 429 {
		t.Fatalf("4th socket of one user: %d, want 429", status)
	}
	if c, status := dial(e.bob); status != 101 {
		t.Fatalf("another user's socket: %d", status)
	} else {
		c.CloseNow()
	}
	open[0].Close(websocket.StatusNormalClosure, "")
	var status int
	for range 100 { // the server sees the close a moment later
		var c *websocket.Conn
		if c, status = dial(e.alice); status == 101 {
			c.CloseNow()
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status != 101 {
		t.Fatalf("a socket after one closed: %d", status)
	}
	for _, c := range open[1:] {
		c.CloseNow()
	}
}

func TestWebSocketOriginMustBeOurs(t *testing.T) {
	var a *api.Server
	e := newAuthEnv(t, func(s *api.Server) {
		a = s
		s.AllowedHosts = []string{"pam.local"}
		s.CORSOrigins = []string{"https://app.wheelsandwins.com"}
	})
	h := a.Handler()
	tests := []struct {
		origin string
		want   int
	}{
		{"http://127.0.0.1:8000", 200}, // our own page
		{"http://localhost:5173", 200},
		{"http://127.0.0.1:3000", 200},
		{"http://[::1]:3000", 200},
		{"http://pam.local:8000", 200},
		{"https://app.wheelsandwins.com", 200},
		{"http://192.168.1.50:8000", 403}, // a bare IP is not ours
		{"http://10.0.0.1", 403},
		{"null", 403},
		{"https://evil.example", 403},
		{"https://app.wheelsandwins.com.evil.example", 403},
		{"file://", 403},
	}
	for _, tt := range tests {
		t.Run(tt.origin, func(t *testing.T) {
			resp := serveFrom(h, "127.0.0.1:5000", "Bearer "+e.alice, tt.origin)
			io.Copy(io.Discard, resp.Body)
			if resp.StatusCode != tt.want {
				t.Fatalf("status %d, want %d", resp.StatusCode, tt.want)
			}
		})
	}
}

// TestSlowBodiesAreCut: 3,000 clients trickling request bodies are all
// disconnected by the server's read timeout (shortened here), the
// connection cap keeps at most MaxConns of them inside the server at once,
// and the server's memory while they wait is bounded (measured).
func TestSlowBodiesAreCut(t *testing.T) {
	e := newAuthEnv(t, nil)
	srv := api.NewHTTPServer(e.srv.Config.Handler)
	if srv.ReadTimeout == 0 || srv.WriteTimeout == 0 || srv.IdleTimeout == 0 || srv.ReadHeaderTimeout == 0 || srv.MaxHeaderBytes == 0 {
		t.Fatalf("server without limits: %+v", srv)
	}
	srv.ReadTimeout = 500 * time.Millisecond
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	go srv.Serve(api.LimitListener(l, api.MaxConns))
	defer srv.Close()
	var before, peak runtime.MemStats
	runtime.GC()
	runtime.ReadMemStats(&before)
	const n = 3000
	conns := make([]net.Conn, 0, n)
	for range n {
		c, err := net.Dial("tcp", l.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		fmt.Fprintf(c, "POST /api/v1/pam/database/create HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: 100000\r\n\r\n{", e.alice)
		conns = append(conns, c)
	}
	runtime.ReadMemStats(&peak)
	grew := int64(peak.HeapInuse+peak.StackInuse) - int64(before.HeapInuse+before.StackInuse)
	t.Logf("%d slow bodies open: heap+stacks grew %d MiB (%d goroutines)", n, grew>>20, runtime.NumGoroutine())
	if grew > 128<<20 {
		t.Fatalf("memory grew %d MiB with %d slow clients, want bounded by the connection cap", grew>>20, n)
	}
	// Every connection is answered or closed by the server; none is left
	// waiting for the rest of its body.
	for i, c := range conns {
		c.SetReadDeadline(time.Now().Add(2 * time.Minute)) // a hang guard, not a budget
		_, err := io.Copy(io.Discard, c)
		if ne, ok := err.(net.Error); ok && ne.Timeout() {
			t.Fatalf("connection %d still open: the server did not cut the slow body", i)
		}
	}
}
