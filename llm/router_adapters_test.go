package llm_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/ollama"
	"github.com/pam-rv/pamd/llm/openai"
)

// behaviour is how a fake server answers one request.
type behaviour string

const (
	behaveOK      behaviour = "ok"
	behave500     behaviour = "500"
	behave429     behaviour = "429"
	behaveSilent  behaviour = "silent" // accepts the request, never answers
	behaveRefused behaviour = "refused"
)

// fakeCloud is an OpenAI-compatible server whose answer depends on the model
// asked for, so the primary and fallback models can fail independently.
type fakeCloud struct {
	mu    sync.Mutex
	by    map[string]behaviour
	asked []string
}

func (f *fakeCloud) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/v1/chat/completions" || r.Header.Get("Authorization") != "Bearer sk-test" {
		http.Error(w, "unexpected request", http.StatusTeapot)
		return
	}
	var body struct {
		Model string `json:"model"`
	}
	_ = json.NewDecoder(r.Body).Decode(&body)
	_, _ = io.Copy(io.Discard, r.Body) // read it all, so the server notices the client leaving
	f.mu.Lock()
	f.asked = append(f.asked, body.Model)
	b := f.by[body.Model]
	f.mu.Unlock()
	switch b {
	case behave500:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":{"message":"The server had an error","type":"server_error","param":null,"code":null}}`)
	case behave429:
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusTooManyRequests)
		fmt.Fprint(w, `{"error":{"message":"Rate limit reached","type":"requests","param":null,"code":"rate_limit_exceeded"}}`)
	case behaveSilent:
		waitForClientToLeave(r)
	default:
		w.Header().Set("Content-Type", "text/event-stream")
		fmt.Fprintf(w, "data: {\"id\":\"c1\",\"object\":\"chat.completion.chunk\",\"created\":1,\"model\":%q,\"choices\":[{\"index\":0,\"delta\":{\"role\":\"assistant\",\"content\":\"hi from %s\"},\"finish_reason\":\"stop\"}]}\n\n", body.Model, body.Model)
		fmt.Fprint(w, "data: [DONE]\n\n")
	}
}

func (f *fakeCloud) models() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.asked...)
}

// fakeLocal is an Ollama server answering /api/chat.
type fakeLocal struct {
	mu    sync.Mutex
	b     behaviour
	calls int
}

func (f *fakeLocal) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if r.Method != http.MethodPost || r.URL.Path != "/api/chat" {
		http.Error(w, "unexpected request", http.StatusTeapot)
		return
	}
	_, _ = io.Copy(io.Discard, r.Body) // read it all, so the server notices the client leaving
	f.mu.Lock()
	f.calls++
	b := f.b
	f.mu.Unlock()
	switch b {
	case behave500:
		w.WriteHeader(http.StatusInternalServerError)
		fmt.Fprint(w, `{"error":"llama runner process has terminated"}`)
	case behaveSilent:
		waitForClientToLeave(r)
	default:
		w.Header().Set("Content-Type", "application/x-ndjson")
		fmt.Fprintln(w, `{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":"hi from ollama"},"done":false}`)
		fmt.Fprintln(w, `{"model":"llama3.2:3b","created_at":"2026-06-01T12:00:00Z","message":{"role":"assistant","content":""},"done":true,"done_reason":"stop","prompt_eval_count":12,"eval_count":4}`)
	}
}

