package tools_test

import (
	"encoding/json"
	"fmt"
	"testing"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// seedLogs gives Sam eight analytics logs (UTC; the fixture's today is
// 2026-03-15 12:00 UTC) and Alex one on the same day, never counted for Sam.
//
//	1 03-14 08:15 tool_usage log_expense       s1
//	2 03-14 08:45 tool_usage log_expense       s1
//	3 03-14 13:00 tool_usage plan_trip         s2
//	4 03-14 13:30 error                        s2  (error)
//	5 03-14 23:59 user_interaction {error}     s3  (error)
//	6 03-13 10:00 user_interaction             s1
//	7 03-15 00:00 query_performance            s4
//	8 03-10 09:00 tool_usage plan_trip has_error s5 (error)
func seedLogs(f *fixture) {
	for _, l := range []struct {
		ts, typ, data, session string
		hasErr                 bool
	}{
		{"2026-03-14T08:15:00Z", "tool_usage", `{"tool_name": "log_expense"}`, "s1", false},
		{"2026-03-14T08:45:00Z", "tool_usage", `{"tool_name": "log_expense"}`, "s1", false},
		{"2026-03-14T13:00:00Z", "tool_usage", `{"tool_name": "plan_trip"}`, "s2", false},
		{"2026-03-14T13:30:00Z", "error", `{"message": "boom"}`, "s2", false},
		{"2026-03-14T23:59:00Z", "user_interaction", `{"error": "timeout"}`, "s3", false},
		{"2026-03-13T10:00:00Z", "user_interaction", `{}`, "s1", false},
		{"2026-03-15T00:00:00Z", "query_performance", `{}`, "s4", false},
		{"2026-03-10T09:00:00Z", "tool_usage", `{"tool_name": "plan_trip"}`, "s5", true},
	} {
		f.create(sam, "pam_analytics_logs", schema.Row{"timestamp": l.ts, "event_type": l.typ,
			"event_data": json.RawMessage(l.data), "session_id": l.session, "has_error": l.hasErr})
	}
	f.create(alex, "pam_analytics_logs", schema.Row{"timestamp": "2026-03-14T10:00:00Z", "event_type": "tool_usage",
		"event_data": json.RawMessage(`{"tool_name": "alex_tool"}`), "session_id": "a1"})
}

func TestLogAnalyticsEvent(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "pam_log_analytics_event", `{"event_type": "tool_usage", "event_data": {"tool_name": "plan_trip"}, "session_id": "s9", "user_id": "`+alex+`"}`)
	want(t, a, true, "logged")
	want(t, a, "tool_usage", "event", "event_type")
	want(t, a, "plan_trip", "event", "event_data", "tool_name")
	want(t, a, "s9", "event", "session_id")
	want(t, a, map[string]any{"version": "1.0", "source": "pam_tools"}, "event", "metadata")
	want(t, a, "2026-03-15T12:00:00.000000Z", "event", "timestamp")
	want(t, a, false, "event", "has_error")
	want(t, a, sam, "event", "user_id")
	if n := len(f.rows(sam, "pam_analytics_logs")); n != 1 {
		t.Fatalf("sam has %d logs, want 1", n)
	}
	if n := len(f.rows(alex, "pam_analytics_logs")); n != 0 {
		t.Fatalf("alex has %d logs, want 0", n)
	}
	e := f.run(sam, "pam_log_analytics_event", `{"event_type": "user_interaction", "event_data": {"error": "timeout"}}`)
	want(t, e, true, "event", "has_error")
	f.fail(sam, "pam_log_analytics_event", `{"event_data": {}}`, schema.EUNPROCESSABLE)
}

