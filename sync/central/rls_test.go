package central_test

import (
	"context"
	"errors"
	"net/url"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

const (
	own1   = "0197a000-0000-7000-8000-0000000a0001"
	own2   = "0197a000-0000-7000-8000-0000000a0002"
	other1 = "0197a000-0000-7000-8000-0000000b0001"
	campID = "0197a000-0000-7000-8000-0000000c0001"
)

// TestDeviceRLS connects as a device role bound to one user (with the URL
// AddDevice returns, not as a superuser) and checks that row-level security,
// not the device, decides what it reads and writes: on PAM's own central
// and on the Wheels & Wins database adopted (issue 9), where the web app's
// permissive auth.uid() policies apply to every role.
func TestDeviceRLS(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name string
		open func(testing.TB) rlsCentral
	}{{"plain", plainCentral}, {"adopted", adoptedCentral}} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			deviceRLS(t, tc.open(t))
		})
	}
}

// rlsCentral is a central database the device RLS tests run on.
type rlsCentral struct {
	url    string    // the installing role's URL; device URLs derive from it
	admin  *pgx.Conn // the installing role (superuser, or BYPASSRLS)
	u1, u2 string    // the device's user, and another
	// key is the column a device addresses expenses by: id, or the sync
	// key where the project's own id is a bigint.
	key string
	// ownView: budget_summary is PAM's view (security_invoker, one row per
	// budget the reader may see), not the project's own.
	ownView bool
}

// plainCentral is PAM's central on an empty database.
func plainCentral(tb testing.TB) rlsCentral {
	url, admin := MustInit(tb)
	return rlsCentral{url: url, admin: admin, u1: user1, u2: user2, key: "id", ownView: true}
}

// adoptedCentral is the Wheels & Wins fixture (rows of both users already
// there) after central init --adopt.
func adoptedCentral(tb testing.TB) rlsCentral {
	tb.Helper()
	f := supabasetest.Install(tb, pgtest.NewDB(tb))
	owner := pgtest.Connect(tb, f.OwnerURL)
	if err := central.InitWith(testContext(tb), owner, schema.Default(), central.Options{Adopt: true}); err != nil {
		tb.Fatalf("init --adopt: %v", err)
	}
	return rlsCentral{url: f.OwnerURL, admin: owner, u1: f.U, u2: f.V, key: central.SyncKey}
}

// insertExpense inserts an expense with the device-side id.
func (c rlsCentral) insertExpense(tb testing.TB, conn interface {
	Exec(context.Context, string, ...any) (pgconn.CommandTag, error)
}, id, user, amount string) {
	tb.Helper()
	mustExec(tb, conn, `INSERT INTO expenses (`+c.key+`, user_id, amount, category, date) VALUES ($1, $2, $3::numeric, 'fuel', '2025-06-01')`, id, user, amount)
}

// ownedTable is a table (or view) of the catalog whose rows are read by
// their owner only.
type ownedTable struct {
	name, owner string
	view        bool
}

// ownedTables lists the catalog's owner-only tables that role may read.
func ownedTables(tb testing.TB, conn *pgx.Conn, role string) []ownedTable {
	tb.Helper()
	cat := schema.Default()
	var out []ownedTable
	for _, name := range cat.Sorted() {
		t, _ := cat.Table(name)
		if t.Read != schema.ReadOwn || t.Owner == "" {
			continue
		}
		var may bool
		err := conn.QueryRow(testContext(tb), `SELECT has_table_privilege($1, format('public.%I', $2::text), 'SELECT')`, role, name).Scan(&may)
		if err != nil {
			tb.Fatal(err)
		}
		if may {
			out = append(out, ownedTable{name: schema.Quote(name), owner: schema.Quote(t.Owner), view: t.View})
		}
	}
	return out
}

// errRollback ends a transaction that must leave nothing behind.
var errRollback = errors.New("rolled back on purpose")

