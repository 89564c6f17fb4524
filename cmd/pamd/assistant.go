package main

import (
	"context"
	"flag"
	"net"
	"net/url"
	"sync"
	"sync/atomic"
	"time"

	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/contextengine"
	"github.com/pam-rv/pamd/agent/insights"
	"github.com/pam-rv/pamd/agent/jobs"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/ollama"
	"github.com/pam-rv/pamd/llm/openai"
	"github.com/pam-rv/pamd/sync/runner"
)

// LLMConfig is the assistant's model configuration.
type LLMConfig struct {
	OpenAIKey, OpenAIBaseURL, OpenAIModel, OpenAIFallbackModel string
	OllamaURL, OllamaModel                                     string
	// OllamaEmbedModel is the Ollama embedding model the local model's
	// short list of tools is ranked with; "" ranks by keywords alone.
	OllamaEmbedModel string
}

func (c *Config) bindLLM(fs *flag.FlagSet, e env) {
	l := &c.LLM
	fs.StringVar(&l.OpenAIKey, "openai-api-key", e.str("PAM_OPENAI_API_KEY", l.OpenAIKey), "OpenAI API `key`; none means no cloud model (PAM_OPENAI_API_KEY)")
	fs.StringVar(&l.OpenAIBaseURL, "openai-base-url", e.str("PAM_OPENAI_BASE_URL", l.OpenAIBaseURL), "OpenAI-compatible API `url` (PAM_OPENAI_BASE_URL)")
	fs.StringVar(&l.OpenAIModel, "openai-model", e.str("PAM_OPENAI_MODEL", l.OpenAIModel), "primary cloud `model` (PAM_OPENAI_MODEL)")
	fs.StringVar(&l.OpenAIFallbackModel, "openai-fallback-model", e.str("PAM_OPENAI_FALLBACK_MODEL", l.OpenAIFallbackModel), "fallback cloud `model`, \"\" for none (PAM_OPENAI_FALLBACK_MODEL)")
	fs.StringVar(&l.OllamaURL, "ollama-url", e.str("PAM_OLLAMA_URL", l.OllamaURL), "Ollama server `url` (PAM_OLLAMA_URL)")
	fs.StringVar(&l.OllamaModel, "ollama-model", e.str("PAM_OLLAMA_MODEL", l.OllamaModel), "local `model` with tool support, \"\" for none (PAM_OLLAMA_MODEL)")
	fs.StringVar(&l.OllamaEmbedModel, "ollama-embed-model", e.str("PAM_OLLAMA_EMBED_MODEL", l.OllamaEmbedModel), "Ollama embedding `model` that picks the tools offered to the local model, e.g. nomic-embed-text; \"\" ranks them by keywords (PAM_OLLAMA_EMBED_MODEL)")
}

// assistant is the chat stack: tools, models, router, conversation.
type assistant struct {
	hub    *notify.Hub // Main's
	tools  *tools.Registry
	router *llm.Router
	chat   *chat.Service
	online atomic.Bool
	cancel context.CancelFunc
	wg     sync.WaitGroup
}

