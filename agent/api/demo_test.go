package api_test

import (
	"context"
	"encoding/json"
	"net/http/httptest"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/localstore/storetest"
)

// demoNow pins the clock of the demo data set and of every call on it: the
// store's, the server's and the tools', so answers never drift.
var demoNow = time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)

// demoAPI is the scale 1 demo data set behind the intelligence endpoints,
// with the tool registry and the offline answerer over the same store.
type demoAPI struct {
	env   *testEnv
	reg   *tools.Registry
	off   *offline.Provider
	token map[string]string // device token per demo user
}

func newDemoAPI(t *testing.T) *demoAPI {
	t.Helper()
	ctx := context.Background()
	s := storetest.Open(t, storetest.Options{Start: demoNow, OneReader: true, Demo: true})
	reg := tools.NewRegistry(s)
	a := api.NewServer(s, s, s.Catalog)
	a.Logger = discardLogger()
	a.Now = func() time.Time { return demoNow }
	a.MountIntelligence(reg, &notify.Hub{})
	srv := httptest.NewServer(a.Handler())
	t.Cleanup(srv.Close)
	d := &demoAPI{env: &testEnv{srv: srv, store: s}, reg: reg, off: offline.New(reg), token: map[string]string{}}
	for _, u := range []string{demo.UserA, demo.UserB} {
		tok, err := s.IssueToken(ctx, u, "test")
		if err != nil {
			t.Fatal(err)
		}
		d.token[u] = tok
	}
	return d
}

// ask asks the offline answerer as user at demoNow.
func (d *demoAPI) ask(t *testing.T, user, msg string) string {
	t.Helper()
	ctx := tools.WithCall(context.Background(), tools.Call{User: user, Now: demoNow})
	res, err := d.off.Chat(ctx, llm.Request{Messages: []llm.Message{{Role: llm.RoleUser, Content: msg}}}, nil)
	if err != nil {
		t.Fatalf("%q: %v", msg, err)
	}
	return res.Message.Content
}

// tool runs a tool as user at demoNow and answers its output as JSON decodes it.
func (d *demoAPI) tool(t *testing.T, user, name, args string) map[string]any {
	t.Helper()
	res, err := d.reg.Execute(context.Background(), tools.Call{User: user, Now: demoNow}, name, []byte(args))
	if err != nil {
		t.Fatalf("%s: %v", name, err)
	}
	return jsonMap(t, res.Output)
}

// TestDemoOneHealthScore: every place that shows the health score — the
// 360 view and recommendations tools, their intelligence endpoints and the
// offline answerer — gives the same number (one design, tools/health.go).
func TestDemoOneHealthScore(t *testing.T) {
	d := newDemoAPI(t)
	for _, user := range []string{demo.UserA, demo.UserB} {
		score := func(where string, m map[string]any) float64 {
			t.Helper()
			hs, _ := m["health_scores"].(map[string]any)
			fin, _ := hs["financial"].(map[string]any)
			x, ok := fin["score"].(float64)
			if n, isNum := fin["score"].(json.Number); isNum {
				f, err := n.Float64()
				x, ok = f, err == nil
			}
			if !ok {
				t.Fatalf("%s: no financial score in %v", where, hs)
			}
			return x
		}
		got := map[string]float64{
			"pam_get_user_360_view":                    score("360 tool", d.tool(t, user, "pam_get_user_360_view", `{}`)),
			"pam_generate_intelligent_recommendations": score("recommendations tool", d.tool(t, user, "pam_generate_intelligent_recommendations", `{}`)),
		}
		for _, path := range []string{"user-360", "recommendations"} {
			status, body := d.env.do(t, d.token[user], "GET", "/api/v1/pam/intelligence/"+path+"/"+user, nil)
			if status != 200 {
				t.Fatalf("%s: %d %v", path, status, body)
			}
			got["/"+path] = score(path, body["figures"].(map[string]any))
		}
		want := got["pam_get_user_360_view"]
		for where, x := range got {
			if x != want {
				t.Errorf("%s: financial health %v at %s, %v in the 360 view", user, x, where, want)
			}
		}
		ans := d.ask(t, user, "What is my financial health score?")
		if s := strconv.FormatFloat(want, 'f', 1, 64) + "/100"; !strings.Contains(ans, "financial health score is "+s) {
			t.Errorf("%s: offline answer %q, want %s", user, ans, s)
		}
	}
}

// jsonMap is v as JSON decodes it (what the API and the model see).
func jsonMap(t *testing.T, v any) map[string]any {
	t.Helper()
	raw, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	var m map[string]any
	if err := json.Unmarshal(raw, &m); err != nil {
		t.Fatalf("not an object: %s", raw)
	}
	return m
}
