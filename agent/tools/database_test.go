package tools_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// seedExpenses gives Sam five expenses and Alex two.
//
//	Sam:  2026-03-01 fuel 10.00 | 2026-03-02 food 20.50 | 2026-03-03 fuel 30.25
//	      2026-03-04 fuel 40.00 | 2026-03-05 food  5.75
//	Alex: 2026-03-01 fuel 77.00 | 2026-03-02 food 88.00
func seedExpenses(f *fixture) []schema.Row {
	var out []schema.Row
	for _, e := range []struct{ date, cat, amount string }{
		{"2026-03-01", "fuel", "10.00"}, {"2026-03-02", "food", "20.50"}, {"2026-03-03", "fuel", "30.25"},
		{"2026-03-04", "fuel", "40.00"}, {"2026-03-05", "food", "5.75"},
	} {
		out = append(out, f.create(sam, "expenses", schema.Row{"date": e.date, "category": e.cat, "amount": e.amount}))
	}
	f.create(alex, "expenses", schema.Row{"date": "2026-03-01", "category": "fuel", "amount": "77.00"})
	f.create(alex, "expenses", schema.Row{"date": "2026-03-02", "category": "food", "amount": "88.00"})
	return out
}

func TestCreateRecord(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "pam_create_record", `{"table_name": "expenses", "data": {"amount": 45.1, "category": "camping", "date": "2026-03-10", "description": "Lost Dutchman SP"}}`)
	want(t, a, 1, "created")
	want(t, a, "45.10", "rows", 0, "amount")
	want(t, a, sam, "rows", 0, "user_id")
	rows := f.rows(sam, "expenses")
	if len(rows) != 1 || rows[0]["amount"] != "45.10" || rows[0]["id"] != get(t, a, "ids", 0) {
		t.Fatalf("stored %v", rows)
	}
	// Reference data and views are read-only at the edge.
	f.fail(sam, "pam_create_record", `{"table_name": "fuel_stations", "data": {"station_name": "X", "address": "Y", "latitude": 1, "longitude": 2}}`, schema.ENOTALLOWED)
	f.fail(sam, "pam_create_record", `{"table_name": "budget_summary", "data": {"category": "x"}}`, schema.ENOTALLOWED)
	// The profile row is the caller's own.
	f.fail(sam, "pam_create_record", `{"table_name": "profiles", "data": {"full_name": "Sam again"}}`, schema.ECONFLICT)
}

func TestReadRecords(t *testing.T) {
	f := newFixture(t)
	e := seedExpenses(f)
	// fuel with amount >= 20: 30.25 (03-03) and 40.00 (03-04), newest first.
	a := f.run(sam, "pam_read_records", `{"table_name": "expenses",
		"filters": {"category": "fuel", "amount": {"op": "gte", "value": "20"}}, "order": ["-date"], "limit": 1}`)
	want(t, a, 2, "count")
	want(t, a, 1, "returned")
	want(t, a, "40.00", "rows", 0, "amount")
	want(t, a, e[3]["id"], "rows", 0, "id")
	a = f.run(sam, "pam_read_records", `{"table_name": "expenses",
		"filters": {"category": "fuel", "amount": {"op": "gte", "value": "20"}}, "order": ["-date"], "limit": 1, "offset": 1}`)
	want(t, a, "30.25", "rows", 0, "amount")
	// A date range as a list of conditions; default order is by id (creation).
	a = f.run(sam, "pam_read_records", `{"table_name": "expenses",
		"filters": {"date": [{"op": "gte", "value": "2026-03-02"}, {"op": "lte", "value": "2026-03-04"}]}}`)
	want(t, a, 3, "count")
	want(t, a, 100, "limit")
	want(t, a, "20.50", "rows", 0, "amount")
	want(t, a, "40.00", "rows", 2, "amount")
	// Unknown columns are refused with the filter's path.
	err := f.fail(sam, "pam_read_records", `{"table_name": "expenses", "filters": {"price": 3}}`, schema.EUNPROCESSABLE)
	if _, ok := fieldsOf(err)["filters.price"]; !ok {
		t.Fatalf("fields %v", schema.ErrorFields(err))
	}
	err = f.fail(sam, "pam_read_records", `{"table_name": "expenses", "order": ["-price"]}`, schema.EUNPROCESSABLE)
	if _, ok := fieldsOf(err)["order.price"]; !ok {
		t.Fatalf("fields %v", schema.ErrorFields(err))
	}
}

