package api_test

import (
	"net/http"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/prometheus/common/expfmt"
	"github.com/prometheus/common/model"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/openai"
)

// scrape reads /metrics and parses it with Prometheus's own text parser.
func scrape(t *testing.T, e *testEnv) map[string]float64 {
	t.Helper()
	resp, err := http.Get(e.srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 || !strings.HasPrefix(resp.Header.Get("Content-Type"), "text/plain") {
		t.Fatalf("/metrics: %d %s", resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	parser := expfmt.NewTextParser(model.UTF8Validation)
	families, err := parser.TextToMetricFamilies(resp.Body)
	if err != nil {
		t.Fatalf("/metrics does not parse: %v", err)
	}
	out := map[string]float64{}
	for name, f := range families {
		for _, m := range f.GetMetric() {
			key := name
			for _, l := range m.GetLabel() {
				key += "|" + l.GetName() + "=" + l.GetValue()
			}
			switch {
			case m.GetCounter() != nil:
				out[key] += m.GetCounter().GetValue()
			case m.GetGauge() != nil:
				out[key] += m.GetGauge().GetValue()
			case m.GetHistogram() != nil:
				out[key+"|count"] += float64(m.GetHistogram().GetSampleCount())
			}
		}
	}
	return out
}

// sum adds every series of name whose labels contain all of want.
func sum(m map[string]float64, name string, want ...string) float64 {
	var n float64
	for k, v := range m {
		if k != name && !strings.HasPrefix(k, name+"|") {
			continue
		}
		ok := true
		for _, w := range want {
			ok = ok && strings.Contains(k, "|"+w)
		}
		if ok {
			n += v
		}
	}
	return n
}

// TestMetrics: /metrics parses with the Prometheus text parser, carries the
// Go runtime's collectors, and its counters move when requests and chats
// happen. It answers loopback scrapers without a token.
func TestMetrics(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true) // the cloud model is down: the offline answerer replies
	e := newTestEnv(t)
	oai := fakeOpenAI(t, &fail)
	t.Cleanup(oai.Close)
	reg := tools.NewRegistry(e.store)
	primary, err := openai.New(oai.URL+"/v1", "test-key", "gpt-4-turbo", nil, openai.Options{})
	if err != nil {
		t.Fatal(err)
	}
	router := llm.NewRouter(primary, offline.New(reg))
	svc := &chat.Service{Model: router, Tools: reg, Memory: e.store, Logger: discardLogger(),
		Now: func() time.Time { return time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC) }}
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.Metrics = api.NewMetrics()
	a.MountAssistant(svc, reg)
	e.srv.Config.Handler = a.Handler()

	before := scrape(t, e)
	if sum(before, "go_goroutines") == 0 {
		t.Fatal("no Go runtime metrics")
	}
	for i := 0; i < 3; i++ {
		if status, body := e.do(t, e.alice, "POST", "/api/v1/pam/database/create", map[string]any{"table": "expenses", "data": map[string]any{"amount": "4.50", "category": "coffee", "date": "2026-03-02"}}); status != 201 {
			t.Fatalf("create: %d %v", status, body)
		}
	}
	e.do(t, "", "GET", "/api/v1/pam/database/stats", nil) // 401
	if status, body := e.do(t, e.alice, "POST", "/api/v1/pam/chat", map[string]any{"message": "how much did I spend this month"}); status != 200 {
		t.Fatalf("chat: %d %v", status, body)
	}
	after := scrape(t, e)
	const created = `route=POST /api/v1/pam/database/create`
	if d := sum(after, "pamd_http_requests_total", created, "code=201") - sum(before, "pamd_http_requests_total", created, "code=201"); d != 3 {
		t.Fatalf("create counter moved by %v, want 3", d)
	}
	if d := sum(after, "pamd_http_requests_total", "code=401") - sum(before, "pamd_http_requests_total", "code=401"); d != 1 {
		t.Fatalf("401 counter moved by %v, want 1", d)
	}
	if d := sum(after, "pamd_http_request_duration_seconds", created, "count") - sum(before, "pamd_http_request_duration_seconds", created, "count"); d != 3 {
		t.Fatalf("create latency histogram counted %v, want 3", d)
	}
	if d := sum(after, "pamd_chat_replies_total") - sum(before, "pamd_chat_replies_total"); d != 1 {
		t.Fatalf("chat replies moved by %v, want 1", d)
	}
	if sum(after, "pamd_chat_reply_seconds", "count") < 1 {
		t.Fatal("no chat latency recorded")
	}
}
