// Package chat runs the assistant's conversation: one turn takes the
// user's message, builds a bounded prompt from the session's memory and
// the user's profile, asks the model (through the router), executes the
// tools it calls against the local store, and records the exchange in the
// PAM memory tables with the provider and model that answered.
package chat

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strings"
	"sync"
	"time"

	"github.com/pam-rv/pamd/agent/contextengine"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/schema"
)

// Tools is what a turn needs of the tool registry.
type Tools interface {
	List() []tools.Info
	Tool(name string) (*tools.Tool, bool)
	Execute(ctx context.Context, call tools.Call, name string, args json.RawMessage) (tools.Result, error)
}

// Memory is what a turn needs of the store: sessions, history, logs.
type Memory interface {
	schema.Reader
	Create(ctx context.Context, user, table string, data schema.Row) (schema.Row, error)
	Update(ctx context.Context, user, table, id string, data schema.Row) (schema.Row, error)
	// Each streams the rows matching q, as localstore.Store.Each: one
	// query, no count, no cache (learn reads the row it then rewrites).
	Each(ctx context.Context, user, table string, q schema.Query, fn func(schema.Row) error) error
	// Apply writes ops in one transaction, all or none.
	Apply(ctx context.Context, user string, ops []schema.Operation) ([]schema.Row, error)
}

// Knowledge builds what the assistant should know about the user for one
// message (the context engine), within a token budget.
type Knowledge interface {
	Build(ctx context.Context, user, message string, budget int) (contextengine.Context, error)
}

// Gate answers without a model the messages it understands with
// confidence (the offline answerer). When the cloud is out of reach it is
// tried before a local model: a small model is slower and less reliable
// for the questions the gate already answers with the figures.
type Gate interface {
	llm.Provider
	Understands(msg, units string) bool
}

// Limits of one turn.
const (
	DefaultMaxSteps = 5    // model calls per turn (tool rounds + the answer)
	MaxToolsOffered = 8    // tools offered per request: small models do badly with more
	AnswerReserve   = 1024 // tokens kept free in the context for the answer
	HistoryTurns    = 10   // past exchanges considered for the prompt
)

// Service runs turns. Set the fields, then call Turn.
type Service struct {
	Model  llm.Provider
	Tools  Tools
	Memory Memory
	// Knowledge, when set, adds the user's context to the system prompt,
	// taking at most a quarter of the prompt budget.
	Knowledge Knowledge
	// Gate, with CloudReachable, lets confident offline answers skip the
	// local model; nil CloudReachable means the cloud is never reachable.
	Gate           Gate
	CloudReachable func() bool
	MaxSteps       int
	Now            func() time.Time
	Logger         *slog.Logger

	// Embedder, when set, ranks tools for a model with a small window by
	// the similarity of embeddings (see shortList); without it they are
	// ranked by keywords.
	Embedder Embedder

	catOnce sync.Once
	cat     *catalog
	vecMu   sync.Mutex
	vecs    [][]float32 // the tools' embeddings, in catalog order
	// embedRetry is when embeddings are tried again after the Embedder
	// failed (EmbedRetry later); until then tools are ranked by keywords.
	embedRetry time.Time
}

// EmbedRetry is how long tool selection goes without embeddings after the
// embedding model failed, so that a model that is not installed costs
// neither a request nor a log line on every turn.
const EmbedRetry = time.Minute

// Event is streamed to the caller while a turn runs (the WebSocket relays
// them): tokens, tool calls and their results.
type Event struct {
	Type     string          `json:"type"` // token, tool_call, tool_result
	Content  string          `json:"content,omitempty"`
	Name     string          `json:"name,omitempty"`
	Args     json.RawMessage `json:"arguments,omitempty"`
	Result   any             `json:"result,omitempty"`
	Error    string          `json:"error,omitempty"`
	Duration int64           `json:"ms,omitempty"`
}

// ToolCall is one executed (or refused) tool call of a turn.
type ToolCall struct {
	Name      string          `json:"name"`
	Arguments json.RawMessage `json:"arguments"`
	Result    any             `json:"result"`
	Error     string          `json:"error,omitempty"`
	MS        int64           `json:"ms"`
}

