// Package api is PAM's HTTP and WebSocket surface (api.md): authentication,
// the generic data API over the 39 tables, the dashboard's resource routes,
// health and metrics. It speaks to the store through the small interfaces
// declared here and maps application errors to statuses in one table.
package api

import (
	"context"
	"log/slog"
	"net/http"
	"time"

	"github.com/pam-rv/pamd/agent/web"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// DataStore is what the data API needs of the local store.
type DataStore interface {
	Create(ctx context.Context, user, table string, data schema.Row) (schema.Row, error)
	Get(ctx context.Context, user, table, id string) (schema.Row, error)
	Find(ctx context.Context, user, table string, q schema.Query) (*localstore.Result, error)
	Update(ctx context.Context, user, table, id string, data schema.Row) (schema.Row, error)
	Delete(ctx context.Context, user, table, id string) error
	Apply(ctx context.Context, user string, ops []localstore.Operation) ([]schema.Row, error)
	Stats(ctx context.Context, user string) (*localstore.Stats, error)
	Health(ctx context.Context) (*localstore.Health, error)
}

// TokenStore resolves device tokens the daemon issued.
type TokenStore interface {
	TokenUser(ctx context.Context, token string) (string, bool)
}

var _ DataStore = (*localstore.Store)(nil)
var _ TokenStore = (*localstore.Store)(nil)

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
	// refuses every JWT.
	JWTSecret []byte
	// AllowedHosts are extra host names (besides localhost and IP
	// literals) that browsers may use to reach the daemon.
	AllowedHosts []string
	MaxBodyBytes int64

	mux    *http.ServeMux
	probes []Probe
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
	}
	s.routes()
	return s
}

// Handler returns the root handler with every route and middleware.
// Routes mounted with Handle before or after are all served.
func (s *Server) Handler() http.Handler {
	return s.withRequestID(s.withLogging(s.withRecover(s.withHostCheck(s.mux))))
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

	for _, res := range resources {
		s.mountResource(res)
	}
	web.Mount(s.mux, s.Handle) // the dashboard and phone UI at / (agent/web)
	s.mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		s.writeError(w, r, schema.Errorf(schema.ENOTFOUND, "no route %s %s", r.Method, truncate(r.URL.Path, 128)))
	})
}

func (s *Server) logger(r *http.Request) *slog.Logger {
	return s.Logger.With(slog.String("request_id", requestID(r.Context())))
}

func truncate(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return s[:n] + "…"
}
