// Package ollama is the llm.Provider for a local Ollama server, over its native
// /api/chat endpoint (not the OpenAI-compatible /v1, which can neither set the
// context size nor stream tool calls reliably).
//
// It guards against the ways local models fail quietly: it always sends
// num_ctx (Ollama otherwise uses a small default and silently drops the front
// of a longer prompt: the system prompt and the tools), refuses a prompt that
// cannot fit instead, keeps the model loaded with keep_alive, can preload it
// (Warm), and reports a missing model or one without tool support as
// llm.ErrModelNotFound and llm.ErrNoToolSupport (Check) rather than as an
// opaque HTTP 400.
package ollama

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	"github.com/ollama/ollama/api"

	"github.com/pam-rv/pamd/llm"
)

// Defaults for Options.
const (
	DefaultNumCtx    = 8192
	DefaultKeepAlive = 30 * time.Minute
)

// Options tune the requests. The zero value gives the defaults.
type Options struct {
	// NumCtx is the context window sent as options.num_ctx on every request
	// (default DefaultNumCtx). Warm and Chat must agree on it, or Ollama
	// reloads the model.
	NumCtx int
	// KeepAlive is how long Ollama keeps the model loaded after a request
	// (default DefaultKeepAlive); negative means forever.
	KeepAlive time.Duration
	// Temperature is the default sampling temperature; nil leaves the
	// model's own. llm.Request.Temperature overrides it.
	Temperature *float64
}

// Client is an llm.Provider for one model on one Ollama server. It is safe for
// concurrent use.
type Client struct {
	api   *api.Client
	model string
	opts  Options
}

var _ llm.Provider = (*Client)(nil)