func TestGenerateDailyAnalytics(t *testing.T) {
	f := newFixture(t)
	seedLogs(f)
	t.Run("yesterday", func(t *testing.T) {
		a := f.run(sam, "pam_generate_daily_analytics", `{}`)
		want(t, a, "2026-03-14", "date")
		want(t, a, 5, "total_events") // logs 1–5
		want(t, a, 5, "log_count")
		want(t, a, 3, "unique_sessions") // s1, s2, s3
		want(t, a, map[string]any{"tool_usage": 3.0, "error": 1.0, "user_interaction": 1.0}, "event_types")
		want(t, a, map[string]any{"log_expense": 2.0, "plan_trip": 1.0}, "tool_usage")
		want(t, a, 2, "error_count") // type error + event_data.error
		want(t, a, 40.0, "error_rate_percent")
		want(t, a, 2, "hourly_distribution", 8)
		want(t, a, 2, "hourly_distribution", 13)
		want(t, a, 1, "hourly_distribution", 23)
		want(t, a, 0, "hourly_distribution", 10) // Alex's 10:00 is not Sam's
		want(t, a, false, "stored")
		if n := len(f.rows(sam, "analytics_daily")); n != 0 {
			t.Fatalf("analytics_daily written: %d rows", n)
		}
	})
	t.Run("target date", func(t *testing.T) {
		a := f.run(sam, "pam_generate_daily_analytics", `{"target_date": "2026-03-10"}`)
		want(t, a, 1, "total_events")
		want(t, a, 1, "error_count") // has_error
		want(t, a, map[string]any{"plan_trip": 1.0}, "tool_usage")
	})
	t.Run("caller's zone", func(t *testing.T) {
		// 2026-03-15 05:00 at UTC−7: yesterday is 03-14 07:00Z to 03-15 07:00Z, logs 1–5 and 7.
		mst := time.FixedZone("UTC-7", -7*3600)
		res, err := f.reg.Execute(f.ctx, toolsCall(sam, today.In(mst)), "pam_generate_daily_analytics", json.RawMessage(`{}`))
		if err != nil {
			t.Fatal(err)
		}
		a := decode(t, res.Output)
		want(t, a, "2026-03-14", "date")
		want(t, a, 6, "total_events")
		want(t, a, 4, "unique_sessions")
		want(t, a, 2, "hourly_distribution", 1)  // 08:15Z, 08:45Z
		want(t, a, 2, "hourly_distribution", 6)  // 13:00Z, 13:30Z
		want(t, a, 1, "hourly_distribution", 16) // 23:59Z
		want(t, a, 1, "hourly_distribution", 17) // 00:00Z
	})
	t.Run("empty day", func(t *testing.T) {
		a := f.run(alex, "pam_generate_daily_analytics", `{"target_date": "2026-03-13"}`)
		want(t, a, 0, "total_events")
		want(t, a, nil, "error_rate_percent")
	})
}

func TestGenerateAnalyticsSummary(t *testing.T) {
	f := newFixture(t)
	seedLogs(f)
	t.Run("custom", func(t *testing.T) {
		a := f.run(sam, "pam_generate_analytics_summary", `{"summary_type": "custom", "start_date": "2026-03-09", "end_date": "2026-03-15"}`)
		want(t, a, map[string]any{"start": "2026-03-09", "end": "2026-03-15", "days": 7.0}, "period")
		want(t, a, 8, "total_events")
		want(t, a, 3, "total_errors")
		want(t, a, 37.5, "error_rate_percent")
		want(t, a, 5, "unique_sessions") // s1–s5, counted for real
		want(t, a, map[string]any{"tool_usage": 4.0, "error": 1.0, "user_interaction": 2.0, "query_performance": 1.0}, "event_types")
		want(t, a, map[string]any{"log_expense": 2.0, "plan_trip": 2.0}, "tool_usage")
		want(t, a, map[string]any{"date": "2026-03-14", "events": 5.0}, "peak_day")
		want(t, a, 4, "days_with_events")
		want(t, a, 1.14, "averages_per_day", "events_per_day")   // 8/7
		want(t, a, 0.43, "averages_per_day", "errors_per_day")   // 3/7
		want(t, a, 0.86, "averages_per_day", "sessions_per_day") // (1+1+3+1)/7
		want(t, a, "2026-03-09", "days", 0, "date")
		want(t, a, 1, "days", 1, "total_events") // 03-10
		if n := len(get(t, a, "days").([]any)); n != 7 {
			t.Fatalf("%d days, want 7", n)
		}
	})
	t.Run("weekly default ends yesterday", func(t *testing.T) {
		a := f.run(sam, "pam_generate_analytics_summary", `{}`)
		want(t, a, "weekly", "summary_type")
		want(t, a, map[string]any{"start": "2026-03-08", "end": "2026-03-14", "days": 7.0}, "period")
		want(t, a, 7, "total_events") // not 03-15's log 7
		want(t, a, 4, "unique_sessions")
		want(t, a, 1.0, "averages_per_day", "events_per_day")
	})
	t.Run("monthly", func(t *testing.T) {
		a := f.run(sam, "pam_generate_analytics_summary", `{"summary_type": "monthly"}`)
		want(t, a, map[string]any{"start": "2026-02-13", "end": "2026-03-14", "days": 30.0}, "period")
		want(t, a, 0.23, "averages_per_day", "events_per_day") // 7/30
	})
	t.Run("errors", func(t *testing.T) {
		f.fail(sam, "pam_generate_analytics_summary", `{"summary_type": "custom", "start_date": "2026-03-09"}`, schema.EUNPROCESSABLE)
		f.fail(sam, "pam_generate_analytics_summary", `{"start_date": "2026-03-09", "end_date": "2026-03-01"}`, schema.EUNPROCESSABLE)
		f.fail(sam, "pam_generate_analytics_summary", `{"summary_type": "yearly"}`, schema.EUNPROCESSABLE)
	})
	t.Run("no events", func(t *testing.T) {
		a := f.run(alex, "pam_generate_analytics_summary", `{"start_date": "2026-03-01", "end_date": "2026-03-07"}`)
		want(t, a, 0, "total_events")
		want(t, a, nil, "peak_day")
	})
}