func deviceRLS(t *testing.T, c rlsCentral) {
	admin, user1, user2 := c.admin, c.u1, c.u2
	c.insertExpense(t, admin, own1, user1, "10.00")
	c.insertExpense(t, admin, own2, user1, "20.00")
	c.insertExpense(t, admin, other1, user2, "30.00")
	mustExec(t, admin, `INSERT INTO camping_locations (id, name, type, latitude, longitude) VALUES ($1, 'Lake', 'campground', 45.1, -110.2)`, campID)
	mustExec(t, admin, `INSERT INTO budgets (id, user_id, category, budgeted_amount, start_date, end_date) VALUES
		('0197a000-0000-7000-8000-0000000d0001', $1, 'fuel', 100, '2025-01-01', '2025-12-31'),
		('0197a000-0000-7000-8000-0000000d0002', $2, 'fuel', 100, '2025-01-01', '2025-12-31')`, user1, user2)
	dev, role := MustAddDevice(t, admin, c.url, user1)
	ctx := testContext(t)
	owned := ownedTables(t, admin, role)
	if len(owned) < 20 {
		t.Fatalf("the device may read %d owner-only tables: %v", len(owned), owned)
	}

	t.Run("Identity", func(t *testing.T) {
		var who string
		var super, bypass bool
		if err := dev.QueryRow(ctx, `SELECT session_user::text, r.rolsuper, r.rolbypassrls FROM pg_roles r WHERE r.rolname = session_user`).Scan(&who, &super, &bypass); err != nil {
			t.Fatal(err)
		}
		if who != role || super || bypass {
			t.Fatalf("connected as %s (super %v, bypassrls %v), want %s without either", who, super, bypass, role)
		}
		var timeout string
		dev.QueryRow(ctx, `SHOW statement_timeout`).Scan(&timeout)
		if timeout != "1min" {
			t.Fatalf("statement_timeout %s, want 1min", timeout)
		}
		rows, _ := dev.Query(ctx, `SELECT u::text FROM pam_sync.my_users() u`)
		users, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || !slices.Equal(users, []string{user1}) {
			t.Fatalf("my_users() = %v (%v), want [%s]", users, err, user1)
		}
	})

	t.Run("ReadsOwnRowsOnly", func(t *testing.T) {
		for _, tbl := range owned {
			if n := countOf(t, dev, `SELECT count(*) FROM `+tbl.name+` WHERE `+tbl.owner+` IS DISTINCT FROM $1`, user1); n != 0 {
				t.Errorf("device reads %d rows of %s that are not user1's", n, tbl.name)
			}
		}
		rows, _ := dev.Query(ctx, `SELECT `+c.key+`::text FROM expenses WHERE `+c.key+` IN ($1, $2, $3) ORDER BY 1`, own1, own2, other1)
		ids, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || !slices.Equal(ids, []string{own1, own2}) {
			t.Fatalf("device reads %v (%v), want [%s %s]", ids, err, own1, own2)
		}
		if c.ownView {
			if n := countOf(t, dev, `SELECT count(*) FROM budget_summary`); n != 1 {
				t.Fatalf("budget_summary shows %d rows, want 1 (the view must not bypass RLS)", n)
			}
		} else {
			// The project's view reads its tables with its owner's
			// rights (no security_invoker): a device may not read it.
			_, err := dev.Exec(ctx, `SELECT count(*) FROM budget_summary`)
			wantCode(t, err, codeInsufficientPrivilege, "read the project's budget_summary")
		}
		if n := countOf(t, dev, `SELECT count(*) FROM camping_locations`); n != 1 {
			t.Fatalf("camping_locations shows %d rows, want 1 (reference data)", n)
		}
	})

	// forged runs sql as the device claiming to be user2, as PostgREST
	// would set the claims, in a transaction it then rolls back.
	forged := func(t *testing.T, sql string, args ...any) (rows int64, err error) {
		t.Helper()
		txErr := pgx.BeginFunc(ctx, dev, func(tx pgx.Tx) error {
			mustExec(t, tx, `SELECT set_config('request.jwt.claims', $1, true), set_config('request.jwt.claim.sub', $2, true)`,
				`{"sub":"`+user2+`","role":"authenticated","aud":"authenticated"}`, user2)
			// What auth.uid() reads (Supabase's and PAM's). A device
			// role may not call it itself where the project keeps schema
			// auth to its own roles, but policies call it for any role.
			var claimed string
			if err := tx.QueryRow(ctx, `SELECT current_setting('request.jwt.claims', true)::jsonb ->> 'sub'`).Scan(&claimed); err != nil || claimed != user2 {
				t.Fatalf("claims say %q (%v): the claim did not take, the test proves nothing", claimed, err)
			}
			if strings.HasPrefix(sql, "SELECT") {
				err = tx.QueryRow(ctx, sql, args...).Scan(&rows)
			} else {
				var tag pgconn.CommandTag
				tag, err = tx.Exec(ctx, sql, args...)
				rows = tag.RowsAffected()
			}
			return errRollback
		})
		if !errors.Is(txErr, errRollback) {
			t.Fatalf("%s: %v", sql, txErr)
		}
		return rows, err
	}

	t.Run("ForgedJWTClaimIgnored", func(t *testing.T) {
		// Every owner-only table: user2's rows are neither read, changed
		// nor deleted, whatever policies the project has on it.
		for _, tbl := range owned {
			if n, err := forged(t, `SELECT count(*) FROM `+tbl.name+` WHERE `+tbl.owner+` = $1`, user2); err != nil || n != 0 {
				t.Errorf("device claiming user2 reads %d of user2's rows of %s (%v)", n, tbl.name, err)
			}
			if tbl.view {
				continue
			}
			for _, sql := range []string{
				`UPDATE ` + tbl.name + ` SET ` + tbl.owner + ` = ` + tbl.owner + ` WHERE ` + tbl.owner + ` = $1`,
				`DELETE FROM ` + tbl.name + ` WHERE ` + tbl.owner + ` = $1`,
			} {
				n, err := forged(t, sql, user2)
				if err != nil && sqlState(err) != codeInsufficientPrivilege || n != 0 {
					t.Errorf("device claiming user2: %s: %d rows (%v), want 0 or permission denied", sql, n, err)
				}
			}
		}
		_, err := forged(t, `INSERT INTO expenses (`+c.key+`, user_id, amount, category, date) VALUES ('0197a000-0000-7000-8000-0000000f0002', $1, 1, 'fuel', '2025-06-01')`, user2)
		wantCode(t, err, codeInsufficientPrivilege, "insert a row for user2 claiming to be user2")
		if n := countOf(t, admin, `SELECT count(*) FROM expenses WHERE `+c.key+` = $1 AND amount = 30`, other1); n != 1 {
			t.Fatal("user2's row changed")
		}
	})

	t.Run("CannotInsertForAnotherUser", func(t *testing.T) {
		_, err := dev.Exec(ctx, `INSERT INTO expenses (`+c.key+`, user_id, amount, category, date) VALUES ('0197a000-0000-7000-8000-0000000f0001', $1, 1, 'fuel', '2025-06-01')`, user2)
		wantCode(t, err, codeInsufficientPrivilege, "insert a row for user2")
	})

	t.Run("CannotMoveOwnRowToAnotherUser", func(t *testing.T) {
		_, err := dev.Exec(ctx, `UPDATE expenses SET user_id = $2 WHERE `+c.key+` = $1`, own1, user2)
		wantCode(t, err, codeInsufficientPrivilege, "move own row to user2")
	})

	t.Run("CannotTouchAnotherUsersRow", func(t *testing.T) {
		for _, sql := range []string{`DELETE FROM expenses WHERE ` + c.key + ` = $1`, `UPDATE expenses SET amount = 0 WHERE ` + c.key + ` = $1`} {
			tag, err := dev.Exec(ctx, sql, other1)
			if err != nil || tag.RowsAffected() != 0 {
				t.Fatalf("%s on user2's row: %v rows, %v; want 0 rows", sql, tag.RowsAffected(), err)
			}
		}
		if n := countOf(t, admin, `SELECT count(*) FROM expenses WHERE `+c.key+` = $1 AND amount = 30`, other1); n != 1 {
			t.Fatal("user2's row changed")
		}
	})

	t.Run("CannotSeeOrChangeBinding", func(t *testing.T) {
		for _, sql := range []string{
			`SELECT * FROM pam_sync.device_users`,
			`INSERT INTO pam_sync.device_users (role_name, user_id) VALUES (session_user, '` + user2 + `')`,
			`UPDATE pam_sync.device_users SET user_id = '` + user2 + `'`,
			`DELETE FROM pam_sync.device_users`,
		} {
			_, err := dev.Exec(ctx, sql)
			wantCode(t, err, codeInsufficientPrivilege, sql)
		}
	})

	t.Run("CannotChangeSchemaOrSecurity", func(t *testing.T) {
		for _, sql := range []string{
			`ALTER TABLE expenses DISABLE ROW LEVEL SECURITY`,
			`ALTER TABLE expenses NO FORCE ROW LEVEL SECURITY`,
			`ALTER TABLE expenses DISABLE TRIGGER USER`,
			`DROP POLICY pam_rw ON expenses`,
			`DROP TABLE expenses`,
			`TRUNCATE expenses`,
			`CREATE TABLE public.device_junk (id int)`,
			`CREATE OR REPLACE FUNCTION pam_sync.my_users() RETURNS SETOF uuid LANGUAGE sql AS 'SELECT NULL::uuid'`,
			`SET ROLE authenticated`,
		} {
			_, err := dev.Exec(ctx, sql)
			if err == nil {
				t.Fatalf("%s: succeeded", sql)
			}
			if c := sqlState(err); c != codeInsufficientPrivilege {
				t.Fatalf("%s: %v, want permission denied", sql, err)
			}
		}
	})

	t.Run("CannotWriteReferenceData", func(t *testing.T) {
		for _, sql := range []string{
			`INSERT INTO camping_locations (id, name, type, latitude, longitude) VALUES ('0197a000-0000-7000-8000-0000000c0002', 'X', 'campground', 1, 1)`,
			`UPDATE camping_locations SET name = 'Mine'`,
			`DELETE FROM camping_locations`,
		} {
			_, err := dev.Exec(ctx, sql)
			wantCode(t, err, codeInsufficientPrivilege, sql)
		}
	})

	t.Run("OwnWriteIsCaptured", func(t *testing.T) {
		const id = "0197a000-0000-7000-8000-0000000a0003"
		c.insertExpense(t, dev, id, user1, "40.00")
		mustExec(t, dev, `UPDATE expenses SET amount = 41 WHERE `+c.key+` = $1`, id)
		log := logOf(t, admin, user1)
		n := len(log)
		if n < 2 || log[n-2].RowID != id || log[n-2].CL != 1 || log[n-1].RowID != id || len(log[n-1].Cells) != 2 || log[n-1].Origin != "server" {
			t.Fatalf("log after the device's writes: %+v", log[max(0, n-2):])
		}
		// The device reads its users' log and the shared scope, no one else's.
		rows, _ := dev.Query(ctx, `SELECT DISTINCT user_id::text FROM pam_sync.change_log ORDER BY 1`)
		scopes, err := pgx.CollectRows(rows, pgx.RowTo[string])
		if err != nil || !slices.Equal(scopes, []string{central.SharedScope, user1}) {
			t.Fatalf("device reads change_log scopes %v (%v), want shared and user1", scopes, err)
		}
		for _, tbl := range []string{"row_meta", "user_clock"} {
			if n := countOf(t, dev, `SELECT count(*) FROM pam_sync.`+tbl+` WHERE user_id = $1`, user2); n != 0 {
				t.Fatalf("device reads %d of user2's %s rows", n, tbl)
			}
		}
		clock := countOf(t, admin, `SELECT seq FROM pam_sync.user_clock WHERE user_id = $1`, user2)
		_, err = dev.Exec(ctx, `UPDATE pam_sync.user_clock SET seq = 0 WHERE user_id = $1`, user2)
		wantCode(t, err, codeInsufficientPrivilege, "update user2's clock")
		if n := countOf(t, admin, `SELECT seq FROM pam_sync.user_clock WHERE user_id = $1`, user2); n != clock {
			t.Fatalf("user2's clock is %d after the device's update, want %d", n, clock)
		}
		_, err = dev.Exec(ctx, `INSERT INTO pam_sync.change_log (user_id, seq, tbl, row_id, cl, origin) VALUES ($1, 99, 'expenses', $2, 1, 'x')`, user2, other1)
		wantCode(t, err, codeInsufficientPrivilege, "append to user2's change log")
	})

	t.Run("DeviceBookkeeping", func(t *testing.T) {
		// Sync bookkeeping is written only through the push functions.
		const devID = "0197a000-0000-7000-8000-0000000e0001"
		for _, sql := range []string{
			`INSERT INTO pam_sync.devices (device_id) VALUES ('` + devID + `')`,
			`UPDATE pam_sync.devices SET last_seq = 5`,
			`INSERT INTO pam_sync.push_outcomes (device_id, tx, first_seq, last_seq, status) VALUES ('` + devID + `', 1, 1, 5, 'applied')`,
			`INSERT INTO pam_sync.anomalies (device_id, kind, detail) VALUES ('` + devID + `', 'clock_skew', '{"skew_ms": 1}')`,
			`INSERT INTO pam_sync.conflicts (user_id, tbl, row_id, col, reason, origin) VALUES ('` + user1 + `', 'expenses', '` + own1 + `', 'amount', 'older_write', 'x')`,
			`INSERT INTO pam_sync.push_tx (xid, device_id) VALUES (pg_current_xact_id(), '` + devID + `')`,
			`UPDATE pam_sync.tables SET writable = true`,
		} {
			_, err := dev.Exec(ctx, sql)
			wantCode(t, err, codeInsufficientPrivilege, sql)
		}
		err := pgx.BeginFunc(ctx, dev, func(tx pgx.Tx) error {
			var last int64
			if err := tx.QueryRow(ctx, `SELECT pam_sync.begin_push($1)`, devID).Scan(&last); err != nil || last != 0 {
				t.Fatalf("begin_push of a new device: %d, %v", last, err)
			}
			mustExec(t, tx, `SELECT pam_sync.end_push($1, '{1}', '{1}', '{5}', '{applied}', '{NULL}', 5, $2, 'now')`, devID, time.Now().UnixMilli()<<16)
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countOf(t, admin, `SELECT last_seq FROM pam_sync.devices WHERE device_id = $1 AND role_name = $2`, devID, role); n != 5 {
			t.Fatalf("device's last_seq %d after end_push, want 5", n)
		}
		if n := countOf(t, dev, `SELECT count(*) FROM pam_sync.push_outcomes WHERE device_id = $1`, devID); n != 1 {
			t.Fatalf("device reads %d of its outcomes, want 1", n)
		}
		var version string
		if err := dev.QueryRow(ctx, `SELECT value FROM pam_sync.meta WHERE key = 'schema_version'`).Scan(&version); err != nil || version != central.SchemaVersion {
			t.Fatalf("schema_version as device: %q %v", version, err)
		}
	})

	t.Run("SharedTableWrite", func(t *testing.T) {
		// social_groups: every user reads it, only the owner writes a row.
		// The device writes with capture on (shared scope) and may then
		// record the row's versions; it may not touch the versions of
		// reference rows.
		const group = "0197a000-0000-7000-8000-0000000f0101"
		mustExec(t, dev, `INSERT INTO social_groups (id, owner_id, name) VALUES ($1, $2, 'Boondockers')`, group, user1)
		_, err := dev.Exec(ctx, `INSERT INTO social_groups (id, owner_id, name) VALUES ('0197a000-0000-7000-8000-0000000f0102', $1, 'Not mine')`, user2)
		wantCode(t, err, codeInsufficientPrivilege, "create a group owned by user2")
		if l := logOf(t, admin, central.SharedScope); len(l) == 0 || l[len(l)-1].RowID != group {
			t.Fatalf("shared log %+v: want the group", l)
		}
		const devID = "0197a000-0000-7000-8000-0000000e0011"
		err = inPush(ctx, dev, devID, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.put_versions($1, '{social_groups}', ARRAY[$2], ARRAY[$3], '{1}', '{"{}"}')`, devID, group, central.SharedScope)
			return err
		})
		if err != nil {
			t.Fatalf("versions of the device's own shared row: %v", err)
		}
		err = inPush(ctx, dev, devID, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.put_versions($1, '{camping_locations}', ARRAY[$2], ARRAY[$3], '{2}', '{"{}"}')`, devID, campID, central.SharedScope)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "versions of a reference row")
	})

	t.Run("PushWithOrigin", func(t *testing.T) {
		// What a push does: open it, write the row, log the entry (central
		// numbers it), record its versions.
		const id = "0197a000-0000-7000-8000-0000000a0004"
		const devID = "0197a000-0000-7000-8000-0000000e0012"
		err := inPush(ctx, dev, devID, func(tx pgx.Tx) error {
			c.insertExpense(t, tx, id, user1, "9.99")
			mustExec(t, tx, `SELECT pam_sync.log_changes($1, ARRAY[$2], '{expenses}', ARRAY[$3], '{1}', '{"{}"}', '{7}', ARRAY[$4::bigint])`, devID, user1, id, time.Now().UnixMilli()<<16)
			mustExec(t, tx, `SELECT pam_sync.put_versions($1, '{expenses}', ARRAY[$2], ARRAY[$3], '{1}', '{"{}"}')`, devID, id, user1)
			return nil
		})
		if err != nil {
			t.Fatalf("push as device: %v", err)
		}
		var origin, node string
		if err := admin.QueryRow(ctx, `SELECT origin, node FROM pam_sync.change_log WHERE row_id = $1`, id).Scan(&origin, &node); err != nil || origin != devID || node != devID {
			t.Fatalf("entries for the pushed row: origin %q node %q (%v), want exactly the device's own", origin, node, err)
		}
	})
}

// inPush runs fn inside a push of device opened with begin_push and
// closed with end_push, in one transaction.
func inPush(ctx context.Context, conn *pgx.Conn, device string, fn func(pgx.Tx) error) error {
	return pgx.BeginFunc(ctx, conn, func(tx pgx.Tx) error {
		if _, err := tx.Exec(ctx, `SELECT pam_sync.begin_push($1)`, device); err != nil {
			return err
		}
		if err := fn(tx); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `SELECT pam_sync.end_push($1, '{}', '{}', '{}', '{}', '{}', 0, $2, '')`, device, time.Now().UnixMilli()<<16)
		return err
	})
}

