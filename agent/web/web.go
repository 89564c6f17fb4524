// Package web is PAM's face: the dashboard and phone UI, plain HTML, CSS
// and JavaScript modules embedded in the binary and served by pamd at /,
// the same origin as the API it calls. There is no build step: the files
// under static/ are what the browser gets.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io/fs"
	"mime"
	"net/http"
	"path"
	"sort"
	"strings"
)

//go:embed static
var embedded embed.FS

// AssetPrefix is where the UI's files are served; the app itself is at /.
const AssetPrefix = "/ui/"

// Headers every UI answer carries: the page may only load what pamd serves
// and talk to pamd (HTTP and WebSocket on the same host).
const contentSecurityPolicy = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src 'self' ws: wss:; font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"

// asset is one embedded file ready to serve.
type asset struct {
	body        []byte
	contentType string
	etag        string
}

// Handler serves the app at / and its files under /ui/.
type Handler struct {
	assets map[string]asset // keyed by path below static/, "index.html" is the app
}

// New loads the embedded files. It fails only if the binary was built
// without them, which is a build bug.
func New() (*Handler, error) {
	sub, err := fs.Sub(embedded, "static")
	if err != nil {
		return nil, fmt.Errorf("web: static files: %w", err)
	}
	h := &Handler{assets: map[string]asset{}}
	err = fs.WalkDir(sub, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		body, err := fs.ReadFile(sub, p)
		if err != nil {
			return fmt.Errorf("read %s: %w", p, err)
		}
		sum := sha256.Sum256(body)
		h.assets[p] = asset{body: body, contentType: contentType(p), etag: `"` + hex.EncodeToString(sum[:8]) + `"`}
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: %w", err)
	}
	if _, ok := h.assets["index.html"]; !ok {
		return nil, fmt.Errorf("web: static/index.html is missing")
	}
	return h, nil
}

// Files lists the served asset paths (below /ui/), sorted; tests use it.
func (h *Handler) Files() []string {
	out := make([]string, 0, len(h.assets))
	for p := range h.assets {
		if p != "index.html" {
			out = append(out, p)
		}
	}
	sort.Strings(out)
	return out
}

func contentType(p string) string {
	switch path.Ext(p) {
	case ".html":
		return "text/html; charset=utf-8"
	case ".js", ".mjs":
		return "text/javascript; charset=utf-8"
	case ".css":
		return "text/css; charset=utf-8"
	case ".svg":
		return "image/svg+xml"
	case ".json", ".webmanifest":
		return "application/manifest+json"
	}
	if t := mime.TypeByExtension(path.Ext(p)); t != "" {
		return t
	}
	return "application/octet-stream"
}

// Mux is the part of http.ServeMux that Mount needs.
type Mux interface {
	Handle(pattern string, h http.Handler)
}

// Authed mounts a handler that gets the authenticated user (api.Server.Handle).
type Authed func(pattern string, h func(w http.ResponseWriter, r *http.Request, user string))

// Mount adds the UI to an API mux: the app at GET /, its files under
// /ui/, and GET /api/v1/ui/me, which tells the app whose token it holds
// (the WebSocket paths name the user), and GET /api/v1/ui/qr, the QR code
// of a short text as SVG (the pairing screen's). Paths it does not own keep the
// API's own 404. A binary built without its files answers 503 at /.
func Mount(mux Mux, authed Authed) {
	h, err := New()
	if err != nil {
		mux.Handle("GET /{$}", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			http.Error(w, err.Error(), http.StatusServiceUnavailable)
		}))
		return
	}
	mux.Handle("GET /{$}", http.HandlerFunc(h.serveIndex))
	mux.Handle("GET "+AssetPrefix, http.HandlerFunc(h.serveAsset))
	authed("GET /api/v1/ui/me", func(w http.ResponseWriter, r *http.Request, user string) {
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("Cache-Control", "no-store")
		json.NewEncoder(w).Encode(map[string]string{"user_id": user})
	})
	authed("GET /api/v1/ui/qr", serveQR)
}

func (h *Handler) serveIndex(w http.ResponseWriter, r *http.Request) {
	h.serve(w, r, "index.html")
}

func (h *Handler) serveAsset(w http.ResponseWriter, r *http.Request) {
	p := strings.TrimPrefix(r.URL.Path, AssetPrefix)
	if p == "" || p == "index.html" || strings.Contains(p, "..") {
		http.NotFound(w, r)
		return
	}
	h.serve(w, r, p)
}

// serve answers one file. Nothing is fingerprinted (no build step), so
// every file is revalidated (no-cache) against its ETag: a reload costs a
// round of 304s on the LAN, and an upgraded daemon is never shadowed by a
// stale cached script.
func (h *Handler) serve(w http.ResponseWriter, r *http.Request, p string) {
	a, ok := h.assets[p]
	if !ok {
		w.Header().Set("Cache-Control", "no-store")
		http.NotFound(w, r)
		return
	}
	hd := w.Header()
	hd.Set("Content-Type", a.contentType)
	hd.Set("Cache-Control", "no-cache")
	hd.Set("ETag", a.etag)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("Referrer-Policy", "no-referrer")
	if p == "index.html" {
		hd.Set("Content-Security-Policy", contentSecurityPolicy)
		hd.Set("X-Frame-Options", "DENY")
	}
	if match := r.Header.Get("If-None-Match"); match != "" && etagMatch(match, a.etag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	hd.Set("Content-Length", fmt.Sprint(len(a.body)))
	w.WriteHeader(http.StatusOK)
	if r.Method != http.MethodHead {
		w.Write(a.body)
	}
}

func etagMatch(header, etag string) bool {
	for _, t := range strings.Split(header, ",") {
		t = strings.TrimSpace(t)
		if t == "*" || strings.TrimPrefix(t, "W/") == etag {
			return true
		}
	}
	return false
}

// Static is the embedded file tree as served under /ui/ (index.html is
// served at /).
func Static() fs.FS {
	sub, err := fs.Sub(embedded, "static")
	if err != nil {
		return embedded
	}
	return sub
}
