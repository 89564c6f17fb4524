package intent

import (
	"math"
	"strings"
)

// fill extracts the slots of intent n, marking the tokens they take. It
// returns a factor for the confidence and a ceiling on it (for an entry
// that lacks a slot the answerer needs).
func (a *analysis) fill(n Name) (s Slots, factor, ceiling float64) {
	factor, ceiling = 1, 1
	switch n {
	case SpendingTotal:
		s.Period = a.periodOr(thisMonth(a.now))
		m, from, to := a.merchant()
		s.Merchant = m
		a.use(from, to)
		s.Category = a.firstCategory(from, to)
		if a.categories() > 1 {
			factor = 0.85
		}
	case BudgetLeft:
		s.Period = a.periodOr(thisMonth(a.now))
		s.Category = a.firstCategory(-1, -1)
		if a.categories() > 1 {
			factor = 0.85
		}
	case FuelEconomy:
		s.Period = a.period
		s.Vehicle = a.vehicle()
	case TripFuelCost:
		km, i := a.tripDistanceAt()
		s.DistanceKM = km
		a.use(i, i+1)
		var spans [2][2]int
		s.Origin, s.Destination, spans = a.tripEndsAt()
		for _, sp := range spans {
			a.use(sp[0], sp[1])
		}
		s.Vehicle = a.vehicle()
	case NextMaintenance:
		s.Service = a.service()
		s.Vehicle = a.vehicle()
	case MaintenanceForecast:
		s.Months = a.forecastMonths()
		s.Service = a.service()
		if s.Service == "service" && !a.namedService() {
			s.Service = ""
		}
		s.Vehicle = a.vehicle()
	case UpcomingTrips:
		s.Period = a.period
		if p := a.period; p != nil && a.namedMonth && !p.To.After(a.now) {
			// "trips in April" said in May: next April.
			s.Period = monthPeriod(p.From.Year()+1, p.From.Month(), a.now.Location(), "")
		}
	case CampsitesNear:
		place, from, to := a.campPlaceAt()
		s.Place = place
		a.use(from, to)
		s.Free = a.has(cFree)
		s.MaxPriceCents, _ = a.ceiling()
		for _, d := range a.dists { // "within 50 miles", else any distance
			if d.within || s.RadiusKM == 0 && !d.odo {
				s.RadiusKM = d.v
			}
		}
		if s.MaxPriceCents == 0 || s.RadiusKM == 0 {
			a.campBare(&s)
		}
	case IncomeTotal:
		s.Period = a.periodOr(thisMonth(a.now))
		src, from, to := a.source()
		s.Source = src
		a.use(from, to)
	case BestHustle:
		s.Period = a.period
	case LogExpense:
		amt, i := a.expenseAmount()
		s.AmountCents = amt
		a.use(i, i+1)
		m, from, to := a.merchant()
		s.Merchant = m
		a.use(from, to)
		s.Category = a.firstCategory(from, to)
		s.Date = a.date
		if s.Category == "" {
			ceiling = 0.7 // the answerer must ask which category
		}
		if a.categories() > 1 {
			factor = 0.85
		}
	case LogFuel:
		f := a.fuelFigures()
		for _, i := range f.used {
			a.use(i, i+1)
		}
		s.VolumeL, s.TotalCents, s.OdometerKM, s.PricePerLitreCents = f.vol, f.total, f.odo, f.price
		s.Partial = a.has(cPartial)
		m, from, to := a.merchant()
		s.Merchant = m
		a.use(from, to)
		s.Date = a.date
		s.Vehicle = a.vehicle()
	}
	return s, factor, ceiling
}

// forecastMonths is the span of a forecast: as said ("next 6 months",
// "next year"), to the end of a period said ("this year"), else 6.
func (a *analysis) forecastMonths() int {
	if a.months > 0 {
		return a.months
	}
	if p := a.period; p != nil && p.To.After(a.now) {
		const daysPerMonth = 365.25 / 12
		return max(1, int(math.Ceil(p.To.Sub(a.now).Hours()/24/daysPerMonth)))
	}
	return 6
}

// periodOr returns the period said, else p.
func (a *analysis) periodOr(p *Period) *Period {
	if a.period != nil {
		return a.period
	}
	return p
}

// vehicle returns the vehicle named: rv, car or truck.
func (a *analysis) vehicle() string {
	for i := range a.toks {
		if v := a.toks[i].sense.vehicle; v != "" && a.toks[i].kind == kWord && !a.toks[i].used {
			// "rv" in "rv park" is a kind of campground, not the vehicle.
			if a.toks[i].sense.c&cCamp != 0 {
				continue
			}
			return v
		}
	}
	return ""
}

