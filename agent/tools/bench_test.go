package tools_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// BenchmarkTools runs every registered tool against the --scale 50 demo data
// set (50 years of two people's life on the road, 163k rows) as Sam (metric) and
// reports each tool's median and 95th percentile latency. Every run of a
// tool starts from an untouched copy of the data set: otherwise the rows
// the write tools add (thousands under -benchtime 2s) would be read by the
// tools after them, and their figures would depend on the order and the
// benchmark time.
//
//	go test ./agent/tools -run '^$' -bench Tools -benchtime 200x
func BenchmarkTools(b *testing.B) {
	ctx := context.Background()
	now := time.Now().UTC()
	pristine := filepath.Join(b.TempDir(), localstore.FileName)
	s := localstore.New(pristine, schema.Default())
	if err := s.Open(ctx); err != nil {
		b.Fatal(err)
	}
	if _, err := demo.Fill(ctx, s, demo.Options{Scale: 50, Now: now}); err != nil {
		b.Fatal(err)
	}
	if err := s.Close(); err != nil { // checkpoints: the file stands alone
		b.Fatal(err)
	}
	call := tools.Call{User: demo.UserB, Now: now}

	names := tools.NewRegistry(nil).List()
	env := openBenchEnv(b, pristine, now)
	for _, info := range names {
		if _, ok := env.args[info.Name]; !ok {
			b.Fatalf("no benchmark arguments for %s", info.Name)
		}
	}
	env.close()
	for _, info := range names {
		b.Run(info.Name, func(b *testing.B) {
			env := openBenchEnv(b, pristine, now)
			defer env.close()
			lat := make([]time.Duration, 0, b.N)
			i := 0
			for b.Loop() {
				a := ""
				if info.Name == "pam_delete_records" {
					b.StopTimer()
					row, err := env.s.Create(ctx, demo.UserB, "expenses", schema.Row{"amount": "1.00", "category": "bench", "date": env.day})
					if err != nil {
						b.Fatal(err)
					}
					a = fmt.Sprintf(`{"table_name": "expenses", "ids": [%q], "confirm": true}`, row["id"])
					b.StartTimer()
				} else {
					a = env.args[info.Name](i)
				}
				start := time.Now()
				if _, err := env.reg.Execute(ctx, call, info.Name, json.RawMessage(a)); err != nil {
					b.Fatalf("%s(%s): %v", info.Name, a, err)
				}
				lat = append(lat, time.Since(start))
				i++
			}
			slices.Sort(lat)
			b.ReportMetric(ms(lat[len(lat)/2]), "p50-ms")
			b.ReportMetric(ms(lat[min(len(lat)-1, len(lat)*95/100)]), "p95-ms")
		})
	}
}

type argsFn func(i int) string

// benchEnv is a store opened on a fresh copy of the data set, with the
// rows the write tools work on and every tool's arguments.
type benchEnv struct {
	s    *localstore.Store
	reg  *tools.Registry
	day  string
	args map[string]argsFn
}

func (e *benchEnv) close() { e.s.Close() }

