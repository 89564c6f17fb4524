package llm

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"
)

// Router defaults, set by NewRouter.
const (
	DefaultFirstTokenTimeout = 8 * time.Second
	DefaultBreakerThreshold  = 3
	DefaultBreakerCooldown   = 30 * time.Second
)

var (
	errWatchdog       = errors.New("no first token")
	errAttemptTimeout = errors.New("attempt timeout")
)

// Router is a Provider that answers through the first of its providers that
// may and can answer. For PAM the order is: OpenAI primary model, OpenAI
// fallback model, Ollama, then the offline answerer as the last resort.
//
// For each provider in order, the Router
//   - skips it while offline if it is Networked and needs the internet;
//   - skips it while its circuit breaker is open (BreakerThreshold consecutive
//     failures open it; after BreakerCooldown one trial request is let through,
//     and its outcome closes or re-opens the breaker);
//   - abandons it if neither a token nor a tool call arrives within
//     FirstTokenTimeout, and moves on;
//   - on any failure moves on to the next provider, unless something was
//     already streamed to the caller: then it returns the error, because the
//     caller has shown part of an answer that another model cannot continue.
//
// When the caller's ctx ends the Router stops at once and does not count it
// against the provider. Set the exported fields before the first Chat.
type Router struct {
	// Online reports whether the internet is reachable. Keep it cheap (a cached
	// state refreshed in the background), it is called on every Chat. nil
	// means always online.
	Online func() bool

	// FirstTokenTimeout is how long a provider may stay silent before the
	// Router abandons it and fails over. 0 disables the watchdog.
	FirstTokenTimeout time.Duration

	// AttemptTimeout caps one provider's whole answer. 0 means no cap (the
	// caller's ctx still applies).
	AttemptTimeout time.Duration

	// BreakerThreshold is the number of consecutive failures that opens a
	// provider's breaker; BreakerCooldown is how long it then stays open.
	BreakerThreshold int
	BreakerCooldown  time.Duration

	Now    func() time.Time // the clock for the breakers
	Logger *slog.Logger

	providers []Provider

	mu       sync.Mutex // guards breakers
	breakers []breaker  // one per provider, same index
}

var _ Provider = (*Router)(nil)

// NewRouter returns a Router over providers, in order of preference, with the
// documented defaults. It panics if a provider is nil.
func NewRouter(providers ...Provider) *Router {
	for i, p := range providers {
		if p == nil {
			panic(fmt.Sprintf("llm: NewRouter: provider %d is nil", i))
		}
	}
	return &Router{
		FirstTokenTimeout: DefaultFirstTokenTimeout,
		BreakerThreshold:  DefaultBreakerThreshold,
		BreakerCooldown:   DefaultBreakerCooldown,
		Now:               time.Now,
		Logger:            slog.New(slog.DiscardHandler),
		providers:         providers,
		breakers:          make([]breaker, len(providers)),
	}
}

// Name implements Provider. The Response says which provider really answered.
func (r *Router) Name() string { return "router" }

// Model implements Provider.
func (r *Router) Model() string { return "auto" }

// ContextWindow is the smallest window among the providers (those reporting 0
// are ignored), so a prompt budgeted for it fits whichever provider answers.
func (r *Router) ContextWindow() int {
	smallest := 0
	for _, p := range r.providers {
		if w := p.ContextWindow(); w > 0 && (smallest == 0 || w < smallest) {
			smallest = w
		}
	}
	return smallest
}

// Next returns the provider Chat would try first now: the first that may
// answer while online or offline and whose breaker lets requests through
// (an open breaker past its cool-down counts, without claiming its trial).
// It returns nil when none may answer. Callers use it to size a request
// for the model most likely to answer it.
func (r *Router) Next() Provider {
	online := r.Online == nil || r.Online()
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	for i, p := range r.providers {
		if !online && needsInternet(p) {
			continue
		}
		b := r.breakers[i]
		if b.open && (b.trial || now.Sub(b.openedAt) < r.BreakerCooldown) {
			continue
		}
		return p
	}
	return nil
}

