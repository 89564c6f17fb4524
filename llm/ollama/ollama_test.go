package ollama_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/ollama"
)

const testModel = "llama3.2:3b"

// wireChat is /api/chat's request body as Ollama reads it. The fake server
// decodes it strictly, so an unexpected field fails the test.
type wireChat struct {
	Model     string          `json:"model"`
	Messages  []wireMessage   `json:"messages"`
	Stream    *bool           `json:"stream"`
	KeepAlive json.RawMessage `json:"keep_alive"`
	Tools     []wireTool      `json:"tools"`
	Options   map[string]any  `json:"options"`
}

type wireMessage struct {
	Role       string         `json:"role"`
	Content    string         `json:"content"`
	ToolCalls  []wireToolCall `json:"tool_calls"`
	ToolName   string         `json:"tool_name"`
	ToolCallID string         `json:"tool_call_id"`
}

type wireToolCall struct {
	ID       string `json:"id"`
	Function struct {
		Index     int            `json:"index"`
		Name      string         `json:"name"`
		Arguments map[string]any `json:"arguments"`
	} `json:"function"`
}

type wireTool struct {
	Type     string `json:"type"`
	Function struct {
		Name        string         `json:"name"`
		Description string         `json:"description"`
		Parameters  map[string]any `json:"parameters"`
	} `json:"function"`
}

// wireEmbed is /api/embed's request body as Ollama reads it.
type wireEmbed struct {
	Model     string          `json:"model"`
	Input     []string        `json:"input"`
	KeepAlive json.RawMessage `json:"keep_alive"`
	Truncate  *bool           `json:"truncate"`
	Options   map[string]any  `json:"options"`
}

// fakeOllama speaks Ollama's wire protocol: /api/tags, /api/show, /api/ps and
// NDJSON-streamed /api/chat. It fails the test on any other request.
type fakeOllama struct {
	t      *testing.T
	tags   []string            // installed models
	caps   map[string][]string // model -> capabilities
	chatFn func(n int, req wireChat, w http.ResponseWriter)
	// embedFn answers /api/embed; nil fails the test.
	embedFn func(req wireEmbed, w http.ResponseWriter)

	mu    sync.Mutex
	chats []wireChat // every /api/chat body received
}

func newFakeOllama(t *testing.T, f *fakeOllama) *httptest.Server {
	t.Helper()
	f.t = t
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return srv
}

func (f *fakeOllama) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := f.t
	switch {
	case r.Method == http.MethodGet && r.URL.Path == "/api/tags":
		type model struct {
			Name  string `json:"name"`
			Model string `json:"model"`
			Size  int64  `json:"size"`
		}
		var resp struct {
			Models []model `json:"models"`
		}
		for _, name := range f.tags {
			resp.Models = append(resp.Models, model{Name: name, Model: name, Size: 2_019_393_189})
		}
		writeJSON(t, w, resp)

	case r.Method == http.MethodGet && r.URL.Path == "/api/ps":
		writeJSON(t, w, map[string]any{"models": []map[string]any{
			{"name": testModel, "model": testModel, "expires_at": "2026-06-01T12:00:00Z", "context_length": 8192},
		}})

	case r.Method == http.MethodPost && r.URL.Path == "/api/show":
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("/api/show Content-Type = %q", ct)
		}
		var req struct {
			Model string `json:"model"`
		}
		if err := json.NewDecoder(r.Body).Decode(&req); err != nil {
			t.Errorf("/api/show body: %v", err)
		}
		caps, ok := f.caps[req.Model]
		if !ok {
			w.WriteHeader(http.StatusNotFound)
			writeJSON(t, w, map[string]string{"error": "model '" + req.Model + "' not found"})
			return
		}
		writeJSON(t, w, map[string]any{
			"modelfile":    "FROM " + req.Model,
			"details":      map[string]any{"family": "llama", "parameter_size": "3.2B", "quantization_level": "Q4_K_M"},
			"model_info":   map[string]any{"general.architecture": "llama", "llama.context_length": 131072},
			"capabilities": caps,
		})

	case r.Method == http.MethodPost && r.URL.Path == "/api/chat":
		if ct := r.Header.Get("Content-Type"); ct != "application/json" {
			t.Errorf("/api/chat Content-Type = %q", ct)
		}
		if acc := r.Header.Get("Accept"); acc != "application/x-ndjson" {
			t.Errorf("/api/chat Accept = %q, want application/x-ndjson", acc)
		}
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		var req wireChat
		if err := dec.Decode(&req); err != nil {
			t.Errorf("/api/chat body: %v", err)
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		f.mu.Lock()
		f.chats = append(f.chats, req)
		n := len(f.chats)
		f.mu.Unlock()
		f.chatFn(n, req, w)

	case r.Method == http.MethodPost && r.URL.Path == "/api/embed" && f.embedFn != nil:
		dec := json.NewDecoder(r.Body)
		dec.DisallowUnknownFields()
		var req wireEmbed
		if err := dec.Decode(&req); err != nil {
			t.Errorf("/api/embed body: %v", err)
			http.Error(w, "bad body", http.StatusBadRequest)
			return
		}
		f.embedFn(req, w)

	default:
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
	}
}

