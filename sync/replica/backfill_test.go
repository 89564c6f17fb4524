package replica_test

import (
	"context"
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
)

// TestBackfill: rows that were in central before Init (here written with
// the capture triggers off, as a database that had the tables before PAM
// does) reach a device bound to their user afterwards, exactly once, with
// the changes made after them; a second Init logs nothing more.
func TestBackfill(t *testing.T) {
	c := newCentral(t)
	ctx := context.Background()
	mustAdmin := func(sql string, args ...any) {
		t.Helper()
		if _, err := c.admin.Exec(ctx, sql, args...); err != nil {
			t.Fatalf("%s: %v", sql, err)
		}
	}
	mustAdmin(`ALTER TABLE expenses DISABLE TRIGGER USER`)
	mustAdmin(`ALTER TABLE camping_locations DISABLE TRIGGER USER`)
	mustAdmin(`INSERT INTO expenses (id, user_id, amount, category, date, description)
		SELECT gen_random_uuid(), $1, 10 + g, 'fuel', '2025-01-01'::date + g, 'before pam ' || g FROM generate_series(1, 250) g`, userA)
	mustAdmin(`INSERT INTO expenses (id, user_id, amount, category, date) VALUES (gen_random_uuid(), $1, 99, 'food', '2025-02-01')`, userB)
	mustAdmin(`INSERT INTO camping_locations (id, name, type, latitude, longitude) VALUES (gen_random_uuid(), 'Old Lake', 'campground', 44.1, -110.5)`)
	mustAdmin(`ALTER TABLE expenses ENABLE TRIGGER USER`)
	mustAdmin(`ALTER TABLE camping_locations ENABLE TRIGGER USER`)
	if err := central.Init(ctx, c.admin, schema.Default()); err != nil {
		t.Fatalf("Init over existing rows: %v", err)
	}
	var logged int64
	c.admin.QueryRow(ctx, `SELECT count(*) FROM pam_sync.change_log WHERE tbl IN ('expenses', 'camping_locations')`).Scan(&logged)
	if logged != 252 {
		t.Fatalf("%d backfilled entries, want 252", logged)
	}
	// A change after the snapshot, then a device bound later.
	mustAdmin(`UPDATE expenses SET amount = 1 WHERE description = 'before pam 1'`)
	d := c.newDevice(t, "rv", userA)
	d.sync(t)
	if s := diff(d.snapshot(t, userA), c.snapshot(t, userA), d.name, "central"); s != "" {
		t.Fatalf("device differs from central after the backfill:\n%s", s)
	}
	res, err := d.store.Find(ctx, userA, "camping_locations", schema.Query{})
	if err != nil || len(res.Rows) != 1 || res.Rows[0]["name"] != "Old Lake" {
		t.Fatalf("shared row from before Init on the device: %+v (%v), want Old Lake", res, err)
	}
	if err := central.Init(ctx, c.admin, schema.Default()); err != nil {
		t.Fatal(err)
	}
	var again int64
	c.admin.QueryRow(ctx, `SELECT count(*) FROM pam_sync.change_log WHERE tbl IN ('expenses', 'camping_locations')`).Scan(&again)
	if again != logged+1 {
		t.Fatalf("second Init logged %d more entries, want none", again-logged-1)
	}
}
