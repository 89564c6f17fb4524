package tools_test

import (
	"encoding/json"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/schema"
)

// implemented are the tools of this package so far, with their category
// and whether they write.
var implemented = map[string]struct {
	category    string
	writes      bool
	destructive bool
}{
	"pam_create_record":            {tools.CategoryDatabase, true, false},
	"pam_read_records":             {tools.CategoryDatabase, false, false},
	"pam_update_records":           {tools.CategoryDatabase, true, false},
	"pam_delete_records":           {tools.CategoryDatabase, true, true},
	"pam_upsert_records":           {tools.CategoryDatabase, true, false},
	"pam_count_records":            {tools.CategoryDatabase, false, false},
	"pam_bulk_database_operation":  {tools.CategoryDatabase, true, true},
	"pam_get_database_stats":       {tools.CategoryDatabase, false, false},
	"pam_check_database_health":    {tools.CategoryDatabase, false, false},
	"log_expense":                  {tools.CategoryFinance, true, false},
	"suggest_budget_adjustment":    {tools.CategoryFinance, false, false},
	"fetch_summary":                {tools.CategoryFinance, false, false},
	"track_expense":                {tools.CategoryExpense, true, false},
	"pam_log_maintenance":          {tools.CategoryVehicle, true, false},
	"pam_log_fuel":                 {tools.CategoryVehicle, true, false},
	"pam_manage_fuel_stations":     {tools.CategoryVehicle, false, false},
	"pam_get_maintenance_schedule": {tools.CategoryVehicle, false, false},
	"plan_trip":                    {tools.CategoryTrip, false, false},
	"get_user_context":             {tools.CategoryUserContext, false, false},
	"post_update":                  {tools.CategorySocial, true, false},
	"suggest_groups":               {tools.CategorySocial, false, false},
	"add_idea":                     {tools.CategoryMoneymaker, true, false},
	"list_active_ideas":            {tools.CategoryMoneymaker, false, false},
	"estimate_monthly_income":      {tools.CategoryMoneymaker, false, false},
	"suggest_affiliate_product":    {tools.CategoryShop, false, false},
	"record_user_feedback":         {tools.CategoryFeedback, true, false},

	"pam_log_analytics_event":        {tools.CategoryAnalytics, true, false},
	"pam_generate_daily_analytics":   {tools.CategoryAnalytics, false, false},
	"pam_generate_analytics_summary": {tools.CategoryAnalytics, false, false},
	"pam_create_recommendation":      {tools.CategoryAnalytics, true, false},
	"pam_get_analytics_insights":     {tools.CategoryAnalytics, false, false},
	"pam_create_chat_session":        {tools.CategorySession, true, false},
	"pam_update_chat_session":        {tools.CategorySession, true, false},
	"pam_manage_user_session":        {tools.CategorySession, true, false},
	"pam_get_session_analytics":      {tools.CategorySession, false, false},
	"pam_clean_expired_sessions":     {tools.CategorySession, true, true},
	"pam_get_user_360_view":          {tools.CategoryIntelligence, false, false},
	"pam_correlate_trip_expenses":    {tools.CategoryIntelligence, false, false},
	"pam_predict_maintenance_costs":  {tools.CategoryIntelligence, false, false},
	"pam_analyze_hustle_roi":         {tools.CategoryIntelligence, false, false},

	"pam_analyze_spending_patterns":            {tools.CategoryIntelligence, false, false},
	"pam_generate_intelligent_recommendations": {tools.CategoryIntelligence, true, false},
	"pam_optimize_user_experience":             {tools.CategoryIntelligence, false, false},
	"pam_generate_insights_report":             {tools.CategoryIntelligence, false, false},
}