// service returns the maintenance task named: a specific one first, then
// "service" for the service itself, else "".
func (a *analysis) service() string {
	generic := ""
	for i := range a.toks {
		switch sv := a.toks[i].sense.service; sv {
		case "":
		case "service":
			generic = sv
		default:
			return sv
		}
	}
	return generic
}

// namedService reports whether "service" is said as a task ("the annual
// service", "next service") rather than as a synonym of maintenance.
func (a *analysis) namedService() bool {
	for i := range a.toks {
		if a.toks[i].sense.service == "service" && a.toks[i].text != "service" && a.toks[i].text != "services" {
			return true
		}
	}
	return false
}

// expenseAmount returns the amount of an expense entry in cents and the bare
// number it came from (-1 if it had a currency).
func (a *analysis) expenseAmount() (int64, int) {
	for _, m := range a.money {
		if !m.max {
			return m.cents, -1
		}
	}
	if !a.has(cSpend|cPay|cBuy|cLog|cCost) && a.firstCategory(-1, -1) == "" {
		return 0, -1
	}
	for _, i := range a.bare {
		if t := &a.toks[i]; t.num.scale <= 2 && t.num.mant > 0 {
			return t.num.cents(), i
		}
	}
	return 0, -1
}

// fuelFig are the figures of a fill-up.
type fuelFig struct {
	vol, odo, price float64
	total           int64
	used            []int // bare numbers taken
}

func (f *fuelFig) any() bool { return f.vol > 0 || f.odo > 0 || f.price > 0 || f.total > 0 }

// fuelFigures reads a fill-up: volume, total, odometer and price, from the
// quantities with units and then from bare numbers by their place ("62 for
// 118 at 48210").
func (a *analysis) fuelFigures() fuelFig {
	var f fuelFig
	if len(a.vols) > 0 {
		f.vol = a.vols[0].v
	}
	for _, m := range a.money {
		if !m.max {
			f.total = m.cents
			break
		}
	}
	if len(a.prices) > 0 {
		f.price = a.prices[0].v
	}
	for _, d := range a.dists {
		if d.odo || d.v >= 1000 {
			f.odo = d.v
			break
		}
	}
	for _, i := range a.bare {
		t := &a.toks[i]
		v := t.num.float()
		at := a.word(i-1) == "at" || a.sym(i-1) == "@"
		switch {
		case f.total == 0 && (a.word(i-1) == "for" || a.is(i-1, cPay|cSpend|cCost)) && t.num.scale <= 2:
			f.total = t.num.cents()
		case f.odo == 0 && (a.is(i-1, cOdo) || at && (v >= 1000 || t.num.isInt() && v >= 300)):
			f.odo = a.defaultKM(t.num)
		case f.price == 0 && at && v > 0:
			f.price = a.defaultPrice(t.num)
		case f.vol == 0 && v > 0 && v < 400 && !at:
			f.vol = a.defaultLitres(t.num)
		case f.total == 0 && t.num.scale == 2:
			f.total = t.num.cents()
		default:
			continue
		}
		f.used = append(f.used, i)
	}
	return f
}

// defaultKM reads a bare distance in the user's units.
func (a *analysis) defaultKM(d decimal) float64 {
	if a.us {
		return d.times(mileNum, mileExp)
	}
	return d.float()
}

// defaultLitres reads a bare volume in the user's units.
func (a *analysis) defaultLitres(d decimal) float64 {
	if a.us {
		return d.times(gallonNum, gallonExp)
	}
	return d.float()
}

// defaultPrice reads a bare fuel price per the user's volume unit: in
// dollars under 20, else in cents ("189.9").
func (a *analysis) defaultPrice(d decimal) float64 {
	cents := d.float() >= 20
	switch {
	case a.us:
		return d.perGallon(cents)
	case cents:
		return d.float()
	}
	return d.times(100, 0)
}

// tripDistance is the distance of a trip in km, 0 if none is said.
func (a *analysis) tripDistance() float64 {
	km, _ := a.tripDistanceAt()
	return km
}

func (a *analysis) tripDistanceAt() (float64, int) {
	for _, d := range a.dists {
		if !d.odo {
			return d.v, -1
		}
	}
	for _, i := range a.bare {
		if d := a.toks[i].num; d.mant > 0 && !a.is(i-1, cPer) {
			return a.defaultKM(d), i
		}
	}
	return 0, -1
}

// tripEnds returns the origin and destination of a trip, as written.
func (a *analysis) tripEnds() (string, string) {
	o, d, _ := a.tripEndsAt()
	return o, d
}