// Chat implements Provider; see Router for the order of failover. Response.Provider
// and Response.Model name the provider that answered. When none could, the
// error wraps ErrNoProvider and every attempt's error.
func (r *Router) Chat(ctx context.Context, req Request, onEvent func(Event)) (*Response, error) {
	if len(r.providers) == 0 {
		return nil, fmt.Errorf("%w: none configured", ErrNoProvider)
	}
	online := r.Online == nil || r.Online()
	var errs []error
	for i, p := range r.providers {
		if !online && needsInternet(p) {
			errs = append(errs, fmt.Errorf("%s/%s: skipped while offline", p.Name(), p.Model()))
			continue
		}
		if !r.allow(i) {
			errs = append(errs, fmt.Errorf("%s/%s: skipped, circuit open", p.Name(), p.Model()))
			continue
		}

		preq := req
		if req.ToolsFor != nil {
			preq.Tools, preq.ToolsFor = req.ToolsFor(p.ContextWindow()), nil
		}
		resp, emitted, err := r.try(ctx, p, preq, onEvent)
		if err == nil {
			r.succeeded(i)
			if resp.Provider == "" {
				resp.Provider = p.Name()
			}
			if resp.Model == "" {
				resp.Model = p.Model()
			}
			if len(errs) > 0 {
				r.logger().Info("answered by a fallback provider",
					LogKeyProvider, resp.Provider, LogKeyModel, resp.Model, "skipped", len(errs))
			}
			return resp, nil
		}
		if ctx.Err() != nil {
			r.release(i) // the caller gave up; that says nothing about the provider
			return nil, fmt.Errorf("llm: %s/%s: %w", p.Name(), p.Model(), ctx.Err())
		}

		r.failed(i, err)
		log := r.logger().With(LogKeyProvider, p.Name(), LogKeyModel, p.Model(), LogKeyError, err)
		if emitted {
			log.Warn("provider failed after streaming had begun; not failing over")
			return nil, fmt.Errorf("llm: %s/%s failed mid-answer: %w", p.Name(), p.Model(), err)
		}
		log.Warn("provider failed; trying the next one")
		errs = append(errs, fmt.Errorf("%s/%s: %w", p.Name(), p.Model(), err))
	}
	return nil, fmt.Errorf("%w: %w", ErrNoProvider, errors.Join(errs...))
}

// try runs one provider under the first-token watchdog and the attempt
// timeout. emitted reports whether any event reached the caller.
func (r *Router) try(ctx context.Context, p Provider, req Request, onEvent func(Event)) (resp *Response, emitted bool, err error) {
	actx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	if r.AttemptTimeout > 0 {
		var stop context.CancelFunc
		actx, stop = context.WithTimeoutCause(actx, r.AttemptTimeout, errAttemptTimeout)
		defer stop()
	}

	// stream: 0 waiting for the first event, 1 streaming, 2 abandoned by the
	// watchdog. The watchdog and the first event race through the CAS.
	var stream atomic.Int32
	if r.FirstTokenTimeout > 0 {
		t := time.AfterFunc(r.FirstTokenTimeout, func() {
			if stream.CompareAndSwap(0, 2) {
				cancel(errWatchdog)
			}
		})
		defer t.Stop()
	}

	resp, err = p.Chat(actx, req, func(e Event) {
		if stream.CompareAndSwap(0, 1) || stream.Load() == 1 {
			if onEvent != nil {
				onEvent(e)
			}
		}
	})
	emitted = stream.Load() == 1
	if err == nil && resp == nil {
		err = fmt.Errorf("%w: provider returned no response", ErrUnavailable)
	}
	if err != nil && ctx.Err() == nil {
		// Not %w for the provider's error: it wraps the context's Canceled or
		// DeadlineExceeded, and the caller did not cancel anything.
		switch context.Cause(actx) {
		case errWatchdog:
			err = fmt.Errorf("%w: no token or tool call within %s (%v)", ErrTimeout, r.FirstTokenTimeout, err)
		case errAttemptTimeout:
			err = fmt.Errorf("%w: no complete answer within %s (%v)", ErrTimeout, r.AttemptTimeout, err)
		}
	}
	return resp, emitted, err
}

