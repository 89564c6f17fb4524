// Package storetest opens real local stores for tests: a fresh SQLite file
// under the test's temporary directory, closed when the test ends. Tests of
// the packages above the store (agent/...) use it instead of repeating the
// setup; production code never imports it.
package storetest

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// Options shape the store Open returns. The zero value is a store on the
// real clock with the default reader pool.
type Options struct {
	// Start, when set, pins the store's clock: it reads Start+1ms, +2ms, …
	// so every write gets a distinct, reproducible timestamp.
	Start time.Time
	// OneReader limits the reader pool to one connection: a read nested in
	// an Each callback (which holds its reader) then blocks at once in the
	// test, instead of deadlocking in the field only under load.
	OneReader bool
	// Demo fills the scale 1 demo data set as of Start (the real clock
	// when Start is zero).
	Demo bool
	// NoCache turns the read cache off.
	NoCache bool
}

// Open opens a store on a fresh file in tb.TempDir() and closes it at
// cleanup.
func Open(tb testing.TB, o Options) *localstore.Store {
	tb.Helper()
	ctx := context.Background()
	s := localstore.New(filepath.Join(tb.TempDir(), localstore.FileName), schema.Default())
	if o.OneReader {
		s.ReadConns = 1
	}
	if o.NoCache {
		s.CacheBytes = 0
	}
	if !o.Start.IsZero() {
		now := o.Start
		s.Now = func() time.Time { now = now.Add(time.Millisecond); return now }
	}
	if err := s.Open(ctx); err != nil {
		tb.Fatalf("open store: %v", err)
	}
	tb.Cleanup(func() { s.Close() })
	if o.Demo {
		at := o.Start
		if at.IsZero() {
			at = time.Now()
		}
		if _, err := demo.Fill(ctx, s, demo.Options{Scale: 1, Now: at}); err != nil {
			tb.Fatalf("demo fill: %v", err)
		}
	}
	return s
}
