package tools

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Typed calls: the functions the tools below wrap, called from Go with
// typed arguments and answers instead of JSON (the offline answerer uses
// them). A typed call prepares the call as Execute does (an authenticated
// user, the clock, the user's units and currency), applies the arguments'
// own checks, counts in Status, and is recorded in the context's Trace
// under the tool's name, so a reply lists it like a model's tool call.
// It skips the JSON schema: the caller's types already hold its shape.

// Names of the tools that have typed calls.
const (
	ToolReadRecords         = "pam_read_records"
	ToolFetchSummary        = "fetch_summary"
	ToolSuggestBudget       = "suggest_budget_adjustment"
	ToolLogExpense          = "log_expense"
	ToolLogFuel             = "pam_log_fuel"
	ToolMaintenanceSchedule = "pam_get_maintenance_schedule"
	ToolPlanTrip            = "plan_trip"
	ToolUser360             = "pam_get_user_360_view"
	ToolPredictMaintenance  = "pam_predict_maintenance_costs"
	ToolHustleROI           = "pam_analyze_hustle_roi"
)

// ReadRecords reads one page of a table's rows (pam_read_records).
func (r *Registry) ReadRecords(ctx context.Context, c Call, a ReadArgs) (*TableRows, error) {
	return invoke(ctx, r, c, ToolReadRecords, a, r.db.read)
}

// FetchSummary summarises a month (fetch_summary).
func (r *Registry) FetchSummary(ctx context.Context, c Call, a SummaryArgs) (*Summary, error) {
	return invoke(ctx, r, c, ToolFetchSummary, a, r.fin.summary)
}

// SuggestBudgetAdjustment reviews a budget (suggest_budget_adjustment).
func (r *Registry) SuggestBudgetAdjustment(ctx context.Context, c Call, a BudgetAdjustArgs) (*BudgetAdjustment, error) {
	return invoke(ctx, r, c, ToolSuggestBudget, a, r.fin.suggestAdjustment)
}

// LogExpense records an expense (log_expense).
func (r *Registry) LogExpense(ctx context.Context, c Call, a ExpenseArgs) (*ExpenseLogged, error) {
	return invoke(ctx, r, c, ToolLogExpense, a, r.fin.logExpense)
}

// LogFuel records a fill-up (pam_log_fuel).
func (r *Registry) LogFuel(ctx context.Context, c Call, a FuelArgs) (*FuelLogged, error) {
	return invoke(ctx, r, c, ToolLogFuel, a, r.veh.logFuel)
}

// MaintenanceSchedule lists services due (pam_get_maintenance_schedule).
func (r *Registry) MaintenanceSchedule(ctx context.Context, c Call, a ScheduleArgs) (*Schedule, error) {
	return invoke(ctx, r, c, ToolMaintenanceSchedule, a, r.veh.schedule)
}

// PlanTrip plans a route with its fuel cost (plan_trip).
func (r *Registry) PlanTrip(ctx context.Context, c Call, a TripArgs) (*TripPlan, error) {
	return invoke(ctx, r, c, ToolPlanTrip, a, r.trip.plan)
}

// User360 is the 360° view of the user (pam_get_user_360_view).
func (r *Registry) User360(ctx context.Context, c Call) (*View360, error) {
	return invoke(ctx, r, c, ToolUser360, noArgs{}, r.intel.view360)
}

// PredictMaintenanceCosts forecasts maintenance costs (pam_predict_maintenance_costs).
func (r *Registry) PredictMaintenanceCosts(ctx context.Context, c Call, a PredictArgs) (*MaintenanceForecast, error) {
	return invoke(ctx, r, c, ToolPredictMaintenance, a, r.intel.predict)
}

// HustleROI is the return on each side hustle (pam_analyze_hustle_roi).
func (r *Registry) HustleROI(ctx context.Context, c Call) (*HustleReport, error) {
	return invoke(ctx, r, c, ToolHustleROI, noArgs{}, r.intel.hustleROI)
}

