package replica_test

import (
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/schema/schematest"
)

// TestEveryTableRoundTrip pushes a row of every table a device sends, with
// a value in every column (text and integer arrays, JSON, times, decimals
// at their scale), and pulls it into a second device: both equal central.
func TestEveryTableRoundTrip(t *testing.T) {
	// A transaction-mode pooler (Supavisor on 6543, PgBouncer) keeps no
	// named prepared statement past a transaction: pgx then runs unnamed
	// ones (exec, what central.ForPooler picks) or the simple protocol.
	for _, mode := range []string{"", "exec", "simple_protocol"} {
		t.Run("mode="+mode, func(t *testing.T) { everyTableRoundTrip(t, mode) })
	}
}

func everyTableRoundTrip(t *testing.T, mode string) {
	c := newCentral(t)
	a := c.newDeviceMode(t, "rv", mode, userA)
	b := c.newDeviceMode(t, "phone", mode, userA)
	for _, tbl := range syncedTables() {
		if !tbl.Allows(schema.OpCreate) {
			continue
		}
		mustCreate(t, a, userA, tbl.Name, schematest.AwkwardRow(tbl))
	}
	if res := a.sync(t); res.Rejected != 0 {
		t.Fatalf("central refused %d transactions: %+v", res.Rejected, res)
	}
	b.sync(t)
	want := c.snapshot(t, userA)
	if want.rows() == 0 {
		t.Fatal("nothing reached central")
	}
	for _, d := range []*device{a, b} {
		if s := diff(d.snapshot(t, userA), want, d.name, "central"); s != "" {
			t.Fatalf("%s differs from central:\n%s", d.name, s)
		}
	}
}
