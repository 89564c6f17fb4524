package central_test

import (
	"errors"
	"fmt"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/sync/central/pgtest"
)

// TestConcurrentSeq: 8 writers commit 200 single-row transactions each for
// the same user while a reader pulls with a "seq > cursor" cursor. The
// sequence must be 1..1600 without gaps, every page the reader sees must be
// contiguous from its cursor (a later commit never carries a smaller seq),
// and the reader must end up with every row: it never skipped one.
func TestConcurrentSeq(t *testing.T) {
	t.Parallel()
	url, admin := MustInit(t)
	const writers, perWriter = 8, 200
	ctx := testContext(t)

	conns := make([]*pgx.Conn, writers)
	for i := range conns {
		conns[i] = pgtest.Connect(t, url)
	}
	reader := pgtest.Connect(t, url)

	done := make(chan struct{})
	errs := make([]error, writers)
	var wg sync.WaitGroup
	for w, c := range conns {
		wg.Go(func() {
			for i := range perWriter {
				id := fmt.Sprintf("0197a000-0000-7000-8%03d-%012d", w, i)
				if _, err := c.Exec(ctx, `INSERT INTO expenses (id, user_id, amount, category, date) VALUES ($1, $2, 1, 'fuel', '2025-06-01')`, id, user1); err != nil {
					errs[w] = err
					return
				}
			}
		})
	}
	go func() {
		wg.Wait()
		close(done)
	}()

	seen := map[string]int64{}
	var cursor int64
	poll := func() error {
		rows, err := reader.Query(ctx, `SELECT seq, row_id::text FROM pam_sync.change_log WHERE user_id = $1 AND seq > $2 ORDER BY seq`, user1, cursor)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var seq int64
			var id string
			if err := rows.Scan(&seq, &id); err != nil {
				return err
			}
			if seq != cursor+1 {
				return fmt.Errorf("reader at cursor %d saw seq %d: a gap that a later commit would fill", cursor, seq)
			}
			if _, dup := seen[id]; dup {
				return fmt.Errorf("row %s delivered twice", id)
			}
			seen[id] = seq
			cursor = seq
		}
		return rows.Err()
	}
	polls := 0
	for running := true; running; polls++ {
		select {
		case <-done:
			running = false
		default:
		}
		if err := poll(); err != nil {
			<-done
			t.Fatal(err)
		}
	}
	if err := errors.Join(errs...); err != nil {
		t.Fatalf("writer: %v", err)
	}
	if err := poll(); err != nil {
		t.Fatal(err)
	}
	if cursor != writers*perWriter || len(seen) != writers*perWriter {
		t.Fatalf("reader ended at seq %d with %d rows, want %d", cursor, len(seen), writers*perWriter)
	}
	if n := countOf(t, admin, `SELECT count(*) FROM expenses`); n != writers*perWriter {
		t.Fatalf("%d rows written", n)
	}
	if n := countOf(t, admin, `SELECT max(seq) - min(seq) + 1 - count(*) FROM pam_sync.change_log WHERE user_id = $1`, user1); n != 0 {
		t.Fatalf("%d gaps in the sequence", n)
	}
	t.Logf("reader polled %d times while %d transactions committed", polls, writers*perWriter)
}
