package openai_test

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"testing"

	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/openai"
)

const (
	testKey   = "sk-test-key"
	testModel = "gpt-4-turbo"
)

// wireRequest is /v1/chat/completions' request body. The fake server decodes
// it strictly, so a field the test does not expect fails it.
type wireRequest struct {
	Model         string        `json:"model"`
	Messages      []wireMessage `json:"messages"`
	Stream        bool          `json:"stream"`
	StreamOptions *struct {
		IncludeUsage bool `json:"include_usage"`
	} `json:"stream_options"`
	Tools               []wireTool `json:"tools"`
	Temperature         *float64   `json:"temperature"`
	MaxCompletionTokens *int       `json:"max_completion_tokens"`
}

type wireMessage struct {
	Role       string          `json:"role"`
	Content    json.RawMessage `json:"content"`
	ToolCalls  []wireToolCall  `json:"tool_calls"`
	ToolCallID string          `json:"tool_call_id"`
}

type wireToolCall struct {
	ID       string `json:"id"`
	Type     string `json:"type"`
	Function struct {
		Name      string `json:"name"`
		Arguments string `json:"arguments"` // a JSON string, unlike Ollama
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

// fakeOpenAI speaks the Chat Completions streaming protocol (SSE). It fails
// the test on a wrong method, path, auth header or body.
type fakeOpenAI struct {
	t      *testing.T
	respFn func(n int, req wireRequest, w http.ResponseWriter)

	mu   sync.Mutex
	reqs []wireRequest
}

func newFakeOpenAI(t *testing.T, respFn func(n int, req wireRequest, w http.ResponseWriter)) (*fakeOpenAI, *httptest.Server) {
	t.Helper()
	f := &fakeOpenAI{t: t, respFn: respFn}
	srv := httptest.NewServer(f)
	t.Cleanup(srv.Close)
	return f, srv
}

func (f *fakeOpenAI) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	t := f.t
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" {
		t.Errorf("unexpected request %s %s", r.Method, r.URL.Path)
		http.NotFound(w, r)
		return
	}
	if got := r.Header.Get("Authorization"); got != "Bearer "+testKey {
		t.Errorf("Authorization = %q", got)
	}
	if ct := r.Header.Get("Content-Type"); ct != "application/json" {
		t.Errorf("Content-Type = %q", ct)
	}
	if org := r.Header.Get("OpenAI-Organization"); org != "" {
		t.Errorf("OpenAI-Organization = %q; it must not come from the environment", org)
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	var req wireRequest
	if err := dec.Decode(&req); err != nil {
		t.Errorf("request body: %v", err)
	}
	f.mu.Lock()
	f.reqs = append(f.reqs, req)
	n := len(f.reqs)
	f.mu.Unlock()
	f.respFn(n, req, w)
}

func (f *fakeOpenAI) requests() []wireRequest {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]wireRequest(nil), f.reqs...)
}

// sse writes chunks as Server-Sent Events, then the [DONE] sentinel.
func sse(w http.ResponseWriter, chunks ...string) {
	w.Header().Set("Content-Type", "text/event-stream")
	for _, c := range chunks {
		fmt.Fprintf(w, "data: %s\n\n", c)
		w.(http.Flusher).Flush()
	}
	fmt.Fprint(w, "data: [DONE]\n\n")
}

// chunk builds one chat.completion.chunk with a single choice.
func chunk(delta, finish string) string {
	if finish == "" {
		finish = "null"
	} else {
		finish = `"` + finish + `"`
	}
	return `{"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1780000000,"model":"gpt-4-turbo-2024-04-09","system_fingerprint":"fp_1","choices":[{"index":0,"delta":` +
		delta + `,"logprobs":null,"finish_reason":` + finish + `}],"usage":null}`
}

func usageChunk(prompt, completion int) string {
	return fmt.Sprintf(`{"id":"chatcmpl-9x","object":"chat.completion.chunk","created":1780000000,"model":"gpt-4-turbo-2024-04-09","choices":[],"usage":{"prompt_tokens":%d,"completion_tokens":%d,"total_tokens":%d}}`,
		prompt, completion, prompt+completion)
}

func mustNew(t *testing.T, baseURL, model string, opts openai.Options) *openai.Client {
	t.Helper()
	c, err := openai.New(baseURL+"/v1", testKey, model, &http.Client{}, opts)
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	return c
}

var tools = []llm.Tool{
	{
		Name:        "fuel_spend",
		Description: "Total fuel spend for a month.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"month":{"type":"string"}},"required":["month"]}`),
	},
	{
		Name:        "budget_status",
		Description: "How a budget category stands this month.",
		Parameters:  json.RawMessage(`{"type":"object","properties":{"category":{"type":"string","enum":["fuel","food","camping"]}},"required":["category"]}`),
	},
}