func (a *analysis) tripEndsAt() (origin, dest string, spans [2][2]int) {
	for i := range a.toks {
		switch a.word(i) {
		case "from":
			if origin == "" {
				if t, from, to := a.capture(i+1, capPlace, 4); t != "" {
					origin, spans[0] = t, [2]int{from, to}
				}
			}
		case "to", "toward", "towards", "into":
			if dest != "" {
				continue
			}
			t, from, to := a.capture(i+1, capPlace, 4)
			if t == "" {
				continue
			}
			dest, spans[1] = t, [2]int{from, to}
			if origin == "" { // "Moab to Denver"
				j := i
				for j > 0 && a.placeWord(j-1, 0) && i-j < 4 {
					j--
				}
				if j < i && !a.is(j-1, cDrive|cTrip) {
					origin = a.text(j, i)
					spans[0] = [2]int{j, i}
				}
			}
		}
	}
	return origin, dest, spans
}

// campPlace returns the place campsites are asked near, "" for here.
func (a *analysis) campPlace() string {
	p, _, _ := a.campPlaceAt()
	return p
}

func (a *analysis) campPlaceAt() (string, int, int) {
	for i := range a.toks {
		switch w := a.word(i); w {
		case "near", "around", "by", "outside", "in", "at", "toward", "towards", "of", "to", "from", "between":
			if w == "to" && a.word(i-1) != "close" && a.word(i-1) != "next" && a.word(i-1) != "way" ||
				w == "from" && a.word(i-1) != "far" && a.word(i-1) != "away" && !a.distBefore(i) ||
				w == "of" && !a.distBefore(i) && !(i > 0 && a.toks[i-1].sense.place) {
				continue
			}
			if t, from, to := a.capture(i+1, capPlace, 4); t != "" {
				return t, from, to
			}
		}
	}
	return "", -1, -1
}

// distBefore reports whether a distance ends just before token i ("50 miles
// of", "20 km from").
func (a *analysis) distBefore(i int) bool {
	if i < 1 {
		return false
	}
	t := &a.toks[i-1]
	return t.kind == kWord && t.used && (t.sense.unit == uKM || t.sense.unit == uMile) || t.text == "away"
}

// campBare reads bare numbers of a campsite search: "under 20" is a price,
// "within 30" a radius in the user's units.
func (a *analysis) campBare(s *Slots) {
	for _, i := range a.bare {
		t := &a.toks[i]
		switch {
		case s.MaxPriceCents == 0 && (a.is(i-1, cCompare) || a.is(i+1, cCompare)) && !a.is(i-1, cWithin):
			s.MaxPriceCents = t.num.cents()
		case s.RadiusKM == 0 && a.is(i-1, cWithin):
			s.RadiusKM = a.defaultKM(t.num)
		default:
			continue
		}
		a.use(i, i+1)
	}
}

// merchant returns where money was spent: the name after "at" (or "from"),
// with its token span.
func (a *analysis) merchant() (string, int, int) {
	for _, w := range []string{"at", "from", "@"} {
		for i := range a.toks {
			if a.toks[i].used || a.toks[i].text != w {
				continue
			}
			if t, from, to := a.capture(i+1, capName, 4); t != "" {
				return t, from, to
			}
		}
	}
	// "Walmart groceries $96.40": capitalised unknown words opening the
	// message, right before a category.
	j := 0
	for j < min(3, len(a.toks)) {
		t := &a.toks[j]
		if t.kind != kWord || t.used || !t.upper || t.known || t.sense.c != 0 {
			break
		}
		j++
	}
	if j > 0 && j < len(a.toks) && a.toks[j].kind == kWord && a.toks[j].sense.category != "" {
		return a.text(0, j), 0, j
	}
	return "", -1, -1
}

// source returns where income came from: "from YouTube", "on Etsy", "did
// Rover pay me", "workamping income".
func (a *analysis) source() (string, int, int) {
	for i := range a.toks {
		switch a.word(i) {
		case "from", "through", "via", "on", "with", "doing", "by":
			if t, from, to := a.capture(i+1, capSource, 4); t != "" {
				return canonicalSource(t), from, to
			}
		case "did", "does", "has":
			// "how much did YouTube pay me"
			if t, from, to := a.capture(i+1, capSource, 3); t != "" && a.is(to, cPay|cMake|cIncome) {
				return canonicalSource(t), from, to
			}
		}
		if isIncomeVerb(a.word(i)) && a.word(i+1) != "" {
			// "what have I earned workamping": after a verb, not a noun ("income limit")
			if t := &a.toks[i+1]; !t.used && (!t.known || t.sense.c&cHustle != 0 && t.text != "side") {
				if t, from, to := a.capture(i+1, capSource, 3); t != "" {
					return canonicalSource(t), from, to
				}
			}
		}
		if a.is(i, cIncome) && i > 0 && !a.toks[i-1].used && a.toks[i-1].kind == kWord &&
			(!a.toks[i-1].known || a.toks[i-1].sense.c&cHustle != 0 && a.toks[i-1].text != "side") {
			j := i - 1
			for j > 0 && i-j < 3 && a.toks[j-1].kind == kWord && !a.toks[j-1].known {
				j--
			}
			return canonicalSource(a.text(j, i)), j, i
		}
	}
	return "", -1, -1
}

