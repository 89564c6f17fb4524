package chat_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/schema"
)

// TestLearnedToolUse: every turn moves its session along and counts the
// tools it ran in the user's "learned" pam_user_context row (created by the
// first such turn, updated after), offline answers included (the answerer
// reads the profile on every turn: pam_read_records).
func TestLearnedToolUse(t *testing.T) {
	svc, s := newService(t, &scripted{window: 8192})
	svc.Model = llm.NewRouter(offline.New(svc.Tools.(*tools.Registry)))
	ctx := context.Background()
	first, err := svc.Turn(ctx, alice, chat.Request{Message: "how much did I spend this month?"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	for _, msg := range []string{"how much did I spend this month?", "hello there", "spent $12.50 on laundry"} {
		if _, err := svc.Turn(ctx, alice, chat.Request{Message: msg, SessionID: first.SessionID}, nil); err != nil {
			t.Fatal(err)
		}
	}
	res, err := s.Find(ctx, alice, "pam_user_context", schema.Query{
		Conditions: []schema.Condition{{Column: "context_type", Op: schema.OpEq, Value: "learned"}}})
	if err != nil || len(res.Rows) != 1 {
		t.Fatalf("learned rows: %v, %v", res, err)
	}
	var prefs struct {
		ToolUse map[string]int `json:"frequent_requests"`
	}
	if err := json.Unmarshal(res.Rows[0]["learned_preferences"].(json.RawMessage), &prefs); err != nil {
		t.Fatal(err)
	}
	if len(prefs.ToolUse) != 3 || prefs.ToolUse["fetch_summary"] != 2 || prefs.ToolUse["log_expense"] != 1 ||
		prefs.ToolUse["pam_read_records"] != 4 {
		t.Errorf("frequent_requests %v, want fetch_summary 2, log_expense 1, pam_read_records 4", prefs.ToolUse)
	}
	sessions, err := s.Find(ctx, alice, "chat_sessions", schema.Query{})
	if err != nil || len(sessions.Rows) != 1 || sessions.Rows[0].Int("message_count") != 4 {
		t.Errorf("sessions %v, %v: want one with message_count 4", sessions, err)
	}
	memories, err := s.Find(ctx, alice, "pam_memory", schema.Query{})
	if err != nil || memories.Count != 4 {
		t.Errorf("pam_memory %v, %v: want 4 exchanges", memories, err)
	}
}
