package web_test

import (
	"context"
	"encoding/json"
	"io"
	"io/fs"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/web"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

const alice = "0190a000-0000-7000-8000-000000000001"

// firstLoadBudget is the issue's limit on what the first load transfers.
const firstLoadBudget = 300 << 10

type env struct {
	srv   *httptest.Server
	store *localstore.Store
	token string
	hub   *notify.Hub // nil unless the notifications socket is mounted
}

// newEnv runs the real API server over a real store in a temporary
// directory: the UI is served exactly as pamd serves it.
func newEnv(tb testing.TB) *env {
	tb.Helper()
	ctx := context.Background()
	s := localstore.New(filepath.Join(tb.TempDir(), localstore.FileName), schema.Default())
	if err := s.Open(ctx); err != nil {
		tb.Fatal(err)
	}
	tb.Cleanup(func() { s.Close() })
	a := api.NewServer(s, s, s.Catalog)
	a.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	srv := httptest.NewServer(a.Handler())
	tb.Cleanup(srv.Close)
	tok, err := s.IssueToken(ctx, alice, "test")
	if err != nil {
		tb.Fatal(err)
	}
	return &env{srv: srv, store: s, token: tok}
}

type answer struct {
	status int
	header http.Header
	body   []byte
}

func (e *env) get(tb testing.TB, p string, header map[string]string) answer {
	tb.Helper()
	req, err := http.NewRequest(http.MethodGet, e.srv.URL+p, nil)
	if err != nil {
		tb.Fatal(err)
	}
	for k, v := range header {
		req.Header.Set(k, v)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		tb.Fatal(err)
	}
	defer res.Body.Close()
	body, err := io.ReadAll(res.Body)
	if err != nil {
		tb.Fatal(err)
	}
	return answer{res.StatusCode, res.Header, body}
}

func TestServesTheApp(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		path, contentType string
	}{
		{"/", "text/html; charset=utf-8"},
		{"/ui/app.css", "text/css; charset=utf-8"},
		{"/ui/js/app.js", "text/javascript; charset=utf-8"},
	}
	for _, tt := range tests {
		t.Run(tt.path, func(t *testing.T) {
			a := e.get(t, tt.path, nil)
			if a.status != http.StatusOK {
				t.Fatalf("status %d, want 200", a.status)
			}
			if got := a.header.Get("Content-Type"); got != tt.contentType {
				t.Errorf("Content-Type %q, want %q", got, tt.contentType)
			}
			if got := a.header.Get("Cache-Control"); got != "no-cache" {
				t.Errorf("Cache-Control %q, want no-cache (revalidate: nothing is fingerprinted)", got)
			}
			if a.header.Get("X-Content-Type-Options") != "nosniff" {
				t.Error("no X-Content-Type-Options: nosniff")
			}
			etag := a.header.Get("ETag")
			if etag == "" {
				t.Fatal("no ETag")
			}
			if again := e.get(t, tt.path, map[string]string{"If-None-Match": etag}); again.status != http.StatusNotModified || len(again.body) != 0 {
				t.Errorf("revalidation: status %d with %d bytes, want 304 and none", again.status, len(again.body))
			}
			if a.header.Get("X-Request-Id") == "" {
				t.Error("the UI is not behind the API's middleware (no X-Request-Id)")
			}
		})
	}
	csp := e.get(t, "/", nil).header.Get("Content-Security-Policy")
	for _, want := range []string{"default-src 'self'", "script-src 'self'", "connect-src 'self' ws: wss:"} {
		if !strings.Contains(csp, want) {
			t.Errorf("Content-Security-Policy %q lacks %q", csp, want)
		}
	}
}

// TestPathsItDoesNotOwn: the UI takes / and /ui/ only; the API keeps its
// problem documents everywhere else, and a foreign Host is still refused.
func TestPathsItDoesNotOwn(t *testing.T) {
	e := newEnv(t)
	tests := []struct {
		name, path string
		header     map[string]string
		status     int
		problem    bool
	}{
		{"unknown API route", "/api/v1/nope", nil, http.StatusNotFound, true},
		{"unknown top-level path", "/nope", nil, http.StatusNotFound, true},
		{"unknown asset", "/ui/nope.js", nil, http.StatusNotFound, false},
		{"index under /ui/", "/ui/index.html", nil, http.StatusNotFound, false},
		{"escape attempt", "/ui/..%2fweb.go", nil, http.StatusNotFound, false},
		{"DNS rebinding", "/", map[string]string{"Host": "evil.example"}, http.StatusForbidden, true},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			req, err := http.NewRequest(http.MethodGet, e.srv.URL+tt.path, nil)
			if err != nil {
				t.Fatal(err)
			}
			if h, ok := tt.header["Host"]; ok {
				req.Host = h
			}
			res, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			res.Body.Close()
			if res.StatusCode != tt.status {
				t.Errorf("status %d, want %d", res.StatusCode, tt.status)
			}
			if ct := res.Header.Get("Content-Type"); tt.problem && ct != "application/problem+json" {
				t.Errorf("Content-Type %q, want a problem document", ct)
			}
		})
	}
}