// Reply is the answer of one turn (api.md "POST /api/v1/pam/chat").
type Reply struct {
	Reply     string     `json:"reply"`
	SessionID string     `json:"session_id"`
	Provider  string     `json:"provider"`
	Model     string     `json:"model"`
	ToolCalls []ToolCall `json:"tool_calls"`
	LatencyMS int64      `json:"latency_ms"`
	// PromptTokens is the measured size of the largest prompt sent, which
	// never exceeds the model's context window minus AnswerReserve.
	PromptTokens int `json:"prompt_tokens"`
}

// Request is one user message.
type Request struct {
	Message   string
	SessionID string
}

// Turn answers one message for user. onEvent may be nil.
func (s *Service) Turn(ctx context.Context, user string, req Request, onEvent func(Event)) (*Reply, error) {
	start := s.now()
	if onEvent == nil {
		onEvent = func(Event) {}
	}
	msg := strings.TrimSpace(req.Message)
	if msg == "" {
		return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "message is empty", Fields: []schema.FieldError{{Field: "message", Reason: "required"}}}
	}
	if len(msg) > 8000 {
		return nil, schema.Errorf(schema.ETOOLARGE, "message longer than 8000 characters")
	}
	sess, err := s.session(ctx, user, req.SessionID)
	if err != nil {
		return nil, err
	}
	call := tools.Call{User: user, Now: start}
	ctx = tools.WithCall(ctx, call)
	ctx, trace := tools.WithTrace(ctx) // tools a provider runs itself (offline answerer)
	history, err := s.history(ctx, user, sess.id)
	if err != nil {
		return nil, err
	}
	var offered []llm.Tool
	model, gated := s.Model, false
	if s.Gate != nil && (s.CloudReachable == nil || !s.CloudReachable()) && s.Gate.Understands(msg, "") {
		model, gated = s.Gate, true
	} else {
		offered = s.shortList(ctx, msg)
	}
	reply := &Reply{SessionID: sess.id, ToolCalls: []ToolCall{}}
	known := ""
	if s.Knowledge != nil {
		if budget := (s.Model.ContextWindow() - AnswerReserve) / 4; budget > 0 {
			kc, err := s.Knowledge.Build(ctx, user, msg, budget)
			if err != nil {
				s.logger().Warn("context engine failed; answering without it", "err", err)
			} else {
				known = kc.Text
			}
		}
	}
	messages, used := s.prompt(history, msg, known, offered, start)
	limit := s.Model.ContextWindow() - AnswerReserve
	for limit > 0 && used > limit && len(offered) > 0 {
		// Fewer tools before a prompt that does not fit: the least
		// relevant go first.
		offered = offered[:len(offered)-1]
		messages, used = s.prompt(history, msg, known, offered, start)
	}
	if limit > 0 && used > limit {
		return nil, schema.Errorf(schema.ETOOLARGE, "the message is too long for the assistant's context window (%d tokens, %d available)", used, limit)
	}
	// The prompt fits the smallest model with the short list. A model with
	// a large window is offered every tool instead (the Router still gives
	// a smaller one it falls back on the short list).
	var toolsFor func(int) []llm.Tool
	if w := s.answerer().ContextWindow(); !gated && s.wholeList(w) {
		if n := tokens(messages, s.catalog().tools); n <= w-AnswerReserve {
			toolsFor = s.toolsFor(messages, offered)
			offered, used, limit = s.catalog().tools, n, w-AnswerReserve
		}
	}
	reply.PromptTokens = used
	steps := s.MaxSteps
	if steps <= 0 {
		steps = DefaultMaxSteps
	}
	var resp *llm.Response
	for step := 0; step < steps; step++ {
		resp, err = model.Chat(ctx, llm.Request{Messages: messages, Tools: offered, ToolsFor: toolsFor}, func(ev llm.Event) {
			if ev.Token != "" {
				onEvent(Event{Type: "token", Content: ev.Token})
			}
		})
		if err != nil {
			s.logTurn(ctx, user, sess.id, msg, nil, err, start)
			if errors.Is(err, llm.ErrNoProvider) {
				return nil, &schema.Error{Code: schema.EUNAVAILABLE, Message: "no assistant is reachable right now: " + err.Error()}
			}
			return nil, fmt.Errorf("chat: %w", err)
		}
		reply.Provider, reply.Model = resp.Provider, resp.Model
		if len(resp.Message.ToolCalls) == 0 || step == steps-1 {
			break
		}
		messages = append(messages, resp.Message)
		results := s.runTools(ctx, call, resp.Message.ToolCalls, onEvent)
		for i, tc := range resp.Message.ToolCalls {
			reply.ToolCalls = append(reply.ToolCalls, results[i])
			content, _ := json.Marshal(map[string]any{"result": results[i].Result, "error": results[i].Error})
			messages = append(messages, llm.Message{Role: llm.RoleTool, ToolCallID: tc.ID, Name: tc.Name, Content: string(content)})
		}
		if n := tokens(messages, offered); n > reply.PromptTokens {
			reply.PromptTokens = n
		}
		if limit > 0 && reply.PromptTokens > limit {
			break // no room for another round: answer with what we have
		}
	}
	for _, tc := range trace.Calls() {
		rec := ToolCall{Name: tc.Name, Arguments: tc.Arguments, Result: tc.Output, MS: tc.Elapsed.Milliseconds()}
		if tc.Err != nil {
			rec.Result, rec.Error = nil, schema.ErrorMessage(tc.Err)
		}
		reply.ToolCalls = append(reply.ToolCalls, rec)
	}
	reply.Reply = strings.TrimSpace(resp.Message.Content)
	if reply.Reply == "" && len(reply.ToolCalls) > 0 {
		reply.Reply = summarize(reply.ToolCalls)
	}
	reply.LatencyMS = s.now().Sub(start).Milliseconds()
	if err := s.remember(ctx, user, sess, msg, reply); err != nil {
		s.logger().Warn("chat memory not written", "err", err)
	}
	s.logTurn(ctx, user, sess.id, msg, reply, nil, start)
	return reply, nil
}