func TestCountRecords(t *testing.T) {
	f := newFixture(t)
	seedExpenses(f)
	// Sam's amounts above 15: 20.50, 30.25, 40.00.
	a := f.run(sam, "pam_count_records", `{"table_name": "expenses", "filters": {"amount": {"op": "gt", "value": "15"}}}`)
	want(t, a, 3, "count")
	a = f.run(sam, "pam_count_records", `{"table_name": "expenses"}`)
	want(t, a, 5, "count")
	a = f.run(alex, "pam_count_records", `{"table_name": "expenses", "filters": {"category": "food"}}`)
	want(t, a, 1, "count")
	a = f.run(sam, "pam_count_records", `{"table_name": "expenses", "filters": {"description": null}}`)
	want(t, a, 5, "count")
}

func TestUpdateRecords(t *testing.T) {
	f := newFixture(t)
	e := seedExpenses(f)
	a := f.run(sam, "pam_update_records", `{"table_name": "expenses", "filters": {"category": "food"}, "data": {"description": "groceries"}}`)
	want(t, a, 2, "updated")
	want(t, a, "groceries", "rows", 0, "description")
	n := 0
	for _, r := range f.rows(sam, "expenses") {
		if r["description"] == "groceries" {
			n++
			if r["category"] != "food" {
				t.Fatalf("updated a %v expense", r["category"])
			}
		}
	}
	if n != 2 {
		t.Fatalf("%d rows updated in the store, want 2", n)
	}
	a = f.run(sam, "pam_update_records", `{"table_name": "expenses", "ids": ["`+text(e[0]["id"])+`", "`+text(e[2]["id"])+`"], "data": {"amount": "11.00"}}`)
	want(t, a, 2, "updated")
	want(t, a, "11.00", "rows", 1, "amount")
	// All or none: one bad id leaves every row as it was.
	f.fail(sam, "pam_update_records", `{"table_name": "expenses", "ids": ["`+text(e[1]["id"])+`", "0190b000-0000-7000-8000-0000000fffff"], "data": {"amount": "1.00"}}`, schema.ENOTFOUND)
	if r, _ := f.store.Get(f.ctx, sam, "expenses", text(e[1]["id"])); r["amount"] != "20.50" {
		t.Fatalf("amount %v after a failed batch, want 20.50", r["amount"])
	}
	// No match updates nothing; ranges are refused; no target is refused.
	a = f.run(sam, "pam_update_records", `{"table_name": "expenses", "filters": {"category": "laundry"}, "data": {"amount": "1.00"}}`)
	want(t, a, nil, "updated")
	f.fail(sam, "pam_update_records", `{"table_name": "expenses", "filters": {"amount": {"op": "gt", "value": "1"}}, "data": {"amount": "1.00"}}`, schema.EUNPROCESSABLE)
	f.fail(sam, "pam_update_records", `{"table_name": "expenses", "filters": {}, "data": {"amount": "1.00"}}`, schema.EUNPROCESSABLE)
	f.fail(sam, "pam_update_records", `{"table_name": "fuel_stations", "filters": {"brand": "x"}, "data": {"brand": "y"}}`, schema.ENOTALLOWED)
}

