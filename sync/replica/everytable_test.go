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
	c := newCentral(t)
	a := c.newDevice(t, "rv", userA)
	b := c.newDevice(t, "phone", userA)
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
