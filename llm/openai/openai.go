// Package openai is the llm.Provider for the OpenAI Chat Completions API (or a
// compatible server), over github.com/openai/openai-go/v3.
//
// It streams, accumulates tool-call argument deltas into whole calls, asks for
// usage in the stream (stream_options.include_usage) and maps HTTP failures to
// the llm sentinels: 429 to llm.ErrRateLimited, 5xx and network failures to
// llm.ErrUnavailable, 404 to llm.ErrModelNotFound, 401/403 to
// llm.ErrUnauthorized. Build one Client per model: PAM's primary (GPT-4 Turbo)
// and fallback (GPT-3.5 Turbo) are two Clients in the Router.
package openai

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"time"

	sdk "github.com/openai/openai-go/v3"
	"github.com/openai/openai-go/v3/option"
	"github.com/openai/openai-go/v3/packages/ssestream"
	"github.com/openai/openai-go/v3/shared"

	"github.com/pam-rv/pamd/llm"
)

// DefaultBaseURL is OpenAI's API.
const DefaultBaseURL = "https://api.openai.com/v1"

// Options tune the client. The zero value is usable.
type Options struct {
	// ContextWindow overrides the model's known window (see ContextWindow).
	ContextWindow int
	// MaxRetries is how often the SDK itself retries a failed request (429,
	// 5xx, connection errors) before reporting it. Default 0: the Router fails
	// over instead, which is faster and cheaper on metered RV data.
	MaxRetries int
	// Temperature is the default sampling temperature; nil leaves the API's.
	// llm.Request.Temperature overrides it.
	Temperature *float64
}

// Client is an llm.Provider for one OpenAI model. It is safe for concurrent use.
type Client struct {
	sdk   sdk.Client
	model string
	opts  Options
}

var (
	_ llm.Provider  = (*Client)(nil)
	_ llm.Networked = (*Client)(nil)
)

// New returns a Client that asks model at baseURL ("" means DefaultBaseURL)
// with apiKey. httpClient should have no overall Timeout, which would cut
// long streamed answers; the Router's watchdog and ctx bound requests. If it
// is nil, a client with a 3 s connect timeout is used. New does not touch the
// network.
//
// Every setting is explicit: the key and base URL given here win over the
// SDK's OPENAI_* environment defaults, and the organization and project
// headers those defaults may add are removed.
func New(baseURL, apiKey, model string, httpClient *http.Client, opts Options) (*Client, error) {
	if baseURL == "" {
		baseURL = DefaultBaseURL
	}
	u, err := url.Parse(baseURL)
	if err != nil {
		return nil, fmt.Errorf("openai: parse base URL: %w", err)
	}
	if u.Scheme != "http" && u.Scheme != "https" || u.Host == "" {
		return nil, fmt.Errorf("openai: base URL %q: want http(s)://host[/path]", baseURL)
	}
	if apiKey == "" {
		return nil, fmt.Errorf("openai: %w: API key is required", llm.ErrUnauthorized)
	}
	if model == "" {
		return nil, errors.New("openai: model is required")
	}
	if opts.MaxRetries < 0 {
		return nil, fmt.Errorf("openai: MaxRetries %d: must not be negative", opts.MaxRetries)
	}
	if httpClient == nil {
		httpClient = &http.Client{Transport: &http.Transport{
			DialContext:         (&net.Dialer{Timeout: 3 * time.Second}).DialContext,
			TLSHandshakeTimeout: 5 * time.Second,
			ForceAttemptHTTP2:   true,
		}}
	}
	c := sdk.NewClient(
		option.WithBaseURL(baseURL),
		option.WithAPIKey(apiKey),
		option.WithHTTPClient(httpClient),
		option.WithMaxRetries(opts.MaxRetries),
		option.WithHeaderDel("OpenAI-Organization"),
		option.WithHeaderDel("OpenAI-Project"),
	)
	return &Client{sdk: c, model: model, opts: opts}, nil
}

// Name implements llm.Provider.
func (c *Client) Name() string { return "openai" }

// Model implements llm.Provider.
func (c *Client) Model() string { return c.model }

// NeedsInternet implements llm.Networked: the Router skips this provider while
// offline.
func (c *Client) NeedsInternet() bool { return true }

