// Package localstore owns the device's SQLite database: the 39 tables of the
// schema, validated and owner-scoped CRUD over them, the change log (outbox
// and the rows' causal lengths) written in the same transaction as every mutation, the
// device identity and tokens, and the read cache in front of it all.
//
// SQLite is treated as single-writer: one write connection, a pool of
// read-only connections, WAL and synchronous=FULL, because power cuts are
// routine in an RV and an acknowledged write must survive them.
package localstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"log/slog"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"sync"
	"sync/atomic"
	"time"

	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/hlc"
	"github.com/pam-rv/pamd/schema/rowid"
)

// FileName is the database file inside the data directory.
const FileName = "pam.db"

// Store is the local database. Create it with New, set any fields, then Open.
type Store struct {
	// Path of the SQLite file.
	Path string
	// Catalog of tables; required.
	Catalog *schema.Catalog
	// Now is the clock for timestamps and the HLC; defaults to time.Now.
	Now func() time.Time
	// Logger defaults to slog.Default().
	Logger *slog.Logger
	// ReadConns is the size of the reader pool; defaults to max(4, NumCPU).
	ReadConns int
	// CacheBytes bounds the read cache, in bytes of Go heap its results
	// hold (cost); 0 disables it. Defaults to 16 MiB: on a 2 GB board the
	// daemon is to stay under 150 MiB resident under load.
	CacheBytes int64
	// OnWrite, when set, is called after every committed local mutation
	// (the sync runner uses it to push soon after a write).
	OnWrite func()
	// CheckEvery is how often a quick check of the file runs in the
	// background after the one at Open; 0 runs only the one at Open.
	// Defaults to 1 hour.
	CheckEvery time.Duration
	// CheckTimeout bounds one scheduled or start-up check; a check cut
	// short leaves the last verdict in place. Defaults to 2 minutes.
	CheckTimeout time.Duration
	// OnDamage, when set, is called once when the file is found damaged
	// (the daemon tells the notifications socket). Set it before Open: the
	// check at Open runs in its own goroutine.
	OnDamage func(Integrity)

	write *sql.DB
	read  *sql.DB
	cache *Cache
	clock *hlc.Clock

	deviceID string       // minted on first open; the HLC tie-break
	ownerMu  sync.RWMutex // guards owner
	owner    string       // the device owner's user id, "" until set

	// writeMu serialises write transactions in this process, so the
	// in-memory HLC and transaction numbering follow commit order.
	writeMu sync.Mutex

	stmtsMu sync.Mutex           // guards stmts
	stmts   map[string]*sql.Stmt // write statements prepared once

	tokensMu sync.RWMutex      // guards tokens
	tokens   map[string]string // token hash -> last use written (a write throttle)
	known    *tokenCache       // tokens read while the database has not changed since
	tokenRow *sql.Stmt         // a token's user and expiry, on the reader pool

	integrity  atomic.Pointer[Integrity] // the last verdict on the file
	verdictMu  sync.Mutex                // serialises changes of integrity
	checkMu    sync.Mutex                // one integrity check at a time
	startCheck chan struct{}             // closed when the check at Open ends
	stopChecks context.CancelFunc        // ends the scheduled checks
	checks     sync.WaitGroup            // the scheduled-check goroutine

	lastWrite atomic.Int64 // when the last local mutation committed, Unix ns

	ckpt     *sql.DB      // the connection checkpoints off the writer run on
	ckptRuns atomic.Int64 // checkpoints run there (tests look)
}

// New returns a store for the file at path with defaults set.
func New(path string, cat *schema.Catalog) *Store {
	return &Store{
		Path:         path,
		Catalog:      cat,
		Now:          time.Now,
		Logger:       slog.Default(),
		ReadConns:    max(4, runtime.NumCPU()),
		CacheBytes:   16 << 20,
		CheckEvery:   time.Hour,
		CheckTimeout: 2 * time.Minute,
	}
}