func TestList(t *testing.T) {
	f := newFixture(t)
	list := f.reg.List()
	if len(list) != len(implemented) {
		t.Fatalf("%d tools, want %d", len(list), len(implemented))
	}
	if len(tools.Categories()) != 13 {
		t.Fatalf("%d categories, want 13", len(tools.Categories()))
	}
	names := make([]string, len(list))
	for i, info := range list {
		names[i] = info.Name
		w, ok := implemented[info.Name]
		if !ok {
			t.Fatalf("unexpected tool %s", info.Name)
		}
		if info.Category != w.category || info.Writes != w.writes || info.Destructive != w.destructive {
			t.Errorf("%s: category %q writes %v destructive %v, want %q %v %v",
				info.Name, info.Category, info.Writes, info.Destructive, w.category, w.writes, w.destructive)
		}
		if info.Description == "" {
			t.Errorf("%s: no description", info.Name)
		}
		var p struct {
			Type                 string                     `json:"type"`
			Properties           map[string]json.RawMessage `json:"properties"`
			AdditionalProperties *bool                      `json:"additionalProperties"`
		}
		if err := json.Unmarshal(info.Parameters, &p); err != nil {
			t.Fatalf("%s: parameters: %v", info.Name, err)
		}
		if p.Type != "object" || p.Properties == nil || p.AdditionalProperties == nil || *p.AdditionalProperties {
			t.Errorf("%s: parameters %s are not a closed object", info.Name, info.Parameters)
		}
		if _, ok := p.Properties["user_id"]; ok {
			t.Errorf("%s takes a user_id", info.Name)
		}
		if w.destructive {
			if _, ok := p.Properties["confirm"]; !ok {
				t.Errorf("%s is destructive without a confirm argument", info.Name)
			}
		}
	}
	if !slices.IsSorted(names) {
		t.Errorf("List is not sorted: %v", names)
	}
}

func TestSchemaGenerated(t *testing.T) {
	f := newFixture(t)
	tool, ok := f.reg.Tool("log_expense")
	if !ok {
		t.Fatal("no log_expense")
	}
	var s tools.Schema
	if err := json.Unmarshal(tool.Schema, &s); err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(s.Required, []string{"amount", "category"}) {
		t.Errorf("required = %v", s.Required)
	}
	if s.Properties["date"].Format != "date" || s.Properties["amount"].Format != "money" {
		t.Errorf("formats: date %q amount %q", s.Properties["date"].Format, s.Properties["amount"].Format)
	}
	if s.Properties["amount"].ExclusiveMinimum == nil || *s.Properties["amount"].ExclusiveMinimum != 0 {
		t.Errorf("amount has no exclusiveMinimum 0")
	}
	read, _ := f.reg.Tool("pam_read_records")
	if err := json.Unmarshal(read.Schema, &s); err != nil {
		t.Fatal(err)
	}
	if got := s.Properties["table_name"].Enum; len(got) != 39 || !slices.Contains(got, "expenses") {
		t.Errorf("table_name enum = %v", got)
	}
	if l := s.Properties["limit"]; *l.Minimum != 1 || *l.Maximum != 1000 || l.Default != float64(100) {
		t.Errorf("limit = %+v", l)
	}
}

func TestUnknownTool(t *testing.T) {
	f := newFixture(t)
	err := f.fail(sam, "pam_launch_rockets", `{}`, schema.ENOTFOUND)
	if !strings.Contains(schema.ErrorMessage(err), "pam_launch_rockets") {
		t.Errorf("message %q does not name the tool", schema.ErrorMessage(err))
	}
}

func TestNoUser(t *testing.T) {
	f := newFixture(t)
	_, err := f.reg.Execute(f.ctx, tools.Call{Now: today}, "fetch_summary", nil)
	if schema.ErrorCode(err) != schema.EUNAUTHORIZED {
		t.Fatalf("err = %v, want unauthorized", err)
	}
}