func writeJSON(t *testing.T, w http.ResponseWriter, v any) {
	t.Helper()
	if w.Header().Get("Content-Type") == "" {
		w.Header().Set("Content-Type", "application/json; charset=utf-8")
	}
	if err := json.NewEncoder(w).Encode(v); err != nil {
		t.Errorf("encode response: %v", err)
	}
}

// ndjson streams lines the way Ollama does: one JSON object per line, flushed.
func ndjson(w http.ResponseWriter, lines ...string) {
	w.Header().Set("Content-Type", "application/x-ndjson")
	for _, l := range lines {
		_, _ = w.Write([]byte(l + "\n"))
		w.(http.Flusher).Flush()
	}
}

func mustNew(t *testing.T, baseURL string, opts ollama.Options) *ollama.Client {
	t.Helper()
	c, err := ollama.New(baseURL, &http.Client{}, testModel, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

var fuelTool = llm.Tool{
	Name:        "fuel_spend",
	Description: "Total fuel spend for a month.",
	Parameters:  json.RawMessage(`{"type":"object","properties":{"month":{"type":"string","description":"YYYY-MM"}},"required":["month"]}`),
}

// TestChat_ToolRoundTrip: the model asks for a tool, the caller runs it and
// sends the result back, the model answers in text.
func TestChat_ToolRoundTrip(t *testing.T) {
	f := &fakeOllama{chatFn: func(n int, req wireChat, w http.ResponseWriter) {
		switch n {
		case 1:
			ndjson(w,
				`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"id":"call_abc","function":{"index":0,"name":"fuel_spend","arguments":{"month":"2026-05"}}}]},"done":false}`,
				`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","total_duration":182000000,"load_duration":41000000,"prompt_eval_count":169,"prompt_eval_duration":25000000,"eval_count":15,"eval_duration":116000000}`,
			)
		case 2:
			ndjson(w,
				`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:02Z","message":{"role":"assistant","content":"You spent "},"done":false}`,
				`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:02Z","message":{"role":"assistant","content":"$212.40 on fuel"},"done":false}`,
				`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:02Z","message":{"role":"assistant","content":" in May."},"done":false}`,
				`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:03Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":201,"eval_count":9}`,
			)
		default:
			t.Errorf("unexpected chat request %d", n)
		}
	}}
	srv := newFakeOllama(t, f)
	c := mustNew(t, srv.URL, ollama.Options{})
	ctx := context.Background()
	temp := 0.2

	req := llm.Request{
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: "You are PAM, an RV assistant."},
			{Role: llm.RoleUser, Content: "What did I spend on fuel in May?"},
		},
		Tools:       []llm.Tool{fuelTool},
		MaxTokens:   256,
		Temperature: &temp,
	}
	var events []llm.Event
	resp, err := c.Chat(ctx, req, func(e llm.Event) { events = append(events, e) })
	if err != nil {
		t.Fatalf("turn 1: %v", err)
	}
	if len(resp.Message.ToolCalls) != 1 {
		t.Fatalf("turn 1 tool calls = %+v", resp.Message.ToolCalls)
	}
	call := resp.Message.ToolCalls[0]
	if call.ID != "call_abc" || call.Name != "fuel_spend" || string(call.Arguments) != `{"month":"2026-05"}` {
		t.Errorf("tool call = %s %s %s", call.ID, call.Name, call.Arguments)
	}
	if len(events) != 1 || events[0].ToolCall == nil || events[0].ToolCall.Name != "fuel_spend" {
		t.Errorf("turn 1 events = %+v", events)
	}
	if resp.Usage != (llm.Usage{PromptTokens: 169, CompletionTokens: 15}) || resp.Provider != "ollama" || resp.Model != testModel {
		t.Errorf("turn 1 response = %+v", resp)
	}

	// The caller runs the tool and sends the result back (Name left empty: the
	// adapter finds it from the call ID).
	req.Messages = append(req.Messages, resp.Message, llm.Message{
		Role: llm.RoleTool, ToolCallID: call.ID, Content: `{"total_usd":212.40}`,
	})
	events = nil
	resp, err = c.Chat(ctx, req, func(e llm.Event) { events = append(events, e) })
	if err != nil {
		t.Fatalf("turn 2: %v", err)
	}
	if got := resp.Message.Content; got != "You spent $212.40 on fuel in May." {
		t.Errorf("turn 2 content = %q", got)
	}
	var streamed strings.Builder
	for _, e := range events {
		streamed.WriteString(e.Token)
	}
	if len(events) != 3 || streamed.String() != resp.Message.Content {
		t.Errorf("turn 2 events = %+v", events)
	}
	if resp.FinishReason != "stop" || resp.Usage != (llm.Usage{PromptTokens: 201, CompletionTokens: 9}) || len(resp.Message.ToolCalls) != 0 {
		t.Errorf("turn 2 response = %+v", resp)
	}

	// What the server received.
	if len(f.chats) != 2 {
		t.Fatalf("chat requests = %d", len(f.chats))
	}
	for i, got := range f.chats {
		if got.Model != testModel || got.Stream == nil || !*got.Stream {
			t.Errorf("request %d: model %q stream %v", i+1, got.Model, got.Stream)
		}
		if string(got.KeepAlive) != `"30m0s"` {
			t.Errorf("request %d: keep_alive = %s, want \"30m0s\"", i+1, got.KeepAlive)
		}
		if got.Options["num_ctx"] != float64(8192) || got.Options["temperature"] != 0.2 || got.Options["num_predict"] != float64(256) {
			t.Errorf("request %d: options = %v", i+1, got.Options)
		}
		if len(got.Tools) != 1 || got.Tools[0].Type != "function" || got.Tools[0].Function.Name != "fuel_spend" ||
			got.Tools[0].Function.Description != fuelTool.Description {
			t.Fatalf("request %d: tools = %+v", i+1, got.Tools)
		}
		params, _ := json.Marshal(got.Tools[0].Function.Parameters)
		if !jsonEqual(t, params, fuelTool.Parameters) {
			t.Errorf("request %d: tool parameters = %s", i+1, params)
		}
	}
	msgs := f.chats[1].Messages
	if len(msgs) != 4 {
		t.Fatalf("turn 2 messages = %+v", msgs)
	}
	if msgs[0].Role != "system" || msgs[1].Role != "user" || msgs[1].Content != "What did I spend on fuel in May?" {
		t.Errorf("turn 2 history = %+v", msgs[:2])
	}
	asst := msgs[2]
	if asst.Role != "assistant" || len(asst.ToolCalls) != 1 || asst.ToolCalls[0].ID != "call_abc" ||
		asst.ToolCalls[0].Function.Name != "fuel_spend" || asst.ToolCalls[0].Function.Arguments["month"] != "2026-05" {
		t.Errorf("turn 2 assistant message = %+v", asst)
	}
	tool := msgs[3]
	if tool.Role != "tool" || tool.ToolName != "fuel_spend" || tool.ToolCallID != "call_abc" || tool.Content != `{"total_usd":212.40}` {
		t.Errorf("turn 2 tool message = %+v", tool)
	}
}

