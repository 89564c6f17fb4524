package api_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/openai"
	"github.com/pam-rv/pamd/schema"
)

// fakeOpenAI speaks the Chat Completions SSE protocol: the first request
// of a turn gets a fetch_summary tool call (arguments in two pieces), the
// follow-up carrying the tool result gets a streamed answer.
func fakeOpenAI(t *testing.T, fail *atomic.Bool) *httptest.Server {
	t.Helper()
	chunk := func(w io.Writer, delta string, finish string) {
		fin := "null"
		if finish != "" {
			fin = `"` + finish + `"`
		}
		fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4-turbo-2024-04-09\",\"choices\":[{\"index\":0,\"delta\":%s,\"finish_reason\":%s}]}\n\n", delta, fin)
	}
	return httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer test-key" {
			http.Error(w, "bad request", 400)
			return
		}
		if fail.Load() {
			http.Error(w, `{"error":{"message":"overloaded","type":"server_error"}}`, 500)
			return
		}
		var req struct {
			Messages []struct {
				Role       string `json:"role"`
				ToolCallID string `json:"tool_call_id"`
				Content    any    `json:"content"`
			} `json:"messages"`
			Tools []any `json:"tools"`
		}
		json.NewDecoder(r.Body).Decode(&req)
		w.Header().Set("Content-Type", "text/event-stream")
		last := req.Messages[len(req.Messages)-1]
		if last.Role == "tool" {
			if last.ToolCallID != "call_1" || !strings.Contains(fmt.Sprint(last.Content), "150.25") {
				t.Errorf("tool result sent back = %+v", last)
			}
			for _, tok := range []string{"You spent ", "$150.25", " in March."} {
				chunk(w, fmt.Sprintf(`{"content":%q}`, tok), "")
			}
			chunk(w, `{}`, "stop")
		} else {
			// A cloud model's window holds every tool: it is offered all 44.
			if len(req.Tools) != 44 {
				t.Errorf("%d tools offered to the cloud model, want all 44", len(req.Tools))
			}
			chunk(w, `{"role":"assistant","tool_calls":[{"index":0,"id":"call_1","type":"function","function":{"name":"fetch_summary","arguments":""}}]}`, "")
			chunk(w, `{"tool_calls":[{"index":0,"function":{"arguments":"{\"month\":"}}]}`, "")
			chunk(w, `{"tool_calls":[{"index":0,"function":{"arguments":"\"2026-03\",\"user_id\":\"`+bob+`\"}"}}]}`, "")
			chunk(w, `{}`, "tool_calls")
		}
		fmt.Fprint(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":\"gpt-4-turbo-2024-04-09\",\"choices\":[],\"usage\":{\"prompt_tokens\":100,\"completion_tokens\":10,\"total_tokens\":110}}\n\n")
		fmt.Fprint(w, "data: [DONE]\n\n")
	}))
}

func newAssistantEnv(t *testing.T, fail *atomic.Bool) (*testEnv, *tools.Registry) {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	for _, ex := range []struct{ amt, date string }{{"100.25", "2026-03-03"}, {"50.00", "2026-03-09"}} {
		if _, err := e.store.Create(ctx, alice, "expenses", schema.Row{"amount": ex.amt, "category": "food", "date": ex.date}); err != nil {
			t.Fatal(err)
		}
	}
	e.store.Create(ctx, bob, "expenses", schema.Row{"amount": "999.00", "category": "food", "date": "2026-03-05"})
	oai := fakeOpenAI(t, fail)
	t.Cleanup(oai.Close)
	reg := tools.NewRegistry(e.store)
	primary, err := openai.New(oai.URL+"/v1", "test-key", "gpt-4-turbo", nil, openai.Options{})
	if err != nil {
		t.Fatal(err)
	}
	router := llm.NewRouter(primary, offline.New(reg))
	router.Online = func() bool { return true }
	svc := &chat.Service{Model: router, Tools: reg, Memory: e.store, Logger: discardLogger(),
		Now: func() time.Time { return time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC) }}
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.MountAssistant(svc, reg)
	e.srv.Config.Handler = a.Handler()
	return e, reg
}

// TestChatToolRoundTrip: a chat turn through the real OpenAI client: the
// model calls a tool, the tool runs for the caller only (the model's
// user_id is ignored), the answer is streamed back, and the provider and
// model are in the reply and in pam_analytics_logs.
func TestChatToolRoundTrip(t *testing.T) {
	var fail atomic.Bool
	e, _ := newAssistantEnv(t, &fail)
	status, body := e.do(t, e.alice, "POST", "/api/v1/pam/chat", map[string]any{"message": "how much did I spend on food in March?"})
	if status != 200 {
		t.Fatalf("chat: %d %v", status, body)
	}
	if body["provider"] != "openai" || body["model"] != "gpt-4-turbo-2024-04-09" || body["reply"] != "You spent $150.25 in March." {
		t.Fatalf("reply = %v", body)
	}
	calls := body["tool_calls"].([]any)
	if len(calls) != 1 || calls[0].(map[string]any)["name"] != "fetch_summary" {
		t.Fatalf("tool calls = %v", calls)
	}
	if res, _ := json.Marshal(calls[0].(map[string]any)["result"]); !strings.Contains(string(res), "150.25") || strings.Contains(string(res), "999") {
		t.Fatalf("tool result is not alice's March: %s", res)
	}
	res, err := e.store.Find(context.Background(), alice, "pam_analytics_logs", schema.Query{})
	if err != nil || len(res.Rows) != 1 || res.Rows[0]["workflow_name"] != "openai" {
		t.Fatalf("analytics log = %+v %v", res, err)
	}
	// The session continues: the same session id is accepted.
	sid := body["session_id"].(string)
	if status, body = e.do(t, e.alice, "POST", "/api/v1/pam/chat", map[string]any{"message": "and food?", "session_id": sid}); status != 200 {
		t.Fatalf("second turn: %d %v", status, body)
	}
	if status, _ = e.do(t, e.bob, "POST", "/api/v1/pam/chat", map[string]any{"message": "hi", "session_id": sid}); status != 404 {
		t.Fatalf("another user's session: %d", status)
	}
}

