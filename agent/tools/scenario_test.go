package tools_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

// toolScenario is one tool call on a fresh fixture, stated as data (after
// PocketBase's tests.ApiScenario): who calls what, and what must come of
// it — the error code or none, fragments of the answer as JSON, and the
// rows of each table the caller has afterwards.
type toolScenario struct {
	Name     string
	User     string
	Tool     string
	Args     string
	Code     string         // the error code; "" for success
	Contains []string       // fragments of the answer (success) or the error message
	Rows     map[string]int // table: the caller's rows after the call
}

func (sc toolScenario) run(t *testing.T) {
	t.Helper()
	f := newFixture(t)
	res, err := f.reg.Execute(f.ctx, f.call(sc.User), sc.Tool, json.RawMessage(sc.Args))
	if code := schema.ErrorCode(err); err != nil && code != sc.Code || err == nil && sc.Code != "" {
		t.Fatalf("%s(%s): %v (code %q), want code %q", sc.Tool, sc.Args, err, code, sc.Code)
	}
	text := schema.ErrorMessage(err)
	if err == nil {
		raw, _ := json.Marshal(res.Output)
		text = string(raw)
	}
	for _, frag := range sc.Contains {
		if !strings.Contains(text, frag) {
			t.Errorf("answer lacks %s: %s", frag, text)
		}
	}
	for table, n := range sc.Rows {
		if got := len(f.rows(sc.User, table)); got != n {
			t.Errorf("%s: %d rows after the call, want %d", table, got, n)
		}
	}
}

// TestToolScenarios: the entry tools and their guards, one scenario a row.
func TestToolScenarios(t *testing.T) {
	for _, sc := range []toolScenario{
		{Name: "LogExpenseOK", User: sam, Tool: "log_expense", Args: `{"amount": "45.10", "category": "Groceries", "date": "2026-03-14"}`,
			Contains: []string{`"amount":"45.10"`, `"category":"groceries"`}, Rows: map[string]int{"expenses": 1}},
		{Name: "ErrLogExpenseNegative", User: sam, Tool: "log_expense", Args: `{"amount": -5, "category": "food"}`,
			Code: schema.EUNPROCESSABLE, Contains: []string{"amount"}, Rows: map[string]int{"expenses": 0}},
		{Name: "ErrLogExpenseUnknownArgument", User: sam, Tool: "log_expense", Args: `{"amount": "5", "category": "food", "colour": "red"}`,
			Code: schema.EUNPROCESSABLE, Contains: []string{"colour"}, Rows: map[string]int{"expenses": 0}},
		{Name: "LogExpenseUserIDIgnored", User: sam, Tool: "log_expense", Args: `{"amount": "5.00", "category": "food", "user_id": "` + alex + `"}`,
			Contains: []string{`"amount":"5.00"`}, Rows: map[string]int{"expenses": 1}},
		{Name: "LogFuelOK", User: sam, Tool: "pam_log_fuel", Args: `{"litres": 60, "total_cost": "120.00", "odometer_km": 48210, "date": "2026-03-14"}`,
			Contains: []string{`"total_cost":"120.00"`}, Rows: map[string]int{"fuel_log": 1}},
		{Name: "ErrLogFuelNoVolume", User: sam, Tool: "pam_log_fuel", Args: `{"total_cost": "120.00", "odometer_km": 48210}`,
			Code: schema.EUNPROCESSABLE, Rows: map[string]int{"fuel_log": 0, "expenses": 0}},
		{Name: "FetchSummaryEmpty", User: alex, Tool: "fetch_summary", Args: `{"month": "2026-03"}`,
			Contains: []string{`"currency":"USD"`, `"total":"0.00"`}},
		{Name: "ErrUnknownTool", User: alex, Tool: "drop_everything", Args: `{}`, Code: schema.ENOTFOUND, Contains: []string{"drop_everything"}},
		{Name: "ErrNotJSON", User: alex, Tool: "fetch_summary", Args: `{"month":`, Code: schema.EINVALID},
		{Name: "ErrDeleteUnconfirmed", User: alex, Tool: "pam_delete_records", Args: `{"table_name": "expenses", "ids": ["0190a000-0000-7000-8000-0000000000ff"]}`,
			Code: schema.EUNPROCESSABLE, Contains: []string{"confirm"}},
		{Name: "ErrNoUser", User: "", Tool: "fetch_summary", Args: `{}`, Code: schema.EUNAUTHORIZED},
	} {
		t.Run(sc.Name, sc.run)
	}
}
