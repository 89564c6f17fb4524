package api

import (
	"context"
	"encoding/json"
	"errors"
	"net/http"
	"time"

	"github.com/coder/websocket/wsjson"

	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/schema"
)

// Chatter runs assistant turns.
type Chatter interface {
	Turn(ctx context.Context, user string, req chat.Request, onEvent func(chat.Event)) (*chat.Reply, error)
}

// ToolRunner is the tool registry as the API sees it.
type ToolRunner interface {
	List() []tools.Info
	Execute(ctx context.Context, call tools.Call, name string, args json.RawMessage) (tools.Result, error)
	Status() []tools.Status
}

// MountAssistant adds the chat, tools and /ws/chat routes (api.md
// "Assistant", "WebSockets").
func (s *Server) MountAssistant(c Chatter, t ToolRunner) {
	s.Handle("POST /api/v1/pam/chat", func(w http.ResponseWriter, r *http.Request, user string) {
		var req struct {
			Message   string `json:"message"`
			SessionID string `json:"session_id"`
		}
		if err := s.decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		start := time.Now()
		reply, err := c.Turn(r.Context(), user, chat.Request{Message: req.Message, SessionID: req.SessionID}, nil)
		s.Metrics.reply(providerOf(reply), time.Since(start), err)
		if err != nil {
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, reply)
	})
	s.Handle("GET /api/v1/pam/tools/available", func(w http.ResponseWriter, r *http.Request, user string) {
		list := t.List()
		cats := map[string]int{}
		for _, i := range list {
			cats[i.Category]++
		}
		writeJSON(w, http.StatusOK, map[string]any{"tools": list, "count": len(list), "categories": cats})
	})
	s.Handle("POST /api/v1/pam/tools/execute", func(w http.ResponseWriter, r *http.Request, user string) {
		var req struct {
			Tool       string          `json:"tool"`
			Parameters json.RawMessage `json:"parameters"`
		}
		if err := s.decode(w, r, &req); err != nil {
			s.writeError(w, r, err)
			return
		}
		if len(req.Parameters) == 0 || string(req.Parameters) == "null" {
			req.Parameters = json.RawMessage("{}")
		}
		start := time.Now()
		res, err := t.Execute(r.Context(), tools.Call{User: user, Now: s.Now()}, req.Tool, req.Parameters)
		ms := float64(time.Since(start).Microseconds()) / 1000
		if err != nil {
			// A refusal is a problem document like any other (422 for
			// arguments failing the tool's schema, 404 for no such tool).
			s.writeError(w, r, err)
			return
		}
		writeJSON(w, http.StatusOK, map[string]any{"tool": req.Tool, "success": true, "result": res.Output,
			"ignored_arguments": res.Ignored, "execution_time_ms": ms})
	})
	s.Handle("GET /api/v1/pam/tools/status", func(w http.ResponseWriter, r *http.Request, user string) {
		writeJSON(w, http.StatusOK, map[string]any{"tools": t.Status()})
	})
	s.Handle("GET /ws/chat/{user_id}", func(w http.ResponseWriter, r *http.Request, user string) {
		if err := checkPathUser(r, user); err != nil {
			s.writeError(w, r, err)
			return
		}
		s.chatSocket(w, r, user, c)
	})
}

type wsMessage struct {
	Type      string `json:"type"`
	Content   string `json:"content"`
	SessionID string `json:"session_id"`
}

// chatSocket streams each turn: tokens, tool calls and results as they
// happen, then "done" with the same fields as the HTTP answer.
func (s *Server) chatSocket(w http.ResponseWriter, r *http.Request, user string, c Chatter) {
	conn := s.acceptSocket(w, r, user)
	if conn == nil {
		return
	}
	defer conn.CloseNow()
	conn.SetReadLimit(64 << 10)
	ctx := r.Context()
	for {
		var in wsMessage
		if err := wsjson.Read(ctx, conn, &in); err != nil {
			return // closed or not JSON: nothing more to do
		}
		if in.Type != "message" {
			wsjson.Write(ctx, conn, map[string]any{"type": "error", "error": "send {\"type\": \"message\", \"content\": ...}"})
			continue
		}
		events := make(chan chat.Event, 64)
		done := make(chan struct{})
		go func() {
			defer close(done)
			for ev := range events {
				if err := wsjson.Write(ctx, conn, ev); err != nil {
					return
				}
			}
		}()
		start := time.Now()
		reply, err := c.Turn(ctx, user, chat.Request{Message: in.Content, SessionID: in.SessionID}, func(ev chat.Event) {
			select {
			case events <- ev:
			case <-ctx.Done():
			}
		})
		s.Metrics.reply(providerOf(reply), time.Since(start), err)
		close(events)
		<-done
		if err != nil {
			var e *schema.Error
			msg := "Internal error."
			if errors.As(err, &e) {
				msg = e.Message
			}
			if wsjson.Write(ctx, conn, map[string]any{"type": "error", "error": msg, "code": schema.ErrorCode(err)}) != nil {
				return
			}
			continue
		}
		out := map[string]any{"type": "done"}
		raw, _ := json.Marshal(reply)
		json.Unmarshal(raw, &out)
		out["type"] = "done"
		if wsjson.Write(ctx, conn, out) != nil {
			return
		}
	}
}

// providerOf names the provider of a reply, "" for none.
func providerOf(r *chat.Reply) string {
	if r == nil {
		return ""
	}
	return r.Provider
}
