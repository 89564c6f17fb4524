package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"time"

	"github.com/jackc/pgx/v5/pgxpool"
	"golang.org/x/sync/errgroup"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/jobs"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/transfer"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/replica"
	"github.com/pam-rv/pamd/sync/runner"
)

// Main is the running daemon: the components of `pamd serve`, wired from
// one Config. Tests build it with a temp dir and ":0".
type Main struct {
	Config Config
	Logger *slog.Logger
	Stdout io.Writer

	Store     *localstore.Store
	API       *api.Server
	Central   *pgxpool.Pool // nil without a central database
	Sync      *runner.Runner
	assistant *assistant
	Jobs      *jobs.Scheduler
	listener  net.Listener
	server    *http.Server

	hub             notify.Hub // the notifications socket's fan-out
	lock            *dirLock   // the data directory, held from Open to Close
	control         *http.Server
	controlListener net.Listener
	controlMu       sync.Mutex // one control request at a time
}

// NewMain returns a Main with the default configuration.
func NewMain() *Main {
	return &Main{Config: DefaultConfig(), Logger: slog.Default(), Stdout: io.Discard}
}

// Addr is the address the HTTP server listens on, once opened.
func (m *Main) Addr() string { return m.listener.Addr().String() }

// Open opens the store (filling the demo set when asked and new), builds the
// HTTP server and starts listening.
func (m *Main) Open(ctx context.Context) error {
	var err error
	if m.lock, err = lockDataDirWaiting(ctx, m.Config.DataDir, "serve", 10*time.Second); err != nil {
		return err
	}
	cat := schema.Default()
	m.Store = localstore.New(filepath.Join(m.Config.DataDir, localstore.FileName), cat)
	m.Store.Logger = m.Logger.With("component", "localstore")
	m.Store.OnDamage = func(v localstore.Integrity) {
		m.hub.Broadcast(notify.Notification{Type: "database_damaged", Title: "Database damaged: changes are not saved",
			Body: "The database file is damaged, so PAM refuses changes to keep from making it worse; reading still works. " +
				"Restore pam.db from the last good backup, or re-sync from central.",
			TS: time.Now().UTC(), Data: v})
	}
	if err := m.Store.Open(ctx); err != nil {
		return err
	}
	if m.Config.Demo {
		if err := m.fillDemoIfNew(ctx); err != nil {
			return err
		}
	}
	if err := m.openSync(ctx); err != nil {
		return err
	}
	m.API = api.NewServer(m.Store, m.Store, cat)
	m.API.Logger = m.Logger.With("component", "api")
	m.API.Version = version()
	m.API.JWTSecret = []byte(m.Config.JWTSecret)
	m.API.JWTIssuer = m.Config.JWTIssuer
	if m.Config.JWKSURL != "" {
		m.API.JWKS = api.NewJWKS(m.Config.JWKSURL, filepath.Join(m.Config.DataDir, "jwks.json"))
	}
	m.API.AllowedHosts = m.Config.AllowedHosts
	m.API.CORSOrigins = m.Config.CORSOrigins
	m.API.SetRateLimits(int(4*m.Config.TokenRate), m.Config.TokenRate, int(4*m.Config.AddrRate), m.Config.AddrRate)
	m.API.Metrics = m.newMetrics()
	if err := m.openJobs(); err != nil {
		return err
	}
	m.API.MountSync(m.Sync, m.Store)
	m.API.MountLocation(m.Store)
	m.API.MountTransfer(&transfer.Importer{Store: m.Store, Catalog: cat, Now: m.Store.Now})
	if err := m.openAssistant(); err != nil {
		return err
	}
	if err := m.Jobs.Start(ctx); err != nil {
		return err
	}
	// Start the sync loop last, once every field it reads (Notify, Probe,
	// the store's OnWrite) is set: its first sync begins at once.
	if err := m.Sync.Open(); err != nil {
		return fmt.Errorf("sync schedule %q: %w", m.Config.SyncSchedule, err)
	}
	m.server = api.NewHTTPServer(m.API.Handler()) // timeouts and header cap
	m.server.ErrorLog = slog.NewLogLogger(m.Logger.Handler(), slog.LevelWarn)
	if m.listener, err = net.Listen("tcp", m.Config.Listen); err != nil {
		return fmt.Errorf("listen on %s: %w", m.Config.Listen, err)
	}
	m.listener = api.LimitListener(m.listener, api.MaxConns)
	m.openControl()
	return nil
}

// Run serves until ctx ends, then shuts down gracefully.
func (m *Main) Run(ctx context.Context) error {
	g, ctx := errgroup.WithContext(ctx)
	g.Go(func() error {
		if err := m.server.Serve(m.listener); !errors.Is(err, http.ErrServerClosed) {
			return fmt.Errorf("http server: %w", err)
		}
		return nil
	})
	if m.control != nil {
		g.Go(func() error {
			if err := m.control.Serve(m.controlListener); !errors.Is(err, http.ErrServerClosed) {
				return fmt.Errorf("control socket: %w", err)
			}
			return nil
		})
	}
	g.Go(func() error {
		<-ctx.Done()
		shutdown, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Second)
		defer cancel()
		var errs []error
		if m.control != nil {
			errs = append(errs, m.control.Shutdown(shutdown))
		}
		return errors.Join(append(errs, m.server.Shutdown(shutdown))...)
	})
	return g.Wait()
}

