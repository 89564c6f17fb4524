// Package api is PAM's HTTP and WebSocket surface (api.md): authentication,
// the generic data API over the 39 tables, the dashboard's resource routes,
// health and metrics. It speaks to the store through the small interfaces
// declared here and maps application errors to statuses in one table.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"sync"
	"time"

	"github.com/pam-rv/pamd/agent/web"
	"github.com/pam-rv/pamd/schema"
)

// DataStore is what the data API needs of the local store.
type DataStore interface {
	Create(ctx context.Context, user, table string, data schema.Row) (schema.Row, error)
	schema.Reader
	Update(ctx context.Context, user, table, id string, data schema.Row) (schema.Row, error)
	Delete(ctx context.Context, user, table, id string) error
	Apply(ctx context.Context, user string, ops []schema.Operation) ([]schema.Row, error)
	Stats(ctx context.Context, user string) (*schema.Stats, error)
	Health(ctx context.Context) (*schema.Health, error)
	// Integrity is the last verdict on the file, from memory.
	Integrity() schema.Integrity
}

// TokenStore resolves device tokens the daemon issued and knows the
// device's users.
type TokenStore interface {
	TokenUser(ctx context.Context, token string) (string, bool)
	IsDeviceUser(ctx context.Context, user string) bool
	Owner() string
	Tokens(ctx context.Context, user string) ([]schema.TokenInfo, error)
	RevokeToken(ctx context.Context, user, id string) (schema.TokenInfo, error)
	NewToken(ctx context.Context, user, label string, expires time.Time) (string, schema.TokenInfo, error)
	AddDeviceUser(ctx context.Context, user, name string) error
}

// DefaultMaxBodyBytes bounds a request body.
const DefaultMaxBodyBytes = 1 << 20

// Server holds the HTTP handlers. Create it with NewServer, set fields, then
// call Handler.
type Server struct {
	Store   DataStore
	Tokens  TokenStore
	Catalog *schema.Catalog
	Logger  *slog.Logger
	Version string
	Now     func() time.Time

	// JWTSecret verifies Supabase HS256 access tokens offline; empty
	// (and no JWKS) refuses every JWT.
	JWTSecret []byte
	// JWKS verifies ES256/RS256 access tokens with the project's keys,
	// cached on disk for offline use; nil accepts none.
	JWKS *JWKS
	// JWTIssuer is the `iss` a JWT must carry (the project's auth URL);
	// empty accepts only JWTs that name no issuer.
	JWTIssuer string
	// AllowedHosts are extra host names (besides localhost and IP
	// literals) that browsers may use to reach the daemon.
	AllowedHosts []string
	// CORSOrigins are the origins (scheme://host[:port]) of web apps
	// elsewhere allowed to call the API from a browser.
	CORSOrigins  []string
	MaxBodyBytes int64
	// WebSocketsPerUser caps one user's live WebSockets.
	WebSocketsPerUser int
	// Metrics, when set before Handler, counts requests and serves GET
	// /metrics (Prometheus text format).
	Metrics *Metrics

	mux       *http.ServeMux
	authFails *failLimiter
	pairFails *failLimiter
	perToken  *failLimiter // request rate per credential
	perAddr   *failLimiter // request rate per client address
	pair      pairing
	sockets   wsCounter
	probes    []Probe

	metricsOnce sync.Once // GET /metrics is mounted once
}

// NewServer returns a server with defaults set.
func NewServer(store DataStore, tokens TokenStore, cat *schema.Catalog) *Server {
	s := &Server{
		Store:        store,
		Tokens:       tokens,
		Catalog:      cat,
		Logger:       slog.Default(),
		Now:          time.Now,
		MaxBodyBytes: DefaultMaxBodyBytes,
		mux:          http.NewServeMux(),

		WebSocketsPerUser: DefaultWebSocketsPerUser,
	}
	// 20 failed authentications at once per address, then one a minute.
	s.authFails = newFailLimiter(20, time.Minute, func() time.Time { return s.Now() })
	// 5 wrong pairing codes at once per address, then one a minute.
	s.pairFails = newFailLimiter(5, time.Minute, func() time.Time { return s.Now() })
	s.SetRateLimits(DefaultTokenBurst, DefaultTokenRate, DefaultAddrBurst, DefaultAddrRate)
	s.routes()
	return s
}

// SetRateLimits sets the request rate limits: per credential and per
// client address, each a burst and then a rate per second; a burst of 0
// turns that limit off (benchmarks).
func (s *Server) SetRateLimits(tokenBurst int, tokenRate float64, addrBurst int, addrRate float64) {
	now := func() time.Time { return s.Now() }
	s.perToken, s.perAddr = nil, nil
	if tokenBurst > 0 && tokenRate > 0 {
		s.perToken = newFailLimiter(tokenBurst, time.Duration(float64(time.Second)/tokenRate), now)
	}
	if addrBurst > 0 && addrRate > 0 {
		s.perAddr = newFailLimiter(addrBurst, time.Duration(float64(time.Second)/addrRate), now)
	}
}

// Handler returns the root handler with every route and middleware.
// Routes mounted with Handle before or after are all served.
func (s *Server) Handler() http.Handler {
	if s.Metrics != nil {
		s.metricsOnce.Do(func() { s.mux.Handle("GET /metrics", s.handleMetrics()) })
	}
	return s.withRequestID(s.withLogging(s.withRecover(s.withHostCheck(s.withCORS(s.withMetrics(s.withAddrLimit(s.mux)))))))
}

// Handle lets other parts of the agent (chat, tools, sync) mount routes
// behind the same middleware; the handler gets the authenticated user.
func (s *Server) Handle(pattern string, h func(w http.ResponseWriter, r *http.Request, user string)) {
	s.mux.Handle(pattern, s.authed(h))
}

func (s *Server) routes() {
	s.mux.HandleFunc("GET /api/v1/health", s.handleHealth)
	s.Handle("GET /api/v1/health/detailed", s.handleHealthDetailed)

	s.Handle("POST /api/v1/pam/database/create", s.handleCreate)
	s.Handle("POST /api/v1/pam/database/read", s.handleRead)
	s.Handle("POST /api/v1/pam/database/update", s.handleUpdate)
	s.Handle("POST /api/v1/pam/database/delete", s.handleDelete)
	s.Handle("POST /api/v1/pam/database/bulk", s.handleBulk)
	s.Handle("GET /api/v1/pam/database/stats", s.handleStats)
	s.Handle("GET /api/v1/pam/database/health", s.handleDatabaseHealth)
	s.Handle("GET /api/v1/pam/database/schema", s.handleSchema)

	s.authRoutes()
	for _, res := range resources {
		s.mountResource(res)
	}
	web.Mount(s.mux, s.Handle) // the dashboard and phone UI at / (agent/web)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, schema.Errorf(schema.ENOTFOUND, "no route %s %s", r.Method, schema.Truncate(r.URL.Path, 128)))
	})
}

func (s *Server) logger(r *http.Request) *slog.Logger {
	return s.Logger.With(slog.String("request_id", requestID(r.Context())))
}
