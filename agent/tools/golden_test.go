package tools_test

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

var update = flag.Bool("update", false, "rewrite the golden files under testdata/golden")

// goldenCall is one tool run of the golden set: who asks, with what.
type goldenCall struct {
	name, tool, user, args string
}

// goldenCalls runs every registered tool on the demo set, in this order
// (the write tools change what later ones read, always the same way).
// Alex counts in US units, Sam in metric.
func goldenCalls() []goldenCall {
	a, b := demo.UserA, demo.UserB
	return []goldenCall{
		{"fetch_summary", "fetch_summary", a, `{}`},
		{"fetch_summary_sam_feb", "fetch_summary", b, `{"month": "2026-02"}`},
		{"pam_read_records", "pam_read_records", a, `{"table_name": "expenses", "filters": {"category": "fuel"}, "order": ["-date"], "limit": 5}`},
		{"pam_count_records", "pam_count_records", a, `{"table_name": "expenses", "filters": {"category": "fuel"}}`},
		{"pam_get_database_stats", "pam_get_database_stats", a, `{}`},
		{"pam_check_database_health", "pam_check_database_health", a, `{}`},
		{"suggest_budget_adjustment", "suggest_budget_adjustment", a, `{"category": "fuel"}`},
		{"pam_get_maintenance_schedule", "pam_get_maintenance_schedule", a, `{}`},
		{"pam_manage_fuel_stations", "pam_manage_fuel_stations", a, `{"action": "search", "radius_km": 150, "fuel_type": "diesel", "sort_by": "price", "limit": 5}`},
		{"plan_trip", "plan_trip", a, `{"start": {"latitude": 33.4, "longitude": -112.0}, "end": {"latitude": 35.2, "longitude": -111.6}}`},
		{"plan_trip_sam", "plan_trip", b, `{"start": {"latitude": 33.4, "longitude": -112.0}, "end": {"latitude": 35.2, "longitude": -111.6}, "route_type": "scenic"}`},
		{"get_user_context", "get_user_context", a, `{"raw_context": {"current_page": "trips", "budget_constraints": {"daily": 150}}}`},
		{"suggest_groups", "suggest_groups", a, `{}`},
		{"list_active_ideas", "list_active_ideas", a, `{}`},
		{"estimate_monthly_income", "estimate_monthly_income", b, `{}`},
		{"suggest_affiliate_product", "suggest_affiliate_product", a, `{"vehicle_type": "motorhome", "region": "US"}`},
		{"pam_generate_daily_analytics", "pam_generate_daily_analytics", a, `{}`},
		{"pam_generate_analytics_summary", "pam_generate_analytics_summary", a, `{"summary_type": "monthly"}`},
		{"pam_get_analytics_insights", "pam_get_analytics_insights", a, `{}`},
		{"pam_get_session_analytics", "pam_get_session_analytics", a, `{}`},
		{"pam_get_user_360_view", "pam_get_user_360_view", a, `{}`},
		{"pam_get_user_360_view_sam", "pam_get_user_360_view", b, `{}`},
		{"pam_correlate_trip_expenses", "pam_correlate_trip_expenses", a, `{}`},
		{"pam_predict_maintenance_costs", "pam_predict_maintenance_costs", a, `{"months_ahead": 12}`},
		{"pam_analyze_hustle_roi", "pam_analyze_hustle_roi", a, `{}`},
		{"pam_analyze_hustle_roi_sam", "pam_analyze_hustle_roi", b, `{}`},
		{"pam_analyze_spending_patterns", "pam_analyze_spending_patterns", a, `{}`},
		{"pam_generate_insights_report", "pam_generate_insights_report", a, `{"report_type": "comprehensive", "time_period": "last_90_days"}`},
		{"pam_generate_intelligent_recommendations", "pam_generate_intelligent_recommendations", a, `{}`},
		{"pam_optimize_user_experience", "pam_optimize_user_experience", a, `{}`},
		// Writes, after the reads.
		{"log_expense", "log_expense", a, `{"amount": "12.34", "category": "groceries", "description": "golden"}`},
		{"track_expense", "track_expense", a, `{"amount": "5.00", "category": "dining", "description": "golden"}`},
		{"pam_create_record", "pam_create_record", a, `{"table_name": "expenses", "data": {"amount": "1.00", "category": "golden", "date": "2026-03-15"}}`},
		{"pam_update_records", "pam_update_records", a, `{"table_name": "expenses", "filters": {"category": "golden"}, "data": {"description": "updated"}}`},
		{"pam_upsert_records", "pam_upsert_records", a, `{"table_name": "budgets", "data": {"id": "0190a000-0000-7000-8000-00000000f001", "category": "golden", "budgeted_amount": "10.00", "start_date": "2026-03-01", "end_date": "2026-03-31"}}`},
		{"pam_bulk_database_operation", "pam_bulk_database_operation", a, `{"operations": [{"operation": "create", "table": "expenses", "data": {"amount": "2.00", "category": "golden", "date": "2026-03-15"}}]}`},
		{"pam_delete_records", "pam_delete_records", a, `{"table_name": "expenses", "filters": {"category": "golden"}, "confirm": true}`},
		{"pam_log_maintenance", "pam_log_maintenance", a, `{"task": "oil_change", "mileage_miles": 37000, "cost": "189.00", "vehicle_id": "` + demo.VehicleAlexRV + `", "next_due": "2026-09-15"}`},
		{"pam_log_fuel", "pam_log_fuel", a, `{"gallons": 30, "total_cost": "131.70", "odometer_miles": 36800, "vehicle_id": "` + demo.VehicleAlexRV + `"}`},
		{"post_update", "post_update", a, `{"content": "Golden hour at the Colorado River."}`},
		{"add_idea", "add_idea", a, `{"title": "Golden idea", "tags": ["golden"], "avg_earnings": "10.00"}`},
		{"record_user_feedback", "record_user_feedback", a, `{"message_id": "golden", "thumbs_up": true, "rating": 5}`},
		{"pam_log_analytics_event", "pam_log_analytics_event", a, `{"event_type": "tool_usage", "event_data": {"tool_name": "golden"}, "session_id": "golden"}`},
		{"pam_create_recommendation", "pam_create_recommendation", a, `{"title": "Golden recommendation", "category": "budget", "priority_level": "low"}`},
		{"pam_create_chat_session", "pam_create_chat_session", a, `{"session_type": "planning"}`},
		// {session} is the session_id the call above answered.
		{"pam_update_chat_session", "pam_update_chat_session", a, `{"session_id": "{session}", "status": "paused", "increment_message_count": true}`},
		{"pam_manage_user_session", "pam_manage_user_session", a, `{"action": "create"}`},
		{"pam_clean_expired_sessions", "pam_clean_expired_sessions", a, `{}`},
	}
}

