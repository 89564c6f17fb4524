package llm_test

import (
	"context"
	"errors"
	"log/slog"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/pam-rv/pamd/llm"
)

// fakeProvider is an in-process llm.Provider built from a function.
type fakeProvider struct {
	name, model string
	cloud       bool
	window      int
	chatFn      func(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error)
	calls       atomic.Int32
}

func (f *fakeProvider) Name() string        { return f.name }
func (f *fakeProvider) Model() string       { return f.model }
func (f *fakeProvider) ContextWindow() int  { return f.window }
func (f *fakeProvider) NeedsInternet() bool { return f.cloud }
func (f *fakeProvider) Chat(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
	f.calls.Add(1)
	return f.chatFn(ctx, req, onEvent)
}

// answers streams text as one token and returns it.
func answers(text string) func(context.Context, llm.Request, func(llm.Event)) (*llm.Response, error) {
	return func(_ context.Context, _ llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		onEvent(llm.Event{Token: text})
		return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: text}, FinishReason: "stop"}, nil
	}
}

func fails(err error) func(context.Context, llm.Request, func(llm.Event)) (*llm.Response, error) {
	return func(context.Context, llm.Request, func(llm.Event)) (*llm.Response, error) { return nil, err }
}

// silent never answers; it returns when ctx ends, as a real client does.
func silent(ctx context.Context, _ llm.Request, _ func(llm.Event)) (*llm.Response, error) {
	<-ctx.Done()
	return nil, ctx.Err()
}

// fakeClock is the breakers' injected clock.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

// stack is PAM's provider order with fakes: OpenAI primary and fallback
// models, Ollama, offline answerer.
type stack struct {
	primary, fallback, ollama, offline *fakeProvider
	router                             *llm.Router
	clock                              *fakeClock
	online                             atomic.Bool
}

func newStack(t testing.TB) *stack {
	s := &stack{
		primary:  &fakeProvider{name: "openai", model: "gpt-4-turbo", cloud: true, window: 128_000, chatFn: answers("primary")},
		fallback: &fakeProvider{name: "openai", model: "gpt-3.5-turbo", cloud: true, window: 16_385, chatFn: answers("fallback")},
		ollama:   &fakeProvider{name: "ollama", model: "llama3.2:3b", window: 8192, chatFn: answers("ollama")},
		offline:  &fakeProvider{name: "offline", model: "rules", chatFn: answers("offline")},
		clock:    &fakeClock{now: time.Date(2026, 6, 1, 12, 0, 0, 0, time.UTC)},
	}
	s.online.Store(true)
	s.router = llm.NewRouter(s.primary, s.fallback, s.ollama, s.offline)
	s.router.Online = s.online.Load
	s.router.Now = s.clock.Now
	s.router.FirstTokenTimeout = 100 * time.Millisecond
	if tt, ok := t.(*testing.T); ok {
		s.router.Logger = slog.New(slog.NewTextHandler(tt.Output(), &slog.HandlerOptions{Level: slog.LevelDebug}))
	}
	return s
}

func (s *stack) calls() [4]int32 {
	return [4]int32{s.primary.calls.Load(), s.fallback.calls.Load(), s.ollama.calls.Load(), s.offline.calls.Load()}
}

var hello = llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hello"}}}