// TestDeviceTwoUsers: a device bound to two users sees exactly both.
func TestDeviceTwoUsers(t *testing.T) {
	t.Parallel()
	adminURL, admin := MustInit(t)
	insertExpense(t, admin, own1, user1, "1")
	insertExpense(t, admin, other1, user2, "2")
	insertExpense(t, admin, "0197a000-0000-7000-8000-0000000c0009", user3, "3")
	dev, _ := MustAddDevice(t, admin, adminURL, user1, user2)
	rows, _ := dev.Query(testContext(t), `SELECT DISTINCT user_id::text FROM expenses ORDER BY 1`)
	users, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil || !slices.Equal(users, []string{user1, user2}) {
		t.Fatalf("device bound to user1 and user2 reads %v (%v)", users, err)
	}
	insertExpense(t, dev, "0197a000-0000-7000-8000-0000000c000a", user2, "4")
	_, err = dev.Exec(testContext(t), `INSERT INTO expenses (id, user_id, amount, category, date) VALUES ('0197a000-0000-7000-8000-0000000c000b', $1, 1, 'fuel', '2025-06-01')`, user3)
	wantCode(t, err, codeInsufficientPrivilege, "insert for user3")
}

// TestWebApp: the Supabase web app's path, as role authenticated with the
// user in the JWT claims.
func TestWebApp(t *testing.T) {
	t.Parallel()
	_, admin := MustInit(t)
	insertExpense(t, admin, own1, user1, "1")
	insertExpense(t, admin, other1, user2, "2")
	ctx := testContext(t)
	const id = "0197a000-0000-7000-8000-0000000a0005"
	err := pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		mustExec(t, tx, `SET LOCAL ROLE authenticated`)
		mustExec(t, tx, `SELECT set_config('request.jwt.claims', $1, true)`, `{"sub":"`+user1+`","role":"authenticated"}`)
		var n int64
		tx.QueryRow(ctx, `SELECT count(*) FROM expenses`).Scan(&n)
		if n != 1 {
			t.Errorf("web app user reads %d rows, want 1", n)
		}
		insertExpense(t, tx, id, user1, "3")
		_, err := tx.Exec(ctx, `SAVEPOINT s`)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO expenses (id, user_id, amount, category, date) VALUES ('0197a000-0000-7000-8000-0000000a0006', $1, 1, 'fuel', '2025-06-01')`, user2)
		wantCode(t, err, codeInsufficientPrivilege, "web app insert for another user")
		_, err = tx.Exec(ctx, `ROLLBACK TO SAVEPOINT s`)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	log := logOf(t, admin, user1)
	last := log[len(log)-1]
	if last.RowID != id || last.Origin != "server" || last.CL != 1 {
		t.Fatalf("web app write logged as %+v", last)
	}
	// Without claims, authenticated sees nothing.
	err = pgx.BeginFunc(ctx, admin, func(tx pgx.Tx) error {
		mustExec(t, tx, `SET LOCAL ROLE authenticated`)
		var n int64
		tx.QueryRow(ctx, `SELECT count(*) FROM expenses`).Scan(&n)
		if n != 0 {
			t.Errorf("authenticated without a JWT reads %d rows", n)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

func TestAddDevice(t *testing.T) {
	t.Parallel()
	adminURL, admin := MustInit(t)
	ctx := testContext(t)

	t.Run("URL", func(t *testing.T) {
		in := adminURL + "?sslmode=disable&application_name=pamd"
		devURL, role, err := central.AddDevice(ctx, admin, in, []string{user1})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { central.RemoveDevice(ctx, admin, role) })
		a, _ := url.Parse(in)
		d, err := url.Parse(devURL)
		if err != nil {
			t.Fatal(err)
		}
		pw, _ := d.User.Password()
		if d.User.Username() != role || len(pw) != 32 || d.Host != a.Host || d.Path != a.Path || d.RawQuery != a.RawQuery {
			t.Fatalf("device URL %s from %s", devURL, in)
		}
		if len(role) != len(central.DeviceRolePrefix)+12 {
			t.Fatalf("role %s", role)
		}
		var limit int
		var member bool
		admin.QueryRow(ctx, `SELECT rolconnlimit, pg_has_role(oid, 'pam_device', 'MEMBER') FROM pg_roles WHERE rolname = $1`, role).Scan(&limit, &member)
		if limit != 8 || !member {
			t.Fatalf("role %s: connection limit %d, member of pam_device %v", role, limit, member)
		}
		c := pgtest.Connect(t, devURL)
		var app string
		c.QueryRow(ctx, `SHOW application_name`).Scan(&app)
		if app != "pamd" {
			t.Fatalf("application_name %q: query parameters lost", app)
		}
	})

	t.Run("ErrNoUsers", func(t *testing.T) {
		if _, _, err := central.AddDevice(ctx, admin, adminURL, nil); !errors.Is(err, central.ErrNoUsers) {
			t.Fatalf("got %v", err)
		}
	})
	t.Run("ErrInvalidUser", func(t *testing.T) {
		for _, u := range []string{"nope", "'; DROP TABLE expenses; --", central.SharedScope} {
			if _, _, err := central.AddDevice(ctx, admin, adminURL, []string{user1, u}); !errors.Is(err, central.ErrInvalidUser) {
				t.Fatalf("user %q: got %v", u, err)
			}
		}
	})
	t.Run("ErrInvalidURL", func(t *testing.T) {
		for _, u := range []string{"host=127.0.0.1 user=postgres", "mysql://x/y", "::"} {
			if _, _, err := central.AddDevice(ctx, admin, u, []string{user1}); !errors.Is(err, central.ErrInvalidURL) {
				t.Fatalf("url %q: got %v", u, err)
			}
		}
	})
}

func TestRemoveDevice(t *testing.T) {
	t.Parallel()
	adminURL, admin := MustInit(t)
	ctx := testContext(t)
	devURL, role, err := central.AddDevice(ctx, admin, adminURL, []string{user1})
	if err != nil {
		t.Fatal(err)
	}
	dev, err := pgx.Connect(ctx, devURL)
	if err != nil {
		t.Fatal(err)
	}
	defer dev.Close(ctx)
	if err := central.RemoveDevice(ctx, admin, role); err != nil {
		t.Fatalf("RemoveDevice: %v", err)
	}
	if err := dev.Ping(ctx); err == nil {
		t.Fatal("the removed device's session is still alive")
	}
	if c, err := pgx.Connect(ctx, devURL); err == nil {
		c.Close(ctx)
		t.Fatal("the removed device can still connect")
	}
	if n := countOf(t, admin, `SELECT count(*) FROM pg_roles WHERE rolname = $1`, role); n != 0 {
		t.Fatal("role still exists")
	}
	if n := countOf(t, admin, `SELECT count(*) FROM pam_sync.device_users WHERE role_name = $1`, role); n != 0 {
		t.Fatal("binding still exists")
	}
	if err := central.RemoveDevice(ctx, admin, role); err != nil {
		t.Fatalf("removing twice: %v", err)
	}
	for _, r := range []string{"postgres", "pam_device", "pam_dev_", "authenticated"} {
		if err := central.RemoveDevice(ctx, admin, r); !errors.Is(err, central.ErrNotDevice) {
			t.Fatalf("RemoveDevice(%q): %v, want ErrNotDevice", r, err)
		}
	}
}

// TestPgtestDropsDeviceRoles: a test that creates devices and never
// removes them leaves no role behind (roles outlive databases).
func TestPgtestDropsDeviceRoles(t *testing.T) {
	t.Parallel()
	var role string
	t.Run("Leaky", func(t *testing.T) {
		url, admin := MustInit(t)
		var err error
		_, role, err = central.AddDevice(testContext(t), admin, url, []string{user1})
		if err != nil {
			t.Fatal(err)
		}
	})
	admin := pgtest.Connect(t, pgtest.AdminURL(t))
	if n := countOf(t, admin, `SELECT count(*) FROM pg_roles WHERE rolname = $1`, role); n != 0 {
		t.Fatalf("role %s survived its test database", role)
	}
}
