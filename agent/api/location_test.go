package api_test

import (
	"context"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/chat"
	"github.com/pam-rv/pamd/agent/offline"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// newLocationEnv serves the location socket and an offline-only assistant
// over a store holding two campsites 1,500 km apart.
func newLocationEnv(t *testing.T, now time.Time) *testEnv {
	t.Helper()
	e := newTestEnv(t)
	ctx := context.Background()
	camps := []schema.Row{
		{"id": "6f1c2d3e-0000-4000-8000-000000000001", "name": "Lake Camp", "type": "campground", "latitude": 45.10, "longitude": -110.20},
		{"id": "6f1c2d3e-0000-4000-8000-000000000002", "name": "Desert Camp", "type": "campground", "latitude": 33.50, "longitude": -112.00},
	}
	if err := e.store.Load(ctx, "camping_locations", camps, localstore.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	reg := tools.NewRegistry(e.store)
	svc := &chat.Service{Model: llm.NewRouter(offline.New(reg)), Tools: reg, Memory: e.store, Logger: discardLogger(),
		Now: func() time.Time { return now }}
	a := api.NewServer(e.store, e.store, e.store.Catalog)
	a.Logger = discardLogger()
	a.Now = func() time.Time { return now }
	a.MountAssistant(svc, reg)
	a.MountLocation(e.store)
	e.srv.Config.Handler = a.Handler()
	return e
}

func dialLocation(t *testing.T, e *testEnv, token, user string) *websocket.Conn {
	t.Helper()
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws/location/" + user
	c, _, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + token}}})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.CloseNow() })
	return c
}

// sendFix sends one fix and returns the daemon's acknowledgement.
func sendFix(t *testing.T, c *websocket.Conn, fix map[string]any) map[string]any {
	t.Helper()
	ctx := context.Background()
	if err := wsjson.Write(ctx, c, fix); err != nil {
		t.Fatal(err)
	}
	var ack map[string]any
	if err := wsjson.Read(ctx, c, &ack); err != nil {
		t.Fatal(err)
	}
	return ack
}

func (e *testEnv) ask(t *testing.T, token, msg string) string {
	t.Helper()
	status, body := e.do(t, token, "POST", "/api/v1/pam/chat", map[string]any{"message": msg})
	if status != 200 {
		t.Fatalf("chat %q: %d %v", msg, status, body)
	}
	reply, _ := body["reply"].(string)
	return reply
}

// TestLocationChangesNearMe: "campsites near me" follows the position a
// phone sends over the location socket.
func TestLocationChangesNearMe(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	e := newLocationEnv(t, now)
	if got := e.ask(t, e.alice, "campsites near me"); !strings.Contains(got, "don't know where you are") {
		t.Fatalf("before any fix: %q", got)
	}
	c := dialLocation(t, e, e.alice, alice)
	ack := sendFix(t, c, map[string]any{"lat": 45.12, "lon": -110.25, "speed": 0, "ts": now.Add(-time.Minute).Format(time.RFC3339)})
	if ack["type"] != "ack" || ack["tracked"] != true || ack["profile"] != true {
		t.Fatalf("first fix: %v", ack)
	}
	got := e.ask(t, e.alice, "campsites near me")
	if !strings.Contains(got, "Lake Camp") || strings.Contains(got, "Desert Camp") {
		t.Fatalf("near the lake: %q", got)
	}
	// 1,500 km south, half a minute later, as epoch seconds.
	ack = sendFix(t, c, map[string]any{"lat": 33.52, "lon": -112.03, "heading": 180, "ts": now.Add(-25 * time.Second).Unix()})
	if ack["tracked"] != true {
		t.Fatalf("second fix: %v", ack)
	}
	// The profile moves at most every 30 s (the change log is not a GPS log).
	e2 := ack["profile"]
	if e2 != false {
		t.Fatalf("profile moved again within 30 s: %v", ack)
	}
	// Bob's answer does not move with Alice.
	if got := e.ask(t, e.bob, "campsites near me"); !strings.Contains(got, "don't know where you are") {
		t.Fatalf("bob: %q", got)
	}
	track, err := e.store.Track(context.Background(), alice, time.Time{}, 10)
	if err != nil || len(track) != 2 || track[1].Heading == nil || *track[1].Heading != 180 {
		t.Fatalf("track = %+v, %v", track, err)
	}
}

// TestLocationThinsAndRefuses: fixes closer than the thinning distance are
// not kept, the profile write is throttled, bad fixes get an error naming
// the field and the socket stays open, another user's path is refused.
func TestLocationThinsAndRefuses(t *testing.T) {
	now := time.Date(2026, 7, 1, 12, 0, 0, 0, time.UTC)
	e := newLocationEnv(t, now)
	c := dialLocation(t, e, e.alice, alice)
	base := now.Add(-10 * time.Minute)
	for i := range 60 { // a minute of 1 Hz fixes creeping 1 m a second
		ack := sendFix(t, c, map[string]any{"lat": 45 + float64(i)*0.00001, "lon": -110.0, "ts": base.Add(time.Duration(i) * time.Second).UnixMilli()})
		if ack["type"] != "ack" {
			t.Fatalf("fix %d: %v", i, ack)
		}
	}
	track, err := e.store.Track(context.Background(), alice, time.Time{}, 100)
	if err != nil || len(track) != 1 {
		t.Fatalf("a minute parked kept %d points (want 1): %v", len(track), err)
	}
	for _, bad := range []struct {
		fix  map[string]any
		want string
	}{
		{map[string]any{"lat": 91, "lon": 0}, "lat"},
		{map[string]any{"lat": 0, "lon": -181}, "lon"},
		{map[string]any{"lon": 10}, "lat and lon"},
		{map[string]any{"lat": 1, "lon": 1, "speed": -3}, "speed"},
		{map[string]any{"lat": 1, "lon": 1, "heading": 360}, "heading"},
		{map[string]any{"lat": 1, "lon": 1, "ts": "yesterday"}, "RFC 3339"},
		{map[string]any{"lat": 1, "lon": 1, "ts": now.Add(time.Hour).Unix()}, "future"},
		{map[string]any{"lat": "north", "lon": 1}, "send"},
	} {
		ack := sendFix(t, c, bad.fix)
		if ack["type"] != "error" || ack["code"] != schema.EINVALID || !strings.Contains(ack["error"].(string), bad.want) {
			t.Errorf("%v: %v (want an invalid error naming %q)", bad.fix, ack, bad.want)
		}
	}
	// Still open after the bad fixes.
	if ack := sendFix(t, c, map[string]any{"lat": 46, "lon": -110}); ack["type"] != "ack" || ack["tracked"] != true {
		t.Fatalf("after bad fixes: %v", ack)
	}
	url := "ws" + strings.TrimPrefix(e.srv.URL, "http") + "/ws/location/" + bob
	_, resp, err := websocket.Dial(context.Background(), url, &websocket.DialOptions{
		HTTPHeader: http.Header{"Authorization": {"Bearer " + e.alice}}})
	if err == nil || resp == nil || resp.StatusCode != http.StatusForbidden {
		t.Fatalf("alice on bob's location socket: %v %v", resp, err)
	}
}