func TestRouter_Order(t *testing.T) {
	rateLimited := fails(errors.Join(llm.ErrRateLimited, errors.New("429 Too Many Requests")))
	unavailable := fails(errors.Join(llm.ErrUnavailable, errors.New("500 Internal Server Error")))
	for _, tc := range []struct {
		name                          string
		online                        bool
		primary, fallback, ollama, of func(context.Context, llm.Request, func(llm.Event)) (*llm.Response, error)
		wantProvider, wantModel       string
		wantCalls                     [4]int32
	}{
		{name: "ConnectedUsesOpenAIPrimary", online: true,
			wantProvider: "openai", wantModel: "gpt-4-turbo", wantCalls: [4]int32{1, 0, 0, 0}},
		{name: "Primary500UsesFallbackModel", online: true, primary: unavailable,
			wantProvider: "openai", wantModel: "gpt-3.5-turbo", wantCalls: [4]int32{1, 1, 0, 0}},
		{name: "Primary429UsesFallbackModel", online: true, primary: rateLimited,
			wantProvider: "openai", wantModel: "gpt-3.5-turbo", wantCalls: [4]int32{1, 1, 0, 0}},
		{name: "PrimarySilentUsesFallbackModel", online: true, primary: silent,
			wantProvider: "openai", wantModel: "gpt-3.5-turbo", wantCalls: [4]int32{1, 1, 0, 0}},
		{name: "CloudDownUsesOllama", online: true, primary: unavailable, fallback: silent,
			wantProvider: "ollama", wantModel: "llama3.2:3b", wantCalls: [4]int32{1, 1, 1, 0}},
		{name: "EverythingDownUsesOffline", online: true, primary: rateLimited, fallback: unavailable, ollama: silent,
			wantProvider: "offline", wantModel: "rules", wantCalls: [4]int32{1, 1, 1, 1}},
		{name: "OfflineSkipsCloud", online: false,
			wantProvider: "ollama", wantModel: "llama3.2:3b", wantCalls: [4]int32{0, 0, 1, 0}},
		{name: "OfflineAndOllamaDownUsesOffline", online: false, ollama: fails(llm.ErrModelNotFound),
			wantProvider: "offline", wantModel: "rules", wantCalls: [4]int32{0, 0, 1, 1}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s := newStack(t)
			s.online.Store(tc.online)
			for _, p := range []struct {
				fn *func(context.Context, llm.Request, func(llm.Event)) (*llm.Response, error)
				to func(context.Context, llm.Request, func(llm.Event)) (*llm.Response, error)
			}{{&s.primary.chatFn, tc.primary}, {&s.fallback.chatFn, tc.fallback}, {&s.ollama.chatFn, tc.ollama}, {&s.offline.chatFn, tc.of}} {
				if p.to != nil {
					*p.fn = p.to
				}
			}
			var tokens []string
			resp, err := s.router.Chat(context.Background(), hello, func(e llm.Event) { tokens = append(tokens, e.Token) })
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if resp.Provider != tc.wantProvider || resp.Model != tc.wantModel {
				t.Errorf("answered by %s/%s, want %s/%s", resp.Provider, resp.Model, tc.wantProvider, tc.wantModel)
			}
			if len(tokens) != 1 || tokens[0] != resp.Message.Content {
				t.Errorf("tokens = %q, content %q", tokens, resp.Message.Content)
			}
			if got := s.calls(); got != tc.wantCalls {
				t.Errorf("calls (primary, fallback, ollama, offline) = %v, want %v", got, tc.wantCalls)
			}
		})
	}
}

func TestRouter_ErrNoProvider(t *testing.T) {
	s := newStack(t)
	s.primary.chatFn = fails(llm.ErrRateLimited)
	s.fallback.chatFn = fails(llm.ErrUnavailable)
	s.ollama.chatFn = silent
	s.offline.chatFn = fails(errors.New("no rule matched"))
	_, err := s.router.Chat(context.Background(), hello, nil)
	if !errors.Is(err, llm.ErrNoProvider) || !errors.Is(err, llm.ErrRateLimited) || !errors.Is(err, llm.ErrTimeout) ||
		errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	for _, want := range []string{"openai/gpt-4-turbo", "openai/gpt-3.5-turbo", "ollama/llama3.2:3b", "offline/rules"} {
		if !strings.Contains(err.Error(), want) {
			t.Errorf("error does not name %s: %v", want, err)
		}
	}

	if _, err := llm.NewRouter().Chat(context.Background(), hello, nil); !errors.Is(err, llm.ErrNoProvider) {
		t.Errorf("empty router: %v", err)
	}
}

// Once a token reached the caller, another model cannot continue the answer:
// the Router returns the error instead of failing over.
func TestRouter_NoFailoverAfterStreaming(t *testing.T) {
	s := newStack(t)
	s.primary.chatFn = func(_ context.Context, _ llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		onEvent(llm.Event{Token: "Your fuel"})
		return nil, errors.Join(llm.ErrUnavailable, errors.New("connection reset"))
	}
	var tokens []string
	_, err := s.router.Chat(context.Background(), hello, func(e llm.Event) { tokens = append(tokens, e.Token) })
	if !errors.Is(err, llm.ErrUnavailable) || errors.Is(err, llm.ErrNoProvider) {
		t.Fatalf("err = %v", err)
	}
	if got := s.calls(); got != [4]int32{1, 0, 0, 0} || len(tokens) != 1 {
		t.Errorf("calls = %v, tokens %q", got, tokens)
	}
	if st := s.router.Status()[0]; st.ConsecutiveFailures != 1 || !strings.Contains(st.LastError, "connection reset") {
		t.Errorf("status = %+v", st)
	}
}

// The watchdog only guards the first event: a slow answer that started in
// time is not abandoned.
func TestRouter_WatchdogOnlyGuardsFirstEvent(t *testing.T) {
	s := newStack(t)
	s.primary.chatFn = func(_ context.Context, _ llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		onEvent(llm.Event{Token: "Let me check"})
		time.Sleep(3 * s.router.FirstTokenTimeout)
		onEvent(llm.Event{Token: "."})
		return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: "Let me check."}}, nil
	}
	resp, err := s.router.Chat(context.Background(), hello, nil)
	if err != nil || resp.Model != "gpt-4-turbo" {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
}

