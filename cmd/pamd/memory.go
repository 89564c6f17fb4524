package main

import (
	"context"
	"net/http"
	"runtime/debug"
	"sync/atomic"
	"time"
)

// The runtime keeps the heap it grew under load: its goal is twice the
// live heap at the last collection, and an idle daemon collects rarely,
// so after 30 s of 16 clients RSS stayed where the load left it. Once the
// daemon has been quiet for a while after serving requests, it collects
// and returns the freed memory to the system, once per burst of work.

// releaseQuiet is how long the daemon must have been quiet, checked every
// releaseQuiet, before it hands memory back.
const releaseQuiet = 5 * time.Second

// activity counts the HTTP requests served.
type activity struct{ requests atomic.Int64 }

// wrap counts each request h serves.
func (a *activity) wrap(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		a.requests.Add(1)
		h.ServeHTTP(w, r)
	})
}

// releaseWhenQuiet returns freed memory to the system after each burst of
// requests, once a check finds none since the last one, and once after
// start-up (opening the store, its first check of the file), which leaves
// megabytes of garbage behind. It ends with ctx.
func (a *activity) releaseWhenQuiet(ctx context.Context, every time.Duration, shrink func(context.Context) error) error {
	t := time.NewTicker(every)
	defer t.Stop()
	var seen int64
	busy := true
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
		if n := a.requests.Load(); n != seen {
			seen, busy = n, true
			continue
		}
		if busy {
			if shrink != nil {
				shrink(ctx) // best effort: the next quiet moment tries again
			}
			debug.FreeOSMemory()
			busy = false
		}
	}
}
