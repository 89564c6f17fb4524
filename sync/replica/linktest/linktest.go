// Package linktest is a TCP proxy that makes loopback look like an RV's
// link to central: a one-way delay and an optional rate limit in each
// direction, and a cut on demand. Tests and benchmarks put it between a
// device and the test Postgres.
package linktest

import (
	"errors"
	"fmt"
	"io"
	"net"
	"sync"
	"time"
)

// Direction shapes one direction of the link.
type Direction struct {
	// Delay is the one-way propagation delay added to every byte.
	Delay time.Duration
	// Rate, when above zero, limits the direction to that many bytes per
	// second: bytes queue behind the ones before them, as on a modem.
	Rate int64
}

// Link shapes both directions: Up is client to server, Down server to
// client.
type Link struct {
	Up, Down Direction
}

// RTT returns a link with rtt/2 of delay each way and no rate limit.
func RTT(rtt time.Duration) Link {
	return Link{Up: Direction{Delay: rtt / 2}, Down: Direction{Delay: rtt / 2}}
}

// Proxy forwards connections on its listener to a target address through
// the shaped link.
type Proxy struct {
	target string
	link   Link
	ln     net.Listener

	mu     sync.Mutex
	conns  map[net.Conn]struct{}
	down   bool // refusing connections
	closed bool
	wg     sync.WaitGroup

	accepted int
	up, dn   int64 // bytes forwarded
}

// Start listens on a free loopback port and forwards to target.
func Start(target string, link Link) (*Proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, fmt.Errorf("listen: %w", err)
	}
	p := &Proxy{target: target, link: link, ln: ln, conns: map[net.Conn]struct{}{}}
	p.wg.Add(1)
	go p.serve()
	return p, nil
}

// Addr is the host:port clients connect to instead of the target.
func (p *Proxy) Addr() string { return p.ln.Addr().String() }

// Stats reports the connections accepted and the bytes forwarded each way.
func (p *Proxy) Stats() (conns int, up, down int64) {
	p.mu.Lock()
	defer p.mu.Unlock()
	return p.accepted, p.up, p.dn
}

// Cut closes every open connection, as a link drop does; new connections
// are still accepted.
func (p *Proxy) Cut() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for c := range p.conns {
		c.Close()
	}
}

// SetDown makes the link refuse (down true: cut and close new
// connections at once) or carry connections again.
func (p *Proxy) SetDown(down bool) {
	p.mu.Lock()
	p.down = down
	p.mu.Unlock()
	if down {
		p.Cut()
	}
}

// Close stops listening, cuts every connection and waits for the
// forwarding goroutines to end.
func (p *Proxy) Close() error {
	p.mu.Lock()
	p.closed = true
	p.mu.Unlock()
	err := p.ln.Close()
	p.Cut()
	p.wg.Wait()
	return err
}

func (p *Proxy) serve() {
	defer p.wg.Done()
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		p.mu.Lock()
		if p.down || p.closed {
			p.mu.Unlock()
			c.Close()
			continue
		}
		p.accepted++
		p.conns[c] = struct{}{}
		p.wg.Add(1)
		p.mu.Unlock()
		go p.handle(c)
	}
}

// track registers a connection so that Cut closes it too.
func (p *Proxy) track(c net.Conn) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.down || p.closed {
		return false
	}
	p.conns[c] = struct{}{}
	return true
}

func (p *Proxy) forget(cs ...net.Conn) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, c := range cs {
		delete(p.conns, c)
		c.Close()
	}
}

func (p *Proxy) handle(client net.Conn) {
	defer p.wg.Done()
	server, err := net.Dial("tcp", p.target)
	if err != nil {
		p.forget(client)
		return
	}
	if !p.track(server) {
		p.forget(client, server)
		return
	}
	var wg sync.WaitGroup
	wg.Add(2)
	go func() { defer wg.Done(); p.pump(server, client, p.link.Up, &p.up) }()
	go func() { defer wg.Done(); p.pump(client, server, p.link.Down, &p.dn) }()
	wg.Wait()
	p.forget(client, server)
}

// packet is bytes read at one moment, due at the other end at due.
type packet struct {
	data []byte
	due  time.Time
}

// pump copies src to dst through one shaped direction: a reader stamps
// each read with the time it reaches the other end, a writer delivers it
// then. When src ends, dst's write side is closed after the last byte.
func (p *Proxy) pump(dst, src net.Conn, d Direction, count *int64) {
	queue := make(chan packet, 1<<14)
	done := make(chan struct{})
	go func() {
		defer close(done)
		for pk := range queue {
			if wait := time.Until(pk.due); wait > 0 {
				time.Sleep(wait)
			}
			p.mu.Lock()
			*count += int64(len(pk.data))
			p.mu.Unlock()
			if _, err := dst.Write(pk.data); err != nil {
				src.Close() // the other end is gone: stop reading too
				for range queue {
				}
				return
			}
		}
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}()
	var free time.Time // when the rate-limited link is next idle
	for {
		buf := make([]byte, 32<<10)
		n, err := src.Read(buf)
		if n > 0 {
			now := time.Now()
			leave := now
			if d.Rate > 0 {
				leave = later(free, now).Add(time.Duration(int64(n) * int64(time.Second) / d.Rate))
				free = leave
			}
			queue <- packet{data: buf[:n], due: leave.Add(d.Delay)}
		}
		if err != nil {
			if !errors.Is(err, io.EOF) {
				dst.Close()
			}
			break
		}
	}
	close(queue)
	<-done
}

// later is the later of two instants.
func later(a, b time.Time) time.Time {
	if a.After(b) {
		return a
	}
	return b
}