// A tool call counts as the first event too.
func TestRouter_ToolCallSatisfiesWatchdog(t *testing.T) {
	s := newStack(t)
	s.primary.chatFn = func(_ context.Context, _ llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		call := llm.ToolCall{ID: "call_1", Name: "fuel_spend", Arguments: []byte(`{}`)}
		onEvent(llm.Event{ToolCall: &call})
		time.Sleep(2 * s.router.FirstTokenTimeout)
		return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{call}}}, nil
	}
	var got []llm.Event
	resp, err := s.router.Chat(context.Background(), hello, func(e llm.Event) { got = append(got, e) })
	if err != nil || len(resp.Message.ToolCalls) != 1 || len(got) != 1 || got[0].ToolCall.Name != "fuel_spend" {
		t.Fatalf("resp %+v, events %+v, err %v", resp, got, err)
	}
}

func TestRouter_AttemptTimeout(t *testing.T) {
	s := newStack(t)
	s.router.FirstTokenTimeout = 0 // watchdog off
	s.router.AttemptTimeout = 50 * time.Millisecond
	s.primary.chatFn = silent
	resp, err := s.router.Chat(context.Background(), hello, nil)
	if err != nil || resp.Model != "gpt-3.5-turbo" {
		t.Fatalf("resp %+v, err %v", resp, err)
	}
	if st := s.router.Status()[0]; !strings.Contains(st.LastError, llm.ErrTimeout.Error()) {
		t.Errorf("status = %+v", st)
	}
}

// When the caller gives up, the Router stops and does not blame the provider.
func TestRouter_CallerCancels(t *testing.T) {
	s := newStack(t)
	ctx, cancel := context.WithCancel(context.Background())
	s.primary.chatFn = func(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		cancel()
		return silent(ctx, req, onEvent)
	}
	_, err := s.router.Chat(ctx, hello, nil)
	if !errors.Is(err, context.Canceled) {
		t.Fatalf("err = %v", err)
	}
	if got := s.calls(); got != [4]int32{1, 0, 0, 0} {
		t.Errorf("calls = %v", got)
	}
	if st := s.router.Status()[0]; st.ConsecutiveFailures != 0 || st.State != llm.BreakerClosed {
		t.Errorf("status = %+v", st)
	}
}

func TestRouter_Breaker(t *testing.T) {
	s := newStack(t)
	s.router.BreakerThreshold = 2
	s.router.BreakerCooldown = time.Minute
	s.primary.chatFn = fails(errors.Join(llm.ErrUnavailable, errors.New("502 Bad Gateway")))
	ctx := context.Background()

	// Two consecutive failures open the primary's breaker.
	for range 2 {
		if resp, err := s.router.Chat(ctx, hello, nil); err != nil || resp.Model != "gpt-3.5-turbo" {
			t.Fatalf("resp %+v, err %v", resp, err)
		}
	}
	st := s.router.Status()[0]
	if st.State != llm.BreakerOpen || st.ConsecutiveFailures != 2 || !st.RetryAt.Equal(s.clock.Now().Add(time.Minute)) ||
		!strings.Contains(st.LastError, "502 Bad Gateway") || !st.NeedsInternet || st.Name != "openai" || st.Model != "gpt-4-turbo" {
		t.Fatalf("status after 2 failures = %+v", st)
	}

	// While open, the dead provider is not tried at all.
	for range 5 {
		if resp, err := s.router.Chat(ctx, hello, nil); err != nil || resp.Model != "gpt-3.5-turbo" {
			t.Fatalf("resp %+v, err %v", resp, err)
		}
	}
	if got := s.primary.calls.Load(); got != 2 {
		t.Fatalf("primary called %d times while its breaker was open", got)
	}

	// After the cool-down one trial goes through; it fails and re-opens.
	s.clock.Advance(time.Minute)
	if st := s.router.Status()[0]; st.State != llm.BreakerHalfOpen {
		t.Fatalf("status after cool-down = %+v", st)
	}
	if _, err := s.router.Chat(ctx, hello, nil); err != nil {
		t.Fatal(err)
	}
	if got := s.primary.calls.Load(); got != 3 {
		t.Fatalf("primary calls = %d, want the one trial", got)
	}
	if st := s.router.Status()[0]; st.State != llm.BreakerOpen || st.ConsecutiveFailures != 3 {
		t.Fatalf("status after a failed trial = %+v", st)
	}
	if _, err := s.router.Chat(ctx, hello, nil); err != nil || s.primary.calls.Load() != 3 {
		t.Fatalf("re-opened breaker let a request through: %v", err)
	}

	// After another cool-down the trial succeeds and closes the breaker. While
	// the trial runs, other requests skip the provider.
	s.clock.Advance(time.Minute)
	var nested *llm.Response
	s.primary.chatFn = func(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		if st := s.router.Status()[0]; st.State != llm.BreakerHalfOpen {
			t.Errorf("status during the trial = %+v", st)
		}
		var err error
		if nested, err = s.router.Chat(ctx, hello, nil); err != nil {
			t.Errorf("concurrent chat during the trial: %v", err)
		}
		return answers("primary")(ctx, req, onEvent)
	}
	resp, err := s.router.Chat(ctx, hello, nil)
	if err != nil || resp.Model != "gpt-4-turbo" {
		t.Fatalf("trial: resp %+v, err %v", resp, err)
	}
	if nested == nil || nested.Model != "gpt-3.5-turbo" {
		t.Errorf("a request during the trial went to %+v, want the fallback", nested)
	}
	if st := s.router.Status()[0]; st.State != llm.BreakerClosed || st.ConsecutiveFailures != 0 || st.LastError != "" || !st.RetryAt.IsZero() {
		t.Fatalf("status after a good trial = %+v", st)
	}
}