func TestChat_ToolCallWithoutIDGetsOne(t *testing.T) {
	f := &fakeOllama{chatFn: func(_ int, _ wireChat, w http.ResponseWriter) {
		ndjson(w,
			`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":"","tool_calls":[{"function":{"index":0,"name":"fuel_spend","arguments":{"month":"2026-05"}}},{"function":{"index":1,"name":"fuel_spend","arguments":{}}}]},"done":false}`,
			`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:01Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop"}`,
		)
	}}
	srv := newFakeOllama(t, f)
	resp, err := mustNew(t, srv.URL, ollama.Options{}).Chat(context.Background(), llm.Request{
		Messages: []llm.Message{{Role: llm.RoleUser, Content: "fuel?"}},
		Tools:    []llm.Tool{fuelTool},
	}, nil)
	if err != nil {
		t.Fatal(err)
	}
	calls := resp.Message.ToolCalls
	if len(calls) != 2 || calls[0].ID == "" || calls[1].ID == "" || calls[0].ID == calls[1].ID {
		t.Fatalf("calls = %+v", calls)
	}
	if string(calls[1].Arguments) != `{}` {
		t.Errorf("empty arguments = %s", calls[1].Arguments)
	}
}

func TestChat_Options(t *testing.T) {
	f := &fakeOllama{chatFn: func(_ int, _ wireChat, w http.ResponseWriter) {
		ndjson(w, `{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":"hi"},"done":true,"done_reason":"stop"}`)
	}}
	srv := newFakeOllama(t, f)
	c, err := ollama.New(srv.URL, &http.Client{}, testModel, ollama.Options{NumCtx: 16384, KeepAlive: -1})
	if err != nil {
		t.Fatal(err)
	}
	if c.ContextWindow() != 16384 {
		t.Errorf("ContextWindow = %d", c.ContextWindow())
	}
	if _, err := c.Chat(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}, nil); err != nil {
		t.Fatal(err)
	}
	got := f.chats[0]
	if string(got.KeepAlive) != "-1" || got.Options["num_ctx"] != float64(16384) || len(got.Options) != 1 || got.Tools != nil {
		t.Errorf("request = keep_alive %s options %v tools %v", got.KeepAlive, got.Options, got.Tools)
	}
}

