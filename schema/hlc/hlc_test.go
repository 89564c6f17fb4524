package hlc_test

import (
	"testing"
	"time"

	"github.com/pam-rv/pamd/schema/hlc"
)

func TestClockMonotonic(t *testing.T) {
	now := time.UnixMilli(1_000_000)
	c := hlc.NewClock(func() time.Time { return now }, 0)
	a := c.Now()
	b := c.Now() // same millisecond: the counter moves
	if !(b > a) || b.Millis() != a.Millis() || b.Counter() != a.Counter()+1 {
		t.Fatalf("a=%v b=%v", a, b)
	}
	now = now.Add(-time.Hour) // the RTC jumps back: order holds, an anomaly is counted
	if d := c.Now(); !(d > b) {
		t.Fatalf("went backwards: %v after %v", d, b)
	}
	if c.Anomalies() != 1 {
		t.Fatalf("anomalies = %d", c.Anomalies())
	}
}

func TestClockObserveAndHighWater(t *testing.T) {
	epoch := time.Unix(0, 0) // an RTC at 1970
	c := hlc.NewClock(func() time.Time { return epoch }, hlc.New(5_000, 3))
	if got := c.Now(); got != hlc.New(5_000, 4) {
		t.Fatalf("after the persisted high-water mark: %v", got)
	}
	remote := hlc.New(time.Now().UnixMilli(), 7)
	if !c.Observe(remote) {
		t.Fatal("a remote clock far ahead of the wall clock is not flagged")
	}
	if got := c.Now(); got <= remote {
		t.Fatalf("local %v does not order after observed %v", got, remote)
	}
}

func TestCounterCarry(t *testing.T) {
	c := hlc.NewClock(func() time.Time { return time.UnixMilli(10) }, hlc.New(10, 65535))
	if got := c.Now(); got != hlc.New(11, 0) {
		t.Fatalf("carry: %v", got)
	}
}