// The breaker opens for providers that are dead, not for requests that are bad.
func TestRouter_BadRequestDoesNotOpenBreaker(t *testing.T) {
	s := newStack(t)
	s.router.BreakerThreshold = 1
	s.primary.chatFn = fails(llm.ErrContextOverflow)
	s.fallback.chatFn = fails(llm.ErrBadRequest)
	for range 3 {
		resp, err := s.router.Chat(context.Background(), hello, nil)
		if err != nil || resp.Provider != "ollama" {
			t.Fatalf("resp %+v, err %v", resp, err)
		}
	}
	for _, st := range s.router.Status()[:2] {
		if st.State != llm.BreakerClosed || st.LastError == "" {
			t.Errorf("status = %+v", st)
		}
	}
	if got := s.calls(); got != [4]int32{3, 3, 3, 0} {
		t.Errorf("calls = %v", got)
	}
}

func TestRouter_Provider(t *testing.T) {
	s := newStack(t)
	var p llm.Provider = s.router
	if p.Name() != "router" || p.ContextWindow() != 8192 {
		t.Errorf("router provider = %s, window %d", p.Name(), p.ContextWindow())
	}
	st := s.router.Status()
	if len(st) != 4 || st[2].Name != "ollama" || st[2].NeedsInternet || st[3].Name != "offline" || st[0].State != llm.BreakerClosed {
		t.Errorf("status = %+v", st)
	}
}

// TestRouter_Next: Next names the provider Chat would try first, skipping
// cloud providers while offline and open breakers, without claiming a
// half-open trial.
func TestRouter_Next(t *testing.T) {
	s := newStack(t)
	s.router.BreakerThreshold = 1
	s.router.BreakerCooldown = time.Minute
	if p := s.router.Next(); p != s.primary {
		t.Fatalf("online: Next = %v", p)
	}
	s.primary.chatFn = fails(llm.ErrUnavailable)
	if _, err := s.router.Chat(context.Background(), hello, nil); err != nil {
		t.Fatal(err)
	}
	if p := s.router.Next(); p != s.fallback {
		t.Fatalf("primary's breaker open: Next = %v", p)
	}
	s.clock.Advance(time.Minute)
	for range 2 { // asking twice claims nothing
		if p := s.router.Next(); p != s.primary {
			t.Fatalf("after the cool-down: Next = %v", p)
		}
	}
	s.primary.chatFn = answers("primary")
	if resp, err := s.router.Chat(context.Background(), hello, nil); err != nil || resp.Model != "gpt-4-turbo" {
		t.Fatalf("Next claimed the half-open trial: resp %+v, err %v", resp, err)
	}
	s.online.Store(false)
	if p := s.router.Next(); p != s.ollama {
		t.Fatalf("offline: Next = %v", p)
	}
}

// TestRouter_ToolsFor: each provider tried is offered the tools for its own
// context window.
func TestRouter_ToolsFor(t *testing.T) {
	s := newStack(t)
	var got []int
	record := func(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		if req.ToolsFor != nil {
			t.Error("ToolsFor reached a provider")
		}
		got = append(got, len(req.Tools))
		return nil, llm.ErrUnavailable
	}
	s.primary.chatFn, s.fallback.chatFn = record, record
	s.ollama.chatFn = func(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
		got = append(got, len(req.Tools))
		return answers("ollama")(ctx, req, onEvent)
	}
	all := make([]llm.Tool, 44)
	req := hello
	req.Tools = all[:8]
	req.ToolsFor = func(window int) []llm.Tool {
		if window >= 100_000 {
			return all
		}
		return all[:8]
	}
	if _, err := s.router.Chat(context.Background(), req, nil); err != nil {
		t.Fatal(err)
	}
	if want := []int{44, 8, 8}; !slices.Equal(got, want) {
		t.Fatalf("tools offered per provider = %v, want %v", got, want)
	}
}