func TestChat_Errors(t *testing.T) {
	simple := llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hello"}}, Tools: []llm.Tool{fuelTool}}
	for _, tc := range []struct {
		name string
		chat func(w http.ResponseWriter)
		want error
	}{
		{"ErrModelNotFound", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusNotFound)
			_, _ = w.Write([]byte(`{"error":"model \"llama3.2:3b\" not found, try pulling it first"}`))
		}, llm.ErrModelNotFound},
		{"ErrNoToolSupport", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusBadRequest)
			_, _ = w.Write([]byte(`{"error":"registry.ollama.ai/library/gemma3:latest does not support tools"}`))
		}, llm.ErrNoToolSupport},
		{"ErrUnavailable/500", func(w http.ResponseWriter) {
			w.Header().Set("Content-Type", "application/json")
			w.WriteHeader(http.StatusInternalServerError)
			_, _ = w.Write([]byte(`{"error":"llama runner process has terminated: signal: killed"}`))
		}, llm.ErrUnavailable},
		{"ErrUnavailable/ErrorLineInStream", func(w http.ResponseWriter) {
			ndjson(w,
				`{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":"Let"},"done":false}`,
				`{"error":"model runner has unexpectedly stopped"}`)
		}, llm.ErrUnavailable},
		{"ErrUnavailable/CutBeforeDone", func(w http.ResponseWriter) {
			ndjson(w, `{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":"Let me"},"done":false}`)
		}, llm.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeOllama(t, &fakeOllama{chatFn: func(_ int, _ wireChat, w http.ResponseWriter) { tc.chat(w) }})
			_, err := mustNew(t, srv.URL, ollama.Options{}).Chat(context.Background(), simple, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
		})
	}

	t.Run("ErrUnavailable/ServerDown", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		_, err := mustNew(t, srv.URL, ollama.Options{}).Chat(context.Background(), simple, nil)
		if !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrContextOverflow", func(t *testing.T) {
		srv := newFakeOllama(t, &fakeOllama{chatFn: func(int, wireChat, http.ResponseWriter) {
			t.Error("a prompt that cannot fit must not be sent")
		}})
		c := mustNew(t, srv.URL, ollama.Options{NumCtx: 512})
		long := llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: strings.Repeat("tell me about tyre pressure ", 100)}}}
		_, err := c.Chat(context.Background(), long, nil)
		if !errors.Is(err, llm.ErrContextOverflow) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ContextCanceled", func(t *testing.T) {
		ctx, cancel := context.WithCancel(context.Background())
		srv := newFakeOllama(t, &fakeOllama{chatFn: func(_ int, _ wireChat, w http.ResponseWriter) {
			ndjson(w, `{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":"Hm"},"done":false}`)
			cancel()
		}})
		_, err := mustNew(t, srv.URL, ollama.Options{}).Chat(ctx, simple, nil)
		if !errors.Is(err, context.Canceled) || errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})
}

