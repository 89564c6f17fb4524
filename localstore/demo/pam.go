package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"sort"
	"strconv"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// A chat session with PAM and its turns. Answers quote the user's own data
// as of the session's day: spending, fill-ups, services, the itinerary.
type session struct {
	id, sessionID, typ string
	day, place         int
	start, last        time.Time
	turns              []turn
	active, voice      bool
}

type turn struct {
	intent, node, q, a string
	at                 time.Time
	conf, quality      float64
	ms                 int
	entities           map[string]any
	memID              string
}

// Intents PAM recognises in the demo conversations, with the graph node
// that answers them and how often each user asks.
var intents = []struct {
	name, node string
	weight     [2]float64
}{
	{"budget_query", "finance_node", [2]float64{0.22, 0.2}},
	{"spending_summary", "finance_node", [2]float64{0.1, 0.12}},
	{"fuel_economy", "vehicle_node", [2]float64{0.16, 0.1}},
	{"campsite_search", "travel_node", [2]float64{0.18, 0.18}},
	{"route_planning", "travel_node", [2]float64{0.14, 0.14}},
	{"maintenance_schedule", "vehicle_node", [2]float64{0.1, 0.08}},
	{"hustle_income", "business_node", [2]float64{0.06, 0.14}},
}

// Text in the person's units.

func (p *person) us() bool { return p.units == "us" }

func (p *person) dist(km float64) string {
	if p.us() {
		return commas(int(math.Round(km/kmPerMile))) + " miles"
	}
	return commas(int(math.Round(km))) + " km"
}

func (p *person) odoText(km int) string { return p.dist(float64(km)) }

func (p *person) econText(l100 float64) string {
	if p.us() {
		return fmt.Sprintf("%.1f mpg", mpgPerL100KmK/l100)
	}
	return fmt.Sprintf("%.1f L/100 km", l100)
}

func (p *person) volText(l float64) string {
	if p.us() {
		return fmt.Sprintf("%.1f gallons", l/litresPerGal)
	}
	return fmt.Sprintf("%.0f litres", l)
}

func (p *person) priceText(mills int64) string {
	if p.us() {
		return fmt.Sprintf("$%.2f/gal", float64(mills)/1000*litresPerGal)
	}
	return "$" + schema.FormatDecimal(mills, 3) + "/L"
}