// TestChatFallsBackOffline: with the cloud failing, the offline answerer
// takes the turn and says so.
func TestChatFallsBackOffline(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	e, _ := newAssistantEnv(t, &fail)
	status, body := e.do(t, e.alice, "POST", "/api/v1/pam/chat", map[string]any{"message": "spent $45 on groceries at Walmart"})
	if status != 200 || body["provider"] != "offline" {
		t.Fatalf("chat with the cloud down: %d %v", status, body)
	}
	res, _ := e.store.Find(context.Background(), alice, "expenses", schema.Query{Conditions: []schema.Condition{{Column: "amount", Op: schema.OpEq, Value: int64(4500)}}})
	if res.Count != 1 {
		t.Fatalf("the offline answerer did not record the expense: %v", body["reply"])
	}
}

// TestChatWebSocket: tokens reach a WebSocket client in order, then done.
func TestChatWebSocket(t *testing.T) {
	var fail atomic.Bool
	e, _ := newAssistantEnv(t, &fail)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	url := strings.Replace(e.srv.URL, "http", "ws", 1) + "/ws/chat/" + alice + "?token=" + e.alice
	conn, _, err := websocket.Dial(ctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	if err := wsjson.Write(ctx, conn, map[string]any{"type": "message", "content": "what did I spend in March?"}); err != nil {
		t.Fatal(err)
	}
	var tokens []string
	var kinds []string
	for {
		var ev map[string]any
		if err := wsjson.Read(ctx, conn, &ev); err != nil {
			t.Fatal(err)
		}
		kinds = append(kinds, ev["type"].(string))
		if ev["type"] == "token" {
			tokens = append(tokens, ev["content"].(string))
		}
		if ev["type"] == "done" {
			if ev["reply"] != "You spent $150.25 in March." || ev["provider"] != "openai" {
				t.Fatalf("done = %v", ev)
			}
			break
		}
	}
	if got := strings.Join(tokens, ""); got != "You spent $150.25 in March." {
		t.Fatalf("tokens out of order: %q", got)
	}
	if kinds[0] != "tool_call" || kinds[1] != "tool_result" {
		t.Fatalf("event order = %v", kinds)
	}
	// Another user's socket is refused.
	bad := strings.Replace(e.srv.URL, "http", "ws", 1) + "/ws/chat/" + bob + "?token=" + e.alice
	if _, resp, err := websocket.Dial(ctx, bad, nil); err == nil || resp.StatusCode != 403 {
		t.Fatalf("socket for another user: %v", err)
	}
}

func TestToolsEndpoints(t *testing.T) {
	var fail atomic.Bool
	e, reg := newAssistantEnv(t, &fail)
	status, body := e.do(t, e.alice, "GET", "/api/v1/pam/tools/available", nil)
	if status != 200 || len(body["tools"].([]any)) != len(reg.List()) {
		t.Fatalf("available: %d %v", status, body["count"])
	}
	if n := len(body["tools"].([]any)); n != 44 || len(body["categories"].(map[string]any)) != 13 {
		t.Fatalf("%d tools in %d categories, want 44 in 13: %v", n, len(body["categories"].(map[string]any)), body["categories"])
	}
	status, body = e.do(t, e.alice, "POST", "/api/v1/pam/tools/execute", map[string]any{"tool": "fetch_summary", "parameters": map[string]any{"month": "2026-03"}})
	if status != 200 || body["success"] != true {
		t.Fatalf("execute: %d %v", status, body)
	}
	status, body = e.do(t, e.alice, "POST", "/api/v1/pam/tools/execute", map[string]any{"tool": "fetch_summary", "parameters": map[string]any{"month": "March"}})
	if status != 422 || len(body["errors"].([]any)) == 0 {
		t.Fatalf("invalid arguments: %d %v", status, body)
	}
	if status, _ = e.do(t, e.alice, "POST", "/api/v1/pam/tools/execute", map[string]any{"tool": "no_such_tool"}); status != 404 {
		t.Fatalf("unknown tool: %d", status)
	}
	status, body = e.do(t, e.alice, "GET", "/api/v1/pam/tools/status", nil)
	if status != 200 || len(body["tools"].([]any)) == 0 {
		t.Fatalf("status: %d %v", status, body)
	}
}