// TestChat_ToolRoundTrip: the model asks for two tools, their arguments
// streamed in interleaved pieces; the caller runs them and sends the results
// back; the model answers in text.
func TestChat_ToolRoundTrip(t *testing.T) {
	f, srv := newFakeOpenAI(t, func(n int, req wireRequest, w http.ResponseWriter) {
		switch n {
		case 1:
			sse(w,
				chunk(`{"role":"assistant","content":null,"tool_calls":[{"index":0,"id":"call_fuel","type":"function","function":{"name":"fuel_spend","arguments":""}}]}`, ""),
				chunk(`{"tool_calls":[{"index":0,"function":{"arguments":"{\"mon"}}]}`, ""),
				chunk(`{"tool_calls":[{"index":1,"id":"call_budget","type":"function","function":{"name":"budget_status","arguments":"{\"cat"}}]}`, ""),
				chunk(`{"tool_calls":[{"index":0,"function":{"arguments":"th\":\"2026-05\"}"}}]}`, ""),
				chunk(`{"tool_calls":[{"index":1,"function":{"arguments":"egory\":\"fuel\"}"}}]}`, ""),
				chunk(`{}`, "tool_calls"),
				usageChunk(120, 41),
			)
		case 2:
			sse(w,
				chunk(`{"role":"assistant","content":""}`, ""),
				chunk(`{"content":"You spent $212.40"}`, ""),
				chunk(`{"content":" on fuel in May, "}`, ""),
				chunk(`{"content":"85% of the budget."}`, ""),
				chunk(`{}`, "stop"),
				usageChunk(190, 17),
			)
		default:
			t.Errorf("unexpected request %d", n)
		}
	})
	c := mustNew(t, srv.URL, testModel, openai.Options{})
	ctx := context.Background()
	temp := 0.3

	req := llm.Request{
		Messages: []llm.Message{
			{Role: llm.RoleSystem, Content: "You are PAM, an RV assistant."},
			{Role: llm.RoleUser, Content: "Fuel in May, and how is the fuel budget?"},
		},
		Tools:       tools,
		MaxTokens:   300,
		Temperature: &temp,
	}
	var events []llm.Event
	resp, err := c.Chat(ctx, req, func(e llm.Event) { events = append(events, e) })
	if err != nil {
		t.Fatalf("turn 1: %v", err)
	}
	calls := resp.Message.ToolCalls
	if len(calls) != 2 ||
		calls[0].ID != "call_fuel" || calls[0].Name != "fuel_spend" || string(calls[0].Arguments) != `{"month":"2026-05"}` ||
		calls[1].ID != "call_budget" || calls[1].Name != "budget_status" || string(calls[1].Arguments) != `{"category":"fuel"}` {
		t.Fatalf("turn 1 tool calls = %+v", calls)
	}
	if len(events) != 2 || events[0].ToolCall == nil || events[0].ToolCall.ID != "call_fuel" || events[1].ToolCall == nil {
		t.Errorf("turn 1 events = %+v", events)
	}
	if resp.FinishReason != "tool_calls" || resp.Usage != (llm.Usage{PromptTokens: 120, CompletionTokens: 41}) ||
		resp.Provider != "openai" || resp.Model != "gpt-4-turbo-2024-04-09" || resp.Message.Content != "" {
		t.Errorf("turn 1 response = %+v", resp)
	}

	req.Messages = append(req.Messages, resp.Message,
		llm.Message{Role: llm.RoleTool, ToolCallID: "call_fuel", Name: "fuel_spend", Content: `{"total_usd":212.40}`},
		llm.Message{Role: llm.RoleTool, ToolCallID: "call_budget", Name: "budget_status", Content: `{"used_pct":85}`},
	)
	events = nil
	resp, err = c.Chat(ctx, req, func(e llm.Event) { events = append(events, e) })
	if err != nil {
		t.Fatalf("turn 2: %v", err)
	}
	const answer = "You spent $212.40 on fuel in May, 85% of the budget."
	var streamed strings.Builder
	for _, e := range events {
		streamed.WriteString(e.Token)
	}
	if resp.Message.Content != answer || streamed.String() != answer || len(events) != 3 {
		t.Errorf("turn 2 content %q, streamed %q in %d events", resp.Message.Content, streamed.String(), len(events))
	}
	if resp.FinishReason != "stop" || resp.Usage != (llm.Usage{PromptTokens: 190, CompletionTokens: 17}) || len(resp.Message.ToolCalls) != 0 {
		t.Errorf("turn 2 response = %+v", resp)
	}

	// What the server received.
	reqs := f.requests()
	if len(reqs) != 2 {
		t.Fatalf("requests = %d", len(reqs))
	}
	for i, got := range reqs {
		if got.Model != testModel || !got.Stream || got.StreamOptions == nil || !got.StreamOptions.IncludeUsage {
			t.Errorf("request %d: model %q stream %v stream_options %+v", i+1, got.Model, got.Stream, got.StreamOptions)
		}
		if got.Temperature == nil || *got.Temperature != 0.3 || got.MaxCompletionTokens == nil || *got.MaxCompletionTokens != 300 {
			t.Errorf("request %d: temperature %v max_completion_tokens %v", i+1, got.Temperature, got.MaxCompletionTokens)
		}
		if len(got.Tools) != 2 || got.Tools[0].Type != "function" || got.Tools[0].Function.Name != "fuel_spend" ||
			got.Tools[0].Function.Description != tools[0].Description || got.Tools[0].Function.Parameters["type"] != "object" ||
			got.Tools[1].Function.Name != "budget_status" {
			t.Errorf("request %d: tools = %+v", i+1, got.Tools)
		}
	}
	msgs := reqs[1].Messages
	if len(msgs) != 5 {
		t.Fatalf("turn 2 messages = %+v", msgs)
	}
	if msgs[0].Role != "system" || string(msgs[0].Content) != `"You are PAM, an RV assistant."` || msgs[1].Role != "user" {
		t.Errorf("turn 2 history = %+v", msgs[:2])
	}
	asst := msgs[2]
	if asst.Role != "assistant" || asst.Content != nil || len(asst.ToolCalls) != 2 {
		t.Fatalf("turn 2 assistant message = %+v (content %s)", asst, asst.Content)
	}
	for i, want := range []struct{ id, name, args string }{
		{"call_fuel", "fuel_spend", `{"month":"2026-05"}`},
		{"call_budget", "budget_status", `{"category":"fuel"}`},
	} {
		tc := asst.ToolCalls[i]
		if tc.ID != want.id || tc.Type != "function" || tc.Function.Name != want.name || tc.Function.Arguments != want.args {
			t.Errorf("turn 2 assistant tool call %d = %+v", i, tc)
		}
	}
	if msgs[3].Role != "tool" || msgs[3].ToolCallID != "call_fuel" || string(msgs[3].Content) != `"{\"total_usd\":212.40}"` ||
		msgs[4].Role != "tool" || msgs[4].ToolCallID != "call_budget" || string(msgs[4].Content) != `"{\"used_pct\":85}"` {
		t.Errorf("turn 2 tool messages = %+v / %+v", msgs[3], msgs[4])
	}
}