// openAssistant builds the router over the configured providers — OpenAI
// primary and fallback when a key is set, Ollama when a model is named,
// and always the offline answerer last — and starts the connectivity
// probe and the local model's warm-up in the background.
func (m *Main) openAssistant() error {
	a := &assistant{tools: tools.NewRegistry(m.Store), hub: &m.hub}
	l := m.Config.LLM
	var providers []llm.Provider
	if l.OpenAIKey != "" {
		for _, model := range []string{l.OpenAIModel, l.OpenAIFallbackModel} {
			if model == "" {
				continue
			}
			p, err := openai.New(l.OpenAIBaseURL, l.OpenAIKey, model, nil, openai.Options{})
			if err != nil {
				return &ConfigError{"--openai-base-url / PAM_OPENAI_BASE_URL", err}
			}
			providers = append(providers, p)
		}
	}
	var local *ollama.Client
	if l.OllamaModel != "" && l.OllamaURL != "" {
		var err error
		if local, err = ollama.New(l.OllamaURL, nil, l.OllamaModel, ollama.Options{}); err != nil {
			return &ConfigError{"--ollama-url / PAM_OLLAMA_URL", err}
		}
		providers = append(providers, local)
	}
	var embedder chat.Embedder
	if l.OllamaEmbedModel != "" && l.OllamaURL != "" {
		e, err := ollama.New(l.OllamaURL, nil, l.OllamaEmbedModel, ollama.Options{})
		if err != nil {
			return &ConfigError{"--ollama-url / PAM_OLLAMA_URL", err}
		}
		embedder = e
	}
	gate := offline.New(a.tools)
	providers = append(providers, gate)
	a.router = llm.NewRouter(providers...)
	a.router.Logger = m.Logger.With("component", "llm")
	a.router.Online = a.online.Load
	a.chat = &chat.Service{Model: a.router, Tools: a.tools, Memory: m.Store, Logger: m.Logger.With("component", "chat"),
		Knowledge: &contextengine.Engine{Store: m.Store}, Gate: gate, Embedder: embedder,
		CloudReachable: func() bool { return l.OpenAIKey != "" && a.online.Load() }}

	ctx, cancel := context.WithCancel(context.Background())
	a.cancel = cancel
	if l.OpenAIKey != "" {
		host := probeHost(l.OpenAIBaseURL)
		a.wg.Add(1)
		go func() { defer a.wg.Done(); a.probe(ctx, host) }()
	}
	if local != nil {
		a.wg.Add(1)
		go func() {
			defer a.wg.Done()
			if err := local.Check(ctx); err != nil {
				m.Logger.Warn("local model unavailable; answering offline when the cloud is out of reach", "model", l.OllamaModel, "err", err)
				return
			}
			if err := local.Warm(ctx); err != nil {
				m.Logger.Warn("local model warm-up failed", "model", l.OllamaModel, "err", err)
			}
		}()
	}
	m.assistant = a
	m.API.MountAssistant(a.chat, a.tools)
	m.API.MountIntelligence(a.tools, a.hub)
	m.Sync.Notify = func(ev runner.Event) {
		n := notify.Notification{Type: ev.Kind, Title: "Sync finished", TS: time.Now().UTC(), Data: ev.Result}
		if ev.Err != nil {
			n.Title, n.Body = "Sync failed", ev.Err.Error()
		}
		a.hub.Broadcast(n)
	}
	insight := &insights.Job{Tools: a.tools, Users: m.Store.Users, Hub: a.hub, Logger: m.Logger.With("component", "insights")}
	if err := m.Jobs.Add(jobs.Job{Name: "insights", Schedule: m.Config.InsightsSchedule, Run: insight.Run}); err != nil {
		return &ConfigError{"--insights-schedule / PAM_INSIGHTS_SCHEDULE", err}
	}
	return nil
}

// probe keeps the cached "internet reachable" flag the router reads on
// every message: a TCP connect to the cloud API every 30 seconds.
func (a *assistant) probe(ctx context.Context, host string) {
	t := time.NewTicker(30 * time.Second)
	defer t.Stop()
	for {
		d := net.Dialer{Timeout: 3 * time.Second}
		conn, err := d.DialContext(ctx, "tcp", host)
		if err == nil {
			conn.Close()
		}
		a.online.Store(err == nil)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *assistant) close() {
	if a == nil {
		return
	}
	if a.cancel != nil {
		a.cancel()
		a.wg.Wait()
	}
}

// probeHost is the host:port the connectivity probe dials.
func probeHost(base string) string {
	if base == "" {
		base = openai.DefaultBaseURL
	}
	u, err := url.Parse(base)
	if err != nil {
		return "api.openai.com:443"
	}
	if u.Port() != "" {
		return u.Host
	}
	if u.Scheme == "http" {
		return u.Hostname() + ":80"
	}
	return u.Hostname() + ":443"
}
