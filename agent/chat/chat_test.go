package chat_test

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/contextengine"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/storetest"
	"github.com/pam-rv/pamd/schema"
)

const (
	alice = "0190a000-0000-7000-8000-000000000001"
	bob   = "0190a000-0000-7000-8000-000000000002"
)

// scripted stands in for the model (an external dependency): it answers
// from a script and records every request it was sent.
type scripted struct {
	window int
	mu     sync.Mutex
	seen   []llm.Request
	script []llm.Message
}

func (m *scripted) Name() string       { return "ollama" }
func (m *scripted) Model() string      { return "scripted" }
func (m *scripted) ContextWindow() int { return m.window }
func (m *scripted) Chat(_ context.Context, req llm.Request, _ func(llm.Event)) (*llm.Response, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	m.seen = append(m.seen, req)
	msg := llm.Message{Role: llm.RoleAssistant, Content: "done"}
	if len(m.script) > 0 {
		msg, m.script = m.script[0], m.script[1:]
	}
	return &llm.Response{Message: msg, Provider: m.Name(), Model: m.Model()}, nil
}

func newService(t testing.TB, model llm.Provider) (*chat.Service, *localstore.Store) {
	t.Helper()
	s := storetest.Open(t, storetest.Options{OneReader: true})
	now := func() time.Time { return time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC) }
	return &chat.Service{Model: model, Tools: tools.NewRegistry(s), Memory: s, Now: now,
		Knowledge: &contextengine.Engine{Store: s, Now: now}}, s
}

// TestPromptFitsContext: with a long history and a small model, every
// request sent is measured within the window less the answer's reserve.
func TestPromptFitsContext(t *testing.T) {
	for _, window := range []int{1800, 3000, 8192} {
		t.Run(fmt.Sprint(window), func(t *testing.T) {
			m := &scripted{window: window}
			svc, s := newService(t, m)
			ctx := context.Background()
			if _, err := s.Create(ctx, alice, "profiles", schema.Row{"units": "us", "vehicle_type": "Class C motorhome", "region": "US-West"}); err != nil {
				t.Fatal(err)
			}
			first, err := svc.Turn(ctx, alice, chat.Request{Message: "hello"}, nil)
			if err != nil {
				t.Fatal(err)
			}
			long := strings.Repeat("We drove the Beartooth Highway and camped by the lake. ", 20)
			for i := 0; i < 12; i++ {
				if _, err := svc.Turn(ctx, alice, chat.Request{Message: long, SessionID: first.SessionID}, nil); err != nil {
					t.Fatal(err)
				}
			}
			for i, req := range m.seen {
				if n := tokenCount(req); n > window-chat.AnswerReserve {
					t.Fatalf("request %d measured %d tokens, over %d", i, n, window-chat.AnswerReserve)
				}
				if len(req.Tools) > chat.MaxToolsOffered {
					t.Fatalf("request %d offered %d tools", i, len(req.Tools))
				}
			}
			// A message that cannot fit at all is refused, not cut.
			huge := strings.Repeat("word ", window)
			if _, err := svc.Turn(ctx, alice, chat.Request{Message: huge[:min(len(huge), 7990)], SessionID: first.SessionID}, nil); window < 8192 && schema.ErrorCode(err) != schema.ETOOLARGE {
				t.Fatalf("an oversized message: %v", err)
			}
			last := m.seen[len(m.seen)-1]
			if window >= 8192 && len(last.Messages) < 6 {
				t.Fatalf("a large window kept only %d messages of history", len(last.Messages))
			}
			if !strings.Contains(last.Messages[0].Content, "Class C motorhome") {
				t.Fatalf("the user's context is not in the system prompt:\n%s", last.Messages[0].Content)
			}
		})
	}
}

// tokenCount measures a request the way the chat does.
func tokenCount(req llm.Request) int {
	n := 0
	for _, m := range req.Messages {
		n += 4 + (len(m.Content)+2)/3
		for _, tc := range m.ToolCalls {
			n += 4 + (len(tc.Name)+len(tc.Arguments)+2)/3
		}
	}
	for _, t := range req.Tools {
		n += 8 + (len(t.Name)+len(t.Description)+len(t.Parameters)+2)/3
	}
	return n
}

