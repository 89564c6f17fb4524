package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"net/url"
	"sync"
	"time"
)

// tokenCache spares a request its token lookup while the database is as it
// was when the token was read. SQLite's PRAGMA data_version, read on a
// connection the cache keeps to itself, moves whenever any other connection
// commits: this process's writer, `pamd token revoke` in another process,
// sqlite3 by hand. So a remembered token is used only when no commit
// anywhere can have revoked, deleted or changed it since it was read, and a
// revocation still takes effect on the next request. Any commit forgets
// every token (the next use of each reads it again): a dashboard reading
// between writes skips the lookup, a burst of writes does not.
//
// The connection is pinned (sql.Conn): data_version is only comparable
// within one connection, and a pooled one could be closed and reopened
// between two reads.
type tokenCache struct {
	db *sql.DB // one connection, read-only

	mu      sync.Mutex
	conn    *sql.Conn // nil until first use, or after an error
	stmt    *sql.Stmt // PRAGMA data_version on conn
	version int64     // data_version when users was filled
	users   map[string]cachedToken
}

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
	return &tokenCache{db: db, users: map[string]cachedToken{}}, nil
}

// lookup returns the user of the token with hash h if it is remembered,
// has not changed since, and has not expired at now. Otherwise it returns
// the data_version to remember a lookup made now under (ok false when
// there is none to be had: then nothing is remembered).
func (c *tokenCache) lookup(ctx context.Context, h string, now time.Time) (user string, hit bool, version int64, ok bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	v, err := c.dataVersion(ctx)
	if err != nil {
		clear(c.users)
		return "", false, 0, false
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
func (c *tokenCache) remember(h string, version int64, t cachedToken) {
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

// dataVersion reads PRAGMA data_version on the pinned connection, pinning
// one first if needed. The caller holds mu.
func (c *tokenCache) dataVersion(ctx context.Context) (int64, error) {
	if c.conn == nil {
		conn, err := c.db.Conn(ctx)
		if err != nil {
			return 0, err
		}
		stmt, err := conn.PrepareContext(ctx, `PRAGMA data_version`)
		if err != nil {
			conn.Close()
			return 0, err
		}
		c.conn, c.stmt = conn, stmt
		c.version = -1 // a new connection's numbers say nothing of the old one's
	}
	var v int64
	if err := c.stmt.QueryRowContext(ctx).Scan(&v); err != nil {
		c.drop()
		return 0, err
	}
	return v, nil
}

// drop lets the pinned connection go. The caller holds mu.
func (c *tokenCache) drop() {
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
