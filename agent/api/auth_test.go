package api_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/golang-jwt/jwt/v5"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
)

const carol = "0190a000-0000-7000-8000-000000000003" // has a PAM account, not on this device

const testIssuer = "https://abcd.supabase.co/auth/v1"

// newAuthEnv is newTestEnv with the API server configured by set.
func newAuthEnv(tb testing.TB, set func(*api.Server)) *testEnv {
	tb.Helper()
	ctx := context.Background()
	s := storetest.Open(tb, storetest.Options{})
	a := api.NewServer(s, s, s.Catalog)
	a.JWTSecret = jwtSecret
	a.Logger = discardLogger()
	if set != nil {
		set(a)
	}
	srv := httptest.NewServer(a.Handler())
	tb.Cleanup(srv.Close)
	env := &testEnv{srv: srv, store: s}
	var err error
	if env.alice, err = s.IssueToken(ctx, alice, "test"); err != nil {
		tb.Fatal(err)
	}
	if env.bob, err = s.IssueToken(ctx, bob, "test"); err != nil {
		tb.Fatal(err)
	}
	return env
}

func claims(sub string, extra map[string]any) map[string]any {
	c := map[string]any{"sub": sub, "aud": "authenticated", "exp": time.Now().Add(time.Hour).Unix()}
	for k, v := range extra {
		if v == nil {
			delete(c, k)
		} else {
			c[k] = v
		}
	}
	return c
}

// get sends GET path with a raw Authorization header.
func (e *testEnv) get(tb testing.TB, authz, path string) (int, string) {
	tb.Helper()
	req, err := http.NewRequest("GET", e.srv.URL+path, nil)
	if err != nil {
		tb.Fatal(err)
	}
	if authz != "" {
		req.Header.Set("Authorization", authz)
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer resp.Body.Close()
	var p api.Problem
	json.NewDecoder(resp.Body).Decode(&p)
	return resp.StatusCode, p.Detail
}

func TestJWTWhoMayUseThisDevice(t *testing.T) {
	noIssuer := newAuthEnv(t, nil)
	withIssuer := newAuthEnv(t, func(a *api.Server) { a.JWTIssuer = testIssuer })
	tests := []struct {
		name   string
		env    *testEnv
		claims map[string]any
		want   int
		detail string
	}{
		{"DeviceUser", noIssuer, claims(bob, nil), 200, ""},
		{"NotOnThisDevice", noIssuer, claims(carol, nil), 403, "pamd pair"},
		{"WrongAudience", noIssuer, claims(bob, map[string]any{"aud": "some-other-app"}), 401, "audience"},
		{"NoAudience", noIssuer, claims(bob, map[string]any{"aud": nil}), 401, "audience"},
		{"IssuerNotConfigured", noIssuer, claims(bob, map[string]any{"iss": "https://evil"}), 401, "issuer"},
		{"RightIssuer", withIssuer, claims(bob, map[string]any{"iss": testIssuer}), 200, ""},
		{"WrongIssuer", withIssuer, claims(bob, map[string]any{"iss": "https://evil"}), 401, "issuer"},
		{"MissingIssuer", withIssuer, claims(bob, nil), 401, "issuer"},
		{"RightIssuerStrangerUser", withIssuer, claims(carol, map[string]any{"iss": testIssuer}), 403, "pamd pair"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			status, detail := tt.env.get(t, "Bearer "+signJWT(t, tt.claims), "/api/v1/wins/expenses")
			if status != tt.want || !strings.Contains(detail, tt.detail) {
				t.Fatalf("status %d %q, want %d mentioning %q", status, detail, tt.want, tt.detail)
			}
		})
	}
	t.Run("PairedUserThenAccepted", func(t *testing.T) {
		if err := noIssuer.store.AddDeviceUser(context.Background(), carol, "Carol's phone"); err != nil {
			t.Fatal(err)
		}
		if status, detail := noIssuer.get(t, "Bearer "+signJWT(t, claims(carol, nil)), "/api/v1/wins/expenses"); status != 200 {
			t.Fatalf("paired user: %d %s", status, detail)
		}
	})
	t.Run("OwnerAccepted", func(t *testing.T) {
		dave := "0190a000-0000-7000-8000-000000000004"
		if err := noIssuer.store.SetOwner(context.Background(), dave); err != nil {
			t.Fatal(err)
		}
		if status, detail := noIssuer.get(t, "Bearer "+signJWT(t, claims(dave, nil)), "/api/v1/wins/expenses"); status != 200 {
			t.Fatalf("owner: %d %s", status, detail)
		}
	})
}