func openBenchEnv(b *testing.B, pristine string, now time.Time) *benchEnv {
	b.Helper()
	ctx := context.Background()
	path := filepath.Join(b.TempDir(), localstore.FileName)
	if err := copyFile(pristine, path); err != nil {
		b.Fatal(err)
	}
	s := localstore.New(path, schema.Default())
	if err := s.Open(ctx); err != nil {
		b.Fatal(err)
	}
	day := now.Format("2006-01-02")

	// Rows the write tools work on.
	target, err := s.Create(ctx, demo.UserB, "expenses", schema.Row{"amount": "1.00", "category": "bench", "date": day})
	if err != nil {
		b.Fatal(err)
	}
	var odo float64
	res, err := s.Find(ctx, demo.UserB, "fuel_log", schema.Query{
		Conditions: []schema.Condition{{Column: "vehicle_id", Op: schema.OpEq, Value: demo.VehicleSamRV}},
		Order:      []schema.Order{{Column: "odometer", Desc: true}}, Limit: 1})
	if err != nil || len(res.Rows) == 0 {
		b.Fatalf("no fuel log in the demo data: %v", err)
	}
	odo, _ = res.Rows[0]["odometer"].(float64)

	static := func(s string) argsFn { return func(int) string { return s } }
	args := map[string]argsFn{
		"pam_create_record": static(`{"table_name": "expenses", "data": {"amount": "1.00", "category": "bench-created", "date": "` + day + `"}}`),
		"pam_read_records":  static(`{"table_name": "expenses", "filters": {"category": "fuel"}, "order": ["-date"], "limit": 50}`),
		"pam_update_records": func(i int) string {
			return fmt.Sprintf(`{"table_name": "expenses", "ids": [%q], "data": {"description": "run %d"}}`, target["id"], i)
		},
		"pam_delete_records": nil, // below: needs a fresh row per call
		"pam_upsert_records": func(i int) string {
			return fmt.Sprintf(`{"table_name": "expenses", "data": {"id": %q, "amount": "%d.00"}}`, target["id"], i%1000+1)
		},
		"pam_count_records": static(`{"table_name": "expenses", "filters": {"category": "fuel"}}`),
		"pam_bulk_database_operation": func(i int) string {
			return fmt.Sprintf(`{"operations": [{"operation": "update", "table": "expenses", "id": %q, "data": {"description": "bulk %d"}},
				{"operation": "read", "table": "expenses", "id": %q}]}`, target["id"], i, target["id"])
		},
		"pam_get_database_stats":    static(`{}`),
		"pam_check_database_health": static(`{}`),
		"log_expense":               static(`{"amount": "12.34", "category": "food", "description": "bench"}`),
		"track_expense":             static(`{"amount": "5.00", "category": "food", "description": "bench"}`),
		"suggest_budget_adjustment": static(`{"category": "fuel"}`),
		"fetch_summary":             static(`{}`),
		"pam_log_maintenance":       static(`{"task": "oil_change", "mileage_km": 250000, "cost": "99.00", "next_due": "` + now.AddDate(0, 3, 0).Format("2006-01-02") + `"}`),
		"pam_log_fuel": func(i int) string {
			return fmt.Sprintf(`{"litres": 60, "total_cost": "110.00", "odometer_km": %.0f, "vehicle_id": %q, "partial": %v}`,
				odo+float64(400*(i+1)), demo.VehicleSamRV, i%4 == 3)
		},
		"pam_manage_fuel_stations":     static(`{"action": "search", "radius_km": 150, "fuel_type": "regular", "sort_by": "price"}`),
		"pam_get_maintenance_schedule": static(`{}`),
		"plan_trip":                    static(`{"start": {"latitude": -27.47, "longitude": 153.03}, "end": {"latitude": -33.87, "longitude": 151.21}, "route_type": "scenic"}`),
		"get_user_context":             static(`{"raw_context": {"current_page": "trips", "location": {"lat": -27.47, "lon": 153.03}, "budget_constraints": {"daily": 150}}}`),
		"post_update":                  static(`{"content": "bench post"}`),
		"suggest_groups":               static(`{}`),
		"add_idea":                     static(`{"title": "bench idea", "tags": ["bench"], "avg_earnings": "10.00"}`),
		"list_active_ideas":            static(`{}`),
		"estimate_monthly_income":      static(`{}`),
		"suggest_affiliate_product":    static(`{"vehicle_type": "motorhome", "region": "AU"}`),
		"record_user_feedback":         static(`{"message_id": "bench", "thumbs_up": true, "rating": 5}`),

		"pam_log_analytics_event":        static(`{"event_type": "tool_usage", "event_data": {"tool_name": "bench"}, "session_id": "bench"}`),
		"pam_generate_daily_analytics":   static(`{}`),
		"pam_generate_analytics_summary": static(`{"summary_type": "monthly"}`),
		"pam_create_recommendation":      static(`{"title": "Bench recommendation", "category": "budget", "priority_level": "low"}`),
		"pam_get_analytics_insights":     static(`{}`),
		"pam_create_chat_session":        static(`{"session_type": "planning"}`),
		"pam_update_chat_session":        benchChatSession(b, s, demo.UserB),
		"pam_manage_user_session":        static(`{"action": "create"}`),
		"pam_get_session_analytics":      static(`{}`),
		"pam_clean_expired_sessions":     static(`{}`),
		"pam_get_user_360_view":          static(`{}`),
		"pam_correlate_trip_expenses":    static(`{}`),
		"pam_predict_maintenance_costs":  static(`{"months_ahead": 12}`),
		"pam_analyze_hustle_roi":         static(`{}`),

		"pam_analyze_spending_patterns":            static(`{}`),
		"pam_generate_intelligent_recommendations": static(`{}`),
		"pam_optimize_user_experience":             static(`{}`),
		"pam_generate_insights_report":             static(`{"report_type": "comprehensive", "time_period": "last_90_days"}`),
	}
	return &benchEnv{s: s, reg: tools.NewRegistry(s), day: day, args: args}
}

func copyFile(from, to string) error {
	src, err := os.Open(from)
	if err != nil {
		return err
	}
	defer src.Close()
	dst, err := os.Create(to)
	if err != nil {
		return err
	}
	if _, err := io.Copy(dst, src); err != nil {
		dst.Close()
		return err
	}
	return dst.Close()
}

func ms(d time.Duration) float64 { return float64(d.Microseconds()) / 1000 }
