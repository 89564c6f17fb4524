package linktest_test

import (
	"bytes"
	"io"
	"math/rand/v2"
	"net"
	"testing"
	"time"

	"github.com/pam-rv/pamd/sync/replica/linktest"
)

// echoServer answers every byte with itself until the client closes.
func echoServer(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			go func() { defer c.Close(); io.Copy(c, c) }()
		}
	}()
	return ln.Addr().String()
}

func startProxy(t *testing.T, target string, link linktest.Link) *linktest.Proxy {
	t.Helper()
	p, err := linktest.Start(target, link)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

// roundTrip writes data and reads back as many bytes, returning them and
// how long it took.
func roundTrip(t *testing.T, c net.Conn, data []byte) ([]byte, time.Duration) {
	t.Helper()
	start := time.Now()
	errs := make(chan error, 1)
	go func() { _, err := c.Write(data); errs <- err }()
	got := make([]byte, len(data))
	if _, err := io.ReadFull(c, got); err != nil {
		t.Fatalf("read back: %v", err)
	}
	if err := <-errs; err != nil {
		t.Fatal(err)
	}
	return got, time.Since(start)
}

// TestProxyShapesTheLink: bytes arrive intact and in order, never before
// the link's delay (and, rate-limited, its transmission time) has passed;
// a cut ends the connection and the next one works. Only lower bounds are
// checked: a loaded machine may be slower, never faster.
func TestProxyShapesTheLink(t *testing.T) {
	echo := echoServer(t)
	cases := []struct {
		name    string
		link    linktest.Link
		size    int
		atLeast time.Duration
	}{
		{"delay only", linktest.RTT(100 * time.Millisecond), 1 << 20, 100 * time.Millisecond},
		{"rate limited up", linktest.Link{Up: linktest.Direction{Delay: 10 * time.Millisecond, Rate: 256 << 10}}, 64 << 10, 250 * time.Millisecond},
		{"asymmetric", linktest.Link{Up: linktest.Direction{Delay: 20 * time.Millisecond}, Down: linktest.Direction{Delay: 80 * time.Millisecond, Rate: 1 << 20}}, 256 << 10, 350 * time.Millisecond},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			p := startProxy(t, echo, tc.link)
			c, err := net.Dial("tcp", p.Addr())
			if err != nil {
				t.Fatal(err)
			}
			defer c.Close()
			data := make([]byte, tc.size)
			rng := rand.New(rand.NewPCG(1, uint64(tc.size)))
			for i := range data {
				data[i] = byte(rng.Uint32())
			}
			got, took := roundTrip(t, c, data)
			if !bytes.Equal(got, data) {
				t.Fatal("bytes changed on the way")
			}
			if took < tc.atLeast {
				t.Fatalf("round trip of %d bytes took %v, less than the link allows (%v)", tc.size, took, tc.atLeast)
			}
			if conns, up, down := p.Stats(); conns != 1 || up != int64(tc.size) || down != int64(tc.size) {
				t.Fatalf("stats = %d conns, %d up, %d down", conns, up, down)
			}
		})
	}
	t.Run("cut and down", func(t *testing.T) {
		p := startProxy(t, echo, linktest.RTT(10*time.Millisecond))
		c, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		roundTrip(t, c, []byte("ping"))
		p.Cut()
		if _, err := io.ReadFull(c, make([]byte, 1)); err == nil {
			t.Fatal("a cut connection still reads")
		}
		p.SetDown(true)
		if c2, err := net.Dial("tcp", p.Addr()); err == nil {
			c2.SetReadDeadline(time.Now().Add(10 * time.Second))
			if _, err := c2.Read(make([]byte, 1)); err == nil {
				t.Fatal("a down link carried a connection")
			}
			c2.Close()
		}
		p.SetDown(false)
		c3, err := net.Dial("tcp", p.Addr())
		if err != nil {
			t.Fatal(err)
		}
		defer c3.Close()
		if got, _ := roundTrip(t, c3, []byte("again")); string(got) != "again" {
			t.Fatalf("after the link came back: %q", got)
		}
	})
}