func TestCheck(t *testing.T) {
	for _, tc := range []struct {
		name  string
		model string
		tags  []string
		caps  map[string][]string
		want  error
	}{
		{"OK", testModel, []string{"qwen2.5:7b", testModel}, map[string][]string{testModel: {"completion", "tools"}}, nil},
		{"OK/ImplicitLatest", "qwen2.5", []string{"qwen2.5:latest"}, map[string][]string{"qwen2.5": {"completion", "tools", "thinking"}}, nil},
		{"ErrModelNotFound", testModel, []string{"qwen2.5:7b"}, nil, llm.ErrModelNotFound},
		{"ErrNoToolSupport", "gemma3:4b", []string{"gemma3:4b"}, map[string][]string{"gemma3:4b": {"completion", "vision"}}, llm.ErrNoToolSupport},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv := newFakeOllama(t, &fakeOllama{tags: tc.tags, caps: tc.caps})
			c, err := ollama.New(srv.URL, &http.Client{}, tc.model, ollama.Options{})
			if err != nil {
				t.Fatal(err)
			}
			err = c.Check(context.Background())
			if tc.want == nil && err != nil || !errors.Is(err, tc.want) {
				t.Fatalf("Check = %v, want %v", err, tc.want)
			}
		})
	}

	t.Run("ErrUnavailable", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		if err := mustNew(t, srv.URL, ollama.Options{}).Check(context.Background()); !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("Check = %v", err)
		}
	})
}

func TestWarm(t *testing.T) {
	f := &fakeOllama{chatFn: func(_ int, req wireChat, w http.ResponseWriter) {
		writeJSON(t, w, map[string]any{
			"model": testModel, "created_at": "2026-06-01T12:00:00Z",
			"message": map[string]any{"role": "assistant", "content": ""}, "done_reason": "load", "done": true,
		})
	}}
	srv := newFakeOllama(t, f)
	if err := mustNew(t, srv.URL, ollama.Options{}).Warm(context.Background()); err != nil {
		t.Fatal(err)
	}
	got := f.chats[0]
	if got.Messages == nil || len(got.Messages) != 0 || got.Stream == nil || *got.Stream ||
		string(got.KeepAlive) != `"30m0s"` || got.Options["num_ctx"] != float64(8192) {
		t.Errorf("warm request = %+v", got)
	}
}

