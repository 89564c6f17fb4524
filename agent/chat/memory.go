package chat

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/rowid"
)

// session is a chat session row.
type session struct {
	id    string // the business key, chat_sessions.session_id
	rowID string
	count int64
}

// session finds the caller's session, or starts one when id is empty. A
// session id of another user, or unknown, is ENOTFOUND.
func (s *Service) session(ctx context.Context, user, id string) (session, error) {
	if id == "" {
		row, err := s.Memory.Create(ctx, user, "chat_sessions", schema.Row{"session_id": rowid.New()})
		if err != nil {
			return session{}, fmt.Errorf("start session: %w", err)
		}
		return session{id: row.Text("session_id"), rowID: row.Text("id")}, nil
	}
	if _, err := schema.ParseUUID(id); err != nil {
		return session{}, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "session_id is not a UUID", Fields: []schema.FieldError{{Field: "session_id", Reason: err.Error()}}}
	}
	res, err := s.Memory.Find(ctx, user, "chat_sessions", schema.Query{
		Conditions: []schema.Condition{{Column: "session_id", Op: schema.OpEq, Value: strings.ToLower(id)}}, Limit: 1})
	if err != nil {
		return session{}, err
	}
	if len(res.Rows) == 0 {
		return session{}, schema.Errorf(schema.ENOTFOUND, "no session %s", id)
	}
	row := res.Rows[0]
	n, _ := row["message_count"].(int64)
	return session{id: row.Text("session_id"), rowID: row.Text("id"), count: n}, nil
}

// exchange is one past user message and PAM's answer.
type exchange struct{ message, response string }

// history returns the session's last exchanges, oldest first.
func (s *Service) history(ctx context.Context, user, sessionID string) ([]exchange, error) {
	res, err := s.Memory.Find(ctx, user, "pam_memory", schema.Query{
		Conditions: []schema.Condition{{Column: "session_id", Op: schema.OpEq, Value: sessionID}},
		Order:      []schema.Order{{Column: "timestamp", Desc: true}},
		Limit:      HistoryTurns,
	})
	if err != nil {
		return nil, fmt.Errorf("read history: %w", err)
	}
	out := make([]exchange, 0, len(res.Rows))
	for i := len(res.Rows) - 1; i >= 0; i-- {
		out = append(out, exchange{res.Rows[i].Text("message"), res.Rows[i].Text("response")})
	}
	return out, nil
}

const systemPrompt = `You are PAM, the personal assistant of people who live and travel in an RV.
Answer briefly and with the figures. Use the tools to read or record the user's data; never invent numbers.
The user's data is already scoped to them: never ask for or pass a user id.
Before anything that deletes data, ask the user to confirm in their own words.
Today is %s.`

// prompt builds the messages for the model within its context window:
// the system prompt, the message and the offered tools always; past
// exchanges newest first while they fit. It returns the measured size.
func (s *Service) prompt(history []exchange, msg, known string, offered []llm.Tool, now time.Time) ([]llm.Message, int) {
	system := llm.Message{Role: llm.RoleSystem, Content: fmt.Sprintf(systemPrompt, now.Format("Monday 2 January 2006"))}
	if known != "" {
		system.Content += "\n\nWhat you know about the user (from their own data):\n" + known
	}
	user := llm.Message{Role: llm.RoleUser, Content: msg}
	base := []llm.Message{system, user}
	budget := s.Model.ContextWindow() - AnswerReserve
	used := tokens(base, offered)
	var kept []llm.Message
	for i := len(history) - 1; i >= 0; i-- {
		pair := []llm.Message{{Role: llm.RoleUser, Content: history[i].message}, {Role: llm.RoleAssistant, Content: history[i].response}}
		n := tokens(pair, nil)
		if budget > 0 && used+n > budget {
			break
		}
		used += n
		kept = append(pair, kept...)
	}
	out := make([]llm.Message, 0, len(kept)+2)
	out = append(out, system)
	out = append(out, kept...)
	return append(out, user), used
}

// tokens measures a prompt conservatively: a token per 3 bytes of text
// (real tokenizers average about 4 for English) plus a few per message for
// the chat template, and the tools' schemas as sent.
func tokens(msgs []llm.Message, offered []llm.Tool) int {
	n := 0
	for _, m := range msgs {
		n += 4 + (len(m.Content)+2)/3
		for _, tc := range m.ToolCalls {
			n += 4 + (len(tc.Name)+len(tc.Arguments)+2)/3
		}
	}
	for _, t := range offered {
		n += 8 + (len(t.Name)+len(t.Description)+len(t.Parameters)+2)/3
	}
	return n
}