var (
	uuidRE = regexp.MustCompile(`[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}`)
	// msRE: durations measured on the wall clock.
	msRE = regexp.MustCompile(`("(?:[a-z0-9_]*_ms|ms)": )[0-9.e+-]+`)
)

// normalizer makes an answer comparable across runs: ids minted during the
// run (UUIDv7 with random bits) become <new-1>, <new-2>… in order of first
// appearance; ids of the demo set stay.
type normalizer struct {
	known map[string]bool
	fresh map[string]string
}

func (n *normalizer) text(s string) string {
	s = msRE.ReplaceAllString(s, `${1}"<ms>"`)
	return uuidRE.ReplaceAllStringFunc(s, func(id string) string {
		if n.known[id] {
			return id
		}
		if r, ok := n.fresh[id]; ok {
			return r
		}
		r := fmt.Sprintf("<new-%d>", len(n.fresh)+1)
		n.fresh[id] = r
		return r
	})
}

// knownIDs are the ids of every row of the demo set either user sees.
func knownIDs(t *testing.T, d *demoFixture) map[string]bool {
	t.Helper()
	known := map[string]bool{demo.UserA: true, demo.UserB: true}
	for _, table := range schema.Default().Names() {
		for _, u := range []string{demo.UserA, demo.UserB} {
			err := d.store.Each(d.ctx, u, table, schema.Query{}, func(r schema.Row) error {
				for _, v := range r {
					if s, ok := v.(string); ok && uuidRE.MatchString(s) {
						for _, id := range uuidRE.FindAllString(s, -1) {
							known[id] = true
						}
					}
				}
				return nil
			})
			if err != nil && schema.ErrorCode(err) != schema.EFORBIDDEN {
				t.Fatalf("ids of %s: %v", table, err)
			}
		}
	}
	return known
}

