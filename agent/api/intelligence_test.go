package api_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/insights"
	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/schema"
)

func newIntelligenceEnv(t *testing.T) (*testEnv, *tools.Registry, *notify.Hub) {
	t.Helper()
	e := newTestEnv(t)
	reg := tools.NewRegistry(e.store)
	hub := &notify.Hub{}
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.MountIntelligence(reg, hub)
	e.srv.Config.Handler = a.Handler()
	return e, reg, hub
}

func TestIntelligenceEndpoints(t *testing.T) {
	e, reg, _ := newIntelligenceEnv(t)
	for _, path := range []string{"/api/v1/pam/intelligence/user-360/" + alice, "/api/v1/pam/intelligence/hustle-roi/" + alice, "/api/v1/pam/intelligence/recommendations/" + alice} {
		tool := map[string]string{"user-360": "pam_get_user_360_view", "hustle-roi": "pam_analyze_hustle_roi", "recommendations": "pam_generate_intelligent_recommendations"}[strings.Split(path, "/")[5]]
		if _, ok := reg.Tool(tool); !ok {
			t.Fatalf("%s is not registered", tool)
		}
		status, body := e.do(t, e.alice, "GET", path, nil)
		if status != 200 || body["user_id"] != alice || body["generated_at"] == nil || body["figures"] == nil {
			t.Fatalf("%s: %d %v", path, status, body)
		}
		if status, _ := e.do(t, e.alice, "GET", strings.Replace(path, alice, bob, 1), nil); status != 403 {
			t.Fatalf("%s for another user: %d", path, status)
		}
	}
	// Known answer through the endpoint: a hustle with income and no
	// expenses is pure profit with ROI undefined (never 0 %).
	ctx := context.Background()
	e.store.Create(ctx, alice, "hustle_ideas", schema.Row{"title": "Campground hosting", "status": "approved"})
	e.store.Create(ctx, alice, "income_entries", schema.Row{"source": "Campground hosting", "type": "hustle", "amount": "300.00", "date": "2026-03-05"})
	status, body := e.do(t, e.alice, "GET", "/api/v1/pam/intelligence/hustle-roi/"+alice, nil)
	h := body["figures"].(map[string]any)["hustles"].([]any)[0].(map[string]any)
	if status != 200 || h["profit"] != "300.00" || h["roi_percent"] != nil || h["expenses"] != "0.00" {
		t.Fatalf("hustle ROI = %d %v", status, h)
	}
	status, body = e.do(t, e.alice, "POST", "/api/v1/pam/intelligence/maintenance-prediction", map[string]any{"months_ahead": 6, "user_id": bob})
	if status != 200 || body["user_id"] != alice || body["analysis_type"] != "maintenance_prediction" {
		t.Fatalf("maintenance prediction: %d %v", status, body)
	}
	for _, path := range []string{"trip-expenses", "spending-patterns", "insights-report"} {
		if status, body := e.do(t, e.alice, "POST", "/api/v1/pam/intelligence/"+path, map[string]any{}); status != 200 || body["figures"] == nil {
			t.Fatalf("%s: %d %v", path, status, body)
		}
	}
}

// TestProactiveNotificationOnce: a budget past its thresholds becomes one
// recommendation and one notification per condition on the user's socket;
// later runs, and a restarted job, do not repeat them.
func TestProactiveNotificationOnce(t *testing.T) {
	e, reg, hub := newIntelligenceEnv(t)
	if _, ok := reg.Tool(insights.RecommendationsTool); !ok {
		t.Fatal("the recommendations tool is not registered")
	}
	ctx := context.Background()
	today := time.Now().UTC()
	start := time.Date(today.Year(), today.Month(), 1, 0, 0, 0, 0, time.UTC)
	end := start.AddDate(0, 1, -1)
	if _, err := e.store.Create(ctx, alice, "profiles", schema.Row{"full_name": "Alex"}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Create(ctx, alice, "budgets", schema.Row{"category": "fuel", "budgeted_amount": "100.00",
		"start_date": start.Format("2006-01-02"), "end_date": end.Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.store.Create(ctx, alice, "expenses", schema.Row{"amount": "95.00", "category": "fuel", "date": today.Format("2006-01-02")}); err != nil {
		t.Fatal(err)
	}
	wctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	url := strings.Replace(e.srv.URL, "http", "ws", 1) + "/ws/notifications/" + alice + "?token=" + e.alice
	conn, _, err := websocket.Dial(wctx, url, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.CloseNow()
	deadline := time.Now().Add(5 * time.Second)
	for hubSubscribers(hub, alice) == 0 && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	job := &insights.Job{Tools: reg, Users: e.store.Users, Hub: hub, Logger: discardLogger()}
	// 95 of 100 passes both the budget's alert threshold (80 %) and the
	// 90 % rule: two conditions, two notifications.
	if n := job.RunOnce(ctx); n != 2 {
		t.Fatalf("first run sent %d notifications, want 2", n)
	}
	var got map[string]any
	if err := wsjson.Read(wctx, conn, &got); err != nil {
		t.Fatal(err)
	}
	if got["title"] == nil || got["title"] == "" {
		t.Fatalf("notification = %v", got)
	}
	if n := job.RunOnce(ctx); n != 0 {
		t.Fatalf("second run sent %d", n)
	}
	restarted := &insights.Job{Tools: tools.NewRegistry(e.store), Users: e.store.Users, Hub: hub, Logger: discardLogger()}
	if n := restarted.RunOnce(ctx); n != 0 {
		t.Fatalf("a restarted job sent %d", n)
	}
	recs, _ := e.store.Find(ctx, alice, "active_recommendations", schema.Query{})
	if recs.Count != 2 {
		t.Fatalf("%d recommendations recorded, want 2", recs.Count)
	}
}

// hubSubscribers is how many sockets of user are listening.
func hubSubscribers(h *notify.Hub, user string) int {
	return h.Count(user)
}