// remember writes the exchange to the conversation log and moves the
// session along.
func (s *Service) remember(ctx context.Context, user string, sess session, msg string, r *Reply) error {
	names := make([]string, len(r.ToolCalls))
	for i, c := range r.ToolCalls {
		names[i] = c.Name
	}
	meta, _ := json.Marshal(map[string]any{"provider": r.Provider, "model": r.Model, "tool_calls": names, "latency_ms": r.LatencyMS})
	if _, err := s.Memory.Create(ctx, user, "pam_memory", schema.Row{
		"session_id": sess.id, "content": "User: " + msg + "\nPAM: " + r.Reply,
		"message": msg, "response": r.Reply, "response_source": r.Provider,
		"metadata": json.RawMessage(meta), "is_fallback": r.Provider != "openai",
	}); err != nil {
		return err
	}
	// The session moves along and what the turn taught is kept in one
	// transaction: one commit (an fsync) for both.
	ops := []schema.Operation{{Op: schema.OpUpdate, Table: "chat_sessions", ID: sess.rowID, Data: schema.Row{
		"message_count": sess.count + 1, "last_activity": schema.FormatTimestamp(s.now())}}}
	learned, err := s.learn(ctx, user, r)
	if learned != nil {
		ops = append(ops, *learned)
	}
	if _, werr := s.Memory.Apply(ctx, user, ops); werr != nil {
		return werr
	}
	return err // a learned row that could not be read: the session moved all the same
}

// learn keeps what the conversation shows about the user in
// pam_user_context (context_type "learned"): how often they ask for each
// kind of help, which the context engine reads back as preferences. It
// returns the write for remember to make, nil when the turn used no tool.
func (s *Service) learn(ctx context.Context, user string, r *Reply) (*schema.Operation, error) {
	used := map[string]int{}
	for _, c := range r.ToolCalls {
		if c.Error == "" {
			used[c.Name]++
		}
	}
	if len(used) == 0 {
		return nil, nil
	}
	// The user's one "learned" row (unique per user and context type),
	// read with Each: a Find would also count the matches and fill the
	// cache the update below empties again.
	var learned schema.Row
	err := s.Memory.Each(ctx, user, "pam_user_context", schema.Query{
		Conditions: []schema.Condition{{Column: "context_type", Op: schema.OpEq, Value: "learned"}}, Limit: 1},
		func(r schema.Row) error { learned = r; return nil })
	if err != nil {
		return nil, err
	}
	prefs := struct {
		ToolUse map[string]int `json:"frequent_requests"`
	}{ToolUse: map[string]int{}}
	if learned != nil {
		if raw, ok := learned["learned_preferences"].(json.RawMessage); ok {
			json.Unmarshal(raw, &prefs)
			if prefs.ToolUse == nil {
				prefs.ToolUse = map[string]int{}
			}
		}
	}
	for name, n := range used {
		prefs.ToolUse[name] += n
	}
	raw, _ := json.Marshal(prefs)
	now := schema.FormatTimestamp(s.now())
	if learned == nil {
		return &schema.Operation{Op: schema.OpCreate, Table: "pam_user_context", Data: schema.Row{"context_type": "learned",
			"context_data": json.RawMessage("{}"), "learned_preferences": json.RawMessage(raw), "last_interaction": now}}, nil
	}
	return &schema.Operation{Op: schema.OpUpdate, Table: "pam_user_context", ID: learned.Text("id"), Data: schema.Row{
		"learned_preferences": json.RawMessage(raw), "last_interaction": now}}, nil
}

// logTurn records the turn in pam_analytics_logs: which provider and model
// answered, how long it took, whether it failed.
func (s *Service) logTurn(ctx context.Context, user, sessionID, msg string, r *Reply, turnErr error, start time.Time) {
	// A turn the caller abandoned is logged too: the log outlives the
	// request.
	ctx = context.WithoutCancel(ctx)
	preview := msg
	if len(preview) > 120 {
		preview = preview[:120]
	}
	row := schema.Row{
		"session_id": sessionID, "event_type": "chat", "message_preview": preview,
		"response_time_ms": s.now().Sub(start).Milliseconds(), "success": turnErr == nil,
		"hour_of_day": int64(start.Hour()), "day_of_week": int64(start.Weekday()),
		"is_weekend": start.Weekday() == time.Saturday || start.Weekday() == time.Sunday,
	}
	if r != nil {
		data, _ := json.Marshal(map[string]any{"provider": r.Provider, "model": r.Model, "tool_calls": len(r.ToolCalls)})
		row["event_data"] = json.RawMessage(data)
		row["workflow_name"] = r.Provider
		row["api_calls_count"] = int64(len(r.ToolCalls))
	}
	if turnErr != nil {
		row["has_error"] = true
		row["error_message"] = turnErr.Error()
	}
	if _, err := s.Memory.Create(ctx, user, "pam_analytics_logs", row); err != nil {
		s.logger().Warn("analytics log not written", "err", err)
	}
}