func isIncomeVerb(w string) bool {
	switch w {
	case "earn", "earned", "earning", "make", "made", "making":
		return true
	}
	return false
}

// canonicalSource lower-cases a source and calls side hustles in general
// "hustle".
func canonicalSource(s string) string {
	s = strings.ToLower(s)
	switch s {
	case "side hustle", "side hustles", "hustle", "hustles", "side gig", "side gigs", "gigs", "gig",
		"side jobs", "side job", "side income", "side businesses", "side business":
		return "hustle"
	}
	return s
}

type capMode uint8

const (
	capPlace  capMode = iota // a place: unknown words and place words ("lake", "new")
	capName                  // a merchant: unknown or capitalised words
	capSource                // an income source: like a merchant, and hustle words
)

// capture reads a name starting at token i, after any "the", "my", "our":
// up to limit words the mode accepts, and for a place a ", AZ" after it. It
// returns the name as written and its token span; "" if there is none.
func (a *analysis) capture(i int, mode capMode, limit int) (string, int, int) {
	for a.word(i) == "the" || a.word(i) == "my" || a.word(i) == "our" {
		i++
	}
	j, n := i, 0
	for j < len(a.toks) && n < limit {
		t := &a.toks[j]
		if t.kind == kSym && t.text == "." && mode == capPlace && n > 0 && isAbbrev(a.toks[j-1].text) &&
			a.placeWord(j+1, 1) {
			j++ // "St. George"
			continue
		}
		if t.kind != kWord || t.used {
			break
		}
		ok := false
		switch mode {
		case capPlace:
			ok = a.placeWord(j, n)
		case capName:
			ok = !t.known && t.sense.c == 0 || t.upper && (n > 0 || t.sense.c&cStop == 0) && t.sense.c&cPeriod == 0
		case capSource:
			ok = !t.known || t.upper && t.sense.c&cStop == 0 || t.sense.c&cHustle != 0 ||
				t.text == "side" || n > 0 && t.sense.category != "" && t.sense.c&cStop == 0
		}
		if !ok {
			break
		}
		j++
		n++
	}
	if n == 0 {
		return "", i, i
	}
	to := j
	if mode == capPlace && a.sym(j) == "," && j+1 < len(a.toks) {
		if t := &a.toks[j+1]; t.kind == kWord && !t.used && (isStateCode(t.orig) || t.upper && !t.known) {
			to = j + 2
		}
	}
	return a.text(i, to), i, to
}

// placeWord reports whether token j can be part of a place name, n words
// into it.
func (a *analysis) placeWord(j, n int) bool {
	if j < 0 || j >= len(a.toks) {
		return false
	}
	t := &a.toks[j]
	if t.kind != kWord || t.used {
		return false
	}
	switch {
	case !t.known && t.sense.c == 0, t.fixed && t.upper:
		return true
	case t.sense.place && t.sense.c&(cStay|cCamp) == 0:
		return true
	case t.sense.place:
		return n > 0 || t.upper
	case t.upper && t.sense.c&cStop == 0 && n == 0:
		// "Camp Verde", "Page": a capitalised word followed by a name.
		return j+1 < len(a.toks) && a.toks[j+1].kind == kWord && !a.toks[j+1].known && !a.toks[j+1].used
	case n > 0 && (t.text == "of" || t.text == "de" || t.text == "la") && j+1 < len(a.toks) && a.toks[j+1].upper:
		return true // "Valley of Fire"
	}
	return false
}

// text returns the message text of tokens [from, to), as written.
func (a *analysis) text(from, to int) string {
	if from < 0 || to > len(a.toks) || from >= to {
		return ""
	}
	return strings.TrimSpace(a.msg[a.toks[from].start:a.toks[to-1].end])
}

func isAbbrev(w string) bool { return w == "st" || w == "mt" || w == "ft" }

// isStateCode reports whether s is a two-letter upper-case code ("AZ").
func isStateCode(s string) bool {
	return len(s) == 2 && s[0] >= 'A' && s[0] <= 'Z' && s[1] >= 'A' && s[1] <= 'Z'
}
