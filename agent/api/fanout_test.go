package api_test

import (
	"context"
	"fmt"
	"net/http"
	"runtime"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/tools"
)

// TestNotificationFanOut: 200 notification sockets of one user, one of
// which never reads. The others get every message, in order, and the
// server's memory stays flat: the silent phone holds nothing up. (On
// loopback its socket buffers absorb this run; the hub dropping a
// subscriber whose buffer fills is TestSlowSubscriberDropped in
// agent/notify, and a write to a phone that stopped reading gives up after
// notifyWriteTimeout.)
func TestNotificationFanOut(t *testing.T) {
	if testing.Short() {
		t.Skip("long under -race: make test runs it without the race detector (LONG_TESTS)")
	}
	const clients, messages = 200, 300
	e := newTestEnv(t)
	hub := &notify.Hub{}
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.WebSocketsPerUser = clients + 8
	a.SetRateLimits(0, 0, 0, 0) // 200 dials on one token: the fan-out, not the limiter
	a.MountIntelligence(tools.NewRegistry(e.store), hub)
	e.srv.Config.Handler = a.Handler()
	// A hang guard only: the test waits on deliveries, never on a clock.
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()

	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws/notifications/" + alice
	hdr := http.Header{"Authorization": {"Bearer " + e.alice}}
	conns := make([]*websocket.Conn, clients)
	for i := range conns {
		c, _, err := websocket.Dial(ctx, url, &websocket.DialOptions{HTTPHeader: hdr})
		if err != nil {
			t.Fatalf("dial %d: %v", i, err)
		}
		c.SetReadLimit(1 << 20)
		conns[i] = c
		t.Cleanup(func() { c.CloseNow() })
	}
	// Every socket is subscribed before the run (the subscription follows
	// the upgrade). Wait by counting: publishing hellos while nobody reads
	// filled the first subscribers' buffers, the hub dropped them, and the
	// count never reached clients (a hang seen in CI).
	for hub.Count(alice) < clients {
		if ctx.Err() != nil {
			t.Fatalf("only %d of %d sockets subscribed", hub.Count(alice), clients)
		}
		time.Sleep(time.Millisecond)
	}
	// conns[0] is never read again: the phone that stopped listening.
	var got sync.WaitGroup // one Done per reader per message
	var wrong atomic.Int64 // messages out of order or missing
	next := make([]int, clients)
	for i := 1; i < clients; i++ {
		go func(i int, c *websocket.Conn) {
			for {
				var n notify.Notification
				if err := wsjson.Read(ctx, c, &n); err != nil {
					return
				}
				if n.Type == "hello" {
					continue
				}
				var seq int
				fmt.Sscan(n.Title, &seq)
				if seq != next[i] {
					wrong.Add(1)
				}
				next[i] = seq + 1
				got.Done()
			}
		}(i, conns[i])
	}
	body := strings.Repeat("x", 4096) // enough that the silent socket's buffers fill
	var heapAt50 uint64
	for m := 0; m < messages; m++ {
		got.Add(clients - 1)
		hub.Publish(alice, notify.Notification{Type: "test", Title: fmt.Sprint(m), Body: body})
		got.Wait() // every reading phone has it before the next is sent
		if m == 50 {
			heapAt50 = heapInUse()
		}
	}
	if n := wrong.Load(); n != 0 {
		t.Fatalf("%d messages arrived out of order or were missed", n)
	}
	for i := 1; i < clients; i++ {
		if next[i] != messages {
			t.Fatalf("reader %d got %d of %d", i, next[i], messages)
		}
	}
	t.Logf("subscribers left after the run: %d", hub.Publish(alice, notify.Notification{Type: "hello"}))
	grew := int64(heapInUse()) - int64(heapAt50)
	t.Logf("heap in use grew %d KiB from message 50 to %d across %d sockets", grew/1024, messages, clients)
	if grew > 8<<20 {
		t.Fatalf("heap grew %d MiB while one phone did not read", grew>>20)
	}
}

func heapInUse() uint64 {
	runtime.GC()
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	return ms.HeapInuse
}