func TestBearerSchemeIsCaseInsensitive(t *testing.T) {
	e := newAuthEnv(t, nil)
	for _, scheme := range []string{"Bearer", "bearer", "BEARER", "bEaReR"} {
		if status, detail := e.get(t, scheme+" "+e.alice, "/api/v1/wins/expenses"); status != 200 {
			t.Errorf("%s: %d %s", scheme, status, detail)
		}
	}
	for _, bad := range []string{"Basic " + e.alice, "Bearer", "Bearerx " + e.alice, e.alice} {
		if status, _ := e.get(t, bad, "/api/v1/wins/expenses"); status != 401 {
			t.Errorf("%q: %d, want 401", bad, status)
		}
	}
}

// jwksServer serves a key set holding pub as key kid.
func jwksServer(tb testing.TB, kid string, pub *ecdsa.PublicKey) *httptest.Server {
	tb.Helper()
	raw, err := pub.Bytes() // 0x04 || X || Y
	if err != nil {
		tb.Fatal(err)
	}
	set := map[string]any{"keys": []map[string]any{{
		"kty": "EC", "crv": "P-256", "alg": "ES256", "use": "sig", "kid": kid,
		"x": base64.RawURLEncoding.EncodeToString(raw[1:33]),
		"y": base64.RawURLEncoding.EncodeToString(raw[33:]),
	}}}
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		json.NewEncoder(w).Encode(set)
	}))
	tb.Cleanup(srv.Close)
	return srv
}

func signES256(tb testing.TB, key *ecdsa.PrivateKey, kid string, c map[string]any) string {
	tb.Helper()
	tok := jwt.NewWithClaims(jwt.SigningMethodES256, jwt.MapClaims(c))
	tok.Header["kid"] = kid
	s, err := tok.SignedString(key)
	if err != nil {
		tb.Fatal(err)
	}
	return s
}

func TestJWKSVerifiesES256OnlineThenOffline(t *testing.T) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	other, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	keys := jwksServer(t, "key-1", &key.PublicKey)
	cache := filepath.Join(t.TempDir(), "jwks.json")
	c := claims(bob, map[string]any{"iss": testIssuer})
	online := newAuthEnv(t, func(a *api.Server) {
		a.JWTSecret = nil
		a.JWTIssuer = testIssuer
		a.JWKS = api.NewJWKS(keys.URL, cache)
	})
	tests := []struct {
		name string
		tok  string
		want int
	}{
		{"Valid", signES256(t, key, "key-1", c), 200},
		{"OtherKeySameKid", signES256(t, other, "key-1", c), 401},
		{"UnknownKid", signES256(t, key, "key-2", c), 401},
		{"HS256WithoutSecret", signJWT(t, c), 401},
		{"StrangerUser", signES256(t, key, "key-1", claims(carol, map[string]any{"iss": testIssuer})), 403},
	}
	for _, tt := range tests {
		t.Run("Online"+tt.name, func(t *testing.T) {
			if status, detail := online.get(t, "Bearer "+tt.tok, "/api/v1/wins/expenses"); status != tt.want {
				t.Fatalf("status %d (%s), want %d", status, detail, tt.want)
			}
		})
	}

	// The key server goes away (a dead zone); a restarted daemon verifies
	// from the cache file.
	url := keys.URL
	keys.Close()
	offline := newAuthEnv(t, func(a *api.Server) {
		a.JWTSecret = nil
		a.JWTIssuer = testIssuer
		a.JWKS = api.NewJWKS(url, cache)
	})
	for _, tt := range tests {
		t.Run("Offline"+tt.name, func(t *testing.T) {
			if status, detail := offline.get(t, "Bearer "+tt.tok, "/api/v1/wins/expenses"); status != tt.want {
				t.Fatalf("status %d (%s), want %d", status, detail, tt.want)
			}
		})
	}
}