// runTools executes the model's tool calls: read-only ones in parallel,
// writing ones in order. Unknown tools and invalid arguments come back to
// the model as errors to correct; a destructive tool never runs on the
// model's word alone.
func (s *Service) runTools(ctx context.Context, call tools.Call, calls []llm.ToolCall, onEvent func(Event)) []ToolCall {
	out := make([]ToolCall, len(calls))
	var wg sync.WaitGroup
	run := func(i int) {
		tc := calls[i]
		began := time.Now()
		rec := ToolCall{Name: tc.Name, Arguments: tc.Arguments}
		t, ok := s.Tools.Tool(tc.Name)
		switch {
		case !ok:
			rec.Error = fmt.Sprintf("unknown tool %q; use one of the tools offered", tc.Name)
		case t.Destructive:
			rec.Error = "this tool deletes data: ask the user to confirm in their own words first; it was not run"
		default:
			res, err := s.Tools.Execute(ctx, call, tc.Name, withoutConfirm(tc.Arguments))
			if err != nil {
				rec.Error = schema.ErrorMessage(err)
				if f := schema.ErrorFields(err); len(f) > 0 {
					b, _ := json.Marshal(f)
					rec.Error += " " + string(b)
				}
			} else {
				rec.Result = res.Output
			}
		}
		rec.MS = time.Since(began).Milliseconds()
		out[i] = rec
	}
	for i, tc := range calls {
		onEvent(Event{Type: "tool_call", Name: tc.Name, Args: tc.Arguments})
		if t, ok := s.Tools.Tool(tc.Name); ok && !t.Writes {
			wg.Add(1)
			go func(i int) { defer wg.Done(); run(i) }(i)
			continue
		}
		wg.Wait() // writes wait for earlier reads and run alone, in order
		run(i)
	}
	wg.Wait()
	for _, rec := range out {
		onEvent(Event{Type: "tool_result", Name: rec.Name, Result: rec.Result, Error: rec.Error, Duration: rec.MS})
	}
	return out
}

// withoutConfirm removes a "confirm" the model set itself.
func withoutConfirm(args json.RawMessage) json.RawMessage {
	var m map[string]json.RawMessage
	if json.Unmarshal(args, &m) != nil {
		return args
	}
	if _, ok := m["confirm"]; !ok {
		return args
	}
	delete(m, "confirm")
	b, _ := json.Marshal(m)
	return b
}

func summarize(calls []ToolCall) string {
	var b strings.Builder
	for _, c := range calls {
		if c.Error != "" {
			fmt.Fprintf(&b, "%s: %s\n", c.Name, c.Error)
			continue
		}
		raw, _ := json.Marshal(c.Result)
		fmt.Fprintf(&b, "%s: %s\n", c.Name, raw)
	}
	return strings.TrimSpace(b.String())
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return s.Now()
	}
	return time.Now()
}

func (s *Service) logger() *slog.Logger {
	if s.Logger != nil {
		return s.Logger
	}
	return slog.Default()
}