func TestUpsertRecords(t *testing.T) {
	f := newFixture(t)
	e := seedExpenses(f)
	a := f.run(sam, "pam_upsert_records", `{"table_name": "expenses", "data": [
		{"id": "`+text(e[0]["id"])+`", "amount": "12.00"},
		{"id": "0190b000-0000-7000-8000-00000000c0de", "amount": "7.00", "category": "laundry", "date": "2026-03-06"},
		{"amount": "8.00", "category": "laundry", "date": "2026-03-07"}]}`)
	want(t, a, 1, "updated")
	want(t, a, 2, "created")
	want(t, a, "0190b000-0000-7000-8000-00000000c0de", "ids", 1)
	if r, _ := f.store.Get(f.ctx, sam, "expenses", text(e[0]["id"])); r["amount"] != "12.00" || r["category"] != "fuel" {
		t.Fatalf("upserted row = %v", r)
	}
	if n := len(f.rows(sam, "expenses")); n != 7 {
		t.Fatalf("%d expenses, want 7", n)
	}
	// A single object; the profile upserts the caller's own row.
	a = f.run(sam, "pam_upsert_records", `{"table_name": "profiles", "data": {"nickname": "Sammy"}}`)
	want(t, a, 1, "updated")
	want(t, a, sam, "ids", 0)
	want(t, a, "Sammy", "rows", 0, "nickname")
	// Another user's id is refused.
	alexRow := f.rows(alex, "expenses")[0]
	f.fail(sam, "pam_upsert_records", `{"table_name": "expenses", "data": {"id": "`+text(alexRow["id"])+`", "amount": "1.00"}}`, schema.EFORBIDDEN)
}

func TestBulkOperation(t *testing.T) {
	f := newFixture(t)
	e := seedExpenses(f)
	a := f.run(sam, "pam_bulk_database_operation", `{"confirm": true, "operations": [
		{"operation": "create", "table": "expenses", "data": {"amount": "9.99", "category": "laundry", "date": "2026-03-08"}},
		{"operation": "update", "table": "expenses", "id": "`+text(e[1]["id"])+`", "data": {"amount": "21.00"}},
		{"operation": "delete", "table": "expenses", "id": "`+text(e[4]["id"])+`"},
		{"operation": "read", "table": "expenses", "id": "`+text(e[1]["id"])+`"},
		{"operation": "upsert", "table": "budgets", "data": {"category": "laundry", "budgeted_amount": "50.00", "start_date": "2026-03-01", "end_date": "2026-03-31"}}]}`)
	want(t, a, 5, "applied")
	want(t, a, "create", "results", 0, "operation")
	want(t, a, "9.99", "results", 0, "row", "amount")
	want(t, a, "21.00", "results", 1, "row", "amount")
	want(t, a, "delete", "results", 2, "operation")
	want(t, a, "21.00", "results", 3, "row", "amount")
	want(t, a, "create", "results", 4, "operation")
	if n := len(f.rows(sam, "expenses")); n != 5 { // 5 + 1 − 1
		t.Fatalf("%d expenses, want 5", n)
	}
	// All or none: a failing last operation undoes the first.
	f.fail(sam, "pam_bulk_database_operation", `{"operations": [
		{"operation": "create", "table": "expenses", "data": {"amount": "1.00", "category": "x", "date": "2026-03-09"}},
		{"operation": "update", "table": "expenses", "id": "`+text(f.rows(alex, "expenses")[0]["id"])+`", "data": {"amount": "0.01"}}]}`, schema.EFORBIDDEN)
	if n := len(f.rows(sam, "expenses")); n != 5 {
		t.Fatalf("%d expenses after a failed batch, want 5", n)
	}
	if got := f.rows(alex, "expenses")[0]["amount"]; got != "77.00" {
		t.Fatalf("Alex's amount = %v", got)
	}
}

func TestDeleteRecords(t *testing.T) {
	f := newFixture(t)
	e := seedExpenses(f)
	a := f.run(sam, "pam_delete_records", `{"table_name": "expenses", "filters": {"category": "fuel"}, "confirm": true}`)
	want(t, a, 3, "deleted")
	if len(get(t, a, "ids").([]any)) != 3 {
		t.Fatalf("ids = %v", get(t, a, "ids"))
	}
	a = f.run(sam, "pam_delete_records", `{"table_name": "expenses", "ids": ["`+text(e[1]["id"])+`"], "confirm": true}`)
	want(t, a, 1, "deleted")
	rows := f.rows(sam, "expenses")
	if len(rows) != 1 || rows[0]["id"] != e[4]["id"] {
		t.Fatalf("left %v, want only %v", rows, e[4]["id"])
	}
	if n := len(f.rows(alex, "expenses")); n != 2 {
		t.Fatalf("Alex has %d expenses, want 2", n)
	}
	f.fail(sam, "pam_delete_records", `{"table_name": "camping_locations", "filters": {"name": "x"}, "confirm": true}`, schema.ENOTALLOWED)
}

