package api

import (
	"context"
	"encoding/json"
	"errors"
	"math"
	"net/http"
	"time"

	"github.com/coder/websocket/wsjson"

	"github.com/pam-rv/pamd/schema"
)

// TrackStore keeps where the vehicle has been.
type TrackStore interface {
	AddFix(ctx context.Context, user string, f schema.Fix) error
	LastFix(ctx context.Context, user string) (schema.Fix, bool, error)
}

// Thinning: a GPS reports every second or so; what "near me" and a travel
// log need is far less. A fix joins the track once the vehicle has moved
// trackEveryKm or trackEvery has passed; the profile's position (which
// syncs) moves only after profileEveryKm, and at most every
// profileMinInterval, so a chatty or hostile client cannot flood the change
// log.
const (
	trackEveryKm       = 0.1
	trackEvery         = time.Hour
	trackMinInterval   = time.Second
	profileEveryKm     = 0.2
	profileMinInterval = 30 * time.Second
	// fixFuture is how far ahead of the daemon's clock a fix may be dated.
	fixFuture = 10 * time.Minute
)

// MountLocation serves /ws/location/{user_id}: the client sends
// {"lat", "lon", "speed"?, "heading"?, "ts"?} and gets an ack per fix
// saying what was kept.
func (s *Server) MountLocation(track TrackStore) {
	s.Handle("GET /ws/location/{user_id}", func(w http.ResponseWriter, r *http.Request, user string) {
		conn := s.acceptSocket(w, r, user)
		if conn == nil {
			return
		}
		defer conn.CloseNow()
		conn.SetReadLimit(4 << 10)
		ctx := r.Context()
		l := &locator{s: s, track: track, user: user}
		if last, ok, err := track.LastFix(ctx, user); err == nil && ok {
			l.lastTrack = last
		}
		for {
			var raw json.RawMessage
			if err := wsjson.Read(ctx, conn, &raw); err != nil {
				return
			}
			reply := l.receive(ctx, raw)
			if wsjson.Write(ctx, conn, reply) != nil {
				return
			}
		}
	})
}

// locator holds one connection's thinning state.
type locator struct {
	s     *Server
	track TrackStore
	user  string

	lastTrack   schema.Fix // zero until a fix is kept
	lastProfile schema.Fix // zero until the profile moved on this connection
	profileAt   time.Time  // when the profile was last written (daemon clock)
}

// locationAck answers each fix.
type locationAck struct {
	Type    string `json:"type"` // "ack" or "error"
	Error   string `json:"error,omitempty"`
	Code    string `json:"code,omitempty"`
	Tracked bool   `json:"tracked"` // kept in the travel log
	Profile bool   `json:"profile"` // the profile's current position moved
}

func (l *locator) receive(ctx context.Context, raw json.RawMessage) locationAck {
	f, err := parseFix(raw, l.s.Now())
	if err == nil {
		var ack locationAck
		ack, err = l.keep(ctx, f)
		if err == nil {
			return ack
		}
	}
	msg := "Internal error."
	if e := (*schema.Error)(nil); errors.As(err, &e) {
		msg = e.Message
	} else {
		l.s.Logger.Error("location", "user", l.user, "err", err)
	}
	return locationAck{Type: "error", Error: msg, Code: schema.ErrorCode(err)}
}

// keep stores what the thinning rules let through.
func (l *locator) keep(ctx context.Context, f schema.Fix) (locationAck, error) {
	ack := locationAck{Type: "ack"}
	if l.lastTrack.At.IsZero() || (f.At.Sub(l.lastTrack.At) >= trackMinInterval &&
		(f.DistanceKm(l.lastTrack) >= trackEveryKm || f.At.Sub(l.lastTrack.At) >= trackEvery)) {
		if err := l.track.AddFix(ctx, l.user, f); err != nil {
			return ack, err
		}
		l.lastTrack, ack.Tracked = f, true
	}
	now := l.s.Now()
	newest := !f.At.Before(l.lastTrack.At)
	if newest && (l.profileAt.IsZero() ||
		(f.DistanceKm(l.lastProfile) >= profileEveryKm && now.Sub(l.profileAt) >= profileMinInterval)) {
		if err := l.moveProfile(ctx, f); err != nil {
			return ack, err
		}
		l.lastProfile, l.profileAt, ack.Profile = f, now, true
	}
	return ack, nil
}

// moveProfile sets the profile's current position, creating the profile
// of a user who has none yet.
func (l *locator) moveProfile(ctx context.Context, f schema.Fix) error {
	pos := schema.Row{"current_latitude": f.Lat, "current_longitude": f.Lon}
	_, err := l.s.Store.Update(ctx, l.user, "profiles", l.user, pos)
	if schema.ErrorCode(err) == schema.ENOTFOUND {
		pos["id"] = l.user
		_, err = l.s.Store.Create(ctx, l.user, "profiles", pos)
	}
	return err
}

// fixMessage is a fix as phones send it; ts is RFC 3339 or epoch seconds
// or milliseconds, and the daemon's clock when absent.
type fixMessage struct {
	Lat     *float64        `json:"lat"`
	Lon     *float64        `json:"lon"`
	Speed   *float64        `json:"speed"`
	Heading *float64        `json:"heading"`
	TS      json.RawMessage `json:"ts"`
}

func parseFix(raw json.RawMessage, now time.Time) (schema.Fix, error) {
	var m fixMessage
	if err := json.Unmarshal(raw, &m); err != nil {
		return schema.Fix{}, schema.Errorf(schema.EINVALID, `send {"lat": .., "lon": .., "speed"?, "heading"?, "ts"?}: %v`, err)
	}
	if m.Lat == nil || m.Lon == nil {
		return schema.Fix{}, schema.Errorf(schema.EINVALID, "lat and lon are required")
	}
	at, err := parseFixTime(m.TS, now)
	if err != nil {
		return schema.Fix{}, err
	}
	f := schema.Fix{Lat: *m.Lat, Lon: *m.Lon, Speed: m.Speed, Heading: m.Heading, At: at}
	if err := f.Validate(); err != nil {
		return schema.Fix{}, err
	}
	return f, nil
}

func parseFixTime(raw json.RawMessage, now time.Time) (time.Time, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return now.UTC(), nil
	}
	var at time.Time
	var n float64
	var str string
	switch {
	case json.Unmarshal(raw, &n) == nil:
		if math.IsNaN(n) || n <= 0 || n > 1e14 {
			return time.Time{}, schema.Errorf(schema.EINVALID, "ts: %v is not a time", n)
		}
		if n < 1e11 { // seconds; milliseconds past 1973 are larger
			n *= 1000
		}
		at = time.UnixMilli(int64(n)).UTC()
	case json.Unmarshal(raw, &str) == nil:
		t, err := time.Parse(time.RFC3339Nano, str)
		if err != nil {
			return time.Time{}, schema.Errorf(schema.EINVALID, "ts: %q is not an RFC 3339 time", str)
		}
		at = t.UTC()
	default:
		return time.Time{}, schema.Errorf(schema.EINVALID, "ts: give an RFC 3339 time or epoch seconds")
	}
	if at.After(now.Add(fixFuture)) {
		return time.Time{}, schema.Errorf(schema.EINVALID, "ts: %s is in the future (the daemon's clock says %s)",
			at.Format(time.RFC3339), now.UTC().Format(time.RFC3339))
	}
	return at, nil
}
