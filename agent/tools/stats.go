package tools

import (
	"slices"
	"sync"
	"time"
)

// latencyWindow is how many recent calls of a tool the p95 is taken over.
const latencyWindow = 512

// Status is one tool's counters since the registry was built, for
// GET /api/v1/pam/tools/status.
type Status struct {
	Name   string  `json:"name"`
	Calls  int64   `json:"calls"`
	Errors int64   `json:"errors"`
	MeanMS float64 `json:"mean_ms"`
	P95MS  float64 `json:"p95_ms"` // over the last 512 calls
}

// recorder counts calls, errors and latencies per tool. It is safe for
// concurrent use.
type recorder struct {
	mu    sync.Mutex            // guards tools and everything in it
	tools map[string]*toolStats // by tool name
}

type toolStats struct {
	calls, errors int64
	total         time.Duration
	recent        [latencyWindow]time.Duration // ring buffer of the last calls
}

func (r *recorder) record(name string, d time.Duration, failed bool) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.tools == nil {
		r.tools = make(map[string]*toolStats)
	}
	st := r.tools[name]
	if st == nil {
		st = new(toolStats)
		r.tools[name] = st
	}
	st.recent[st.calls%latencyWindow] = d
	st.calls++
	st.total += d
	if failed {
		st.errors++
	}
}

// snapshot returns the status of each named tool, in the order given;
// tools never called have zero counters.
func (r *recorder) snapshot(names []string) []Status {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]Status, len(names))
	for i, name := range names {
		out[i] = Status{Name: name}
		st := r.tools[name]
		if st == nil || st.calls == 0 {
			continue
		}
		out[i].Calls, out[i].Errors = st.calls, st.errors
		out[i].MeanMS = ms(st.total / time.Duration(st.calls))
		recent := slices.Clone(st.recent[:min(st.calls, latencyWindow)])
		slices.Sort(recent)
		out[i].P95MS = ms(percentile(recent, 0.95))
	}
	return out
}

// percentile returns the nearest-rank p-th percentile of sorted durations.
func percentile(sorted []time.Duration, p float64) time.Duration {
	if len(sorted) == 0 {
		return 0
	}
	k := int(float64(len(sorted))*p+0.999999) - 1
	return sorted[min(max(k, 0), len(sorted)-1)]
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