// Totals sums, over [start, end], what the user spent by category (table
// "expenses": the expenses plus the fill-ups no fuel expense stands for,
// fuel counted once, as fetch_summary counts it) or earned by source
// ("income_entries"), largest first, with the grand total and the number
// of rows. With merchant set, only expenses whose description holds it
// count (a fill-up has no description). It is fetch_summary's
// group-and-sum over any period; no tool answers it alone, so it is not
// traced.
func (r *Registry) Totals(ctx context.Context, c Call, table, start, end, merchant string) ([]CategoryTotal, int64, int, error) {
	user, err := schema.ParseUUID(c.User)
	if err != nil {
		return nil, 0, 0, schema.Errorf(schema.EUNAUTHORIZED, "no authenticated user")
	}
	conds := []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)}
	if merchant != "" {
		conds = append(conds, cond("description", schema.OpLike, "%"+merchant+"%"))
	}
	switch {
	case table == "income_entries":
		return r.fin.totals(ctx, user, table, "source", conds)
	case table != "expenses":
		return nil, 0, 0, schema.Errorf(schema.EINVALID, "totals of %q: expenses or income_entries", table)
	case merchant != "":
		return r.fin.totals(ctx, user, table, "category", conds)
	}
	return r.fin.spendingTotals(ctx, user, start, end)
}

// Spending is what the user spent dated in [start, end], fuel counted
// once: the expenses plus, as "fuel" rows, the fill-ups no fuel expense
// stands for (UnmatchedFills), by date then id. The tools total and rank
// spending over these rows; it is not traced, as Totals.
func (r *Registry) Spending(ctx context.Context, c Call, start, end string) ([]schema.Row, error) {
	user, err := schema.ParseUUID(c.User)
	if err != nil {
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "no authenticated user")
	}
	return spendingRows(ctx, r.store, user, start, end, "")
}

// invoke runs fn as the tool name for c with typed arguments a.
func invoke[A, R any](ctx context.Context, r *Registry, c Call, name string, a A, fn func(context.Context, Call, A) (*R, error)) (*R, error) {
	began := time.Now()
	out, err := runTyped(ctx, r, c, name, a, fn)
	elapsed := time.Since(began)
	r.stats.record(name, elapsed, err != nil)
	if t := TraceFrom(ctx); t != nil {
		raw, _ := json.Marshal(a)
		var output any
		if err == nil {
			output = out
		}
		t.Add(Traced{Name: name, Arguments: raw, Output: output, Err: err, Elapsed: elapsed})
	}
	return out, err
}

// runTyped prepares c as execute does and runs fn.
func runTyped[A, R any](ctx context.Context, r *Registry, c Call, name string, a A, fn func(context.Context, Call, A) (*R, error)) (*R, error) {
	user, err := schema.ParseUUID(c.User)
	if err != nil {
		return nil, schema.Errorf(schema.EUNAUTHORIZED, "no authenticated user for tool %s", name)
	}
	c.User = user
	if c.Now.IsZero() {
		c.Now = time.Now()
	}
	// The arguments meet the tool's schema as a model's would: the
	// caller's types hold its shape, not its ranges and patterns.
	raw, err := json.Marshal(a)
	if err != nil {
		return nil, fmt.Errorf("%s: encode arguments: %w", name, err)
	}
	args, err := decodeArgs(raw)
	if err != nil {
		return nil, err
	}
	var v validator
	v.validate(r.tools[name].spec, args, "")
	if len(v.errs) > 0 {
		return nil, argError(name, v.errs)
	}
	if err := r.fillPreferences(ctx, &c); err != nil {
		return nil, err
	}
	if ck, ok := any(&a).(checker); ok {
		if errs := ck.check(c); len(errs) > 0 {
			return nil, argError(name, errs)
		}
	}
	return fn(ctx, c, a)
}