func TestChat_MalformedArgumentsStayValidJSON(t *testing.T) {
	_, srv := newFakeOpenAI(t, func(_ int, _ wireRequest, w http.ResponseWriter) {
		sse(w,
			chunk(`{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"fuel_spend","arguments":"{\"month\": 2026-"}}]}`, ""),
			chunk(`{}`, "tool_calls"),
		)
	})
	resp, err := mustNew(t, srv.URL, testModel, openai.Options{}).Chat(context.Background(),
		llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "fuel"}}, Tools: tools}, nil)
	if err != nil {
		t.Fatal(err)
	}
	args := resp.Message.ToolCalls[0].Arguments
	var s string
	if err := json.Unmarshal(args, &s); err != nil || s != `{"month": 2026-` {
		t.Fatalf("arguments = %s (%v)", args, err)
	}
	if resp.Usage != (llm.Usage{}) {
		t.Errorf("usage without a usage chunk = %+v", resp.Usage)
	}
}

func apiError(status int, typ, code, msg string) func(int, wireRequest, http.ResponseWriter) {
	return func(_ int, _ wireRequest, w http.ResponseWriter) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(status)
		fmt.Fprintf(w, `{"error":{"message":%q,"type":%q,"param":null,"code":%q}}`, msg, typ, code)
	}
}