func TestWhoAmI(t *testing.T) {
	e := newEnv(t)
	if a := e.get(t, "/api/v1/ui/me", nil); a.status != http.StatusUnauthorized {
		t.Errorf("without a token: status %d, want 401", a.status)
	}
	a := e.get(t, "/api/v1/ui/me", map[string]string{"Authorization": "Bearer " + e.token})
	if a.status != http.StatusOK {
		t.Fatalf("status %d: %s", a.status, a.body)
	}
	var me struct {
		UserID string `json:"user_id"`
	}
	if err := json.Unmarshal(a.body, &me); err != nil || me.UserID != alice {
		t.Errorf("answer %s (%v), want user_id %s", a.body, err, alice)
	}
}

var (
	htmlRef   = regexp.MustCompile(`(?:src|href)="([^"#][^"]*)"`)
	jsImport  = regexp.MustCompile(`(?m)(?:^import\s[^'"]*|^export\s[^'"]*\sfrom\s*|import\()\s*['"]([^'"]+)['"]`)
	cssURL    = regexp.MustCompile(`url\(\s*['"]?([^'")]+)['"]?\s*\)`)
	cssImport = regexp.MustCompile(`@import\s+['"]([^'"]+)['"]`)
)

// references lists what one file makes the browser load, resolved
// against the file's own URL.
func references(tb testing.TB, url, contentType string, body []byte) []string {
	tb.Helper()
	var found [][]string
	switch {
	case strings.HasPrefix(contentType, "text/html"):
		found = htmlRef.FindAllStringSubmatch(string(body), -1)
	case strings.HasPrefix(contentType, "text/javascript"):
		found = jsImport.FindAllStringSubmatch(string(body), -1)
	case strings.HasPrefix(contentType, "text/css"):
		found = append(cssURL.FindAllStringSubmatch(string(body), -1), cssImport.FindAllStringSubmatch(string(body), -1)...)
	}
	var out []string
	for _, m := range found {
		ref := m[1]
		if strings.HasPrefix(ref, "data:") {
			continue
		}
		if !strings.HasPrefix(ref, "/") {
			ref = path.Join(path.Dir(url), ref)
		}
		out = append(out, ref)
	}
	return out
}

// TestFirstLoad walks what the browser fetches for the first load, from /
// through every link, script, module import and stylesheet reference:
// each must exist with a real content type, and the whole must stay under
// the budget. Every embedded file must be part of it (nothing dead).
func TestFirstLoad(t *testing.T) {
	e := newEnv(t)
	seen := map[string]bool{}
	queue := []string{"/"}
	total := 0
	for len(queue) > 0 {
		p := queue[0]
		queue = queue[1:]
		if seen[p] {
			continue
		}
		seen[p] = true
		a := e.get(t, p, nil)
		if a.status != http.StatusOK {
			t.Errorf("%s: status %d, want 200 (referenced but missing)", p, a.status)
			continue
		}
		ct := a.header.Get("Content-Type")
		if ct == "" || ct == "application/octet-stream" {
			t.Errorf("%s: Content-Type %q", p, ct)
		}
		// Bytes on the wire: the status line and headers count too.
		total += len(a.body) + 64
		for k, vs := range a.header {
			for _, v := range vs {
				total += len(k) + len(v) + 4
			}
		}
		queue = append(queue, references(t, p, ct, a.body)...)
	}
	t.Logf("first load: %d requests, %d bytes (budget %d)", len(seen), total, firstLoadBudget)
	if total >= firstLoadBudget {
		t.Errorf("first load is %d bytes, over the %d budget", total, firstLoadBudget)
	}
	h, err := web.New()
	if err != nil {
		t.Fatal(err)
	}
	for _, f := range h.Files() {
		if !seen[web.AssetPrefix+f] {
			t.Errorf("%s is embedded but nothing loads it", f)
		}
	}
	if !slices.Contains(h.Files(), "js/app.js") {
		t.Errorf("files %v lack js/app.js", h.Files())
	}
}

// TestNoExternalURLs: the UI works with no internet, so no asset may name
// anything outside pamd (no CDN, no web fonts, no analytics).
func TestNoExternalURLs(t *testing.T) {
	files := web.Static()
	n := 0
	err := fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(files, p)
		if err != nil {
			return err
		}
		n++
		text := strings.ToLower(string(body))
		for _, bad := range []string{"http://", "https://", "//fonts.", "//cdn"} {
			if i := strings.Index(text, bad); i >= 0 {
				t.Errorf("%s: external address %q at byte %d", p, excerpt(text, i), i)
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 3 {
		t.Fatalf("walked %d files: the embed is empty", n)
	}
}

func excerpt(s string, i int) string {
	end := min(len(s), i+60)
	return s[i:end]
}