// Open opens (creating if needed) the database, applies migrations and
// loads the device identity.
func (s *Store) Open(ctx context.Context) error {
	if s.Catalog == nil {
		return errors.New("localstore: catalog required")
	}
	if err := os.MkdirAll(filepath.Dir(s.Path), 0o750); err != nil {
		return fmt.Errorf("create data directory: %w", err)
	}
	// SQLite says only "unable to open database file" when the file or
	// its directory is not ours to write; the system says why.
	if f, err := os.OpenFile(s.Path, os.O_RDWR|os.O_CREATE, 0o640); err != nil {
		return fmt.Errorf("open database: %w", err)
	} else {
		f.Close()
	}
	var err error
	if s.write, err = sql.Open("sqlite", dsn(s.Path, false)); err != nil {
		return fmt.Errorf("open %s: %w", s.Path, err)
	}
	s.write.SetMaxOpenConns(1)
	s.write.SetMaxIdleConns(1)
	s.write.SetConnMaxLifetime(0)
	if err := s.migrate(ctx); err != nil {
		s.write.Close()
		return fmt.Errorf("migrate %s: %w", s.Path, err)
	}
	if err := s.prepareWrites(ctx); err != nil {
		s.Close()
		return err
	}
	if s.read, err = sql.Open("sqlite", dsn(s.Path, true)); err != nil {
		s.write.Close()
		return fmt.Errorf("open readers %s: %w", s.Path, err)
	}
	s.read.SetMaxOpenConns(s.ReadConns)
	s.read.SetMaxIdleConns(s.ReadConns)
	// A reader unused for a while closes, and its page cache and parsed
	// schema (a few MiB each) go back to the system: idle RSS at --scale
	// 50 went from 57 to 38 MiB. Reopening one costs about a millisecond.
	s.read.SetConnMaxIdleTime(10 * time.Second)
	if err := s.loadMeta(ctx); err != nil {
		s.Close()
		return err
	}
	if err := s.loadTokens(ctx); err != nil {
		s.Close()
		return err
	}
	if s.CacheBytes > 0 {
		if s.cache, err = NewCache(s.Catalog, s.CacheBytes); err != nil {
			s.Close()
			return err
		}
	}
	if err := s.openCheckpointer(); err != nil {
		s.Close()
		return err
	}
	if s.known, err = openTokenCache(s.Path); err != nil {
		s.Close()
		return err
	}
	if s.tokenRow, err = s.read.PrepareContext(ctx, `SELECT user_id, expires_at FROM _pam_tokens WHERE hash = ?`); err != nil {
		s.Close()
		return fmt.Errorf("prepare token lookup: %w", err)
	}
	s.startChecks()
	return nil
}

// Close closes the database. It is safe to call more than once.
func (s *Store) Close() error {
	var errs []error
	if s.stopChecks != nil {
		s.stopChecks()
		s.checks.Wait()
		s.stopChecks = nil
	}
	if s.cache != nil {
		s.cache.Close()
		s.cache = nil
	}
	for _, st := range s.stmts {
		st.Close()
	}
	s.stmts = nil
	if s.ckpt != nil {
		errs = append(errs, s.ckpt.Close())
		s.ckpt = nil
	}
	if s.tokenRow != nil {
		s.tokenRow.Close()
		s.tokenRow = nil
	}
	if s.known != nil {
		errs = append(errs, s.known.close())
		s.known = nil
	}
	if s.read != nil {
		errs = append(errs, s.read.Close())
		s.read = nil
	}
	if s.write != nil {
		// A clean close checkpoints the WAL so the file stands alone.
		_, _ = s.write.Exec("PRAGMA wal_checkpoint(TRUNCATE)")
		errs = append(errs, s.write.Close())
		s.write = nil
	}
	return errors.Join(errs...)
}

// readerCacheKiB is each reader's page cache, in KiB. Idle readers close
// after ConnMaxIdleTime, their caches with them, so this is paid under
// load only: at most ReadConns × 4 MiB.
const readerCacheKiB = 4096

// dsn puts the pragmas in the connection string so every pooled connection
// gets them, busy_timeout first so the others can wait for a lock.
func dsn(path string, readOnly bool) string {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "journal_mode(WAL)")
	q.Add("_pragma", "synchronous(FULL)")
	q.Add("_pragma", "foreign_keys(ON)")
	if readOnly {
		q.Add("_pragma", "query_only(1)")
		// A reader gets a 4 MiB page cache (readerCacheKiB). At SQLite's
		// default of 2 MiB (about 470 pages) the tools' largest scans sat
		// at the edge: a user's budgets read through (user_id,
		// start_date) touch some 500 index and table pages at --scale 50.
		// They fitted only while nothing else had gone through SQLite's
		// page cache; once the quick check at Open (475d310) had read
		// the file, every such scan missed in full, reading each page
		// back from the file (142,754 preads in 200 budget scans, 573
		// before), and fetch_summary and suggest_budget_adjustment took
		// some 20 % longer than before the check.
		q.Add("_pragma", fmt.Sprintf("cache_size(-%d)", readerCacheKiB))
	} else {
		// The one writer gets a 32 MiB page cache (the default is 2
		// MiB): a pulled page or a bulk import touches every index of
		// its tables, and re-reading those pages dominated large writes.
		q.Add("_pragma", "cache_size(-32768)")
		// A statement of many rows keeps a statement journal (to undo
		// just itself); in a temporary file that was a pwrite per page
		// touched, more time than the rows' own writes.
		q.Add("_pragma", "temp_store(MEMORY)")
		q.Add("_txlock", "immediate")
	}
	return "file:" + path + "?" + q.Encode()
}