// goldenRun runs the golden set on a fresh demo store and answers each
// call's normalised, indented JSON by name.
func goldenRun(t *testing.T) map[string][]byte {
	t.Helper()
	d := newDemo(t)
	n := &normalizer{known: knownIDs(t, d), fresh: map[string]string{}}
	out := map[string][]byte{}
	session := ""
	for _, gc := range goldenCalls() {
		args := strings.ReplaceAll(gc.args, "{session}", session)
		res, err := d.reg.Execute(d.ctx, tools.Call{User: gc.user, Now: demoNow}, gc.tool, json.RawMessage(args))
		if err != nil {
			t.Fatalf("%s(%s): %v", gc.tool, args, err)
		}
		// The cache admits entries asynchronously: let this call's land
		// before the next, or the hit rate in pam_get_database_stats
		// depends on the scheduler (a flake seen in CI).
		d.store.Cache().Wait()
		if m, ok := res.Output.(map[string]any); ok && gc.tool == "pam_create_chat_session" {
			session, _ = m["session_id"].(string)
		}
		raw, err := json.MarshalIndent(res.Output, "", "  ")
		if err != nil {
			t.Fatalf("%s: %v", gc.name, err)
		}
		out[gc.name] = []byte(n.text(string(raw)) + "\n")
	}
	return out
}

// TestGoldenTools: every tool's answer on the demo set (now pinned at
// demoNow) is the one kept under testdata/golden/tools, reviewed by hand.
// go test ./agent/tools -run TestGoldenTools -update rewrites them.
func TestGoldenTools(t *testing.T) {
	registered := map[string]bool{}
	for _, info := range tools.NewRegistry(nil).List() {
		registered[info.Name] = true
	}
	for _, gc := range goldenCalls() {
		delete(registered, gc.tool)
	}
	if len(registered) > 0 {
		t.Fatalf("tools without a golden answer: %v", registered)
	}
	got := goldenRun(t)
	dir := filepath.Join("testdata", "golden", "tools")
	if *update {
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for _, gc := range goldenCalls() {
		path := filepath.Join(dir, gc.name+".json")
		if *update {
			if err := os.WriteFile(path, got[gc.name], 0o644); err != nil {
				t.Fatal(err)
			}
			continue
		}
		want, err := os.ReadFile(path)
		if err != nil {
			t.Fatalf("%s: %v (run with -update to write it)", gc.name, err)
		}
		if !bytes.Equal(got[gc.name], want) {
			t.Errorf("%s differs from %s:\n%s", gc.name, path, firstDiff(string(want), string(got[gc.name])))
		}
	}
}

// firstDiff shows the first line that differs.
func firstDiff(want, got string) string {
	w, g := strings.Split(want, "\n"), strings.Split(got, "\n")
	for i := 0; i < max(len(w), len(g)); i++ {
		var a, b string
		if i < len(w) {
			a = w[i]
		}
		if i < len(g) {
			b = g[i]
		}
		if a != b {
			return fmt.Sprintf("line %d:\n want %s\n  got %s", i+1, a, b)
		}
	}
	return "(same lines)"
}
