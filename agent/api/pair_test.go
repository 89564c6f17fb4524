package api_test

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/api"
)

// clock is a settable test clock.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }
func (c *clock) Add(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// pairFrom posts a pairing request as if from addr.
func pairFrom(tb testing.TB, h http.Handler, addr, authz string, body map[string]any) (int, map[string]any, http.Header) {
	tb.Helper()
	raw, _ := json.Marshal(body)
	req := httptest.NewRequest("POST", "/api/v1/auth/pair", bytes.NewReader(raw))
	req.RemoteAddr = addr
	req.Host = "127.0.0.1:8000"
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	out := map[string]any{}
	json.Unmarshal(rec.Body.Bytes(), &out)
	return rec.Code, out, rec.Result().Header
}

func newPairEnv(t *testing.T) (*testEnv, *api.Server, *clock) {
	t.Helper()
	clk := &clock{t: time.Now()}
	var a *api.Server
	e := newAuthEnv(t, func(s *api.Server) { a, s.Now = s, clk.Now })
	return e, a, clk
}

func TestPairCodeWorksOnceThenExpires(t *testing.T) {
	e, a, clk := newPairEnv(t)
	h := a.Handler()
	code, _, err := a.NewPairCode("", api.DefaultPairTTL)
	if err != nil {
		t.Fatal(err)
	}
	if len(code) != 9 || code[4] != '-' {
		t.Fatalf("code %q, want XXXX-XXXX", code)
	}
	status, body, _ := pairFrom(t, h, "192.168.1.20:5000", "", map[string]any{"code": strings.ToLower(code), "name": "Bob's phone"})
	if status != 201 || !strings.HasPrefix(fmt.Sprint(body["token"]), "pam_") {
		t.Fatalf("pair: %d %v", status, body)
	}
	tok, user := body["token"].(string), body["user_id"].(string)
	if status, _ := e.do(t, tok, "GET", "/api/v1/wins/expenses", nil); status != 200 {
		t.Fatalf("paired phone's token: %d", status)
	}
	// Its user is now one of the device's: their Supabase JWT is accepted.
	if status, _ := e.get(t, "Bearer "+signJWT(t, claims(user, nil)), "/api/v1/wins/expenses"); status != 200 {
		t.Fatalf("paired user's JWT: %d", status)
	}
	if status, _, _ := pairFrom(t, h, "192.168.1.21:5000", "", map[string]any{"code": code, "name": "again"}); status != 401 {
		t.Fatalf("the code a second time: %d, want 401", status)
	}
	// Revoked at once.
	if _, err := e.store.RevokeToken(t.Context(), "", body["token_id"].(string)); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.do(t, tok, "GET", "/api/v1/wins/expenses", nil); status != 401 {
		t.Fatalf("revoked paired token: %d, want 401", status)
	}

	t.Run("Expires", func(t *testing.T) {
		code, _, err := a.NewPairCode("", 5*time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		clk.Add(5*time.Minute + time.Second)
		if status, body, _ := pairFrom(t, h, "192.168.1.22:5000", "", map[string]any{"code": code, "name": "late"}); status != 401 {
			t.Fatalf("expired code: %d %v", status, body)
		}
	})
	t.Run("BoundToUserWithJWT", func(t *testing.T) {
		code, _, err := a.NewPairCode(carol, time.Minute)
		if err != nil {
			t.Fatal(err)
		}
		if status, _, _ := pairFrom(t, h, "192.168.1.23:5000", "Bearer "+signJWT(t, claims(bob, nil)), map[string]any{"code": code}); status != 403 {
			t.Fatalf("code for carol used with bob's JWT: %d, want 403", status)
		}
		code, _, _ = a.NewPairCode("", time.Minute)
		status, body, _ := pairFrom(t, h, "192.168.1.23:5000", "Bearer "+signJWT(t, claims(carol, nil)), map[string]any{"code": code})
		if status != 201 || body["user_id"] != carol {
			t.Fatalf("online pairing with carol's JWT: %d %v", status, body)
		}
	})
}

func TestPairCodeCannotBeGuessed(t *testing.T) {
	t.Run("OneAddress", func(t *testing.T) {
		_, a, _ := newPairEnv(t)
		h := a.Handler()
		code, _, _ := a.NewPairCode("", api.DefaultPairTTL)
		limited := 0
		for i := range 1000 {
			status, body, hdr := pairFrom(t, h, "192.168.1.66:4000", "", map[string]any{"code": fmt.Sprintf("%08d", i), "name": "x"})
			switch status {
			case 401:
			case 429:
				limited++
				if hdr.Get("Retry-After") == "" {
					t.Fatal("429 without Retry-After")
				}
			default:
				t.Fatalf("guess %d: %d %v", i, status, body)
			}
		}
		if limited < 990 {
			t.Fatalf("%d of 1,000 guesses from one address were limited, want all but the first few", limited)
		}
		// The owner's phone, from another address, still pairs: five
		// wrong guesses did not burn the code.
		if status, body, _ := pairFrom(t, h, "192.168.1.20:5000", "", map[string]any{"code": code, "name": "Bob"}); status != 201 {
			t.Fatalf("the right code after the attack: %d %v", status, body)
		}
	})
	t.Run("ManyAddresses", func(t *testing.T) {
		_, a, _ := newPairEnv(t)
		h := a.Handler()
		code, _, _ := a.NewPairCode("", api.DefaultPairTTL)
		for i := range 1000 {
			addr := fmt.Sprintf("10.0.%d.%d:4000", i/250, i%250)
			status, body, _ := pairFrom(t, h, addr, "", map[string]any{"code": fmt.Sprintf("%08d", i), "name": "x"})
			if status == 201 {
				t.Fatalf("guess %d found a code: %v", i, body)
			}
		}
		// The code was burned by the wrong guesses: even the right one is
		// refused now; the owner shows a new one.
		if status, body, _ := pairFrom(t, h, "192.168.1.20:5000", "", map[string]any{"code": code, "name": "Bob"}); status != 401 || !strings.Contains(fmt.Sprint(body["detail"]), "pamd pair") {
			t.Fatalf("the right code after 1,000 wrong ones: %d %v, want 401 asking for a new code", status, body)
		}
	})
}

func TestPairCodeFromTheDashboard(t *testing.T) {
	e, a, _ := newPairEnv(t)
	if err := e.store.SetOwner(t.Context(), alice); err != nil {
		t.Fatal(err)
	}
	if status, _ := e.do(t, e.bob, "POST", "/api/v1/auth/pair/code", nil); status != 403 {
		t.Fatalf("a code for a user who is not the owner: %d, want 403", status)
	}
	status, body := e.do(t, e.alice, "POST", "/api/v1/auth/pair/code", nil)
	code, _ := body["code"].(string)
	if status != 201 || len(code) != 9 || body["expires_at"] == nil {
		t.Fatalf("owner's code: %d %v", status, body)
	}
	if status, body, _ := pairFrom(t, a.Handler(), "192.168.1.20:5000", "", map[string]any{"code": code, "name": "Dan"}); status != 201 {
		t.Fatalf("pairing with the dashboard's code: %d %v", status, body)
	}
}

func TestPairCodeForTheOwnersOwnPhone(t *testing.T) {
	e, a, _ := newPairEnv(t)
	if err := e.store.SetOwner(t.Context(), alice); err != nil {
		t.Fatal(err)
	}
	status, body := e.do(t, e.alice, "POST", "/api/v1/auth/pair/code", map[string]any{"same_user": true})
	code, _ := body["code"].(string)
	if status != 201 || len(code) != 9 {
		t.Fatalf("owner's code for their own phone: %d %v", status, body)
	}
	status, body, _ = pairFrom(t, a.Handler(), "192.168.1.20:5000", "", map[string]any{"code": code, "label": "alice's phone"})
	if status != 201 || body["user_id"] != alice {
		t.Fatalf("pairing the owner's phone: %d %v, want the owner's user %s", status, body, alice)
	}
	if status, _ := e.do(t, e.alice, "POST", "/api/v1/auth/pair/code", map[string]any{"same_user": "yes"}); status != 400 {
		t.Fatalf("a malformed body: %d, want 400", status)
	}
}