// ContextWindow implements llm.Provider: Options.ContextWindow if set, else
// the window of a known model family, else a conservative 8192.
func (c *Client) ContextWindow() int {
	if c.opts.ContextWindow > 0 {
		return c.opts.ContextWindow
	}
	m := strings.ToLower(c.model)
	switch {
	case strings.HasPrefix(m, "gpt-4-turbo"), strings.HasPrefix(m, "gpt-4o"),
		strings.HasPrefix(m, "gpt-4-1106"), strings.HasPrefix(m, "gpt-4-0125"):
		return 128_000
	case strings.HasPrefix(m, "gpt-4.1"):
		return 1_047_576
	case strings.HasPrefix(m, "gpt-3.5-turbo"):
		return 16_385
	case strings.HasPrefix(m, "gpt-4-32k"):
		return 32_768
	default:
		return 8192
	}
}

// Chat implements llm.Provider. Text streams as tokens. Tool-call arguments
// arrive in pieces; each call is emitted whole when the model finishes.
func (c *Client) Chat(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
	if onEvent == nil {
		onEvent = func(llm.Event) {}
	}
	params, err := c.params(req)
	if err != nil {
		return nil, err
	}

	stream := c.sdk.Chat.Completions.NewStreaming(ctx, params)
	defer stream.Close()

	var (
		content      strings.Builder
		calls        toolCallAccumulator
		usage        llm.Usage
		finishReason string
		model        string
	)
	for stream.Next() {
		chunk := stream.Current()
		if chunk.Model != "" {
			model = chunk.Model
		}
		if chunk.JSON.Usage.Valid() {
			usage = llm.Usage{
				PromptTokens:     int(chunk.Usage.PromptTokens),
				CompletionTokens: int(chunk.Usage.CompletionTokens),
			}
		}
		for _, choice := range chunk.Choices {
			if choice.Index != 0 {
				continue // we never ask for n > 1
			}
			// A refusal is the model's answer too; show it like any text.
			for _, d := range [...]string{choice.Delta.Content, choice.Delta.Refusal} {
				if d != "" {
					content.WriteString(d)
					onEvent(llm.Event{Token: d})
				}
			}
			for _, tc := range choice.Delta.ToolCalls {
				calls.add(tc)
			}
			if choice.FinishReason != "" {
				finishReason = choice.FinishReason
				calls.flush(onEvent)
			}
		}
	}
	if err := stream.Err(); err != nil {
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openai: chat %s: %w", c.model, ctx.Err())
		}
		return nil, fmt.Errorf("openai: chat %s: %w", c.model, mapError(err))
	}
	if finishReason == "" {
		// The body ended without a finish_reason (and without [DONE]): cut short.
		if ctx.Err() != nil {
			return nil, fmt.Errorf("openai: chat %s: %w", c.model, ctx.Err())
		}
		return nil, fmt.Errorf("openai: chat %s: %w: stream ended before finish_reason", c.model, llm.ErrUnavailable)
	}
	calls.flush(onEvent)
	if model == "" {
		model = c.model
	}
	return &llm.Response{
		Message:      llm.Message{Role: llm.RoleAssistant, Content: content.String(), ToolCalls: calls.done},
		Usage:        usage,
		Provider:     c.Name(),
		Model:        model,
		FinishReason: finishReason,
	}, nil
}

