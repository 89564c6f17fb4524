// Package llm owns PAM's model adapters (OpenAI, Ollama) and the router that
// picks one by connectivity and health.
//
// This package holds the vocabulary every adapter speaks (messages, tool calls,
// streamed events, the Provider interface and the sentinel errors callers
// branch on) and the Router. The adapters live in sub-packages, one per
// dependency: llm/ollama wraps github.com/ollama/ollama/api and llm/openai wraps
// github.com/openai/openai-go/v3. Only cmd wires them together; the agent
// consumes a Provider (usually the Router) and never imports an adapter.
package llm

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
)

// Role says who wrote a Message.
type Role string

// The roles a Message can have.
const (
	RoleSystem    Role = "system"
	RoleUser      Role = "user"
	RoleAssistant Role = "assistant"
	RoleTool      Role = "tool" // a tool result the caller sends back
)

// Message is one turn of a conversation.
type Message struct {
	Role    Role
	Content string

	// ToolCalls are the calls an assistant message asked for. Send the
	// assistant message back unchanged, followed by one RoleTool message per
	// call, on the next request.
	ToolCalls []ToolCall

	// ToolCallID links a RoleTool message to the ToolCall it answers.
	ToolCallID string

	// Name is the tool's name on a RoleTool message (Ollama needs it; when it is
	// empty the adapters look it up from ToolCallID).
	Name string
}

// ToolCall is a model's request to run a tool.
//
// Arguments is raw JSON exactly as the model produced it and is never trusted:
// validating it against the tool's schema is the agent's job. Adapters
// guarantee only that it is syntactically valid JSON: empty arguments become
// {}, and text that is not JSON is kept as a JSON string so that validation
// against an object schema fails loudly instead of a marshal failing later.
type ToolCall struct {
	ID        string
	Name      string
	Arguments json.RawMessage
}

// Tool describes a tool the model may call.
type Tool struct {
	Name        string
	Description string
	Parameters  json.RawMessage // a JSON Schema object: {"type":"object","properties":{...},"required":[...]}
}

// Request is one chat turn: the whole history (the APIs are stateless) and the
// tools on offer. Offer few tools to local models; see ContextWindow.
type Request struct {
	Messages []Message
	Tools    []Tool
	// ToolsFor, when set, gives the tools to offer a provider with the
	// given context window in place of Tools: the Router calls it for each
	// provider it tries, so a request that offers a large cloud model every
	// tool offers a small local model only a short list.
	ToolsFor    func(window int) []Tool
	MaxTokens   int      // 0: the provider's default
	Temperature *float64 // nil: the provider's default
}

// Usage is the token count of one call, as the provider reported it.
type Usage struct {
	PromptTokens     int
	CompletionTokens int
}

// Event is one streamed piece of an answer: either a text Token or a complete
// ToolCall (adapters emit a tool call once its arguments are whole).
type Event struct {
	Token    string
	ToolCall *ToolCall
}

// Response is a finished answer.
type Response struct {
	Message      Message // RoleAssistant: Content and/or ToolCalls
	Usage        Usage
	Provider     string // which provider answered: "openai", "ollama", "offline", ...
	Model        string // and with which model
	FinishReason string // as the provider said it: "stop", "tool_calls", "length", ...
}

// Provider is a chat model.
//
// Chat streams the answer through onEvent (which may be nil) and returns the
// whole answer when the model is done. onEvent is called from the goroutine
// that called Chat, in order, and never after Chat returns. Errors wrap one of
// the sentinels below where one applies (test with errors.Is); when ctx ends
// the error wraps ctx.Err().
type Provider interface {
	Name() string       // "openai", "ollama", "offline"
	Model() string      // the model it asks, e.g. "gpt-4-turbo", "llama3.2:3b"
	ContextWindow() int // tokens the model accepts, so the caller can budget prompts
	Chat(ctx context.Context, req Request, onEvent func(Event)) (*Response, error)
}

// Networked is implemented by providers that need the internet (cloud APIs).
// The Router skips them while it is offline.
type Networked interface {
	NeedsInternet() bool
}

// Sentinel errors. Adapters wrap them with context; callers test with errors.Is.
var (
	// ErrUnavailable: the provider cannot be reached or failed on its side
	// (connection refused, 5xx, a stream cut short).
	ErrUnavailable = errors.New("llm: provider unavailable")
	// ErrRateLimited: the provider refused for quota or rate (HTTP 429).
	ErrRateLimited = errors.New("llm: rate limited")
	// ErrTimeout: no first token in time (the Router's watchdog) or the attempt
	// ran out of time.
	ErrTimeout = errors.New("llm: timed out")
	// ErrModelNotFound: the model is not installed (Ollama: run `ollama pull`)
	// or not available to this key (OpenAI 404).
	ErrModelNotFound = errors.New("llm: model not found")
	// ErrNoToolSupport: the request offers tools but the model cannot call them.
	ErrNoToolSupport = errors.New("llm: model does not support tools")
	// ErrUnauthorized: the API key is missing, wrong or lacks permission.
	ErrUnauthorized = errors.New("llm: unauthorized")
	// ErrContextOverflow: the prompt does not fit the model's context window.
	// Ollama would silently cut the front of the prompt (system prompt and
	// tools first), so the adapter refuses instead.
	ErrContextOverflow = errors.New("llm: prompt exceeds the context window")
	// ErrBadRequest: the provider rejected the request itself (HTTP 400).
	ErrBadRequest = errors.New("llm: bad request")
	// ErrNoProvider: the Router found no provider that could answer; it wraps
	// every attempt's error.
	ErrNoProvider = errors.New("llm: no provider could answer")
)

// StatusError wraps err, a provider's answer with HTTP status code, in the
// sentinel that status means, for the adapters.
func StatusError(code int, err error) error {
	switch {
	case code == http.StatusTooManyRequests:
		return fmt.Errorf("%w: %w", ErrRateLimited, err)
	case code == http.StatusNotFound:
		return fmt.Errorf("%w: %w", ErrModelNotFound, err)
	case code == http.StatusUnauthorized || code == http.StatusForbidden:
		return fmt.Errorf("%w: %w", ErrUnauthorized, err)
	case code == http.StatusRequestTimeout || code >= 500:
		return fmt.Errorf("%w: %w", ErrUnavailable, err)
	default:
		return fmt.Errorf("%w: %w", ErrBadRequest, err)
	}
}

// TransportError wraps err, a failure with no answer from the provider
// (connection refused, a reset, a stream cut short), as ErrUnavailable; a
// cancelled or expired context stays what it is.
func TransportError(err error) error {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return err
	}
	return fmt.Errorf("%w: %w", ErrUnavailable, err)
}

// Log keys used by this package and its adapters.
const (
	LogKeyProvider = "provider"
	LogKeyModel    = "model"
	LogKeyError    = "err"
)

// RawArguments turns the argument text a model produced into a ToolCall's
// Arguments: valid JSON is kept byte for byte, empty text becomes {}, and
// anything else is kept as a JSON string (see ToolCall).
func RawArguments(text []byte) json.RawMessage {
	trimmed := bytes.TrimSpace(text)
	switch {
	case len(trimmed) == 0:
		return json.RawMessage("{}")
	case json.Valid(trimmed):
		return json.RawMessage(bytes.Clone(trimmed))
	default:
		quoted, _ := json.Marshal(string(text)) // a string always marshals
		return quoted
	}
}
