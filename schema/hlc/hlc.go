// Package hlc is the hybrid logical clock that orders every change in PAM:
// 48 bits of Unix milliseconds and a 16-bit counter in one uint64, so that
// clocks compare as integers and survive a wrong real-time clock. The device
// and the central database use the same layout.
package hlc

import (
	"fmt"
	"sync"
	"time"
)

// Timestamp is a hybrid logical clock reading.
type Timestamp uint64

const counterBits = 16

// New composes a timestamp from milliseconds and a counter.
func New(ms int64, counter uint16) Timestamp {
	if ms < 0 {
		ms = 0
	}
	return Timestamp(uint64(ms)<<counterBits | uint64(counter))
}

// Millis is the physical part, Unix milliseconds.
func (t Timestamp) Millis() int64 { return int64(t >> counterBits) }

// Counter is the logical part.
func (t Timestamp) Counter() uint16 { return uint16(t) }

// Time is the physical part as a time.
func (t Timestamp) Time() time.Time { return time.UnixMilli(t.Millis()).UTC() }

func (t Timestamp) String() string {
	return fmt.Sprintf("%s/%d", t.Time().Format("2006-01-02T15:04:05.000Z"), t.Counter())
}

// MaxDrift is how far ahead of the local wall clock a remote timestamp may be
// before the clock records an anomaly. It never refuses the timestamp: a
// wrong RTC must not stop sync.
const MaxDrift = 5 * time.Minute

// Clock issues strictly increasing timestamps. It is safe for concurrent use.
type Clock struct {
	now func() time.Time

	mu   sync.Mutex // guards last and anomalies
	last Timestamp
	// Anomalies counts remote timestamps seen more than MaxDrift ahead of
	// the wall clock, and local wall clocks that went backwards.
	anomalies int
}

// NewClock returns a clock reading wall time from now, never issuing a
// timestamp at or below last (the persisted high-water mark).
func NewClock(now func() time.Time, last Timestamp) *Clock {
	return &Clock{now: now, last: last}
}

// Now returns a timestamp greater than every one issued or observed before.
func (c *Clock) Now() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	wall := New(c.now().UnixMilli(), 0)
	if wall > c.last {
		c.last = wall
	} else {
		if wall.Millis() < c.last.Millis()-MaxDrift.Milliseconds() {
			c.anomalies++
		}
		c.last = c.advance(c.last)
	}
	return c.last
}

// Observe merges a remote timestamp so that later local timestamps order
// after it. It reports whether the remote clock looked anomalous.
func (c *Clock) Observe(remote Timestamp) (anomalous bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	wallMs := c.now().UnixMilli()
	if remote.Millis() > wallMs+MaxDrift.Milliseconds() {
		c.anomalies++
		anomalous = true
	}
	if remote > c.last {
		c.last = remote
	}
	return anomalous
}

// Last is the highest timestamp issued or observed.
func (c *Clock) Last() Timestamp {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.last
}

// Anomalies is the number of clock anomalies seen since the clock was made.
func (c *Clock) Anomalies() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.anomalies
}

// advance moves past t by one tick, carrying into the milliseconds when the
// counter is exhausted.
func (c *Clock) advance(t Timestamp) Timestamp {
	if t.Counter() == 1<<counterBits-1 {
		return New(t.Millis()+1, 0)
	}
	return t + 1
}