func (r *Router) logger() *slog.Logger {
	if r.Logger == nil {
		return slog.New(slog.DiscardHandler)
	}
	return r.Logger
}

func (r *Router) now() time.Time {
	if r.Now == nil {
		return time.Now()
	}
	return r.Now()
}

func needsInternet(p Provider) bool {
	n, ok := p.(Networked)
	return ok && n.NeedsInternet()
}

// BreakerState is a circuit breaker's state.
type BreakerState string

// The breaker states.
const (
	BreakerClosed   BreakerState = "closed"    // requests go through
	BreakerOpen     BreakerState = "open"      // requests skip the provider until the cool-down ends
	BreakerHalfOpen BreakerState = "half-open" // one trial request goes through
)

// ProviderStatus is one provider's health, for the health endpoint.
type ProviderStatus struct {
	Name                string
	Model               string
	NeedsInternet       bool
	State               BreakerState
	ConsecutiveFailures int
	LastError           string    // "" if the last attempt succeeded
	LastFailure         time.Time // zero if it never failed
	RetryAt             time.Time // when an open breaker lets a trial through; zero otherwise
}

// Status reports every provider's health, in the Router's order.
func (r *Router) Status() []ProviderStatus {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]ProviderStatus, len(r.providers))
	for i, p := range r.providers {
		b := &r.breakers[i]
		st := ProviderStatus{
			Name:                p.Name(),
			Model:               p.Model(),
			NeedsInternet:       needsInternet(p),
			State:               b.state(),
			ConsecutiveFailures: b.failures,
			LastFailure:         b.lastFailure,
		}
		if b.lastErr != nil {
			st.LastError = b.lastErr.Error()
		}
		if st.State == BreakerOpen {
			st.RetryAt = b.openedAt.Add(r.BreakerCooldown)
			if !now.Before(st.RetryAt) {
				st.State = BreakerHalfOpen
			}
		}
		out[i] = st
	}
	return out
}

func (r *Router) allow(i int) bool {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.breakers[i].allow(now, r.BreakerCooldown)
}

func (r *Router) succeeded(i int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.breakers[i].success()
}

func (r *Router) failed(i int, err error) {
	now := r.now()
	r.mu.Lock()
	defer r.mu.Unlock()
	b := &r.breakers[i]
	if errors.Is(err, ErrBadRequest) || errors.Is(err, ErrContextOverflow) {
		// The request was at fault, not the provider: fail over, but do not
		// count it towards opening the breaker.
		b.lastErr, b.lastFailure, b.trial = err, now, false
		return
	}
	threshold := r.BreakerThreshold
	if threshold < 1 {
		threshold = 1
	}
	b.failure(now, err, threshold)
}

func (r *Router) release(i int) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.breakers[i].trial = false
}

// breaker is a consecutive-failure circuit breaker. The zero value is closed.
type breaker struct {
	open        bool      // open or half-open
	openedAt    time.Time // when it last opened
	trial       bool      // a half-open trial is in flight
	failures    int       // consecutive failures
	lastErr     error
	lastFailure time.Time
}

func (b *breaker) state() BreakerState {
	switch {
	case !b.open:
		return BreakerClosed
	case b.trial:
		return BreakerHalfOpen
	default:
		return BreakerOpen
	}
}

// allow reports whether a request may go through, and if the breaker is open
// past its cool-down, claims the single half-open trial.
func (b *breaker) allow(now time.Time, cooldown time.Duration) bool {
	if !b.open {
		return true
	}
	if b.trial || now.Sub(b.openedAt) < cooldown {
		return false
	}
	b.trial = true
	return true
}

func (b *breaker) success() {
	*b = breaker{}
}

func (b *breaker) failure(now time.Time, err error, threshold int) {
	b.failures++
	b.lastErr, b.lastFailure = err, now
	if b.trial || b.failures >= threshold {
		b.open, b.openedAt = true, now // a failed trial re-opens for another cool-down
	}
	b.trial = false
}