func TestLoaded(t *testing.T) {
	srv := newFakeOllama(t, &fakeOllama{})
	loaded, err := mustNew(t, srv.URL, ollama.Options{}).Loaded(context.Background())
	if err != nil || !loaded {
		t.Fatalf("Loaded = %v, %v", loaded, err)
	}
}

func TestNew_Errors(t *testing.T) {
	for _, base := range []string{"", "127.0.0.1:11434", "ftp://x", "http://"} {
		if _, err := ollama.New(base, nil, testModel, ollama.Options{}); err == nil {
			t.Errorf("New(%q) succeeded", base)
		}
	}
	if _, err := ollama.New("http://127.0.0.1:11434", nil, "", ollama.Options{}); err == nil {
		t.Error("New without a model succeeded")
	}
}

func jsonEqual(t *testing.T, a, b []byte) bool {
	t.Helper()
	var x, y any
	if err := json.Unmarshal(a, &x); err != nil {
		t.Fatal(err)
	}
	if err := json.Unmarshal(b, &y); err != nil {
		t.Fatal(err)
	}
	ax, _ := json.Marshal(x)
	by, _ := json.Marshal(y)
	return bytes.Equal(ax, by)
}

// TestEmbed: the texts go out as one /api/embed request for the client's
// model, the vectors come back in order, and failures map to the sentinels.
func TestEmbed(t *testing.T) {
	var got []wireEmbed
	f := &fakeOllama{embedFn: func(req wireEmbed, w http.ResponseWriter) {
		got = append(got, req)
		if req.Model == "missing" {
			w.WriteHeader(http.StatusNotFound)
			writeJSON(t, w, map[string]string{"error": `model "missing" not found, try pulling it first`})
			return
		}
		vecs := make([][]float32, len(req.Input))
		for i, in := range req.Input {
			vecs[i] = []float32{float32(len(in)), float32(i)}
		}
		if req.Input[0] == "short" {
			vecs = vecs[:1]
		}
		writeJSON(t, w, map[string]any{"model": req.Model, "embeddings": vecs})
	}}
	srv := newFakeOllama(t, f)
	c, err := ollama.New(srv.URL, &http.Client{}, "nomic-embed-text", ollama.Options{})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	vecs, err := c.Embed(ctx, []string{"fill up", "campsite near Moab"})
	if err != nil {
		t.Fatal(err)
	}
	if len(vecs) != 2 || vecs[0][0] != 7 || vecs[1][0] != 18 || vecs[1][1] != 1 {
		t.Fatalf("vectors = %v", vecs)
	}
	if len(got) != 1 || got[0].Model != "nomic-embed-text" || len(got[0].Input) != 2 || got[0].Truncate == nil || !*got[0].Truncate {
		t.Fatalf("requests = %+v", got)
	}
	if vecs, err := c.Embed(ctx, nil); err != nil || vecs != nil || len(got) != 1 {
		t.Fatalf("no input: %v, %v, %d requests", vecs, err, len(got))
	}
	if _, err := c.Embed(ctx, []string{"short", "two"}); !errors.Is(err, llm.ErrUnavailable) {
		t.Fatalf("one vector for two inputs: %v", err)
	}
	missing, err := ollama.New(srv.URL, &http.Client{}, "missing", ollama.Options{})
	if err != nil {
		t.Fatal(err)
	}
	if _, err := missing.Embed(ctx, []string{"x"}); !errors.Is(err, llm.ErrModelNotFound) {
		t.Fatalf("missing model: %v", err)
	}
}
