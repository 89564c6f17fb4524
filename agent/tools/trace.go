package tools

import (
	"context"
	"encoding/json"
	"sync"
	"time"
)

// Traced is one tool run recorded in a Trace.
type Traced struct {
	Name      string
	Arguments json.RawMessage
	Output    any
	Err       error
	Elapsed   time.Duration
}

// Trace records the tools a provider ran itself (the offline answerer runs
// tools without asking the caller to), so the reply can list them.
type Trace struct {
	mu    sync.Mutex
	calls []Traced
}

type traceKey struct{}

// WithTrace carries a new Trace through a model round trip.
func WithTrace(ctx context.Context) (context.Context, *Trace) {
	t := &Trace{}
	return context.WithValue(ctx, traceKey{}, t), t
}

// TraceFrom returns the Trace WithTrace stored, or nil.
func TraceFrom(ctx context.Context) *Trace {
	t, _ := ctx.Value(traceKey{}).(*Trace)
	return t
}

// Add records a tool run; a nil Trace records nothing.
func (t *Trace) Add(c Traced) {
	if t == nil {
		return
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	t.calls = append(t.calls, c)
}

// Calls are the runs recorded so far, in order.
func (t *Trace) Calls() []Traced {
	if t == nil {
		return nil
	}
	t.mu.Lock()
	defer t.mu.Unlock()
	return append([]Traced(nil), t.calls...)
}
