package tools_test

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// TestTypedCallsMatchExecute: each typed call answers what its tool
// answers through Execute, byte for byte as JSON, on the demo data set;
// and it is recorded in the context's trace under the tool's name.
func TestTypedCallsMatchExecute(t *testing.T) {
	d := newDemo(t)
	c := tools.Call{User: demo.UserA, Now: demoNow}
	ctx, trace := tools.WithTrace(d.ctx)
	vehicle := demo.VehicleAlexCar
	for _, tc := range []struct {
		tool, args string
		typed      func() (any, error)
	}{
		{tools.ToolReadRecords, `{"table_name": "expenses", "filters": {"category": "fuel"}, "order": ["-date"], "limit": 5}`, func() (any, error) {
			return d.reg.ReadRecords(ctx, c, tools.ReadArgs{Table: "expenses", Filters: json.RawMessage(`{"category": "fuel"}`), Order: []string{"-date"}, Limit: 5})
		}},
		{tools.ToolFetchSummary, `{"month": "2026-02"}`, func() (any, error) {
			return d.reg.FetchSummary(ctx, c, tools.SummaryArgs{Month: "2026-02"})
		}},
		{tools.ToolSuggestBudget, `{"category": "fuel"}`, func() (any, error) {
			return d.reg.SuggestBudgetAdjustment(ctx, c, tools.BudgetAdjustArgs{Category: "fuel"})
		}},
		{tools.ToolMaintenanceSchedule, `{"upcoming_days": 365}`, func() (any, error) {
			return d.reg.MaintenanceSchedule(ctx, c, tools.ScheduleArgs{UpcomingDays: 365})
		}},
		{tools.ToolPlanTrip, `{"start": {"latitude": 33.66, "longitude": -114.23}, "end": {"latitude": 36.1, "longitude": -112.1}, "vehicle_id": "` + vehicle + `"}`, func() (any, error) {
			lat1, lon1, lat2, lon2 := 33.66, -114.23, 36.1, -112.1
			return d.reg.PlanTrip(ctx, c, tools.TripArgs{Start: tools.Place{Latitude: &lat1, Longitude: &lon1},
				End: tools.Place{Latitude: &lat2, Longitude: &lon2}, VehicleID: tools.UUID(vehicle)})
		}},
		{tools.ToolUser360, `{}`, func() (any, error) { return d.reg.User360(ctx, c) }},
		{tools.ToolPredictMaintenance, `{"months_ahead": 12}`, func() (any, error) {
			return d.reg.PredictMaintenanceCosts(ctx, c, tools.PredictArgs{MonthsAhead: 12})
		}},
		{tools.ToolHustleROI, `{}`, func() (any, error) { return d.reg.HustleROI(ctx, c) }},
	} {
		t.Run(tc.tool, func(t *testing.T) {
			res, err := d.reg.Execute(d.ctx, c, tc.tool, json.RawMessage(tc.args))
			if err != nil {
				t.Fatalf("Execute: %v", err)
			}
			got, err := tc.typed()
			if err != nil {
				t.Fatalf("typed call: %v", err)
			}
			a, _ := json.Marshal(res.Output)
			b, _ := json.Marshal(got)
			if string(a) != string(b) {
				t.Fatalf("typed call answers\n%s\nExecute answers\n%s", b, a)
			}
			calls := trace.Calls()
			if last := calls[len(calls)-1]; last.Name != tc.tool || last.Err != nil || len(last.Arguments) == 0 {
				t.Fatalf("traced %+v", last)
			}
		})
	}
}

// TestTypedCallErrors: a typed call refuses what Execute refuses — no
// user, arguments outside the tool's schema, a check of the arguments'
// own — with the same codes, and traces the failure.
func TestTypedCallErrors(t *testing.T) {
	f := newFixture(t)
	ctx, trace := tools.WithTrace(context.Background())
	for _, tc := range []struct {
		name string
		call func() error
		code string
	}{
		{"ErrNoUser", func() error {
			_, err := f.reg.FetchSummary(ctx, tools.Call{Now: today}, tools.SummaryArgs{})
			return err
		}, schema.EUNAUTHORIZED},
		{"ErrSchemaPattern", func() error {
			_, err := f.reg.FetchSummary(ctx, f.call(alex), tools.SummaryArgs{Month: "March"})
			return err
		}, schema.EUNPROCESSABLE},
		{"ErrSchemaMinimum", func() error {
			_, err := f.reg.LogExpense(ctx, f.call(alex), tools.ExpenseArgs{Amount: 0, Category: "food"})
			return err
		}, schema.EUNPROCESSABLE},
		{"ErrArgumentCheck", func() error {
			_, err := f.reg.SuggestBudgetAdjustment(ctx, f.call(alex), tools.BudgetAdjustArgs{})
			return err
		}, schema.EUNPROCESSABLE},
	} {
		t.Run(tc.name, func(t *testing.T) {
			before := len(trace.Calls())
			if err := tc.call(); schema.ErrorCode(err) != tc.code {
				t.Fatalf("code %s (%v), want %s", schema.ErrorCode(err), err, tc.code)
			}
			if calls := trace.Calls(); len(calls) != before+1 || calls[len(calls)-1].Err == nil {
				t.Fatalf("the failure was not traced: %+v", calls)
			}
		})
	}
	if rows := f.rows(alex, "expenses"); len(rows) != 0 {
		t.Fatalf("a refused call wrote %d expenses", len(rows))
	}
}