// TestRouter_RealAdapters runs the failover chain through the real OpenAI and
// Ollama adapters against fake servers speaking their wire protocols.
func TestRouter_RealAdapters(t *testing.T) {
	for _, tc := range []struct {
		name              string
		online            bool
		primary, fallback behaviour
		local             behaviour
		wantProvider      string
		wantModel         string
		wantAsked         []string // models the cloud server was asked for, in order
		wantErr           error
	}{
		{name: "ConnectedUsesOpenAIPrimary", online: true, wantProvider: "openai", wantModel: "gpt-4-turbo",
			wantAsked: []string{"gpt-4-turbo"}},
		{name: "Primary500UsesFallbackModel", online: true, primary: behave500, wantProvider: "openai", wantModel: "gpt-3.5-turbo",
			wantAsked: []string{"gpt-4-turbo", "gpt-3.5-turbo"}},
		{name: "Primary429UsesFallbackModel", online: true, primary: behave429, wantProvider: "openai", wantModel: "gpt-3.5-turbo",
			wantAsked: []string{"gpt-4-turbo", "gpt-3.5-turbo"}},
		{name: "PrimarySilentPastWatchdogUsesFallbackModel", online: true, primary: behaveSilent, wantProvider: "openai", wantModel: "gpt-3.5-turbo",
			wantAsked: []string{"gpt-4-turbo", "gpt-3.5-turbo"}},
		{name: "CloudDownUsesOllama", online: true, primary: behave500, fallback: behave429, wantProvider: "ollama", wantModel: "llama3.2:3b",
			wantAsked: []string{"gpt-4-turbo", "gpt-3.5-turbo"}},
		{name: "CloudSilentUsesOllama", online: true, primary: behaveSilent, fallback: behaveSilent, wantProvider: "ollama", wantModel: "llama3.2:3b",
			wantAsked: []string{"gpt-4-turbo", "gpt-3.5-turbo"}},
		{name: "EverythingDownUsesOffline", online: true, primary: behave429, fallback: behave500, local: behaveRefused,
			wantProvider: "offline", wantModel: "rules", wantAsked: []string{"gpt-4-turbo", "gpt-3.5-turbo"}},
		{name: "OllamaSilentUsesOffline", online: true, primary: behave500, fallback: behave500, local: behaveSilent,
			wantProvider: "offline", wantModel: "rules", wantAsked: []string{"gpt-4-turbo", "gpt-3.5-turbo"}},
		{name: "OfflineUsesOllamaWithoutAskingTheCloud", online: false, wantProvider: "ollama", wantModel: "llama3.2:3b"},
		{name: "OfflineAndOllamaDownUsesOffline", online: false, local: behave500, wantProvider: "offline", wantModel: "rules"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			cloud := &fakeCloud{by: map[string]behaviour{"gpt-4-turbo": tc.primary, "gpt-3.5-turbo": tc.fallback}}
			cloudSrv := httptest.NewServer(cloud)
			defer cloudSrv.Close()
			local := &fakeLocal{b: tc.local}
			localSrv := httptest.NewServer(local)
			defer localSrv.Close()
			if tc.local == behaveRefused {
				localSrv.Close()
			}

			primary, err := openai.New(cloudSrv.URL+"/v1", "sk-test", "gpt-4-turbo", cloudSrv.Client(), openai.Options{})
			if err != nil {
				t.Fatal(err)
			}
			fallback, err := openai.New(cloudSrv.URL+"/v1", "sk-test", "gpt-3.5-turbo", cloudSrv.Client(), openai.Options{})
			if err != nil {
				t.Fatal(err)
			}
			oll, err := ollama.New(localSrv.URL, &http.Client{}, "llama3.2:3b", ollama.Options{})
			if err != nil {
				t.Fatal(err)
			}
			offline := &fakeProvider{name: "offline", model: "rules", chatFn: answers("I can't reach a model; here is what I know offline.")}

			r := llm.NewRouter(primary, fallback, oll, offline)
			r.Online = func() bool { return tc.online }
			r.FirstTokenTimeout = 150 * time.Millisecond

			resp, err := r.Chat(context.Background(), hello, nil)
			if err != nil {
				t.Fatalf("Chat: %v", err)
			}
			if resp.Provider != tc.wantProvider || resp.Model != tc.wantModel {
				t.Errorf("answered by %s/%s, want %s/%s", resp.Provider, resp.Model, tc.wantProvider, tc.wantModel)
			}
			if got := cloud.models(); fmt.Sprint(got) != fmt.Sprint(tc.wantAsked) {
				t.Errorf("cloud asked for %v, want %v", got, tc.wantAsked)
			}
			if resp.Message.Content == "" {
				t.Error("empty answer")
			}
		})
	}
}

// A dead Ollama trips its breaker and is then skipped without a request.
func TestRouter_RealAdapters_BreakerSkipsDeadOllama(t *testing.T) {
	local := &fakeLocal{b: behave500}
	localSrv := httptest.NewServer(local)
	defer localSrv.Close()
	oll, err := ollama.New(localSrv.URL, &http.Client{}, "llama3.2:3b", ollama.Options{})
	if err != nil {
		t.Fatal(err)
	}
	offline := &fakeProvider{name: "offline", model: "rules", chatFn: answers("offline answer")}
	r := llm.NewRouter(oll, offline)
	r.BreakerThreshold = 2
	for range 5 {
		resp, err := r.Chat(context.Background(), hello, nil)
		if err != nil || resp.Provider != "offline" {
			t.Fatalf("resp %+v, err %v", resp, err)
		}
	}
	local.mu.Lock()
	calls := local.calls
	local.mu.Unlock()
	if calls != 2 {
		t.Errorf("ollama received %d requests, want 2 before its breaker opened", calls)
	}
	st := r.Status()[0]
	if st.State != llm.BreakerOpen || st.LastError == "" {
		t.Errorf("status = %+v", st)
	}
}

// waitForClientToLeave is a server that accepted a request and stays silent.
// It gives up after a while so a test that fails to abandon it cannot hang.
func waitForClientToLeave(r *http.Request) {
	select {
	case <-r.Context().Done():
	case <-time.After(10 * time.Second):
	}
}