// openSync builds the sync engine; Open starts it once it is wired. Without a central URL it still exists,
// reporting "central": "none"; with one, the pool connects lazily, so a
// daemon started in a dead zone comes up at once and syncs later.
func (m *Main) openSync(ctx context.Context) error {
	var syncer runner.Syncer
	if m.Config.CentralURL != "" {
		pool, err := newCentralPool(ctx, m.Config.CentralURL)
		if err != nil {
			return err
		}
		m.Central = pool
		rep := replica.New(m.Store, pool)
		rep.Logger = m.Logger.With("component", "sync")
		rep.BBox, _ = parseBBox(m.Config.SyncBBox)
		syncer = rep
	}
	m.Sync = runner.New(syncer)
	m.Sync.Logger = m.Logger.With("component", "sync")
	m.Sync.Schedule = m.Config.SyncSchedule
	if m.Central != nil {
		pool := m.Central
		store := m.Store
		m.Sync.Probe = func(ctx context.Context) error {
			// A damaged file is not pushed from (it may hold garbage) nor
			// pulled into; the way back is a fresh file synced from central.
			if v, err := store.CheckedIntegrity(ctx); err != nil {
				return err
			} else if v.Status == localstore.IntegrityDamaged {
				return errSyncPaused
			}
			ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
			defer cancel()
			return pool.Ping(ctx)
		}
	}
	m.Store.OnWrite = m.Sync.Poke
	return nil
}

// errSyncPaused is the sync's error while the database file is damaged.
var errSyncPaused = errors.New("sync paused: the database file is damaged; restore pam.db from the last good backup, or move it aside and re-sync from central")

// newCentralPool parses the central URL; nothing connects until first use.
func newCentralPool(ctx context.Context, url string) (*pgxpool.Pool, error) {
	cfg, err := pgxpool.ParseConfig(url)
	if err != nil {
		return nil, &ConfigError{"--central-url / PAM_CENTRAL_URL", fmt.Errorf("%w: %v", ErrInvalid, err)}
	}
	cfg.MaxConns = 4
	cfg.ConnConfig.ConnectTimeout = 10 * time.Second
	central.ForPooler(cfg.ConnConfig, url)
	return pgxpool.NewWithConfig(ctx, cfg)
}

// Close releases everything Open acquired.
func (m *Main) Close() error {
	var errs []error
	if m.Jobs != nil {
		m.Jobs.Stop()
	}
	m.assistant.close()
	if m.Sync != nil {
		m.Sync.Close()
	}
	if m.Central != nil {
		m.Central.Close()
	}
	if m.listener != nil && m.server == nil {
		errs = append(errs, m.listener.Close())
	}
	if m.controlListener != nil {
		m.controlListener.Close() // already closed if Run served it
		os.Remove(filepath.Join(m.Config.DataDir, ControlSocket))
	}
	if m.Store != nil {
		errs = append(errs, m.Store.Close())
	}
	errs = append(errs, m.lock.Close()) // last: the store is closed
	return errors.Join(errs...)
}

func (m *Main) fillDemoIfNew(ctx context.Context) error {
	if m.Store.Owner() != "" {
		return nil
	}
	m.Logger.Info("new database: filling the demo data set")
	start := time.Now()
	sum, err := demo.Fill(ctx, m.Store, demo.Options{Scale: 1, Now: m.Store.Now()})
	if err != nil {
		return fmt.Errorf("demo data: %w", err)
	}
	total := 0
	for _, n := range sum.Rows {
		total += n
	}
	m.Logger.Info("demo data ready", "rows", total, "took", time.Since(start).Round(time.Millisecond))
	return nil
}

func runServe(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	m := NewMain()
	fs := newFlagSet("serve", stderr)
	m.Config.bindServe(fs, env(getenv))
	if err := m.Config.parse(fs, args, stdout); err != nil {
		return usageError(stderr, err)
	}
	m.Logger = m.Config.newLogger(stderr)
	m.Config.applyMemoryLimit()
	m.Stdout = stdout
	defer m.Close()
	if err := m.Open(ctx); err != nil {
		return err
	}
	m.Logger.Info("pamd serving", "version", version(), "addr", m.Addr(), "data_dir", m.Config.DataDir, "device_id", m.Store.DeviceID())
	fmt.Fprintf(stdout, "pamd %s serving on http://%s\n", version(), m.Addr())
	if m.Store.Owner() != "" {
		fmt.Fprintf(stdout, "Get a bearer token:  TOKEN=$(%s token --data-dir %s)\n", self(), m.Config.DataDir)
		fmt.Fprintf(stdout, "Try:  curl -H \"Authorization: Bearer $TOKEN\" 'http://%s/api/v1/wins/expenses?order=-date&limit=5'\n", m.Addr())
	} else {
		fmt.Fprintf(stdout, "No owner yet. Create one and get a token:  %s token --data-dir %s --user <uuid>\n", self(), m.Config.DataDir)
	}
	return m.Run(ctx)
}

// self is how the user invoked this binary, for commands we print.
func self() string {
	if len(os.Args) > 0 && strings.ContainsRune(os.Args[0], '/') {
		return os.Args[0]
	}
	return "pamd"
}

// usageError marks a flag or configuration mistake (main exits 2 and
// prints it); -h passes through.
func usageError(stderr io.Writer, err error) error {
	if errors.Is(err, errUsage) || errors.Is(err, flag.ErrHelp) {
		return err
	}
	return fmt.Errorf("%w: %w", errUsage, err)
}