func TestChat_Errors(t *testing.T) {
	req := llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hello"}}}
	for _, tc := range []struct {
		name string
		resp func(int, wireRequest, http.ResponseWriter)
		want error
	}{
		{"ErrRateLimited", apiError(429, "requests", "rate_limit_exceeded", "Rate limit reached for gpt-4-turbo"), llm.ErrRateLimited},
		{"ErrRateLimited/Quota", apiError(429, "insufficient_quota", "insufficient_quota", "You exceeded your current quota"), llm.ErrRateLimited},
		{"ErrUnavailable/500", apiError(500, "server_error", "", "The server had an error"), llm.ErrUnavailable},
		{"ErrUnavailable/503", apiError(503, "server_error", "", "overloaded"), llm.ErrUnavailable},
		{"ErrModelNotFound", apiError(404, "invalid_request_error", "model_not_found", "The model `gpt-9` does not exist"), llm.ErrModelNotFound},
		{"ErrUnauthorized", apiError(401, "invalid_request_error", "invalid_api_key", "Incorrect API key provided"), llm.ErrUnauthorized},
		{"ErrContextOverflow", apiError(400, "invalid_request_error", "context_length_exceeded", "maximum context length is 16385 tokens"), llm.ErrContextOverflow},
		{"ErrBadRequest", apiError(400, "invalid_request_error", "", "Invalid 'messages[2]'"), llm.ErrBadRequest},
		{"ErrUnavailable/ErrorEventMidStream", func(_ int, _ wireRequest, w http.ResponseWriter) {
			sse(w, chunk(`{"role":"assistant","content":"Let"}`, ""), `{"error":{"message":"The server had an error while processing your request","type":"server_error"}}`)
		}, llm.ErrUnavailable},
		{"ErrUnavailable/CutShort", func(_ int, _ wireRequest, w http.ResponseWriter) {
			w.Header().Set("Content-Type", "text/event-stream")
			fmt.Fprintf(w, "data: %s\n\n", chunk(`{"role":"assistant","content":"Let me"}`, ""))
		}, llm.ErrUnavailable},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f, srv := newFakeOpenAI(t, tc.resp)
			_, err := mustNew(t, srv.URL, testModel, openai.Options{}).Chat(context.Background(), req, nil)
			if !errors.Is(err, tc.want) {
				t.Fatalf("err = %v, want %v", err, tc.want)
			}
			if n := len(f.requests()); n != 1 {
				t.Errorf("requests = %d; the SDK must not retry by default, the Router fails over", n)
			}
		})
	}

	t.Run("ErrUnavailable/ServerDown", func(t *testing.T) {
		srv := httptest.NewServer(http.NotFoundHandler())
		srv.Close()
		_, err := mustNew(t, srv.URL, testModel, openai.Options{}).Chat(context.Background(), req, nil)
		if !errors.Is(err, llm.ErrUnavailable) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("ErrBadRequest/ToolResultWithoutID", func(t *testing.T) {
		_, srv := newFakeOpenAI(t, func(int, wireRequest, http.ResponseWriter) { t.Error("must not be sent") })
		bad := llm.Request{Messages: []llm.Message{{Role: llm.RoleTool, Content: "42"}}}
		_, err := mustNew(t, srv.URL, testModel, openai.Options{}).Chat(context.Background(), bad, nil)
		if !errors.Is(err, llm.ErrBadRequest) {
			t.Fatalf("err = %v", err)
		}
	})

	t.Run("MaxRetries", func(t *testing.T) {
		f, srv := newFakeOpenAI(t, func(n int, req wireRequest, w http.ResponseWriter) {
			if n == 1 {
				apiError(500, "server_error", "", "blip")(n, req, w)
				return
			}
			sse(w, chunk(`{"role":"assistant","content":"ok"}`, ""), chunk(`{}`, "stop"))
		})
		resp, err := mustNew(t, srv.URL, testModel, openai.Options{MaxRetries: 1}).Chat(context.Background(), req, nil)
		if err != nil || resp.Message.Content != "ok" || len(f.requests()) != 2 {
			t.Fatalf("resp %+v err %v requests %d", resp, err, len(f.requests()))
		}
	})
}

func TestClient(t *testing.T) {
	t.Setenv("OPENAI_ORG_ID", "org-from-env")
	t.Setenv("OPENAI_BASE_URL", "http://127.0.0.1:1/not-this")
	_, srv := newFakeOpenAI(t, func(_ int, _ wireRequest, w http.ResponseWriter) {
		sse(w, chunk(`{"role":"assistant","content":"hi"}`, "stop"))
	})
	c := mustNew(t, srv.URL, "gpt-3.5-turbo", openai.Options{})
	if c.Name() != "openai" || c.Model() != "gpt-3.5-turbo" || !c.NeedsInternet() || c.ContextWindow() != 16385 {
		t.Errorf("client = %s %s %v %d", c.Name(), c.Model(), c.NeedsInternet(), c.ContextWindow())
	}
	if resp, err := c.Chat(context.Background(), llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: "hi"}}}, nil); err != nil || resp.Message.Content != "hi" {
		t.Fatalf("chat with OPENAI_* set in the environment: %+v %v", resp, err)
	}
	if w := mustNew(t, srv.URL, testModel, openai.Options{}).ContextWindow(); w != 128_000 {
		t.Errorf("gpt-4-turbo window = %d", w)
	}
	if w := mustNew(t, srv.URL, testModel, openai.Options{ContextWindow: 4096}).ContextWindow(); w != 4096 {
		t.Errorf("overridden window = %d", w)
	}
	if _, err := openai.New("", "", testModel, nil, openai.Options{}); !errors.Is(err, llm.ErrUnauthorized) {
		t.Errorf("New without a key = %v", err)
	}
	if _, err := openai.New("api.openai.com", testKey, testModel, nil, openai.Options{}); err == nil {
		t.Error("New with a base URL without scheme succeeded")
	}
}