// New returns a Client for model on the Ollama server at baseURL (for example
// "http://127.0.0.1:11434"). httpClient should have no overall Timeout, which
// would cut long streamed answers; bound requests with ctx instead. If it is
// nil, a client with a 3 s connect timeout is used. New does not touch the
// network; call Check and Warm at startup.
func New(baseURL string, httpClient *http.Client, model string, opts Options) (*Client, error) {
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("ollama: parse base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("ollama: base URL %q: want http(s)://host:port", baseURL)
	}
	if model == "" {
		return nil, errors.New("ollama: model is required")
	}
	if httpClient == nil {
		httpClient = &http.Client{Transport: &http.Transport{
			DialContext: (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
		}}
	}
	if opts.NumCtx <= 0 {
		opts.NumCtx = DefaultNumCtx
	}
	if opts.KeepAlive == 0 {
		opts.KeepAlive = DefaultKeepAlive
	}
	return &Client{api: api.NewClient(u, httpClient), model: model, opts: opts}, nil
}

// Name implements llm.Provider.
func (c *Client) Name() string { return "ollama" }

// Model implements llm.Provider.
func (c *Client) Model() string { return c.model }

// ContextWindow implements llm.Provider: the num_ctx sent with every request.
func (c *Client) ContextWindow() int { return c.opts.NumCtx }

// Check verifies that the server answers, that the model is installed
// (/api/tags) and that it can call tools (/api/show capabilities). The errors
// wrap llm.ErrUnavailable, llm.ErrModelNotFound or llm.ErrNoToolSupport.
func (c *Client) Check(ctx context.Context) error {
	list, err := c.api.List(ctx)
	if err != nil {
		return fmt.Errorf("ollama: list models: %w", mapError(err))
	}
	want := fullName(c.model)
	found := slices.ContainsFunc(list.Models, func(m api.ListModelResponse) bool {
		return fullName(m.Name) == want || fullName(m.Model) == want
	})
	if !found {
		return fmt.Errorf("ollama: %w: %q is not installed (run `ollama pull %s`)", llm.ErrModelNotFound, c.model, c.model)
	}
	show, err := c.api.Show(ctx, &api.ShowRequest{Model: c.model})
	if err != nil {
		return fmt.Errorf("ollama: show %s: %w", c.model, mapError(err))
	}
	if !slices.Contains(show.Capabilities, "tools") {
		return fmt.Errorf("ollama: %w: %q has capabilities %v; pick a model with \"tools\"",
			llm.ErrNoToolSupport, c.model, show.Capabilities)
	}
	return nil
}

// Warm loads the model into memory and keeps it there for KeepAlive, so the
// first user request does not wait for a cold load (which can take a minute
// on CPU). It sends a chat request with no messages and the same num_ctx as
// Chat. Call it at startup, in the background.
func (c *Client) Warm(ctx context.Context) error {
	stream := false
	req := &api.ChatRequest{
		Model:     c.model,
		Messages:  []api.Message{},
		Stream:    &stream,
		KeepAlive: &api.Duration{Duration: c.opts.KeepAlive},
		Options:   map[string]any{"num_ctx": c.opts.NumCtx},
	}
	if err := c.api.Chat(ctx, req, func(api.ChatResponse) error { return nil }); err != nil {
		return fmt.Errorf("ollama: warm %s: %w", c.model, mapError(err))
	}
	return nil
}

// Loaded reports whether the model is in memory now (/api/ps). A request to
// an unloaded model waits for a cold load first.
func (c *Client) Loaded(ctx context.Context) (bool, error) {
	ps, err := c.api.ListRunning(ctx)
	if err != nil {
		return false, fmt.Errorf("ollama: list running models: %w", mapError(err))
	}
	want := fullName(c.model)
	return slices.ContainsFunc(ps.Models, func(m api.ProcessModelResponse) bool {
		return fullName(m.Name) == want || fullName(m.Model) == want
	}), nil
}

// Embed returns one vector per text, in order, from /api/embed. The
// client's model must be an embedding model (for example
// "nomic-embed-text" or "all-minilm"): create a Client for it beside the
// chat model's. Inputs longer than the model's window are truncated by
// Ollama. The errors wrap the llm sentinels, as Chat's do.
func (c *Client) Embed(ctx context.Context, texts []string) ([][]float32, error) {
	if len(texts) == 0 {
		return nil, nil
	}
	truncate := true
	resp, err := c.api.Embed(ctx, &api.EmbedRequest{
		Model:     c.model,
		Input:     texts,
		KeepAlive: &api.Duration{Duration: c.opts.KeepAlive},
		Truncate:  &truncate,
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ollama: embed %s: %w", c.model, ctx.Err())
		}
		return nil, fmt.Errorf("ollama: embed %s: %w", c.model, mapError(err))
	}
	if len(resp.Embeddings) != len(texts) {
		return nil, fmt.Errorf("ollama: embed %s: %w: %d vectors for %d inputs",
			c.model, llm.ErrUnavailable, len(resp.Embeddings), len(texts))
	}
	for i, v := range resp.Embeddings {
		if len(v) == 0 || len(v) != len(resp.Embeddings[0]) {
			return nil, fmt.Errorf("ollama: embed %s: %w: vector %d has %d dimensions",
				c.model, llm.ErrUnavailable, i, len(v))
		}
	}
	return resp.Embeddings, nil
}

// Chat implements llm.Provider. Text streams as tokens; Ollama sends each tool
// call whole in one chunk, and it is emitted as soon as it arrives. Tool calls
// without an ID get one, so the history stays valid for OpenAI too.
func (c *Client) Chat(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
	if onEvent == nil {
		onEvent = func(llm.Event) {}
	}
	creq, err := c.chatRequest(req)
	if err != nil {
		return nil, err
	}

	var (
		content strings.Builder
		calls   []llm.ToolCall
		final   *api.ChatResponse
	)
	err = c.api.Chat(ctx, creq, func(r api.ChatResponse) error {
		if r.Message.Content != "" {
			content.WriteString(r.Message.Content)
			onEvent(llm.Event{Token: r.Message.Content})
		}
		for _, tc := range r.Message.ToolCalls {
			call := llm.ToolCall{
				ID:        tc.ID,
				Name:      tc.Function.Name,
				Arguments: llm.RawArguments([]byte(tc.Function.Arguments.String())),
			}
			if call.ID == "" {
				call.ID = newCallID()
			}
			calls = append(calls, call)
			onEvent(llm.Event{ToolCall: &call})
		}
		if r.Done {
			final = &r
		}
		return nil
	})
	if err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("ollama: chat %s: %w", c.model, ctx.Err())
		}
		return nil, fmt.Errorf("ollama: chat %s: %w", c.model, mapError(err))
	}
	if final == nil {
		if ctx.Err() != nil {
			// The caller gave up while the stream was being cut: that, not
			// the cut, is what happened.
			return nil, fmt.Errorf("ollama: chat %s: %w", c.model, ctx.Err())
		}
		return nil, fmt.Errorf("ollama: chat %s: %w: stream ended before done", c.model, llm.ErrUnavailable)
	}
	return &llm.Response{
		Message: llm.Message{Role: llm.RoleAssistant, Content: content.String(), ToolCalls: calls},
		Usage: llm.Usage{
			PromptTokens:     final.PromptEvalCount,
			CompletionTokens: final.EvalCount,
		},
		Provider:     c.Name(),
		Model:        c.model,
		FinishReason: final.DoneReason,
	}, nil
}