// prepareWrites compiles the statements every write uses, once: the insert
// of each table and of a change record. They are prepared on the single
// write connection, which a transaction then reuses.
func (s *Store) prepareWrites(ctx context.Context) error {
	s.stmts = make(map[string]*sql.Stmt)
	add := func(key, q string) error {
		st, err := s.write.PrepareContext(ctx, q)
		if err != nil {
			return fmt.Errorf("prepare %s: %w", key, err)
		}
		s.stmts[key] = st
		return nil
	}
	for _, t := range s.Catalog.Tables {
		if !t.View {
			if err := add("insert "+t.Name, insertSQL(t)); err != nil {
				return err
			}
		}
	}
	return add("insert change", insertChangeSQL)
}

// LastLocalWrite is when the last local mutation (Apply) committed in
// this process; the zero time before any. Sync keeps its writer holds
// short while the device is in use.
func (s *Store) LastLocalWrite() time.Time {
	if ns := s.lastWrite.Load(); ns != 0 {
		return time.Unix(0, ns)
	}
	return time.Time{}
}

// DeviceID is this device's identity, minted on first open.
func (s *Store) DeviceID() string { return s.deviceID }

// Owner is the device owner's user id, or "" when none is set.
func (s *Store) Owner() string {
	s.ownerMu.RLock()
	defer s.ownerMu.RUnlock()
	return s.owner
}

// Clock is the store's hybrid logical clock.
func (s *Store) Clock() *hlc.Clock { return s.clock }

// Cache is the read cache, nil when disabled.
func (s *Store) Cache() *Cache { return s.cache }

func (s *Store) loadMeta(ctx context.Context) error {
	get := func(key string) (string, error) {
		var v string
		err := s.write.QueryRowContext(ctx, `SELECT value FROM _pam_meta WHERE key = ?`, key).Scan(&v)
		if errors.Is(err, sql.ErrNoRows) {
			return "", nil
		}
		return v, err
	}
	id, err := get("device_id")
	if err != nil {
		return fmt.Errorf("load device id: %w", err)
	}
	if id == "" {
		id = rowid.New()
		if _, err := s.write.ExecContext(ctx, `INSERT INTO _pam_meta(key, value) VALUES ('device_id', ?)`, id); err != nil {
			return fmt.Errorf("store device id: %w", err)
		}
	}
	s.deviceID = id
	owner, err := get("owner")
	if err != nil {
		return fmt.Errorf("load owner: %w", err)
	}
	s.ownerMu.Lock()
	s.owner = owner
	s.ownerMu.Unlock()
	var last int64
	if err := s.write.QueryRowContext(ctx, `SELECT coalesce(max(hlc), 0) FROM _pam_changes`).Scan(&last); err != nil {
		return fmt.Errorf("load clock: %w", err)
	}
	if v, err := get("hlc"); err != nil {
		return fmt.Errorf("load clock: %w", err)
	} else if v != "" {
		var hw int64
		fmt.Sscan(v, &hw)
		last = max(last, hw)
	}
	s.clock = hlc.NewClock(s.Now, hlc.Timestamp(last))
	return nil
}

// SetOwner records the device owner's user id.
func (s *Store) SetOwner(ctx context.Context, userID string) error {
	id, err := schema.ParseUUID(userID)
	if err != nil {
		return schema.Errorf(schema.EINVALID, "owner: %v", err)
	}
	if err := s.writable(ctx); err != nil {
		return err
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO _pam_meta(key, value) VALUES ('owner', ?)
		ON CONFLICT(key) DO UPDATE SET value = excluded.value`, id); err != nil {
		return fmt.Errorf("set owner: %w", err)
	}
	s.ownerMu.Lock()
	s.owner = id
	s.ownerMu.Unlock()
	return nil
}

// NewID mints a UUIDv7, so keys sort by creation time.
func NewID() string { return rowid.New() }

// sqliteCode returns the extended result code of a SQLite error, or 0.
func sqliteCode(err error) int {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code()
	}
	return 0
}

// mapWriteError turns constraint failures into application errors; any
// other error stays internal.
func mapWriteError(table string, err error) error {
	switch sqliteCode(err) {
	case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
		return &schema.Error{Code: schema.ECONFLICT, Message: fmt.Sprintf("%s: a row with this key already exists", table)}
	case sqlite3.SQLITE_CONSTRAINT_CHECK, sqlite3.SQLITE_CONSTRAINT_NOTNULL, sqlite3.SQLITE_CONSTRAINT_DATATYPE:
		return &schema.Error{Code: schema.EUNPROCESSABLE, Message: fmt.Sprintf("%s: value fails a constraint of the table", table)}
	case sqlite3.SQLITE_FULL:
		return &schema.Error{Code: schema.EUNAVAILABLE, Message: "the device's disk is full"}
	}
	return err
}