// A user_id from the model is dropped: the call touches the caller's data
// only, whatever it names.
func TestUserIDIgnored(t *testing.T) {
	f := newFixture(t)
	res, err := f.reg.Execute(f.ctx, f.call(sam), "log_expense",
		json.RawMessage(`{"user_id": "`+alex+`", "amount": "12.50", "category": "food"}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Ignored, []string{"user_id"}) {
		t.Errorf("ignored = %v", res.Ignored)
	}
	if n := len(f.rows(alex, "expenses")); n != 0 {
		t.Fatalf("Alex has %d expenses, want 0", n)
	}
	if got := f.rows(sam, "expenses"); len(got) != 1 || got[0]["user_id"] != sam || got[0]["amount"] != "12.50" {
		t.Fatalf("Sam's expenses = %v", got)
	}

	// Generic tools: an owner in data or filters is dropped too.
	a := f.run(sam, "pam_create_record", `{"table_name": "expenses", "user_id": "`+alex+`",
		"data": {"user_id": "`+alex+`", "amount": "3.00", "category": "food", "date": "2026-03-01"}}`)
	want(t, a, sam, "rows", 0, "user_id")
	want(t, a, []any{"data.user_id"}, "ignored")
	alexRow := f.create(alex, "expenses", schema.Row{"amount": "99.00", "category": "food", "date": "2026-03-01"})

	a = f.run(sam, "pam_read_records", `{"table_name": "expenses", "filters": {"user_id": "`+alex+`"}}`)
	want(t, a, 2, "count")
	for _, r := range get(t, a, "rows").([]any) {
		if r.(map[string]any)["user_id"] != sam {
			t.Fatalf("read another user's row: %v", r)
		}
	}
	a = f.run(sam, "pam_count_records", `{"table_name": "expenses", "filters": {"user_id": "`+alex+`", "category": "food"}}`)
	want(t, a, 2, "count")

	a = f.run(sam, "pam_update_records", `{"table_name": "expenses", "user_id": "`+alex+`",
		"filters": {"user_id": "`+alex+`", "category": "food"}, "data": {"description": "groceries"}}`)
	want(t, a, 2, "updated")
	if d := f.rows(alex, "expenses")[0]["description"]; d != nil {
		t.Fatalf("Alex's expense was updated: description %v", d)
	}

	a = f.run(sam, "pam_delete_records", `{"table_name": "expenses", "user_id": "`+alex+`",
		"filters": {"user_id": "`+alex+`", "category": "food"}, "confirm": true}`)
	want(t, a, 2, "deleted")
	if n := len(f.rows(sam, "expenses")); n != 0 {
		t.Fatalf("Sam still has %d expenses", n)
	}
	if got := f.rows(alex, "expenses"); len(got) != 1 || got[0]["id"] != alexRow["id"] {
		t.Fatalf("Alex's expenses = %v, want his one row untouched", got)
	}

	// A user_id inside a nested argument object is dropped as well.
	res, err = f.reg.Execute(f.ctx, f.call(sam), "pam_bulk_database_operation", json.RawMessage(`{"operations": [
		{"operation": "create", "table": "expenses", "user_id": "`+alex+`", "data": {"user_id": "`+alex+`", "amount": "4.00", "category": "food", "date": "2026-03-02"}}]}`))
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(res.Ignored, []string{"operations[0].user_id"}) {
		t.Errorf("ignored = %v", res.Ignored)
	}
	if got := decode(t, res.Output); get(t, got, "results", 0, "row", "user_id") != sam || get(t, got, "ignored", 0) != "operations[0].data.user_id" {
		t.Errorf("bulk answer %v", got)
	}
	f.run(sam, "pam_delete_records", `{"table_name": "expenses", "filters": {"amount": "4.00"}, "confirm": true}`)

	// Naming another user's row by id is refused, not done.
	f.fail(sam, "pam_delete_records", `{"table_name": "expenses", "ids": ["`+text(alexRow["id"])+`"], "confirm": true}`, schema.EFORBIDDEN)
	if n := len(f.rows(alex, "expenses")); n != 1 {
		t.Fatalf("Alex has %d expenses, want 1", n)
	}
}

func text(v any) string { s, _ := v.(string); return s }

// Invalid arguments never execute: nothing is written and the error names
// the field.
func TestInvalidArgumentsNeverExecute(t *testing.T) {
	f := newFixture(t)
	cases := []struct {
		name, tool, args, code, field string
	}{
		{"wrong type", "log_expense", `{"amount": true, "category": "food"}`, schema.EUNPROCESSABLE, "amount"},
		{"not money", "log_expense", `{"amount": "twelve", "category": "food"}`, schema.EUNPROCESSABLE, "amount"},
		{"three decimals", "log_expense", `{"amount": 12.345, "category": "food"}`, schema.EUNPROCESSABLE, "amount"},
		{"zero", "log_expense", `{"amount": 0, "category": "food"}`, schema.EUNPROCESSABLE, "amount"},
		{"negative string", "log_expense", `{"amount": "-5.00", "category": "food"}`, schema.EUNPROCESSABLE, "amount"},
		{"unknown field", "log_expense", `{"amount": 5, "category": "food", "vendor": "Safeway"}`, schema.EUNPROCESSABLE, "vendor"},
		{"missing required", "log_expense", `{"amount": 5}`, schema.EUNPROCESSABLE, "category"},
		{"null required", "log_expense", `{"amount": 5, "category": null}`, schema.EUNPROCESSABLE, "category"},
		{"bad date", "log_expense", `{"amount": 5, "category": "food", "date": "2026-02-30"}`, schema.EUNPROCESSABLE, "date"},
		{"empty category", "track_expense", `{"amount": 5, "category": ""}`, schema.EUNPROCESSABLE, "category"},
		{"not an object", "log_expense", `[1, 2]`, schema.EUNPROCESSABLE, "(arguments)"},
		{"malformed", "log_expense", `{"amount": 5,`, schema.EINVALID, ""},
		{"unknown table", "pam_create_record", `{"table_name": "users", "data": {"a": 1}}`, schema.EUNPROCESSABLE, "table_name"},
		{"bad column", "pam_create_record", `{"table_name": "expenses", "data": {"amount": "5.00", "category": "x", "colour": "red"}}`, schema.EUNPROCESSABLE, "data.colour"},
		{"bad bulk op", "pam_bulk_database_operation", `{"operations": [{"operation": "create", "table": "expenses", "data": {"amount": "1.00", "category": "x"}}, {"operation": "drop", "table": "expenses"}]}`, schema.EUNPROCESSABLE, "operations[1].operation"},
		{"bulk missing id", "pam_bulk_database_operation", `{"operations": [{"operation": "create", "table": "expenses", "data": {"amount": "1.00", "category": "x"}}, {"operation": "update", "table": "expenses", "data": {"amount": "2.00"}}]}`, schema.EUNPROCESSABLE, "operations[1].id"},
		{"limit too high", "pam_read_records", `{"table_name": "expenses", "limit": 5000}`, schema.EUNPROCESSABLE, "limit"},
		{"fraction limit", "pam_read_records", `{"table_name": "expenses", "limit": 2.5}`, schema.EUNPROCESSABLE, "limit"},
		{"both volumes", "pam_log_fuel", `{"litres": 40, "gallons": 10, "total_cost": 80, "odometer_km": 1000}`, schema.EUNPROCESSABLE, "litres"},
		{"no odometer", "pam_log_fuel", `{"litres": 40, "total_cost": 80}`, schema.EUNPROCESSABLE, "odometer_km"},
		{"negative litres", "pam_log_fuel", `{"litres": -4, "total_cost": 80, "odometer_km": 1000}`, schema.EUNPROCESSABLE, "litres"},
		{"bad enum", "pam_manage_fuel_stations", `{"action": "search", "fuel_type": "hydrogen"}`, schema.EUNPROCESSABLE, "fuel_type"},
		{"due before service", "pam_log_maintenance", `{"task": "oil_change", "mileage_km": 1000, "date": "2026-03-01", "next_due": "2026-02-01"}`, schema.EUNPROCESSABLE, "next_due"},
		{"bad uuid", "pam_log_maintenance", `{"task": "oil_change", "mileage_km": 1000, "vehicle_id": "rv-1"}`, schema.EUNPROCESSABLE, "vehicle_id"},
		{"month pattern", "fetch_summary", `{"month": "2026-13"}`, schema.EUNPROCESSABLE, "month"},
		{"args to no-arg tool", "pam_get_database_stats", `{"table_name": "expenses"}`, schema.EUNPROCESSABLE, "table_name"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			err := f.fail(sam, tc.tool, tc.args, tc.code)
			if tc.field != "" {
				if _, ok := fieldsOf(err)[tc.field]; !ok {
					t.Fatalf("fields %v do not name %q (%v)", schema.ErrorFields(err), tc.field, err)
				}
			}
		})
	}
	for _, table := range []string{"expenses", "fuel_log", "maintenance_records", "calendar_events"} {
		if n := len(f.rows(sam, table)); n != 0 {
			t.Fatalf("%d rows written to %s by invalid calls", n, table)
		}
	}
	// The message is readable on its own.
	err := f.fail(sam, "log_expense", `{"amount": "abc"}`, schema.EUNPROCESSABLE)
	if msg := schema.ErrorMessage(err); !strings.Contains(msg, "amount") || !strings.Contains(msg, "category: required") {
		t.Errorf("message %q", msg)
	}
	// A whole number written with a fraction is an integer.
	a := f.run(sam, "pam_read_records", `{"table_name": "expenses", "limit": 30.0}`)
	want(t, a, 30, "limit")
	// A null optional argument means "not given".
	a = f.run(sam, "log_expense", `{"amount": 5, "category": "food", "date": null, "description": null}`)
	want(t, a, "2026-03-15", "date")
}

// A destructive tool without confirm: true deletes nothing.
func TestDeleteNeedsConfirm(t *testing.T) {
	f := newFixture(t)
	e1 := f.create(sam, "expenses", schema.Row{"amount": "10.00", "category": "food", "date": "2026-03-01"})
	f.create(sam, "expenses", schema.Row{"amount": "20.00", "category": "food", "date": "2026-03-02"})
	for _, args := range []string{
		`{"table_name": "expenses", "filters": {"category": "food"}}`,
		`{"table_name": "expenses", "filters": {"category": "food"}, "confirm": false}`,
		`{"table_name": "expenses", "ids": ["` + text(e1["id"]) + `"]}`,
	} {
		err := f.fail(sam, "pam_delete_records", args, schema.EUNPROCESSABLE)
		if _, ok := fieldsOf(err)["confirm"]; !ok {
			t.Fatalf("error %v does not name confirm", err)
		}
		if n := len(f.rows(sam, "expenses")); n != 2 {
			t.Fatalf("%d expenses left, want 2", n)
		}
	}
	// A bulk holding a delete needs it too, and nothing of it is applied.
	f.fail(sam, "pam_bulk_database_operation", `{"operations": [
		{"operation": "create", "table": "expenses", "data": {"amount": "1.00", "category": "x", "date": "2026-03-03"}},
		{"operation": "delete", "table": "expenses", "id": "`+text(e1["id"])+`"}]}`, schema.EUNPROCESSABLE)
	if n := len(f.rows(sam, "expenses")); n != 2 {
		t.Fatalf("%d expenses, want 2", n)
	}
	// A bulk without a delete needs no confirmation.
	f.run(sam, "pam_bulk_database_operation", `{"operations": [{"operation": "read", "table": "expenses", "id": "`+text(e1["id"])+`"}]}`)

	a := f.run(sam, "pam_delete_records", `{"table_name": "expenses", "filters": {"category": "food"}, "confirm": true}`)
	want(t, a, 2, "deleted")
	if n := len(f.rows(sam, "expenses")); n != 0 {
		t.Fatalf("%d expenses left, want 0", n)
	}
}

func TestStatus(t *testing.T) {
	f := newFixture(t)
	f.run(sam, "fetch_summary", `{}`)
	f.run(sam, "fetch_summary", `{"month": "2026-02"}`)
	f.fail(sam, "fetch_summary", `{"month": "March"}`, schema.EUNPROCESSABLE)
	var wg sync.WaitGroup
	for range 8 {
		wg.Go(func() {
			f.reg.Execute(f.ctx, f.call(alex), "pam_count_records", json.RawMessage(`{"table_name": "expenses"}`))
		})
	}
	wg.Wait()
	st := map[string]tools.Status{}
	for _, s := range f.reg.Status() {
		st[s.Name] = s
	}
	if len(st) != len(implemented) {
		t.Fatalf("%d statuses, want %d", len(st), len(implemented))
	}
	if s := st["fetch_summary"]; s.Calls != 3 || s.Errors != 1 || s.MeanMS <= 0 || s.P95MS < s.MeanMS/3 {
		t.Errorf("fetch_summary status = %+v", s)
	}
	if s := st["pam_count_records"]; s.Calls != 8 || s.Errors != 0 {
		t.Errorf("pam_count_records status = %+v", s)
	}
	if s := st["pam_log_fuel"]; s.Calls != 0 || s.P95MS != 0 {
		t.Errorf("pam_log_fuel status = %+v", s)
	}
}