func commas(n int) string {
	s := strconv.Itoa(n)
	if n < 0 {
		return "-" + commas(-n)
	}
	var b strings.Builder
	for i := range s {
		if i > 0 && (len(s)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

func (w *world) monthStart(d int) int {
	c := w.civil(d)
	return d - c.Day() + 1
}

// genChat makes 3-6 sessions a month of 2-5 turns each.
func genChat(w *world, it *itinerary, ref *reference, p *person) []session {
	r := w.rng("chat/" + p.id)
	ids := w.ids("chat/" + p.id)
	var out []session
	h0 := w.civil(w.h0)
	for first := time.Date(h0.Year(), h0.Month(), 1, 0, 0, 0, 0, time.UTC); w.dayOf(first) <= w.today; first = first.AddDate(0, 1, 0) {
		d0 := w.dayOf(first)
		n := between(r, 3, 6)
		if m := first.Month(); m >= time.May && m <= time.September {
			n++
		}
		days := make([]int, 0, n)
		for range n {
			d := d0 + r.IntN(daysIn(first))
			if d >= w.h0 && d <= w.today {
				days = append(days, d)
			}
		}
		sort.Ints(days)
		for _, d := range days {
			s := session{day: d, place: it.place[d], voice: chance(r, []float64{0.3, 0.1}[p.idx])}
			s.start = w.past(d, between(r, 7*3600, 21*3600))
			if lim := w.now.Add(-40 * time.Minute); s.start.After(lim) {
				s.start = lim
			}
			at := s.start
			nt := between(r, 2, 5)
			planning := 0
			asked := make(map[int]bool)
			for k := 0; k < nt; k++ {
				at = at.Add(time.Duration(between(r, 25, 200)) * time.Second)
				in := weightedIntent(r, p.idx)
				for tries := 0; asked[in] && tries < 8; tries++ {
					in = weightedIntent(r, p.idx)
				}
				asked[in] = true
				t := p.answer(w, it, ref, r, d, in)
				t.at = at
				t.conf = round(uniform(r, 0.74, 0.98), 2)
				t.quality = round(uniform(r, 0.7, 1.0), 2)
				t.ms = between(r, 650, 3400)
				t.memID = ids.at(at)
				if t.intent == "campsite_search" || t.intent == "route_planning" {
					planning++
				}
				s.turns = append(s.turns, t)
			}
			s.last = at
			s.typ = "conversation"
			if planning*2 > nt {
				s.typ = "planning"
			}
			s.id = ids.at(s.start.Add(-time.Second))
			s.sessionID = ids.at(s.start.Add(-time.Second))
			out = append(out, s)
		}
	}
	if len(out) > 0 {
		out[len(out)-1].active = true
	}
	return out
}

func weightedIntent(r *rand.Rand, who int) int {
	ws := make([]float64, len(intents))
	for i, in := range intents {
		ws[i] = in.weight[who]
	}
	return weighted(r, ws)
}

// answer writes one question and PAM's answer for day d.
func (p *person) answer(w *world, it *itinerary, ref *reference, r *rand.Rand, d, intent int) turn {
	here := &places[it.place[d]]
	t := turn{intent: intents[intent].name, node: intents[intent].node, entities: map[string]any{}}
	switch t.intent {
	case "budget_query":
		cat := pick(r, []int{catGroceries, catDining, catFuel, catCamping, catEntertainment})
		from := w.monthStart(d)
		spent, budget := p.spent(w, cat, from, d), p.budgetCents(w, cat, d)
		name := strings.ToLower(categories[cat].label)
		t.q = fmt.Sprintf(pick(r, []string{"How much have I spent on %s this month?", "Am I over budget on %s?", "What's left in the %s budget?"}), name)
		pct := 0
		if budget > 0 {
			pct = int(spent * 100 / budget)
		}
		month := w.civil(d).Format("January")
		switch {
		case spent > budget:
			t.a = fmt.Sprintf("You've spent %s on %s so far in %s, %s over your %s budget (%d%%). ", usd(spent), name, month, usd(spent-budget), usd(budget), pct) +
				pick(r, []string{"Want me to move some room over from another category?", "Most of it came from the last two weeks on the road."})
		case pct >= 80:
			t.a = fmt.Sprintf("%s so far in %s: %d%% of your %s %s budget, past your 80%% alert. %s left for the rest of the month.", usd(spent), month, pct, usd(budget), name, usd(budget-spent))
		default:
			t.a = fmt.Sprintf("So far in %s you've spent %s on %s, %d%% of your %s budget, with %s left.", month, usd(spent), name, pct, usd(budget), usd(budget-spent))
		}
		t.entities = map[string]any{"category": categories[cat].name, "period": "month"}
	case "spending_summary":
		var total, top int64
		topCat := 0
		for c := range nCategories {
			s := p.spent(w, c, d-6, d)
			total += s
			if s > top {
				top, topCat = s, c
			}
		}
		t.q = pick(r, []string{"What did we spend this past week?", "Give me a spending summary for the last 7 days.", "Where did the money go this week?"})
		t.a = fmt.Sprintf("Over the last 7 days you spent %s. The biggest category was %s at %s.", usd(total), strings.ToLower(categories[topCat].label), usd(top))
		if fuel := p.spent(w, catFuel, d-6, d); fuel > 0 && topCat != catFuel {
			t.a += fmt.Sprintf(" Fuel came to %s.", usd(fuel))
		}
		t.entities = map[string]any{"period": "7d"}
	case "fuel_economy":
		f, since := p.lastFullFill(d)
		if f == nil {
			return p.answer(w, it, ref, r, d, 3)
		}
		t.q = pick(r, []string{"What mileage is the rig getting lately?", "How's our fuel economy?", "What did the last fill-up work out to?"})
		t.a = fmt.Sprintf("Your last full fill-up, on %s at %s, worked out to %s over the %s since the one before. You paid %s for %s.",
			w.date(f.day), ref.stations[f.stn].name+", "+places[f.place].Name, p.econText(f.cons),
			p.dist(float64(since)), p.priceText(f.mills), p.volText(float64(f.volC)/100))
		if avg := p.avgEconomy(d); avg > 0 {
			t.a += fmt.Sprintf(" Your average over the last three months is %s.", p.econText(avg))
		}
		t.entities = map[string]any{"vehicle_id": p.rv.id}
	case "campsite_search":
		target := p.nextPlace(it, d)
		tp := &places[target]
		nights := between(r, 2, 5)
		t.q = fmt.Sprintf(pick(r, []string{"Find us a campsite near %s for %d nights.", "Where can we camp around %s? %d nights, big rig.", "Any good boondocking near %s? Staying %d nights."}), tp.Name, nights)
		var opts []string
		for _, c := range ref.campsByPlace[target] {
			cp := &ref.camps[c]
			price := usd(cp.night) + "/night"
			if cp.night == 0 {
				price = "free"
			}
			opts = append(opts, fmt.Sprintf("%s (%s, %s, rated %.1f)", cp.name, strings.ReplaceAll(cp.typ, "_", " "), price, cp.rating))
		}
		t.a = fmt.Sprintf("Near %s: %s. All fit a %d ft rig.", tp.Label(), strings.Join(opts, "; "), []int{37, 26}[p.idx])
		t.entities = map[string]any{"location": tp.Label(), "nights": nights}
	case "route_planning":
		target := p.nextPlace(it, d)
		if target == it.place[d] {
			target = pl(pick(r, []string{"Moab", "Page", "Durango", "Bend", "Jackson"}))
		}
		km := float64(roadKm(it.place[d], target))
		hours := km / 80
		econ := p.avgEconomy(d)
		if econ == 0 {
			econ = p.rv.econ
		}
		t.q = fmt.Sprintf(pick(r, []string{"How far is it to %s?", "How long a drive to %s in the rig?", "What will the drive to %s cost in fuel?"}), places[target].Name)
		litres := km * econ / 100
		cost := ""
		if f, _ := p.lastFullFill(d); f != nil {
			cost = fmt.Sprintf(", about %s at the %s you last paid", usd(int64(math.Round(litres*float64(f.mills)/10))), p.priceText(f.mills))
		}
		t.a = fmt.Sprintf("%s to %s is about %s, roughly %s at RV speeds. At your average of %s that's %s of %s%s.",
			here.Name, places[target].Label(), p.dist(km), duration(hours), p.econText(econ), p.volText(litres), p.rv.fuel, cost)
		if km > maxDrive {
			t.a += " That's more than a day's drive; I can suggest an overnight stop halfway."
		}
		t.entities = map[string]any{"origin": here.Label(), "destination": places[target].Label()}
	case "maintenance_schedule":
		sv := p.lastService(d, "oil_change")
		if sv == nil {
			return p.answer(w, it, ref, r, d, 0)
		}
		odo := p.rv.odoAt(w, d)
		t.q = pick(r, []string{"When is the next oil change due?", "Are we due for any service?", "How many miles until the next oil change?"})
		t.a = fmt.Sprintf("The last oil change for the %s was on %s at %s (%s). The next is due around %s or by %s, whichever comes first; you're at %s now.",
			p.rig, w.date(sv.day), p.odoText(sv.mileage), sv.provider, p.odoText(sv.mileage+9000), w.date(sv.day+182), p.odoText(odo))
		t.entities = map[string]any{"vehicle_id": p.rv.id, "service": "oil_change"}
	case "hustle_income":
		h := p.hustles[r.IntN(2)] // an approved one
		var sum int64
		var n int
		for _, e := range p.hustleIncome {
			if e.source == h.title && e.day > d-90 && e.day <= d {
				sum += e.cents
				n++
			}
		}
		t.q = fmt.Sprintf(pick(r, []string{"How much has %s made this quarter?", "How is %s doing?", "What did %s bring in lately?"}), h.title)
		t.a = fmt.Sprintf("%s brought in %s over the last 90 days from %d payments. Side-hustle costs over the same period were %s.",
			h.title, usd(sum), n, usd(p.spent(w, catHustle, d-89, d)))
		t.entities = map[string]any{"hustle": h.title, "period": "90d"}
	}
	return t
}

// lastFullFill is the RV's last full fill-up on or before day d and the
// km driven since the full fill before it.
func (p *person) lastFullFill(d int) (*fill, int) {
	fs := p.rv.fills
	i := sort.Search(len(fs), func(i int) bool { return fs[i].day > d })
	for i--; i >= 0; i-- {
		if fs[i].full {
			prev := p.rv.odo0
			for j := i - 1; j >= 0; j-- {
				if fs[j].full {
					prev = fs[j].odo
					break
				}
			}
			return &fs[i], fs[i].odo - prev
		}
	}
	return nil, 0
}

func duration(hours float64) string {
	m := int(math.Round(hours * 60))
	if m < 60 {
		return fmt.Sprintf("%d min", m)
	}
	return fmt.Sprintf("%d h %02d min", m/60, m%60)
}

// avgEconomy is the RV's L/100 km over the full fills of the 90 days to d.
func (p *person) avgEconomy(d int) float64 {
	var litres, km float64
	prev := -1
	for i, f := range p.rv.fills {
		if f.day > d {
			break
		}
		if !f.full {
			continue
		}
		if f.day > d-90 && prev >= 0 {
			k := float64(f.odo - p.rv.fills[prev].odo)
			litres += f.cons * k / 100
			km += k
		}
		prev = i
	}
	if km == 0 {
		return 0
	}
	return round(litres/km*100, 1)
}

// lastService is the latest completed service of a kind on or before d.
func (p *person) lastService(d int, task string) *service {
	var last *service
	for i := range p.rv.services {
		sv := &p.rv.services[i]
		if sv.day > d {
			break
		}
		if sv.task == task && sv.status == "completed" {
			last = sv
		}
	}
	return last
}

// nextPlace is the next place the itinerary goes after day d, within a month.
func (p *person) nextPlace(it *itinerary, d int) int {
	for e := d + 1; e < len(it.place) && e <= d+30; e++ {
		if it.place[e] != it.place[d] {
			return it.place[e]
		}
	}
	return it.place[d]
}

func loadChat(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	ss := genChat(w, it, ref, p)
	p.sessions = ss
	r := w.rng("chat/rows/" + p.id)
	client := []string{"pam-android 3.4.1", "pam-web 2.9.0"}[p.idx]
	sessCtx := func(s *session) map[string]any {
		m := map[string]any{"location": places[s.place].Label(), "units": p.units}
		if ti := it.trip[s.day]; ti >= 0 {
			m["trip"] = it.trips[ti].title
		}
		return m
	}
	err := l.load("chat_sessions", len(ss), func(i int) schema.Row {
		s := &ss[i]
		row := schema.Row{
			"id":            s.id,
			"user_id":       p.id,
			"session_id":    s.sessionID,
			"session_type":  s.typ,
			"status":        "ended",
			"context_data":  sessCtx(s),
			"metadata":      map[string]any{"client": client, "voice": s.voice},
			"message_count": 2 * len(s.turns),
			"started_at":    ts(s.start),
			"last_activity": ts(s.last),
			"created_at":    ts(s.start),
		}
		if s.active {
			row["status"] = "active"
		} else {
			row["ended_at"] = ts(s.last.Add(10 * time.Minute))
		}
		return row
	})
	if err != nil {
		return err
	}
	err = l.load("pam_conversation_sessions", len(ss), func(i int) schema.Row {
		s := &ss[i]
		var topics []string
		for _, t := range s.turns {
			if !slicesContains(topics, t.intent) {
				topics = append(topics, t.intent)
			}
		}
		row := schema.Row{
			"id":              s.sessionID,
			"user_id":         p.id,
			"session_start":   ts(s.start),
			"is_active":       s.active,
			"total_messages":  2 * len(s.turns),
			"intent_topics":   strs(topics...),
			"session_context": sessCtx(s),
			"created_at":      ts(s.start),
		}
		if !s.active {
			row["session_end"] = ts(s.last.Add(10 * time.Minute))
		}
		return row
	})
	if err != nil {
		return err
	}
	var turns []*turn
	var owner []*session
	for i := range ss {
		for j := range ss[i].turns {
			turns = append(turns, &ss[i].turns[j])
			owner = append(owner, &ss[i])
		}
	}
	seq := make([]int, len(turns))
	for i := range turns {
		if i > 0 && owner[i] == owner[i-1] {
			seq[i] = seq[i-1] + 1
		} else {
			seq[i] = 1
		}
	}
	trace := make([]string, len(turns))
	for i := range trace {
		trace[i] = fmt.Sprintf("%016x%016x", r.Uint64(), r.Uint64())
	}
	err = l.load("pam_memory", len(turns), func(i int) schema.Row {
		t, s := turns[i], owner[i]
		return schema.Row{
			"id":                t.memID,
			"user_id":           p.id,
			"session_id":        s.sessionID,
			"trace_id":          trace[i],
			"content":           "User: " + t.q + "\nPAM: " + t.a,
			"message":           t.q,
			"original_message":  t.q,
			"response":          t.a,
			"intent":            t.intent,
			"intent_confidence": strconv.FormatFloat(t.conf, 'f', 2, 64),
			"response_quality":  qualityLabel(t.quality),
			"response_source":   t.node,
			"context":           map[string]any{"location": places[s.place].Label(), "units": p.units},
			"metadata":          map[string]any{"response_time_ms": t.ms, "client": client},
			"is_fallback":       false,
			"validation_passed": true,
			"voice_enabled":     s.voice,
			"timestamp":         ts(t.at),
			"created_at":        ts(t.at),
		}
	})
	if err != nil {
		return err
	}
	memIDs := w.ids("pam_conversation_memory/" + p.id)
	err = l.load("pam_conversation_memory", len(turns), func(i int) schema.Row {
		t, s := turns[i], owner[i]
		return schema.Row{
			"id":                 memIDs.at(t.at),
			"user_id":            p.id,
			"session_id":         s.sessionID,
			"message_sequence":   seq[i],
			"user_message":       t.q,
			"pam_response":       t.a,
			"detected_intent":    t.intent,
			"node_used":          t.node,
			"intent_confidence":  t.conf,
			"response_quality":   t.quality,
			"response_time_ms":   t.ms,
			"entities_extracted": t.entities,
			"context_used":       map[string]any{"location": places[s.place].Label(), "units": p.units, "budget_data": t.node == "finance_node"},
			"follow_up_needed":   false,
			"message_timestamp":  ts(t.at),
			"created_at":         ts(t.at),
		}
	})
	if err != nil {
		return err
	}
	if err := loadAnalytics(w, l, p, ss, turns, owner, trace, client); err != nil {
		return err
	}
	if err := loadFeedback(w, l, p, turns); err != nil {
		return err
	}
	return loadLearning(w, l, p, ss)
}

func slicesContains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}

func qualityLabel(q float64) string {
	switch {
	case q >= 0.9:
		return "excellent"
	case q >= 0.8:
		return "good"
	}
	return "fair"
}

// loadAnalytics logs a session_started event per session and a
// message_processed event per turn; now and then a tool times out.
func loadAnalytics(w *world, l *loader, p *person, ss []session, turns []*turn, owner []*session, trace []string, client string) error {
	r := w.rng("pam_analytics_logs/" + p.id)
	ids := w.ids("pam_analytics_logs/" + p.id)
	// Plan the events first, so the rows can be built a batch at a time.
	type event struct {
		kind    byte // 's'ession started, 'm'essage processed, tool 'e'rror
		session *session
		turn    int // index into turns
		no      int // turn number within the session
	}
	var evs []event
	ti := 0
	for si := range ss {
		s := &ss[si]
		evs = append(evs, event{kind: 's', session: s})
		for no := 1; ti < len(turns) && owner[ti] == s; ti, no = ti+1, no+1 {
			evs = append(evs, event{kind: 'm', session: s, turn: ti, no: no})
			if chance(r, 0.015) {
				evs = append(evs, event{kind: 'e', session: s, turn: ti, no: no})
			}
		}
	}
	return l.load("pam_analytics_logs", len(evs), func(i int) schema.Row {
		e := &evs[i]
		s := e.session
		at := s.start
		if e.kind != 's' {
			t := turns[e.turn]
			at = t.at
			if e.kind == 'e' {
				at = at.Add(-time.Duration(t.ms) * time.Millisecond / 2)
			}
		}
		local := at.In(tz)
		wd := local.Weekday()
		row := schema.Row{
			"id":            ids.at(at),
			"user_id":       p.id,
			"session_id":    s.sessionID,
			"log_id":        fmt.Sprintf("log_%x", r.Uint64()),
			"log_level":     "info",
			"success":       true,
			"has_error":     false,
			"voice_enabled": s.voice,
			"is_weekend":    wd == time.Saturday || wd == time.Sunday,
			"hour_of_day":   local.Hour(),
			"day_of_week":   int(wd),
			"timestamp":     ts(at),
			"created_at":    ts(at),
		}
		switch e.kind {
		case 's':
			row["event_type"] = "session_started"
			row["message"] = "Session started"
			row["event_data"] = map[string]any{"client": client, "session_type": s.typ}
		case 'm':
			t := turns[e.turn]
			level := "high"
			if t.conf < 0.85 {
				level = "medium"
			}
			row["event_type"] = "message_processed"
			row["trace_id"] = trace[e.turn]
			row["intent"] = t.intent
			row["workflow_name"] = t.node
			row["message"] = "Processed " + t.intent
			row["message_preview"] = preview(t.q, 60)
			row["event_data"] = map[string]any{"turn": e.no, "tools": between(r, 1, 3)}
			row["response_time_ms"] = t.ms
			row["api_calls_count"] = between(r, 1, 3)
			row["confidence"] = t.conf
			row["confidence_level"] = level
			row["validation_passed"] = true
		case 'e':
			t := turns[e.turn]
			row["event_type"] = "tool_error"
			row["trace_id"] = trace[e.turn]
			row["intent"] = t.intent
			row["log_level"] = "warning"
			row["success"] = false
			row["has_error"] = true
			row["error_type"] = "timeout"
			row["error_message"] = "weather lookup timed out after 8s; answered without the forecast"
			row["message"] = "Tool call failed"
			row["event_data"] = map[string]any{"turn": e.no, "tool": "weather"}
		}
		return row
	})
}

func preview(s string, n int) string {
	if len(s) <= n {
		return s
	}
	return strings.TrimSpace(s[:n]) + "…"
}

// loadFeedback: about one answer in four gets a thumb, mostly up.
func loadFeedback(w *world, l *loader, p *person, turns []*turn) error {
	r := w.rng("pam_feedback/" + p.id)
	ids := w.ids("pam_feedback/" + p.id)
	type rated struct {
		t  *turn
		at time.Time
		up bool
	}
	var fb []rated
	for _, t := range turns {
		if !chance(r, 0.25) {
			continue
		}
		at := t.at.Add(time.Duration(between(r, 5, 90)) * time.Second)
		if at.After(w.now) {
			continue
		}
		fb = append(fb, rated{t, at, chance(r, 0.88)})
	}
	return l.load("pam_feedback", len(fb), func(i int) schema.Row {
		f := &fb[i]
		row := schema.Row{
			"id":         ids.at(f.at),
			"user_id":    p.id,
			"message_id": f.t.memID,
			"chat_input": f.t.q,
			"intent":     f.t.intent,
			"thumbs_up":  f.up,
			"rating":     between(r, 4, 5),
			"timestamp":  ts(f.at),
			"created_at": ts(f.at),
		}
		if f.up && chance(r, 0.3) {
			row["feedback"] = pick(r, []string{"Perfect, thanks!", "Exactly what I needed.", "Great, that helps.", "Love that it knows our rig."})
		}
		if !f.up {
			row["rating"] = between(r, 2, 3)
			row["feedback"] = pick(r, []string{"Too long, just give me the number.", "That campground is closed for the season.", "Use the last month, not the calendar month."})
		}
		return row
	})
}

// loadLearning: a few corrections and preference changes a year.
func loadLearning(w *world, l *loader, p *person, ss []session) error {
	r := w.rng("pam_learning_events/" + p.id)
	ids := w.ids("pam_learning_events/" + p.id)
	events := [][5]string{ // event_type, original, corrected, intent, preference key
		{"preference_change", "The drive is about 310 km.", "The drive is about 193 miles.", "route_planning", "distance_unit"},
		{"correction", "Your rig is 31 ft long.", "Your rig is 37 ft long.", "campsite_search", "rig_length_ft"},
		{"preference_change", "Here are three RV parks near you.", "Here are three free boondocking sites near you.", "campsite_search", "camp_type"},
		{"correction", "Fuel is in your groceries budget.", "Fuel has its own budget category.", "budget_query", "budget_categories"},
		{"preference_change", "Here is a detailed breakdown of every expense...", "Total: $412.50 (fuel $180.20).", "spending_summary", "response_style"},
	}
	if p.idx == 1 {
		events[0] = [5]string{"preference_change", "The drive is about 193 miles.", "The drive is about 310 km.", "route_planning", "distance_unit"}
		events[1][2] = "Your rig is 26 ft long."
	}
	var rows []schema.Row
	if len(ss) < 2 {
		return nil
	}
	// Three a year, after sessions other than the last (still going).
	picked := r.Perm(len(ss) - 1)[:min(len(ss)-1, 3*w.scale)]
	slices.Sort(picked)
	for _, i := range picked {
		s := &ss[i]
		e := events[r.IntN(len(events))]
		at := s.last.Add(time.Duration(between(r, 5, 60)) * time.Second)
		if at.After(w.now) {
			continue
		}
		rows = append(rows, schema.Row{
			"id":                     ids.at(at),
			"user_id":                p.id,
			"session_id":             s.sessionID,
			"event_type":             e[0],
			"original_response":      e[1],
			"corrected_response":     e[2],
			"related_intent":         e[3],
			"confidence_impact":      round(uniform(r, -0.2, -0.05), 2),
			"context_data":           map[string]any{"location": places[s.place].Label()},
			"user_preference_change": map[string]any{"key": e[4], "source": "user_correction"},
			"created_at":             ts(at),
		})
	}
	return l.rows("pam_learning_events", rows)
}

// ---------------------------------------------------------------- context

func loadUserContext(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("pam_user_context/" + p.id)
	here := &places[it.place[w.today]]
	counts := make(map[string]int)
	var recent []any
	for i := len(p.sessions) - 1; i >= 0 && len(recent) < 5; i-- {
		ts := p.sessions[i].turns
		for j := len(ts) - 1; j >= 0 && len(recent) < 5; j-- {
			recent = append(recent, ts[j].intent)
		}
	}
	for _, s := range p.sessions {
		for _, t := range s.turns {
			counts[t.intent]++
		}
	}
	top := make([]string, 0, len(counts))
	for k := range counts {
		top = append(top, k)
	}
	sort.Slice(top, func(i, j int) bool {
		if counts[top[i]] != counts[top[j]] {
			return counts[top[i]] > counts[top[j]]
		}
		return top[i] < top[j]
	})
	created := w.past(w.h0+between(r, 0, 3), 20*3600)
	row := schema.Row{
		"id":           w.ids("pam_user_context/" + p.id).at(created),
		"user_id":      p.id,
		"context_type": "general",
		"context_data": map[string]any{
			"partner": p.partner.fullName(), "home_base": places[pl(winterBases[it.baseFor(w.civil(w.today).Year())].Place)].Label(),
			"lifestyle": "full-time", "units": p.units,
		},
		"travel_preferences": map[string]any{
			"max_daily_drive_km": []int{480, 500}[p.idx], "camp_types": []any{"national_park", "state_park", "boondocking", "rv_park"},
			"prefers_hookups": p.idx == 1, "season": "snowbird",
		},
		"vehicle_info": map[string]any{
			"vehicle_id": p.rv.id, "make_model": p.rv.name, "fuel": p.rv.fuel, "length_ft": []int{37, 26}[p.idx],
			"avg_l_per_100km": p.avgEconomy(w.today), "odometer_km": p.rv.odoAt(w, w.today), "towing": p.car != nil,
		},
		"learned_preferences": map[string]any{
			"response_style": []string{"friendly, with numbers", "concise"}[p.idx], "distance_unit": []string{"miles", "km"}[p.idx],
		},
		"interaction_patterns": map[string]any{
			"sessions": len(p.sessions), "top_intents": strs(top[:min(3, len(top))]...), "voice_share": []float64{0.3, 0.1}[p.idx],
		},
		"current_location":         map[string]any{"name": here.Label(), "lat": here.Lat, "lon": here.Lon},
		"conversation_mood":        "upbeat",
		"preferred_response_style": []string{"friendly, with numbers", "concise"}[p.idx],
		"recent_intents":           recent,
		"created_at":               ts(created),
	}
	if trip := currentTrip(w, it); trip >= 0 && p.tripEvents[trip] != "" {
		row["active_trip_id"] = p.tripEvents[trip]
	} else if trip := nextTrip(w, it); trip >= 0 && p.tripEvents[trip] != "" {
		row["active_trip_id"] = p.tripEvents[trip]
	}
	if n := len(p.sessions); n > 0 {
		last := p.sessions[n-1]
		row["current_session_id"] = last.sessionID
		row["last_interaction"] = ts(last.last)
		row["last_updated"] = ts(last.last)
	}
	return l.rows("pam_user_context", []schema.Row{row})
}

// ---------------------------------------------------------------- recommendations

func loadRecommendations(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("active_recommendations/" + p.id)
	ids := w.ids("active_recommendations/" + p.id)
	var rows []schema.Row
	add := func(at time.Time, row schema.Row) {
		row["id"] = ids.at(at)
		row["user_id"] = p.id
		row["recommendation_id"] = fmt.Sprintf("rec_%x", r.Uint64()>>16)
		row["created_at"] = ts(at)
		rows = append(rows, row)
	}
	// The budget category running hottest this month.
	from := w.monthStart(w.today)
	hot, hotPct := catGroceries, -1
	for _, c := range []int{catGroceries, catDining, catFuel, catCamping, catEntertainment} {
		if b := p.budgetCents(w, c, w.today); b > 0 {
			if pct := int(p.spent(w, c, from, w.today) * 100 / b); pct > hotPct {
				hot, hotPct = c, pct
			}
		}
	}
	c0 := w.civil(w.today)
	monthEnd := w.today + daysIn(c0) - c0.Day()
	prio := "low"
	switch {
	case hotPct >= 100:
		prio = "high"
	case hotPct >= 80:
		prio = "medium"
	}
	add(w.now.Add(-time.Duration(between(r, 1, 20))*time.Hour), schema.Row{
		"source_data_id":      "budget:" + categories[hot].name + ":" + c0.Format("2006-01"),
		"title":               fmt.Sprintf("%s budget at %d%%", categories[hot].label, hotPct),
		"description":         fmt.Sprintf("You've used %d%% of this month's %s budget with %d days to go.", hotPct, strings.ToLower(categories[hot].label), monthEnd-w.today),
		"category":            "budget",
		"recommendation_type": "budget_alert",
		"priority_level":      prio,
		"time_sensitive":      hotPct >= 80,
		"metadata":            map[string]any{"category": categories[hot].name, "percent_used": hotPct},
		"expires_at":          ts(w.at(monthEnd, 86399)),
	})
	// The booked service.
	for _, sv := range p.rv.services {
		if sv.status == "completed" {
			continue
		}
		add(w.now.Add(-time.Duration(between(r, 20, 60))*time.Hour), schema.Row{
			"source_data_id":      "maintenance:" + sv.task + ":" + w.date(sv.day),
			"title":               serviceLabel(sv.task) + " due " + w.civil(sv.day).Format("Jan 2"),
			"description":         fmt.Sprintf("%s for %s is due by %s or %s. %s", serviceLabel(sv.task), p.rig, w.date(sv.day), p.odoText(sv.mileage), sv.notes),
			"category":            "maintenance",
			"recommendation_type": "maintenance_reminder",
			"priority_level":      map[bool]string{true: "medium", false: "low"}[sv.status == "upcoming"],
			"location":            sv.provider,
			"metadata":            map[string]any{"vehicle_id": p.rv.id, "task": sv.task},
			"expires_at":          ts(w.at(sv.day+7, 0)),
		})
	}
	// Cheaper fuel nearby.
	here := it.place[w.today]
	if st := ref.stationsByPlace[here]; len(st) > 0 {
		s := &ref.stations[ref.pickStation(r, here, true)]
		save := dollars(r, 6, 18)
		add(w.now.Add(-time.Duration(between(r, 1, 6))*time.Hour), schema.Row{
			"source_data_id":      "fuel:" + s.id,
			"title":               "Cheaper " + map[bool]string{true: "diesel", false: "gas"}[p.rv.fuel == "diesel"] + " at " + s.name,
			"description":         fmt.Sprintf("%s in %s is below the area average; a full tank would save about %s.", s.name, places[here].Name, usd(save)),
			"category":            "fuel",
			"recommendation_type": "fuel_savings",
			"priority_level":      "low",
			"location":            s.address,
			"latitude":            places[here].Lat,
			"longitude":           places[here].Lon,
			"savings_amount":      money(save),
			"time_sensitive":      true,
			"metadata":            map[string]any{"station_id": s.id},
			"expires_at":          ts(w.now.Add(72 * time.Hour)),
		})
	}
	// An old one the user dismissed.
	old := w.past(w.today-between(r, 30, 60), 10*3600)
	add(old, schema.Row{
		"source_data_id":      "travel:book-early",
		"title":               "Book summer campsites early",
		"description":         "National park campgrounds on your route open reservations six months ahead.",
		"category":            "travel",
		"recommendation_type": "trip_planning",
		"priority_level":      "medium",
		"user_viewed":         true,
		"dismissed":           true,
		"expires_at":          ts(old.Add(14 * 24 * time.Hour)),
	})
	return l.rows("active_recommendations", rows)
}
