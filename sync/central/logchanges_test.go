package central_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestLogChangesNumbering: log_changes numbers a push's entries per scope
// from the scope's clock, in the order the device sent them, whether the
// entries come grouped by scope (numbered by position) or interleaved
// (ranked within their scope); arrays of unequal length are refused.
func TestLogChangesNumbering(t *testing.T) {
	t.Parallel()
	adminURL, admin := MustInit(t)
	ctx := testContext(t)
	const devA = "0197a000-0000-7000-8000-0000000e0301"
	dev, _ := MustAddDevice(t, admin, adminURL, user1, user2)
	// user2 has a clock already: a central write.
	insertExpense(t, admin, other1, user2, "2")
	clock := func(user string) int64 {
		return countOf(t, admin, `SELECT coalesce((SELECT seq FROM pam_sync.user_clock WHERE user_id = $1), 0)`, user)
	}
	log := func(users []string, first int64) error {
		n := len(users)
		tbls, ids, cells := make([]string, n), make([]string, n), make([]string, n)
		cls, origins, hlcs := make([]int64, n), make([]int64, n), make([]int64, n)
		for i := range users {
			tbls[i], ids[i], cells[i] = "expenses", fmt.Sprintf("0197a000-0000-7000-8000-%012d", first+int64(i)), "{}"
			cls[i], origins[i], hlcs[i] = 1, first+int64(i), time.Now().UnixMilli()<<16
		}
		return inPush(ctx, dev, devA, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `SELECT pam_sync.log_changes($1, $2::text[], $3::text[], $4::text[], $5::bigint[], $6::text[], $7::bigint[], $8::bigint[])`,
				devA, users, tbls, ids, cls, cells, origins, hlcs)
			return err
		})
	}
	// want: each scope's entries above its clock, in origin order, no gap.
	check := func(user string, from int64, origins ...int64) {
		t.Helper()
		rows, err := admin.Query(ctx, `SELECT seq, origin_seq FROM pam_sync.change_log WHERE user_id = $1 AND seq > $2 ORDER BY seq`, user, from)
		if err != nil {
			t.Fatal(err)
		}
		var got, want []string
		for rows.Next() {
			var seq, origin int64
			rows.Scan(&seq, &origin)
			got = append(got, fmt.Sprintf("%d:%d", seq, origin))
		}
		for i, o := range origins {
			want = append(want, fmt.Sprintf("%d:%d", from+1+int64(i), o))
		}
		if strings.Join(got, " ") != strings.Join(want, " ") {
			t.Fatalf("%s's log: %v, want %v", user, got, want)
		}
		if c := clock(user); c != from+int64(len(origins)) {
			t.Fatalf("%s's clock %d, want %d", user, c, from+int64(len(origins)))
		}
	}
	c1, c2 := clock(user1), clock(user2)
	if err := log([]string{user2, user2, user1, user1, user1}, 1); err != nil {
		t.Fatalf("grouped: %v", err)
	}
	check(user1, c1, 3, 4, 5)
	check(user2, c2, 1, 2)
	c1, c2 = clock(user1), clock(user2)
	if err := log([]string{user1, user2, user1, user2, user2, user1}, 11); err != nil {
		t.Fatalf("interleaved: %v", err)
	}
	check(user1, c1, 11, 13, 16)
	check(user2, c2, 12, 14, 15)
	// One scope, written as its uuid in two spellings: still one range.
	c1 = clock(user1)
	if err := log([]string{user1, strings.ToUpper(user1), user1}, 21); err != nil {
		t.Fatalf("two spellings: %v", err)
	}
	check(user1, c1, 21, 22, 23)
	c1 = clock(user1)
	if err := log([]string{user1, user1, strings.ToUpper(user1)}, 31); err != nil {
		t.Fatalf("two spellings, grouped: %v", err)
	}
	check(user1, c1, 31, 32, 33)

	err := inPush(ctx, dev, devA, func(tx pgx.Tx) error {
		_, err := tx.Exec(ctx, `SELECT pam_sync.log_changes($1, ARRAY[$2, $2], '{expenses}', ARRAY[$3], '{1}', '{"{}"}', '{1}', ARRAY[$4::bigint])`,
			devA, user1, own1, time.Now().UnixMilli()<<16)
		return err
	})
	if sqlState(err) != "22023" {
		t.Fatalf("arrays of unequal length: %v, want SQLSTATE 22023", err)
	}
}