func TestTokensListRevokeExpire(t *testing.T) {
	e := newAuthEnv(t, nil)
	ctx := context.Background()
	if err := e.store.SetOwner(ctx, alice); err != nil {
		t.Fatal(err)
	}
	list := func(tok string) []localstore.TokenInfo {
		t.Helper()
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/auth/tokens", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		var out struct{ Data []localstore.TokenInfo }
		if err := json.NewDecoder(resp.Body).Decode(&out); err != nil || resp.StatusCode != 200 {
			t.Fatalf("list tokens: %d %v", resp.StatusCode, err)
		}
		return out.Data
	}
	idOf := func(l []localstore.TokenInfo, user string) string {
		t.Helper()
		for _, ti := range l {
			if ti.UserID == user {
				return ti.ID
			}
		}
		t.Fatalf("no token of %s in %+v", user, l)
		return ""
	}

	all := list(e.alice)
	if len(all) != 2 || all[0].Label != "test" || all[0].CreatedAt.IsZero() || all[0].ExpiresAt != nil {
		t.Fatalf("owner's list: %+v", all)
	}
	if idOf(all, alice) == "" || all[0].LastUsed == nil && all[1].LastUsed == nil {
		t.Fatalf("the owner's token was just used, no last use shown: %+v", all)
	}
	if own := list(e.bob); len(own) != 1 || own[0].UserID != bob {
		t.Fatalf("bob sees %+v, want only his own token", own)
	}
	if status, _ := e.do(t, e.bob, "DELETE", "/api/v1/auth/tokens/"+idOf(all, alice), nil); status != 404 {
		t.Fatalf("bob revoking the owner's token: %d, want 404", status)
	}
	if status, _ := e.do(t, e.alice, "DELETE", "/api/v1/auth/tokens/not-an-id", nil); status != 400 {
		t.Fatalf("bad id: %d, want 400", status)
	}
	if status, body := e.do(t, e.alice, "DELETE", "/api/v1/auth/tokens/"+idOf(all, bob), nil); status != 200 {
		t.Fatalf("owner revokes bob's token: %d %v", status, body)
	}
	if status, _ := e.do(t, e.bob, "GET", "/api/v1/wins/expenses", nil); status != 401 {
		t.Fatalf("revoked token: %d, want 401 at once", status)
	}

	t.Run("Expiry", func(t *testing.T) {
		live, _, err := e.store.NewToken(ctx, bob, "phone", time.Now().Add(time.Hour))
		if err != nil {
			t.Fatal(err)
		}
		dead, _, err := e.store.NewToken(ctx, bob, "old phone", time.Now().Add(-time.Second))
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := e.do(t, live, "GET", "/api/v1/wins/expenses", nil); status != 200 {
			t.Fatalf("unexpired token: %d", status)
		}
		if status, body := e.do(t, dead, "GET", "/api/v1/wins/expenses", nil); status != 401 {
			t.Fatalf("expired token: %d %v", status, body)
		}
	})
	t.Run("RowDeletedByHand", func(t *testing.T) {
		tok, info, err := e.store.NewToken(ctx, bob, "by hand", time.Time{})
		if err != nil {
			t.Fatal(err)
		}
		if status, _ := e.do(t, tok, "GET", "/api/v1/wins/expenses", nil); status != 200 {
			t.Fatalf("new token: %d", status)
		}
		db, err := sql.Open("sqlite", e.store.Path)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Exec(`DELETE FROM _pam_tokens WHERE substr(hash, 1, 16) = ?`, info.ID); err != nil {
			t.Fatal(err)
		}
		if status, _ := e.do(t, tok, "GET", "/api/v1/wins/expenses", nil); status != 401 {
			t.Fatalf("token whose row was deleted: %d, want 401 at once", status)
		}
	})
}

// TestJWKSWithdrawnKeyStops: once the key set is older than MaxAge, a use
// refreshes it in the background, and a key the project withdrew stops
// verifying; the new key works.
func TestJWKSWithdrawnKeyStops(t *testing.T) {
	old, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	cur, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	oldSrv, curSrv := jwksServer(t, "old", &old.PublicKey), jwksServer(t, "new", &cur.PublicKey)
	var serving atomic.Pointer[string]
	serving.Store(&oldSrv.URL)
	proxy := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, *serving.Load(), http.StatusFound)
	}))
	defer proxy.Close()
	clk := &clock{t: time.Now()}
	var set *api.JWKS
	e := newAuthEnv(t, func(a *api.Server) {
		a.JWTSecret = nil
		set = api.NewJWKS(proxy.URL, filepath.Join(t.TempDir(), "jwks.json"))
		set.Now = clk.Now
		a.JWKS = set
	})
	c := claims(bob, nil)
	oldTok, curTok := signES256(t, old, "old", c), signES256(t, cur, "new", c)
	if status, detail := e.get(t, "Bearer "+oldTok, "/api/v1/wins/expenses"); status != 200 {
		t.Fatalf("old key while published: %d %s", status, detail)
	}
	serving.Store(&curSrv.URL) // the project rotates: the old key is withdrawn
	clk.Add(set.MaxAge + time.Minute)
	status := 200
	for range 500 { // the refresh runs in the background; a hang guard, not a budget
		if status, _ = e.get(t, "Bearer "+oldTok, "/api/v1/wins/expenses"); status == 401 {
			break
		}
		time.Sleep(10 * time.Millisecond)
	}
	if status != 401 {
		t.Fatalf("withdrawn key after the set aged: %d, want 401", status)
	}
	if status, detail := e.get(t, "Bearer "+curTok, "/api/v1/wins/expenses"); status != 200 {
		t.Fatalf("new key: %d %s", status, detail)
	}
}