// TestGuards: a user_id from the model is ignored, invalid arguments never
// run, an unknown tool is reported back, and a deleting tool never runs on
// the model's word — even with "confirm": true.
func TestGuards(t *testing.T) {
	ctx := context.Background()
	m := &scripted{window: 8192}
	svc, s := newService(t, m)
	victim, err := s.Create(ctx, bob, "expenses", schema.Row{"amount": "9.00", "category": "food", "date": "2026-03-01"})
	if err != nil {
		t.Fatal(err)
	}
	mine, _ := s.Create(ctx, alice, "expenses", schema.Row{"amount": "5.00", "category": "food", "date": "2026-03-01"})
	call := func(id, name, args string) llm.ToolCall {
		return llm.ToolCall{ID: id, Name: name, Arguments: json.RawMessage(args)}
	}
	m.script = []llm.Message{{Role: llm.RoleAssistant, ToolCalls: []llm.ToolCall{
		call("1", "log_expense", `{"amount": "12.00", "category": "fuel", "user_id": "`+bob+`"}`),
		call("2", "log_expense", `{"amount": "lots", "category": "fuel"}`),
		call("3", "drop_everything", `{}`),
		call("4", "pam_delete_records", `{"table_name": "expenses", "ids": ["`+mine["id"].(string)+`"], "confirm": true}`),
	}}}
	reply, err := svc.Turn(ctx, alice, chat.Request{Message: "log 12 dollars of fuel"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if len(reply.ToolCalls) != 4 {
		t.Fatalf("tool calls = %+v", reply.ToolCalls)
	}
	if reply.ToolCalls[0].Error != "" || reply.ToolCalls[1].Error == "" || !strings.Contains(reply.ToolCalls[2].Error, "unknown tool") || reply.ToolCalls[3].Error == "" {
		t.Fatalf("outcomes = %+v", reply.ToolCalls)
	}
	bobs, _ := s.Find(ctx, bob, "expenses", schema.Query{})
	if bobs.Count != 1 || bobs.Rows[0]["id"] != victim["id"] {
		t.Fatalf("the model's user_id reached bob's data: %+v", bobs.Rows)
	}
	alices, _ := s.Find(ctx, alice, "expenses", schema.Query{})
	if alices.Count != 2 { // the 5.00 kept (delete refused) + the 12.00 logged; "lots" never ran
		t.Fatalf("alice has %d expenses, want 2", alices.Count)
	}
	// The tool results went back to the model for the next round.
	if len(m.seen) != 2 || m.seen[1].Messages[len(m.seen[1].Messages)-1].Role != llm.RoleTool {
		t.Fatalf("tool results were not sent back")
	}
	learned, _ := s.Find(ctx, alice, "pam_user_context", schema.Query{})
	if learned.Count != 1 || !strings.Contains(string(learned.Rows[0]["learned_preferences"].(json.RawMessage)), `"log_expense":1`) {
		t.Fatalf("learned preferences = %+v", learned.Rows)
	}
	logs, _ := s.Find(ctx, alice, "pam_analytics_logs", schema.Query{})
	if logs.Count != 1 || logs.Rows[0]["workflow_name"] != "ollama" {
		t.Fatalf("analytics = %+v", logs.Rows)
	}
}

// TestGateSkipsLocalModel: with the cloud out of reach, a message the
// offline answerer understands never reaches the (local) model; with the
// cloud reachable, the model answers.
func TestGateSkipsLocalModel(t *testing.T) {
	ctx := context.Background()
	m := &scripted{window: 8192}
	svc, s := newService(t, m)
	svc.Gate = offline.New(svc.Tools.(*tools.Registry))
	if _, err := s.Create(ctx, alice, "expenses", schema.Row{"amount": "12.00", "category": "fuel", "date": "2026-03-02"}); err != nil {
		t.Fatal(err)
	}
	reply, err := svc.Turn(ctx, alice, chat.Request{Message: "how much did I spend this month?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	if reply.Provider != "offline" || len(m.seen) != 0 || !strings.Contains(reply.Reply, "$12.00") {
		t.Fatalf("reply %+v; model called %d times", reply, len(m.seen))
	}
	svc.CloudReachable = func() bool { return true }
	if reply, err = svc.Turn(ctx, alice, chat.Request{Message: "how much did I spend this month?"}, nil); err != nil || reply.Provider != "ollama" || len(m.seen) != 1 {
		t.Fatalf("with the cloud reachable: %+v %v", reply, err)
	}
	if reply, err = svc.Turn(ctx, alice, chat.Request{Message: "write me a poem about the desert"}, nil); err != nil || reply.Provider != "ollama" {
		t.Fatalf("a message the gate does not understand: %+v %v", reply, err)
	}
}
