package api

import (
	"bufio"
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

type ctxKey int

const (
	ctxRequestID ctxKey = iota
)

func requestID(ctx context.Context) string {
	id, _ := ctx.Value(ctxRequestID).(string)
	return id
}

// withRequestID keeps a sane client X-Request-Id or mints one, and echoes it.
func (s *Server) withRequestID(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get("X-Request-Id")
		if !validRequestID(id) {
			var b [12]byte
			rand.Read(b[:])
			id = hex.EncodeToString(b[:])
		}
		w.Header().Set("X-Request-Id", id)
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxRequestID, id)))
	})
}

func validRequestID(id string) bool {
	if id == "" || len(id) > 128 {
		return false
	}
	for _, c := range id {
		if !(c == '-' || c == '_' || c == '.' || c >= '0' && c <= '9' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z') {
			return false
		}
	}
	return true
}

type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += n
	return n, err
}

// Unwrap lets http.ResponseController reach the connection (WebSockets,
// flushing streamed answers).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

// Hijack hands the connection to a WebSocket library that asks for it
// directly.
func (w *statusWriter) Hijack() (net.Conn, *bufio.ReadWriter, error) {
	if w.status == 0 {
		w.status = http.StatusSwitchingProtocols
	}
	return http.NewResponseController(w.ResponseWriter).Hijack()
}

func (s *Server) withLogging(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		level := slog.LevelDebug
		if sw.status >= 500 {
			level = slog.LevelWarn
		}
		s.Logger.Log(r.Context(), level, "http",
			slog.String("request_id", requestID(r.Context())),
			slog.String("method", r.Method), slog.String("path", r.URL.Path),
			slog.Int("status", sw.status), slog.Int("bytes", sw.bytes),
			slog.Duration("took", time.Since(start)))
	})
}

// withRecover turns a panic into a logged 500, so one bad request cannot
// take the daemon down. A panic is a bug: tests and fuzzing look for them.
func (s *Server) withRecover(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		defer func() {
			if v := recover(); v != nil {
				if v == http.ErrAbortHandler {
					panic(v)
				}
				s.writeError(w, r, fmt.Errorf("panic: %v", v))
			}
		}()
		next.ServeHTTP(w, r)
	})
}

// withHostCheck defends against DNS rebinding: a browser tricked into
// calling us under a foreign name is refused, and so is a foreign Origin.
// withAddrLimit answers 429 with Retry-After to a client address past its
// request rate, before any work is done for it. Loopback (the dashboard,
// the CLI) is limited per token only: the addresses to fear are on the
// campground's network.
func (s *Server) withAddrLimit(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		addr := clientAddr(r)
		if ip := net.ParseIP(addr); ip != nil && ip.IsLoopback() {
			next.ServeHTTP(w, r)
			return
		}
		if wait := s.perAddr.Take(addr); wait > 0 {
			w.Header().Set("Retry-After", retryAfter(wait))
			s.writeError(w, r, rateLimitError(addr, wait))
			return
		}
		next.ServeHTTP(w, r)
	})
}

func (s *Server) withHostCheck(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !s.hostAllowed(r.Host) {
			s.writeError(w, r, schema.Errorf(schema.EFORBIDDEN, "host %q is not allowed", schema.Truncate(r.Host, 64)))
			return
		}
		if o := r.Header.Get("Origin"); o != "" && !s.originAllowed(r, o) {
			s.writeError(w, r, schema.Errorf(schema.EFORBIDDEN, "origin %q is not allowed: add the web app's origin to --cors-origins, or its host name to --allowed-hosts", schema.Truncate(o, 64)))
			return
		}
		next.ServeHTTP(w, r)
	})
}

// originAllowed tells whether a browser page from origin o may call us
// (WebSockets included, which browsers do not guard with CORS): our own
// pages (same host and port as the request), loopback, a configured host
// name, or a configured CORS origin. Not any IP address, and not "null"
// (sandboxed frames, file: pages).
func (s *Server) originAllowed(r *http.Request, o string) bool {
	if s.corsAllowed(o) {
		return true
	}
	u, err := url.Parse(o)
	if err != nil || u.Host == "" || (u.Scheme != "http" && u.Scheme != "https") || u.User != nil || u.Path != "" {
		return false
	}
	if strings.EqualFold(u.Host, r.Host) {
		return true
	}
	host := strings.Trim(strings.ToLower(u.Hostname()), "[]")
	if host == "localhost" || strings.HasSuffix(host, ".localhost") {
		return true
	}
	if ip := net.ParseIP(host); ip != nil {
		return ip.IsLoopback()
	}
	return slices.Contains(s.AllowedHosts, host)
}

func (s *Server) hostAllowed(hostport string) bool {
	host := hostport
	if h, _, err := net.SplitHostPort(hostport); err == nil {
		host = h
	}
	host = strings.Trim(strings.ToLower(host), "[]")
	if host == "" || host == "localhost" || net.ParseIP(host) != nil {
		return true
	}
	return slices.Contains(s.AllowedHosts, host)
}
