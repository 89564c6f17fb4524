package chat_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/schema"
)

// The mocks below are made of function fields (as Litestream's
// mock/replica_client.go): a test sets the one behaviour it is about, and
// every field left nil falls through to the real store or registry, so a
// failure path runs the same code as the happy one up to the fault.

// memoryMock is a chat.Memory whose calls a test may intercept.
type memoryMock struct {
	chat.Memory
	CreateFunc func(ctx context.Context, user, table string, data schema.Row) (schema.Row, error)
	FindFunc   func(ctx context.Context, user, table string, q schema.Query) (*schema.Result, error)
}

func (m *memoryMock) Create(ctx context.Context, user, table string, data schema.Row) (schema.Row, error) {
	if m.CreateFunc != nil {
		return m.CreateFunc(ctx, user, table, data)
	}
	return m.Memory.Create(ctx, user, table, data)
}

func (m *memoryMock) Find(ctx context.Context, user, table string, q schema.Query) (*schema.Result, error) {
	if m.FindFunc != nil {
		return m.FindFunc(ctx, user, table, q)
	}
	return m.Memory.Find(ctx, user, table, q)
}

// toolsMock is a chat.Tools whose executions a test may intercept.
type toolsMock struct {
	chat.Tools
	ExecuteFunc func(ctx context.Context, call tools.Call, name string, args json.RawMessage) (tools.Result, error)
}

func (m *toolsMock) Execute(ctx context.Context, call tools.Call, name string, args json.RawMessage) (tools.Result, error) {
	if m.ExecuteFunc != nil {
		return m.ExecuteFunc(ctx, call, name, args)
	}
	return m.Tools.Execute(ctx, call, name, args)
}

// modelMock is an llm.Provider answering through ChatFunc; it records how
// often it was asked.
type modelMock struct {
	ChatFunc func(ctx context.Context, step int, req llm.Request) (*llm.Response, error)
	calls    int
}

func (m *modelMock) Name() string       { return "ollama" }
func (m *modelMock) Model() string      { return "mock" }
func (m *modelMock) ContextWindow() int { return 8192 }
func (m *modelMock) Chat(ctx context.Context, req llm.Request, _ func(llm.Event)) (*llm.Response, error) {
	m.calls++
	return m.ChatFunc(ctx, m.calls-1, req)
}

// answer is a model's final answer.
func answer(text string) *llm.Response {
	return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: text}, Provider: "ollama", Model: "mock"}
}

// askTool is a model's request to run one tool.
func askTool(name, args string) *llm.Response {
	return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant,
		ToolCalls: []llm.ToolCall{{ID: "1", Name: name, Arguments: json.RawMessage(args)}}}, Provider: "ollama", Model: "mock"}
}

var errDisk = errors.New("disk I/O error")