// chatRequest converts req to the wire request, refusing prompts that would be
// silently truncated.
func (c *Client) chatRequest(req llm.Request) (*api.ChatRequest, error) {
	if est := estimateTokens(req); est+req.MaxTokens > c.opts.NumCtx {
		return nil, fmt.Errorf("ollama: %w: about %d prompt tokens + %d reserved for the answer > num_ctx %d",
			llm.ErrContextOverflow, est, req.MaxTokens, c.opts.NumCtx)
	}

	names := map[string]string{} // tool call ID -> tool name, for tool results without Name
	msgs := make([]api.Message, 0, len(req.Messages))
	for _, m := range req.Messages {
		am := api.Message{Role: string(m.Role), Content: m.Content}
		for _, tc := range m.ToolCalls {
			args := api.NewToolCallFunctionArguments()
			if err := json.Unmarshal(tc.Arguments, &args); err != nil {
				// Malformed arguments from an earlier turn (the tool result says
				// so); Ollama only accepts an object here.
				args = api.NewToolCallFunctionArguments()
			}
			am.ToolCalls = append(am.ToolCalls, api.ToolCall{
				ID:       tc.ID,
				Function: api.ToolCallFunction{Index: len(am.ToolCalls), Name: tc.Name, Arguments: args},
			})
			names[tc.ID] = tc.Name
		}
		if m.Role == llm.RoleTool {
			am.ToolCallID = m.ToolCallID
			am.ToolName = m.Name
			if am.ToolName == "" {
				am.ToolName = names[m.ToolCallID]
			}
		}
		msgs = append(msgs, am)
	}

	tools := make(api.Tools, 0, len(req.Tools))
	for _, t := range req.Tools {
		tool := api.Tool{Type: "function", Function: api.ToolFunction{Name: t.Name, Description: t.Description}}
		if len(t.Parameters) > 0 {
			if err := json.Unmarshal(t.Parameters, &tool.Function.Parameters); err != nil {
				return nil, fmt.Errorf("ollama: %w: tool %s parameters: %w", llm.ErrBadRequest, t.Name, err)
			}
		} else {
			tool.Function.Parameters = api.ToolFunctionParameters{Type: "object", Properties: api.NewToolPropertiesMap()}
		}
		tools = append(tools, tool)
	}

	options := map[string]any{"num_ctx": c.opts.NumCtx}
	if t := req.Temperature; t != nil {
		options["temperature"] = *t
	} else if t := c.opts.Temperature; t != nil {
		options["temperature"] = *t
	}
	if req.MaxTokens > 0 {
		options["num_predict"] = req.MaxTokens
	}
	stream := true
	return &api.ChatRequest{
		Model:     c.model,
		Messages:  msgs,
		Stream:    &stream,
		KeepAlive: &api.Duration{Duration: c.opts.KeepAlive},
		Tools:     tools,
		Options:   options,
	}, nil
}

// estimateTokens is a deliberately rough count: about 4 bytes per token for
// English, plus the tool schemas and a little per message for the template.
func estimateTokens(req llm.Request) int {
	n := 0
	for _, m := range req.Messages {
		n += len(m.Content) + 16
		for _, tc := range m.ToolCalls {
			n += len(tc.Name) + len(tc.Arguments)
		}
	}
	for _, t := range req.Tools {
		n += len(t.Name) + len(t.Description) + len(t.Parameters)
	}
	return n / 4
}

// mapError turns what the ollama client returns into the llm sentinels.
func mapError(err error) error {
	var se api.StatusError
	if errors.As(err, &se) {
		if strings.Contains(strings.ToLower(se.ErrorMessage), "does not support tools") {
			return fmt.Errorf("%w: %w", llm.ErrNoToolSupport, err)
		}
		return llm.StatusError(se.StatusCode, err)
	}
	var ae api.AuthorizationError
	if errors.As(err, &ae) {
		return fmt.Errorf("%w: %w", llm.ErrUnauthorized, err)
	}
	// Connection refused, a reset, an error line in the stream ("model
	// runner has unexpectedly stopped"): the server cannot answer now.
	return llm.TransportError(err)
}

// fullName adds Ollama's implicit ":latest" tag.
func fullName(model string) string {
	if model == "" || strings.Contains(model[strings.LastIndex(model, "/")+1:], ":") {
		return model
	}
	return model + ":latest"
}

func newCallID() string {
	var b [8]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	return "call_" + hex.EncodeToString(b[:])
}
