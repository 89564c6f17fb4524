package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"sync/atomic"
	"time"
	"unsafe"
)

// tokenCache spares a request its token lookup while the database is as it
// was when the token was read: a remembered token is used only when no
// commit anywhere (this process's writer, `pamd token revoke` in another
// process, sqlite3 by hand) can have revoked, deleted or changed it since,
// so a revocation still takes effect on the next request. Any commit
// forgets every token (the next use of each reads it again): a dashboard
// reading between writes skips the lookup, a burst of writes does not.
//
// What tells a commit: the header of the WAL index (the -shm file), which
// every commit rewrites (its frame count, salts and checksum; SQLite's
// walformat.html), read from a read-only mapping in a few nanoseconds; or,
// where it cannot be mapped, PRAGMA data_version (about 10 µs), which
// moves whenever another connection commits. Both are read with a
// connection of the cache's own pinned open (sql.Conn): data_version is
// only comparable within one connection, and while a connection is open
// SQLite neither deletes nor truncates the -shm file.
type tokenCache struct {
	db *sql.DB // one connection, read-only

	mu       sync.Mutex
	conn     *sql.Conn // nil until first use, or after an error
	stmt     *sql.Stmt // PRAGMA data_version on conn
	walIndex []byte    // the -shm file's first page, mapped read-only; nil if not
	path     string
	version  dbVersion // when users was filled
	users    map[string]cachedToken
}

// dbVersion identifies a committed state of the database: the WAL-index
// header's two copies (the second is written first), or data_version.
type dbVersion struct {
	hdr  [walHeaderWords]uint32
	data int64
}

// walHeaderWords is the size of the WAL index's two header copies, in
// 32-bit words (2 x 48 bytes).
const walHeaderWords = 24

// cachedToken is what a token's row said: its user and expiry.
type cachedToken struct {
	user    string
	expires time.Time // zero: never
}

// maxCachedTokens bounds the cache; past it, it starts afresh.
const maxCachedTokens = 1024

// openTokenCache opens the connection the token cache reads data_version on.
func openTokenCache(path string) (*tokenCache, error) {
	q := url.Values{}
	q.Add("_pragma", "busy_timeout(10000)")
	q.Add("_pragma", "query_only(1)")
	db, err := sql.Open("sqlite", "file:"+path+"?"+q.Encode())
	if err != nil {
		return nil, fmt.Errorf("open token cache %s: %w", path, err)
	}
	db.SetMaxOpenConns(1)
	return &tokenCache{db: db, path: path, users: map[string]cachedToken{}}, nil
}

// lookup returns the user of the token with hash h if it is remembered,
// has not changed since, and has not expired at now. Otherwise it returns
// the data_version to remember a lookup made now under (ok false when
// there is none to be had: then nothing is remembered).
func (c *tokenCache) lookup(ctx context.Context, h string, now time.Time) (user string, hit bool, version dbVersion, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.current(ctx)
	if err != nil {
		clear(c.users)
		return "", false, dbVersion{}, false
	}
	if v != c.version {
		clear(c.users)
		c.version = v
	}
	if t, found := c.users[h]; found && (t.expires.IsZero() || now.Before(t.expires)) {
		return t.user, true, v, true
	}
	return "", false, v, true
}

// remember keeps what a lookup made under version read, unless the
// database has changed since.
func (c *tokenCache) remember(h string, version dbVersion, t cachedToken) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.conn == nil || version != c.version {
		return
	}
	if len(c.users) >= maxCachedTokens {
		clear(c.users)
	}
	c.users[h] = t
}

// current reads the database's version, pinning a connection (and mapping
// the WAL index) first if needed. The caller holds mu.
func (c *tokenCache) current(ctx context.Context) (dbVersion, error) {
	if c.conn == nil {
		if err := c.pin(ctx); err != nil {
			return dbVersion{}, err
		}
	}
	var v dbVersion
	if c.walIndex != nil {
		for i := range v.hdr {
			v.hdr[i] = atomic.LoadUint32((*uint32)(unsafe.Pointer(&c.walIndex[4*i])))
		}
		return v, nil
	}
	if err := c.stmt.QueryRowContext(ctx).Scan(&v.data); err != nil {
		c.drop()
		return dbVersion{}, err
	}
	return v, nil
}

// pin opens the cache's connection, has it read the database (which opens
// the write-ahead log and its index), and maps the index's header. The
// caller holds mu.
func (c *tokenCache) pin(ctx context.Context) error {
	conn, err := c.db.Conn(ctx)
	if err != nil {
		return err
	}
	stmt, err := conn.PrepareContext(ctx, `PRAGMA data_version`)
	if err != nil {
		conn.Close()
		return err
	}
	var v int64
	if err := stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		stmt.Close()
		conn.Close()
		return err
	}
	c.conn, c.stmt = conn, stmt
	c.walIndex, _ = mapWALIndex(c.path + "-shm") // nil: data_version it is
	c.version = dbVersion{data: -1}              // a new connection's numbers say nothing of the old one's
	clear(c.users)
	return nil
}

// drop lets the pinned connection go. The caller holds mu.
func (c *tokenCache) drop() {
	if c.walIndex != nil {
		unmapWALIndex(c.walIndex)
		c.walIndex = nil
	}
	if c.conn != nil {
		c.stmt.Close()
		c.conn.Close()
		c.conn, c.stmt = nil, nil
	}
}

// close releases the connection.
func (c *tokenCache) close() error {
	c.mu.Lock()
	c.drop()
	c.mu.Unlock()
	return c.db.Close()
}