func TestDatabaseStats(t *testing.T) {
	f := newFixture(t)
	seedExpenses(f)
	a := f.run(sam, "pam_get_database_stats", `{}`)
	want(t, a, 5, "tables", "expenses")
	want(t, a, 1, "tables", "profiles")
	want(t, a, 0, "tables", "fuel_log")
	want(t, a, 6, "total_rows") // 5 expenses + the profile
	if n := len(get(t, a, "tables").(map[string]any)); n != 39 {
		t.Fatalf("%d tables counted, want 39", n)
	}
	b := f.run(alex, "pam_get_database_stats", `{}`)
	want(t, b, 2, "tables", "expenses")
	want(t, b, 3, "total_rows")
	// Every write so far is in the change log, not yet pushed: 2 profiles + 7 expenses.
	want(t, a, 9, "pending_changes")
}

func TestDatabaseHealth(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "pam_check_database_health", ``)
	want(t, a, "healthy", "status")
	want(t, a, "ok", "integrity")
	want(t, a, 39, "tables_present")
	want(t, a, 39, "tables_expected")
	if get(t, a, "size_bytes").(float64) <= 0 {
		t.Fatalf("size_bytes = %v", get(t, a, "size_bytes"))
	}
	// Asked again within HealthReuse, the check is reused and says so;
	// fresh runs it again.
	again := f.run(sam, "pam_check_database_health", ``)
	want(t, again, true, "reused")
	want(t, again, get(t, a, "checked_at"), "checked_at")
	fresh := f.run(sam, "pam_check_database_health", `{"fresh": true}`)
	if fresh["reused"] != nil {
		t.Fatalf("a fresh check was reused: %v", fresh)
	}
	want(t, fresh, "ok", "integrity")
}

// Store.Each (localstore/scan.go) streams past Find's page limit, scoped
// to the caller exactly like Find.
func TestEachScoped(t *testing.T) {
	f := newFixture(t)
	rows := make([]schema.Row, 1200)
	for i := range rows {
		rows[i] = schema.Row{"user_id": sam, "amount": "1.00", "category": "bulk", "date": "2026-01-01"}
	}
	if err := f.store.Load(f.ctx, "expenses", rows, localstore.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	seedExpenses(f)
	if n := len(f.rows(sam, "expenses")); n != 1205 {
		t.Fatalf("Each saw %d of Sam's rows, want 1205", n)
	}
	if n := len(f.rows(alex, "expenses")); n != 2 {
		t.Fatalf("Each saw %d of Alex's rows, want 2", n)
	}
	var amounts []string
	err := f.store.Each(f.ctx, sam, "expenses", schema.Query{
		Conditions: []schema.Condition{{Column: "category", Op: schema.OpEq, Value: "fuel"}},
		Order:      []schema.Order{{Column: "amount", Desc: true}}, Limit: 2, Offset: 1,
	}, func(r schema.Row) error { amounts = append(amounts, r["amount"].(string)); return nil })
	if err != nil || strings.Join(amounts, ",") != "30.25,10.00" {
		t.Fatalf("amounts %v, err %v; want 30.25,10.00", amounts, err)
	}
	err = f.store.Each(f.ctx, sam, "expenses", schema.Query{
		Conditions: []schema.Condition{{Column: "user_id", Op: schema.OpEq, Value: alex}}}, func(schema.Row) error { return nil })
	if schema.ErrorCode(err) != schema.EFORBIDDEN {
		t.Fatalf("filter on another user: %v, want forbidden", err)
	}
	// A count through the tool agrees.
	a := f.run(sam, "pam_count_records", `{"table_name": "expenses", "filters": {"category": "bulk"}}`)
	want(t, a, 1200, "count")
}