// params converts req to the SDK's request.
func (c *Client) params(req llm.Request) (sdk.ChatCompletionNewParams, error) {
	p := sdk.ChatCompletionNewParams{
		Model:         shared.ChatModel(c.model),
		Messages:      make([]sdk.ChatCompletionMessageParamUnion, 0, len(req.Messages)),
		StreamOptions: sdk.ChatCompletionStreamOptionsParam{IncludeUsage: sdk.Bool(true)},
	}
	for i, m := range req.Messages {
		switch m.Role {
		case llm.RoleSystem:
			p.Messages = append(p.Messages, sdk.SystemMessage(m.Content))
		case llm.RoleUser:
			p.Messages = append(p.Messages, sdk.UserMessage(m.Content))
		case llm.RoleAssistant:
			var a sdk.ChatCompletionAssistantMessageParam
			if m.Content != "" {
				a.Content.OfString = sdk.String(m.Content)
			}
			for _, tc := range m.ToolCalls {
				a.ToolCalls = append(a.ToolCalls, sdk.ChatCompletionMessageToolCallUnionParam{
					OfFunction: &sdk.ChatCompletionMessageFunctionToolCallParam{
						ID: tc.ID,
						Function: sdk.ChatCompletionMessageFunctionToolCallFunctionParam{
							Name:      tc.Name,
							Arguments: string(llm.RawArguments(tc.Arguments)),
						},
					},
				})
			}
			p.Messages = append(p.Messages, sdk.ChatCompletionMessageParamUnion{OfAssistant: &a})
		case llm.RoleTool:
			if m.ToolCallID == "" {
				return p, fmt.Errorf("openai: %w: message %d: a tool result needs the ToolCallID it answers", llm.ErrBadRequest, i)
			}
			p.Messages = append(p.Messages, sdk.ToolMessage(m.Content, m.ToolCallID))
		default:
			return p, fmt.Errorf("openai: %w: message %d: unknown role %q", llm.ErrBadRequest, i, m.Role)
		}
	}
	for _, t := range req.Tools {
		fn := shared.FunctionDefinitionParam{Name: t.Name}
		if t.Description != "" {
			fn.Description = sdk.String(t.Description)
		}
		if len(t.Parameters) > 0 {
			if err := json.Unmarshal(t.Parameters, &fn.Parameters); err != nil {
				return p, fmt.Errorf("openai: %w: tool %s parameters: %w", llm.ErrBadRequest, t.Name, err)
			}
		}
		p.Tools = append(p.Tools, sdk.ChatCompletionFunctionTool(fn))
	}
	if t := req.Temperature; t != nil {
		p.Temperature = sdk.Float(*t)
	} else if t := c.opts.Temperature; t != nil {
		p.Temperature = sdk.Float(*t)
	}
	if req.MaxTokens > 0 {
		p.MaxCompletionTokens = sdk.Int(int64(req.MaxTokens))
	}
	return p, nil
}

// toolCallAccumulator assembles streamed tool calls. The first delta of a call
// carries its index, id and name; later deltas with the same index carry
// pieces of the arguments.
type toolCallAccumulator struct {
	pending []pendingCall // in order of first appearance
	done    []llm.ToolCall
}

type pendingCall struct {
	index    int64
	id, name string
	args     []byte
}

func (a *toolCallAccumulator) add(d sdk.ChatCompletionChunkChoiceDeltaToolCall) {
	i := slices.IndexFunc(a.pending, func(p pendingCall) bool { return p.index == d.Index })
	if i < 0 {
		a.pending = append(a.pending, pendingCall{index: d.Index})
		i = len(a.pending) - 1
	}
	p := &a.pending[i]
	if d.ID != "" {
		p.id = d.ID
	}
	if d.Function.Name != "" {
		p.name = d.Function.Name
	}
	p.args = append(p.args, d.Function.Arguments...)
}

// flush completes every pending call, in index order, and emits it.
func (a *toolCallAccumulator) flush(onEvent func(llm.Event)) {
	slices.SortStableFunc(a.pending, func(x, y pendingCall) int { return cmp.Compare(x.index, y.index) })
	for i := range a.pending {
		p := &a.pending[i]
		call := llm.ToolCall{ID: p.id, Name: p.name, Arguments: llm.RawArguments(p.args)}
		a.done = append(a.done, call)
		onEvent(llm.Event{ToolCall: &call})
	}
	a.pending = a.pending[:0]
}

// mapError turns what the SDK returns into the llm sentinels.
func mapError(err error) error {
	var apiErr *sdk.Error
	if errors.As(err, &apiErr) {
		detail := fmt.Errorf("%w (%s: %s)", err, apiErr.Code, apiErr.Message)
		if apiErr.StatusCode == http.StatusBadRequest && apiErr.Code == "context_length_exceeded" {
			return fmt.Errorf("%w: %w", llm.ErrContextOverflow, detail)
		}
		return llm.StatusError(apiErr.StatusCode, detail)
	}
	var streamErr *ssestream.StreamError
	if errors.As(err, &streamErr) {
		// An error event in the middle of the stream: the server gave up.
		return fmt.Errorf("%w: %w", llm.ErrUnavailable, err)
	}
	// Connection refused, DNS, TLS, a reset or a malformed chunk.
	return llm.TransportError(err)
}