func TestCreateRecommendation(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "pam_create_recommendation", `{"title": "Service the generator", "description": "Due in 2 weeks",
		"category": "maintenance", "recommendation_type": "maintenance", "content": {"due": "2026-03-29"}, "expires_at": "2026-04-01T00:00:00Z"}`)
	want(t, a, "active", "status")
	want(t, a, "Service the generator", "recommendation", "title")
	want(t, a, "medium", "recommendation", "priority_level")
	want(t, a, "maintenance", "recommendation", "category")
	want(t, a, "2026-03-29", "recommendation", "metadata", "content", "due")
	want(t, a, "2026-04-01T00:00:00.000000Z", "recommendation", "expires_at")
	want(t, a, sam, "recommendation", "user_id")
	b := f.run(sam, "pam_create_recommendation", `{"title": "Fuel up", "priority_level": "urgent"}`)
	want(t, b, "urgent", "recommendation", "priority_level")
	if n := len(f.rows(sam, "active_recommendations")); n != 2 {
		t.Fatalf("%d recommendations, want 2", n)
	}
	f.fail(sam, "pam_create_recommendation", `{"description": "no title"}`, schema.EUNPROCESSABLE)
	f.fail(sam, "pam_create_recommendation", `{"title": "x", "priority_level": "critical"}`, schema.EUNPROCESSABLE)
	f.fail(sam, "pam_create_recommendation", `{"title": "x", "expires_at": "2026-03-01T00:00:00Z"}`, schema.EUNPROCESSABLE)
}

func TestGetAnalyticsInsights(t *testing.T) {
	f := newFixture(t)
	seedLogs(f)
	// Two more logs in the first week of the 14-day window (03-02..03-08).
	for _, ts := range []string{"2026-03-03T12:00:00Z", "2026-03-05T12:00:00Z"} {
		f.create(sam, "pam_analytics_logs", schema.Row{"timestamp": ts, "event_type": "query_performance"})
	}
	a := f.run(sam, "pam_get_analytics_insights", `{}`)
	want(t, a, "general", "insight_type")
	want(t, a, 10, "performance", "logs_analysed")
	want(t, a, 3, "performance", "errors")
	want(t, a, 30.0, "performance", "error_rate_percent")
	want(t, a, 5.0, "performance", "warning_threshold_percent")
	want(t, a, true, "performance", "warning")
	want(t, a, map[string]any{"name": "log_expense", "count": 2.0}, "performance", "most_used_tool") // tie with plan_trip: by name
	want(t, a, map[string]any{"name": "tool_usage", "count": 4.0}, "user", "most_common_event_type")
	want(t, a, map[string]any{"start": "2026-03-02", "end": "2026-03-15", "days": 14.0}, "trends", "period")
	want(t, a, 2, "trends", "first_week_events")
	want(t, a, 8, "trends", "second_week_events")
	want(t, a, 300.0, "trends", "change_percent")
	want(t, a, "increasing", "trends", "direction")
	want(t, a, map[string]any{"name": "2026-03-14", "count": 5.0}, "trends", "events_per_day", 12)

	tr := f.run(sam, "pam_get_analytics_insights", `{"insight_type": "trends"}`)
	want(t, tr, nil, "performance")
	want(t, tr, "increasing", "trends", "direction")
	u := f.run(sam, "pam_get_analytics_insights", `{"insight_type": "user"}`)
	want(t, u, nil, "trends")
	want(t, u, 4, "user", "event_types", "tool_usage")

	t.Run("threshold and window", func(t *testing.T) {
		// Alex: 1 error in 20 logs is exactly 5 %, not above: no warning.
		for i := range 19 {
			typ := "user_interaction"
			if i == 0 {
				typ = "error"
			}
			f.create(alex, "pam_analytics_logs", schema.Row{"timestamp": fmt.Sprintf("2026-03-15T10:%02d:00Z", i), "event_type": typ})
		}
		p := f.run(alex, "pam_get_analytics_insights", `{"insight_type": "performance"}`)
		want(t, p, 20, "performance", "logs_analysed") // 19 + seedLogs' one
		want(t, p, 1, "performance", "errors")
		want(t, p, 5.0, "performance", "error_rate_percent")
		want(t, p, false, "performance", "warning")
		// 100 newer clean logs push every error out of the window.
		for i := range 100 {
			f.create(alex, "pam_analytics_logs", schema.Row{"timestamp": fmt.Sprintf("2026-03-15T11:%02d:%02dZ", i/60, i%60), "event_type": "user_interaction"})
		}
		p = f.run(alex, "pam_get_analytics_insights", `{"insight_type": "performance"}`)
		want(t, p, 100, "performance", "logs_analysed")
		want(t, p, 0, "performance", "errors")
		want(t, p, 0.0, "performance", "error_rate_percent")
	})
	t.Run("no logs", func(t *testing.T) {
		g := newFixture(t)
		a := g.run(sam, "pam_get_analytics_insights", `{}`)
		want(t, a, nil, "performance", "error_rate_percent")
		want(t, a, "no_activity", "trends", "direction")
	})
}