// TestTurnFailures: each fault a turn can meet — the store failing at the
// start, mid-turn or at the end, a tool failing, the caller going away —
// ends the turn the documented way, and what was written before the fault
// stays consistent.
func TestTurnFailures(t *testing.T) {
	expense := `{"amount": "12.00", "category": "fuel", "date": "2026-03-02"}`
	for _, tc := range []struct {
		name string
		// model answers step (0, 1, ...) of the turn; cancel cancels the
		// turn's context.
		model   func(ctx context.Context, step int, req llm.Request, cancel func()) (*llm.Response, error)
		memory  func(m *memoryMock)
		tools   func(m *toolsMock, cancel func())
		wantErr error  // the turn fails with this error (errors.Is); nil: it answers
		reply   string // in the reply, when it answers
		// toolError is in the reply's first tool call, when set.
		toolError string
		// modelCalls is how often the model was asked.
		modelCalls int
		// memories and expenses are the pam_memory and expenses rows after.
		memories, expenses int
		// failedLogs is how many failed turns pam_analytics_logs records.
		failedLogs int
	}{
		{
			name:   "ErrStoreAtSessionStart",
			model:  func(context.Context, int, llm.Request, func()) (*llm.Response, error) { return answer("hi"), nil },
			memory: func(m *memoryMock) { m.CreateFunc = failOn("chat_sessions", m.Memory) },
			// Nothing is asked of the model without a session to keep.
			wantErr: errDisk, modelCalls: 0,
		},
		{
			name:    "ErrStoreReadingHistory",
			model:   func(context.Context, int, llm.Request, func()) (*llm.Response, error) { return answer("hi"), nil },
			memory:  func(m *memoryMock) { m.FindFunc = failFind("pam_memory", m.Memory) },
			wantErr: errDisk, modelCalls: 0,
		},
		{
			// The store fails mid-turn, after a tool wrote: the answer still
			// reaches the user, the write stands, only the memory is lost.
			name: "ErrStoreWritingMemory",
			model: func(_ context.Context, step int, _ llm.Request, _ func()) (*llm.Response, error) {
				if step == 0 {
					return askTool("log_expense", expense), nil
				}
				return answer("Logged 12.00 for fuel."), nil
			},
			memory:     func(m *memoryMock) { m.CreateFunc = failOn("pam_memory", m.Memory) },
			reply:      "Logged 12.00 for fuel.",
			modelCalls: 2, memories: 0, expenses: 1,
		},
		{
			// A tool failing goes back to the model as an error to work
			// with; the turn goes on.
			name: "ErrToolFails",
			model: func(_ context.Context, step int, req llm.Request, _ func()) (*llm.Response, error) {
				if step == 0 {
					return askTool("log_expense", expense), nil
				}
				last := req.Messages[len(req.Messages)-1]
				// An internal failure reaches the model as such, without
				// its detail (schema.ErrorMessage).
				if last.Role != llm.RoleTool || !strings.Contains(last.Content, "Internal error.") {
					return nil, errors.New("the tool's failure did not reach the model: " + last.Content)
				}
				return answer("I could not log that."), nil
			},
			tools: func(m *toolsMock, _ func()) {
				m.ExecuteFunc = func(context.Context, tools.Call, string, json.RawMessage) (tools.Result, error) {
					return tools.Result{}, errDisk
				}
			},
			reply: "I could not log that.", toolError: "Internal error.",
			modelCalls: 2, memories: 1, expenses: 0,
		},
		{
			name: "ErrCancelledBeforeTheModel",
			model: func(ctx context.Context, _ int, _ llm.Request, cancel func()) (*llm.Response, error) {
				cancel()
				return nil, ctx.Err()
			},
			wantErr: context.Canceled, modelCalls: 1, failedLogs: 1,
		},
		{
			// The caller goes away while a tool runs: the tool's write
			// stands, the next model call fails and the turn ends with the
			// cancellation, nothing remembered.
			name: "ErrCancelledMidTurn",
			model: func(ctx context.Context, step int, _ llm.Request, _ func()) (*llm.Response, error) {
				if err := ctx.Err(); err != nil {
					return nil, err
				}
				return askTool("log_expense", expense), nil
			},
			tools: func(m *toolsMock, cancel func()) {
				m.ExecuteFunc = func(ctx context.Context, call tools.Call, name string, args json.RawMessage) (tools.Result, error) {
					res, err := m.Tools.Execute(ctx, call, name, args)
					cancel()
					return res, err
				}
			},
			wantErr: context.Canceled, modelCalls: 2, memories: 0, expenses: 1, failedLogs: 1,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			model := &modelMock{}
			model.ChatFunc = func(ctx context.Context, step int, req llm.Request) (*llm.Response, error) {
				return tc.model(ctx, step, req, cancel)
			}
			svc, s := newService(t, model)
			mem := &memoryMock{Memory: s}
			if tc.memory != nil {
				tc.memory(mem)
			}
			tl := &toolsMock{Tools: svc.Tools}
			if tc.tools != nil {
				tc.tools(tl, cancel)
			}
			svc.Memory, svc.Tools = mem, tl
			svc.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
			reply, err := svc.Turn(ctx, alice, chat.Request{Message: "log 12 dollars of fuel"}, nil)
			switch {
			case tc.wantErr != nil && !errors.Is(err, tc.wantErr):
				t.Fatalf("Turn: %v, want %v", err, tc.wantErr)
			case tc.wantErr == nil && err != nil:
				t.Fatalf("Turn: %v", err)
			case tc.wantErr == nil && reply.Reply != tc.reply:
				t.Fatalf("reply %q, want %q", reply.Reply, tc.reply)
			}
			if tc.toolError != "" && (len(reply.ToolCalls) == 0 || reply.ToolCalls[0].Error != tc.toolError) {
				t.Fatalf("tool calls %+v, want the first failed with %q", reply.ToolCalls, tc.toolError)
			}
			if model.calls != tc.modelCalls {
				t.Errorf("the model was asked %d times, want %d", model.calls, tc.modelCalls)
			}
			bg := context.Background()
			for table, want := range map[string]int{"pam_memory": tc.memories, "expenses": tc.expenses} {
				if res, err := s.Find(bg, alice, table, schema.Query{}); err != nil || res.Count != want {
					t.Errorf("%s: %v rows (%v), want %d", table, res.Count, err, want)
				}
			}
			// A turn the caller abandoned is still on record as failed.
			failed, err := s.Find(bg, alice, "pam_analytics_logs", schema.Query{Conditions: []schema.Condition{{Column: "success", Op: schema.OpEq, Value: false}}})
			if err != nil || failed.Count != tc.failedLogs {
				t.Errorf("failed turns logged: %v (%v), want %d", failed.Count, err, tc.failedLogs)
			}
		})
	}
}

// failOn makes Create fail with errDisk for table and pass the rest on.
func failOn(table string, next chat.Memory) func(context.Context, string, string, schema.Row) (schema.Row, error) {
	return func(ctx context.Context, user, t string, data schema.Row) (schema.Row, error) {
		if t == table {
			return nil, errDisk
		}
		return next.Create(ctx, user, t, data)
	}
}

// failFind makes Find fail with errDisk for table and pass the rest on.
func failFind(table string, next chat.Memory) func(context.Context, string, string, schema.Query) (*schema.Result, error) {
	return func(ctx context.Context, user, t string, q schema.Query) (*schema.Result, error) {
		if t == table {
			return nil, errDisk
		}
		return next.Find(ctx, user, t, q)
	}
}
