package api

import (
	"crypto/sha256"
	"encoding/hex"
	"math"
	"net"
	"net/http"
	"strconv"
	"sync"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// credentialKey names a presented credential in the per-token limiter
// without keeping it.
func credentialKey(user, credential string) string {
	h := sha256.Sum256([]byte(credential))
	return user + "/" + hex.EncodeToString(h[:8])
}

// Limits of the HTTP server the daemon builds (cmd/pamd), in one place.
const (
	ReadHeaderTimeout = 10 * time.Second
	// ReadTimeout bounds reading a whole request, body included: a client
	// trickling a body is cut off. WebSockets are not affected (the
	// server clears deadlines when a connection is hijacked).
	ReadTimeout = 30 * time.Second
	// WriteTimeout bounds a whole answer, generously: a chat answer from
	// a local model on a small board takes minutes.
	WriteTimeout   = 5 * time.Minute
	IdleTimeout    = 2 * time.Minute
	MaxHeaderBytes = 64 << 10
	// MaxConns caps open connections (WebSockets included); more wait in
	// the kernel's backlog until one closes.
	MaxConns = 512
	// DefaultWebSocketsPerUser caps one user's live WebSockets.
	DefaultWebSocketsPerUser = 16
	// Request rates: per credential (a device token or JWT) and per
	// client address, each a burst and then a steady rate. A dashboard
	// polls a few requests a second; these stop a runaway script or a
	// flood without touching normal use.
	DefaultTokenBurst = 200
	DefaultTokenRate  = 50 // per second
	DefaultAddrBurst  = 400
	DefaultAddrRate   = 100 // per second
)

// rateLimitError is the 429 answer's error.
func rateLimitError(who string, wait time.Duration) error {
	return schema.Errorf(schema.ERATELIMIT, "too many requests from %s: slow down and retry in %s", who, wait.Round(time.Millisecond))
}

// NewHTTPServer returns an http.Server for h with the limits above.
func NewHTTPServer(h http.Handler) *http.Server {
	return &http.Server{
		Handler:           h,
		ReadHeaderTimeout: ReadHeaderTimeout,
		ReadTimeout:       ReadTimeout,
		WriteTimeout:      WriteTimeout,
		IdleTimeout:       IdleTimeout,
		MaxHeaderBytes:    MaxHeaderBytes,
	}
}

// LimitListener caps the connections l hands out at n open at once.
func LimitListener(l net.Listener, n int) net.Listener {
	return &limitListener{Listener: l, sem: make(chan struct{}, n), done: make(chan struct{})}
}

type limitListener struct {
	net.Listener
	sem       chan struct{}
	done      chan struct{}
	closeOnce sync.Once
}

func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.sem <- struct{}{}:
	case <-l.done:
		return nil, net.ErrClosed
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.sem
		return nil, err
	}
	return &limitConn{Conn: c, release: func() { <-l.sem }}, nil
}

func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.done) })
	return l.Listener.Close()
}

type limitConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}

// failLimiter is a token bucket per client address over failed attempts:
// Burst failures at once, then one more per Every. Blocked addresses are
// answered 429 with Retry-After before any check is made. Memory is
// bounded: at MaxAddrs, rested addresses are dropped, and if none is, new
// addresses share one bucket.
type failLimiter struct {
	Burst    int
	Every    time.Duration
	MaxAddrs int
	Now      func() time.Time

	mu sync.Mutex
	m  map[string]*bucket
}

type bucket struct {
	tokens float64
	last   time.Time
}

const sharedBucket = "*"

func newFailLimiter(burst int, every time.Duration, now func() time.Time) *failLimiter {
	return &failLimiter{Burst: burst, Every: every, MaxAddrs: 4096, Now: now, m: make(map[string]*bucket)}
}

// refill brings b up to date; the caller holds mu.
func (l *failLimiter) refill(b *bucket, now time.Time) {
	if d := now.Sub(b.last); d > 0 {
		b.tokens = math.Min(float64(l.Burst), b.tokens+float64(d)/float64(l.Every))
	}
	b.last = now
}

// Wait is how long addr must wait before its next attempt; 0: go ahead.
func (l *failLimiter) Wait(addr string) time.Duration {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.m[addr]
	if !ok {
		if b, ok = l.m[sharedBucket]; !ok || len(l.m) < l.MaxAddrs {
			return 0
		}
	}
	l.refill(b, l.Now())
	if b.tokens >= 1 {
		return 0
	}
	return time.Duration((1 - b.tokens) * float64(l.Every))
}

// Fail records a failed attempt from addr.
func (l *failLimiter) Fail(addr string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketFor(addr, l.Now())
	b.tokens = math.Max(b.tokens-1, -float64(l.Burst)) // a bounded lock-out
}

// Take spends one token of key's bucket if it has one and returns 0, or
// returns how long until it will: a request rate limit.
func (l *failLimiter) Take(key string) time.Duration {
	if l == nil {
		return 0
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	b := l.bucketFor(key, l.Now())
	if b.tokens < 1 {
		return time.Duration((1 - b.tokens) * float64(l.Every))
	}
	b.tokens--
	return 0
}

// bucketFor returns key's bucket refilled to now, making one (full) for a
// new key; at MaxAddrs rested buckets are dropped, and if none is, new
// keys share one bucket. The caller holds mu.
func (l *failLimiter) bucketFor(key string, now time.Time) *bucket {
	b, ok := l.m[key]
	if !ok {
		if len(l.m) >= l.MaxAddrs {
			l.sweep(now)
		}
		if len(l.m) >= l.MaxAddrs {
			key = sharedBucket
			b = l.m[key]
		}
		if b == nil {
			b = &bucket{tokens: float64(l.Burst), last: now}
			l.m[key] = b
		}
	}
	l.refill(b, now)
	return b
}

// sweep drops the addresses whose bucket has refilled.
func (l *failLimiter) sweep(now time.Time) {
	for a, b := range l.m {
		l.refill(b, now)
		if b.tokens >= float64(l.Burst) {
			delete(l.m, a)
		}
	}
}

// clientAddr keys a client: its IP address, or for IPv6 its /64 (one
// host can have many addresses in its prefix).
func clientAddr(r *http.Request) string {
	host, _, err := net.SplitHostPort(r.RemoteAddr)
	if err != nil {
		host = r.RemoteAddr
	}
	ip := net.ParseIP(host)
	if ip == nil {
		return host
	}
	if ip.To4() == nil {
		return ip.Mask(net.CIDRMask(64, 128)).String() + "/64"
	}
	return ip.String()
}

func retryAfter(d time.Duration) string {
	return strconv.Itoa(int(math.Ceil(d.Seconds())))
}

// wsCounter counts each user's live WebSockets.
type wsCounter struct {
	mu sync.Mutex
	n  map[string]int
}

func (c *wsCounter) acquire(user string, max int) bool {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n == nil {
		c.n = make(map[string]int)
	}
	if c.n[user] >= max {
		return false
	}
	c.n[user]++
	return true
}

func (c *wsCounter) release(user string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.n[user]--; c.n[user] <= 0 {
		delete(c.n, user)
	}
}
