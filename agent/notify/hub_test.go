package notify_test

import (
	"testing"
	"time"

	"github.com/pam-rv/pamd/agent/notify"
)

func TestPublishReachesOnlyTheUser(t *testing.T) {
	var h notify.Hub
	a := h.Subscribe("a")
	b := h.Subscribe("b")
	defer a.Close()
	defer b.Close()
	if n := h.Publish("a", notify.Notification{Type: "maintenance_due", Title: "Oil change", TS: time.Now()}); n != 1 {
		t.Fatalf("sent to %d", n)
	}
	if got := <-a.C; got.Title != "Oil change" {
		t.Fatalf("got %+v", got)
	}
	select {
	case n := <-b.C:
		t.Fatalf("b got a's notification %+v", n)
	default:
	}
}

func TestSlowSubscriberDropped(t *testing.T) {
	var h notify.Hub
	s := h.Subscribe("a")
	for i := 0; i < 100; i++ { // never read: the buffer fills, then it is dropped
		h.Publish("a", notify.Notification{Type: "x"})
	}
	n := 0
	for range s.C {
		n++
	}
	if n == 0 || n > 16 {
		t.Fatalf("slow subscriber received %d before being dropped", n)
	}
	s.Close() // closing again is harmless
}
