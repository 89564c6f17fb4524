package central_test

import (
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/sync/central"
)

// TestDeviceCannotForge connects as a device role bound to user1 and tries,
// one subtest per attempt, every way found to forge central state for
// another user or to step outside the sync contract. Each must be refused
// and leave user2's data as it was.
func TestDeviceCannotForge(t *testing.T) {
	t.Parallel()
	adminURL, admin := MustInit(t)
	ctx := testContext(t)
	const (
		groupB  = "0197a000-0000-7000-8000-0000000f0201" // user2's social group
		devA    = "0197a000-0000-7000-8000-0000000e0201"
		devB    = "0197a000-0000-7000-8000-0000000e0202"
		profile = "u2@example.org"
	)
	insertExpense(t, admin, other1, user2, "30.00")
	const gone = "0197a000-0000-7000-8000-0000000f0205" // user2's, deleted
	insertExpense(t, admin, gone, user2, "5.00")
	mustExec(t, admin, `DELETE FROM expenses WHERE id = $1`, gone)
	mustExec(t, admin, `INSERT INTO profiles (id, email) VALUES ($1, $2)`, user2, profile)
	mustExec(t, admin, `INSERT INTO social_groups (id, owner_id, name) VALUES ($1, $2, 'B group')`, groupB, user2)
	// The web app's policies as it has them: permissive, no TO clause, so
	// they apply to every role, device roles included.
	for _, tbl := range []string{"expenses", "profiles"} {
		col := "user_id"
		if tbl == "profiles" {
			col = "id"
		}
		mustExec(t, admin, `CREATE POLICY webapp_own ON `+tbl+` FOR ALL USING (auth.uid() = `+col+`) WITH CHECK (auth.uid() = `+col+`)`)
	}
	devB2, _ := MustAddDevice(t, admin, adminURL, user2)
	if err := inPush(ctx, devB2, devB, func(pgx.Tx) error { return nil }); err != nil {
		t.Fatalf("register user2's device: %v", err)
	}
	dev, _ := MustAddDevice(t, admin, adminURL, user1)
	metaB := func() string {
		var s string
		admin.QueryRow(ctx, `SELECT cl || ' ' || cells::text FROM pam_sync.row_meta WHERE tbl = 'social_groups' AND row_id = $1`, groupB).Scan(&s)
		return s
	}
	before := metaB()
	clockB := countOf(t, admin, `SELECT seq FROM pam_sync.user_clock WHERE user_id = $1`, user2)

	t.Run("ForgedClaimsThroughWebAppPolicies", func(t *testing.T) {
		err := pgx.BeginFunc(ctx, dev, func(tx pgx.Tx) error {
			mustExec(t, tx, `SELECT set_config('request.jwt.claims', $1, true)`, `{"sub":"`+user2+`","role":"authenticated"}`)
			var claimed string
			tx.QueryRow(ctx, `SELECT auth.uid()::text`).Scan(&claimed)
			if claimed != user2 {
				t.Fatalf("auth.uid() = %q: the claim did not take, the test proves nothing", claimed)
			}
			if n := countOf(t, tx.Conn(), `SELECT count(*) FROM expenses WHERE user_id = $1`, user2); n != 0 {
				t.Errorf("reads %d of user2's expenses", n)
			}
			if n := countOf(t, tx.Conn(), `SELECT count(*) FROM profiles WHERE email = $1`, profile); n != 0 {
				t.Errorf("reads user2's profile e-mail")
			}
			if tag := mustExec(t, tx, `UPDATE profiles SET full_name = 'pwned' WHERE id = $1`, user2); tag.RowsAffected() != 0 {
				t.Errorf("updated user2's profile")
			}
			if tag := mustExec(t, tx, `DELETE FROM expenses WHERE user_id = $1`, user2); tag.RowsAffected() != 0 {
				t.Errorf("deleted user2's expenses")
			}
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		err = pgx.BeginFunc(ctx, dev, func(tx pgx.Tx) error {
			mustExec(t, tx, `SELECT set_config('request.jwt.claims', $1, true)`, `{"sub":"`+user2+`"}`)
			_, err := tx.Exec(ctx, `INSERT INTO expenses (id, user_id, amount, category, date) VALUES ('0197a000-0000-7000-8000-0000000f0202', $1, 1, 'fuel', '2025-06-01')`, user2)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "insert as user2 with forged claims")
	})

	t.Run("RowMetaOfAnotherUsersSharedRow", func(t *testing.T) {
		_, err := dev.Exec(ctx, `UPDATE pam_sync.row_meta SET cl = 2, cells = '{"name":{"t":9000000000000000000,"n":"zzzz"}}' WHERE tbl = 'social_groups' AND row_id = $1`, groupB)
		wantCode(t, err, codeInsufficientPrivilege, "direct update of user2's group versions")
		err = inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.put_versions($1, '{social_groups}', ARRAY[$2], ARRAY[$3], '{2}', ARRAY['{"name":{"t":9000000000000000000,"n":"zzzz"}}'])`,
				devA, groupB, central.SharedScope)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "put_versions on user2's group")
		if got := metaB(); got != before {
			t.Fatalf("user2's group versions changed: %q, want %q", got, before)
		}
	})

	t.Run("ClaimAnotherUsersRowUnderOwnScope", func(t *testing.T) {
		err := inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.put_versions($1, '{expenses}', ARRAY[$2], ARRAY[$3], '{2}', '{"{}"}')`, devA, other1, user1)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "versions of user2's expense filed under user1")
	})

	t.Run("VersionsOfAnotherUsersDeletedRow", func(t *testing.T) {
		// user2's expense is gone from the table, its versions (a
		// tombstone in user2's scope) are not: filing new ones under user1
		// finds no base row to refuse it by, only the versions' owner.
		tomb := func() string {
			var s string
			admin.QueryRow(ctx, `SELECT user_id || ' ' || cl || ' ' || cells::text FROM pam_sync.row_meta WHERE tbl = 'expenses' AND row_id = $1`, gone).Scan(&s)
			return s
		}
		before := tomb()
		if !strings.HasPrefix(before, user2+" 2 ") {
			t.Fatalf("tombstone %q, want user2's at cl 2: the test proves nothing", before)
		}
		err := inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.put_versions($1, '{expenses,expenses}', ARRAY[$2, $3], ARRAY[$4, $4], '{1,3}', ARRAY['{}', '{"amount":{"t":9000000000000000000,"n":"zzzz"}}'])`,
				devA, "0197a000-0000-7000-8000-0000000f0206", gone, user1)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "versions of user2's deleted expense filed under user1")
		if got := tomb(); got != before {
			t.Fatalf("user2's tombstone changed: %q, want %q", got, before)
		}
	})

	t.Run("ResetClock", func(t *testing.T) {
		for _, sql := range []string{
			`UPDATE pam_sync.user_clock SET seq = 0`,
			`INSERT INTO pam_sync.user_clock (user_id, seq) VALUES ('` + user1 + `', 0) ON CONFLICT (user_id) DO UPDATE SET seq = 0`,
		} {
			_, err := dev.Exec(ctx, sql)
			wantCode(t, err, codeInsufficientPrivilege, sql)
		}
		if n := countOf(t, admin, `SELECT seq FROM pam_sync.user_clock WHERE user_id = $1`, user2); n != clockB {
			t.Fatalf("user2's clock %d, want %d", n, clockB)
		}
	})

	t.Run("ServerOriginEntry", func(t *testing.T) {
		_, err := dev.Exec(ctx, `INSERT INTO pam_sync.change_log (user_id, seq, tbl, row_id, cl, origin) VALUES ($1, 999, 'expenses', $2, 1, 'server')`, user1, own1)
		wantCode(t, err, codeInsufficientPrivilege, "direct change_log insert with origin server")
		// Through the function, origin and node are the device's, whatever it wants.
		const id = "0197a000-0000-7000-8000-0000000f0203"
		err = inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.log_changes($1, ARRAY[$2], '{expenses}', ARRAY[$3], '{1}', '{"{}"}', '{1}', ARRAY[$4::bigint])`, devA, user1, id, time.Now().UnixMilli()<<16)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		var origin string
		admin.QueryRow(ctx, `SELECT origin FROM pam_sync.change_log WHERE row_id = $1`, id).Scan(&origin)
		if origin != devA {
			t.Fatalf("logged origin %q, want the device %s", origin, devA)
		}
	})

	t.Run("LogForAnotherUser", func(t *testing.T) {
		err := inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.log_changes($1, ARRAY[$2], '{expenses}', ARRAY[$3], '{1}', '{"{}"}', '{1}', ARRAY[$4::bigint])`, devA, user2, other1, time.Now().UnixMilli()<<16)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "log_changes for user2")
	})

	t.Run("FarFutureVersion", func(t *testing.T) {
		err := inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.log_changes($1, ARRAY[$2], '{expenses}', ARRAY[$3], '{1}', '{"{}"}', '{1}', '{9000000000000000000}')`, devA, user1, own1)
			return err
		})
		if sqlState(err) != "22008" {
			t.Fatalf("a version far ahead of the server's clock: %v, want SQLSTATE 22008", err)
		}
	})

	t.Run("SkipCaptureWithOrigin", func(t *testing.T) {
		const id = "0197a000-0000-7000-8000-0000000f0204"
		err := pgx.BeginFunc(ctx, dev, func(tx pgx.Tx) error {
			mustExec(t, tx, `SELECT set_config('pam_sync.origin', $1, true)`, devA)
			insertExpense(t, tx, id, user1, "1.00")
			return nil
		})
		if err != nil {
			t.Fatal(err)
		}
		if n := countOf(t, admin, `SELECT count(*) FROM pam_sync.change_log WHERE row_id = $1 AND origin = 'server'`, id); n != 1 {
			t.Fatalf("%d captured entries for a write tagged with an origin outside a push, want 1", n)
		}
	})

	t.Run("FunctionsOutsideAPush", func(t *testing.T) {
		_, err := dev.Exec(ctx, `SELECT pam_sync.log_changes($1, ARRAY[$2], '{expenses}', ARRAY[$3], '{1}', '{"{}"}', '{1}', '{1}')`, devA, user1, own1)
		wantCode(t, err, codeInsufficientPrivilege, "log_changes without begin_push")
		_, err = dev.Exec(ctx, `SELECT pam_sync.begin_push($1)`, devB)
		wantCode(t, err, codeInsufficientPrivilege, "begin_push of user2's device")
		err = pgx.BeginFunc(ctx, dev, func(tx pgx.Tx) error {
			mustExec(t, tx, `SELECT pam_sync.begin_push($1)`, devA)
			_, err := tx.Exec(ctx, `SELECT pam_sync.end_push($1, '{1}', '{1}', '{1}', '{applied}', '{NULL}', 1, 1, '')`, devB)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "end_push for user2's device")
	})

	t.Run("ConflictForAnotherUser", func(t *testing.T) {
		err := inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.add_conflicts($1, ARRAY[$2], '{expenses}', ARRAY[$3], '{amount}', '{"1"}', '{"2"}', '{older_write}')`, devA, user2, other1)
			return err
		})
		wantCode(t, err, codeInsufficientPrivilege, "conflict in user2's ledger")
	})

	t.Run("SharedScopeID", func(t *testing.T) {
		_, err := dev.Exec(ctx, `INSERT INTO expenses (id, user_id, amount, category, date) VALUES ($1, $2, 1, 'fuel', '2025-06-01')`, central.SharedScope, user1)
		wantCode(t, err, codeInsufficientPrivilege, "a row with the shared-scope id")
	})

	t.Run("Session", func(t *testing.T) {
		report, err := central.Harden(ctx, admin)
		if err != nil {
			t.Fatalf("Harden: %v", err)
		}
		t.Logf("harden:\n%s", report)
		_, err = dev.Exec(ctx, `CREATE TEMP TABLE junk (x int)`)
		wantCode(t, err, codeInsufficientPrivilege, "create a temp table")
		var idle string
		dev.QueryRow(ctx, `SHOW idle_in_transaction_session_timeout`).Scan(&idle)
		if idle == "0" {
			t.Fatalf("idle_in_transaction_session_timeout is off for the device role")
		}
	})

	if n := countOf(t, admin, `SELECT count(*) FROM expenses WHERE user_id = $1 AND amount = 30`, user2); n != 1 {
		t.Fatalf("user2's expense changed")
	}
}
