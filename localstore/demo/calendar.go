package demo

import (
	"fmt"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

type calEvent struct {
	id, title, desc, location, typ, color string
	created, start, end                   time.Time
	allDay, private                       bool
	reminders                             []any
	trip                                  int // index into itinerary trips, -1 for none
}

// genCalendar is the person's calendar over the history and the planned
// months ahead: the trips, service appointments, birthdays, reminders and
// holidays.
func genCalendar(w *world, it *itinerary, p *person) []calEvent {
	r := w.rng("calendar_events/" + p.id)
	var out []calEvent
	allDay := func(from, to int) (time.Time, time.Time) {
		return w.at(from, 0), w.at(to, 86399)
	}
	booked := func(d int) time.Time {
		// Put in the calendar ahead of time, never in the future.
		if d > w.today {
			d = w.today - between(r, 1, 40)
		}
		return w.past(d, between(r, 18*3600, 22*3600))
	}
	inRange := func(d int) bool { return d >= w.h0 && d <= w.end }

	for i, t := range it.trips {
		if t.end < w.h0 || t.start > w.end {
			continue
		}
		names := make([]string, len(t.stops))
		for j, s := range t.stops {
			names[j] = places[s.place].Name
		}
		s, e := allDay(t.start, t.end)
		desc := fmt.Sprintf("%d days: %s.", t.end-t.start+1, strings.Join(names, " → "))
		if t.winter {
			desc += " Short trip from our winter base; the site stays rented."
		}
		out = append(out, calEvent{
			title: t.title, desc: desc, location: places[t.stops[0].place].Label(), typ: "trip",
			color: "#10b981", created: booked(t.start - between(r, 14, 60)), start: s, end: e,
			allDay: true, reminders: []any{1440, 10080}, trip: i,
		})
	}
	for _, sv := range p.rv.services {
		if sv.task != "service" && sv.task != "brake_service" && sv.task != "generator_service" && sv.status == "completed" {
			continue
		}
		start := w.at(sv.day, between(r, 8, 10)*3600)
		created := booked(sv.day - between(r, 5, 21))
		if sv.status != "completed" {
			created = sv.at
		}
		out = append(out, calEvent{
			title: serviceLabel(sv.task) + ": " + p.rig, desc: sv.notes, location: sv.provider, typ: "maintenance",
			color: "#f59e0b", created: created, start: start, end: start.Add(time.Duration(between(r, 2, 5)) * time.Hour),
			reminders: []any{1440, 120}, trip: -1,
		})
	}
	for y := w.civil(w.h0).Year(); y <= w.civil(w.end).Year(); y++ {
		type yearly struct {
			title   string
			month   int
			day     int
			typ     string
			minutes int // 0 = all day
		}
		ev := []yearly{
			{"My birthday", p.birthday[0], p.birthday[1], "birthday", 0},
			{p.partner.first + "'s birthday", p.partner.birthday[0], p.partner.birthday[1], "birthday", 0},
			{p.family + "'s birthday", p.familyBirthday[0], p.familyBirthday[1], "birthday", 0},
		}
		if p.idx == 0 {
			ev = append(ev,
				yearly{"Renew RV and CR-V registration (Polk County, TX)", 1, 20, "reminder", 30},
				yearly{"Check roof seals and reseal before winter", 10, 25, "reminder", 60})
		} else {
			ev = append(ev,
				yearly{"Quarterly estimated taxes due", 1, 15, "reminder", 30},
				yearly{"Quarterly estimated taxes due", 4, 15, "reminder", 30},
				yearly{"Quarterly estimated taxes due", 6, 15, "reminder", 30},
				yearly{"Quarterly estimated taxes due", 9, 15, "reminder", 30},
				yearly{"Sanitize the fresh water tank", 3, 1, "reminder", 90})
		}
		for _, e := range ev {
			d := w.dayYMD(y, time.Month(e.month), e.day)
			if !inRange(d) {
				continue
			}
			c := calEvent{title: e.title, typ: e.typ, trip: -1, created: booked(d - between(r, 30, 200))}
			switch e.typ {
			case "birthday":
				c.color, c.allDay, c.reminders = "#ec4899", true, []any{1440, 10080}
				c.start, c.end = allDay(d, d)
				if e.title != "My birthday" {
					c.desc = "Call, and send a card a week ahead."
				}
			default:
				c.color, c.reminders = "#3b82f6", []any{1440}
				c.start = w.at(d, 9*3600)
				c.end = c.start.Add(time.Duration(e.minutes) * time.Minute)
			}
			out = append(out, c)
		}
		// Holidays at the winter base.
		park := winterBases[it.baseFor(y)].Park
		thanks := w.dayYMD(y, time.November, 1)
		thanks += (int(time.Thursday)-int(w.civil(thanks).Weekday())+7)%7 + 21
		for _, h := range []struct {
			d     int
			title string
		}{{thanks, "Thanksgiving potluck at " + park}, {w.dayYMD(y, time.December, 25), "Christmas at " + park}} {
			if !inRange(h.d) {
				continue
			}
			start := w.at(h.d, 14*3600)
			out = append(out, calEvent{title: h.title, location: park, typ: "holiday", color: "#ef4444", trip: -1,
				desc: "Bring a dish to share; clubhouse opens at 2 pm.", created: booked(h.d - between(r, 10, 40)),
				start: start, end: start.Add(5 * time.Hour), reminders: []any{1440}})
		}
	}
	ids := w.ids("calendar_events/" + p.id)
	for i := range out {
		out[i].id = ids.at(out[i].created)
	}
	return out
}

func loadCalendar(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	evs := genCalendar(w, it, p)
	p.tripEvents = make(map[int]string)
	for _, e := range evs {
		if e.trip >= 0 {
			p.tripEvents[e.trip] = e.id
		}
	}
	err := l.load("calendar_events", len(evs), func(i int) schema.Row {
		e := &evs[i]
		row := schema.Row{
			"id":               e.id,
			"user_id":          p.id,
			"title":            e.title,
			"start_date":       ts(e.start),
			"end_date":         ts(e.end),
			"all_day":          e.allDay,
			"event_type":       e.typ,
			"reminder_minutes": e.reminders,
			"color":            e.color,
			"is_private":       e.typ != "trip" && e.typ != "holiday",
			"created_at":       ts(e.created),
		}
		if e.desc != "" {
			row["description"] = e.desc
		}
		if e.location != "" {
			row["location_name"] = e.location
		}
		return row
	})
	if err != nil {
		return err
	}
	return loadWaypoints(w, l, it, ref, p, evs)
}

// loadWaypoints pins each trip's stops, in order, at the campsite where
// the couple stayed (or the town when they parked for free).
func loadWaypoints(w *world, l *loader, it *itinerary, ref *reference, p *person, evs []calEvent) error {
	r := w.rng("manual_waypoints/" + p.id)
	ids := w.ids("manual_waypoints/" + p.id)
	stayAt := make(map[int]*stay, len(it.stays))
	for i := range it.stays {
		stayAt[it.stays[i].start] = &it.stays[i]
	}
	var rows []schema.Row
	for _, e := range evs {
		if e.trip < 0 {
			continue
		}
		t := &it.trips[e.trip]
		at := e.created
		for j, s := range t.stops {
			at = at.Add(time.Duration(between(r, 20, 240)) * time.Second)
			pl := &places[s.place]
			lat, lon := pl.Lat, pl.Lon
			notes := ""
			if st := stayAt[s.day]; st != nil {
				switch {
				case st.camp >= 0:
					c := &ref.camps[st.camp]
					lat, lon = c.lat, c.lon
					notes = fmt.Sprintf("%s, %s", c.name, nightsText(st.nights))
				case st.free != "":
					notes = fmt.Sprintf("%s, %s", st.free, nightsText(st.nights))
				}
			}
			row := schema.Row{
				"id":             ids.at(at),
				"user_id":        p.id,
				"trip_id":        e.id,
				"waypoint_order": j + 1,
				"latitude":       lat,
				"longitude":      lon,
				"is_locked":      j == 0 || chance(r, 0.5),
				"name":           pl.Label(),
				"created_at":     ts(at),
			}
			if notes != "" {
				row["notes"] = notes
			}
			rows = append(rows, row)
		}
	}
	return l.rows("manual_waypoints", rows)
}

func nightsText(n int) string {
	if n == 1 {
		return "1 night"
	}
	return fmt.Sprintf("%d nights", n)
}
