package demo

import (
	"math/rand/v2"
	"slices"
)

// maxDrive is the most the couple drives in a day, km.
const maxDrive = 520

// trip is a named loop: a calendar event of type trip with its waypoints.
type trip struct {
	title      string
	start, end int // days, inclusive
	stops      []tripStop
	winter     bool
}

type tripStop struct{ place, day int }

// stay is a run of nights at one place, from an arrival to the next move.
type stay struct {
	place, start, nights int
	camp                 int  // index into reference camps; -1 when parked for free
	base                 int  // index into winterBases when this is the winter base, else -1
	enRoute              bool // one night on the way somewhere
	free                 string
}

// itinerary is the couple's shared travel: where they sleep each day, how
// far the rigs drive and how far the tow car is driven around.
type itinerary struct {
	place  []int  // overnight place per day
	from   []int  // place at the start of the day
	rvKm   []int  // km the motorhomes drove that day
	carKm  []int  // km the tow car was driven locally that day
	trip   []int  // index into trips, -1 outside trips
	atBase []int  // index into winterBases when parked at the winter base, else -1
	trips  []trip // in date order
	stays  []stay // in date order
	bases  []int  // winter base chosen for the winter starting in each simulated year
	year0  int    // the first simulated year
	ref    *reference
}

// baseFor is the winter base of the winter that starts in November of year y.
func (it *itinerary) baseFor(y int) int {
	i := y - it.year0 + 1
	if i < 0 {
		i = 0
	}
	if i >= len(it.bases) {
		i = len(it.bases) - 1
	}
	return it.bases[i]
}

type itBuilder struct {
	w         *world
	r         *rand.Rand
	it        *itinerary
	d         int
	cur       int
	pending   int // km left of a drive stopped one day short of its end
	phaseBase int // winter base index while wintering, -1 while travelling
}

func buildItinerary(w *world, ref *reference) *itinerary {
	r := w.rng("itinerary")
	it := &itinerary{
		place:  make([]int, w.n),
		from:   make([]int, w.n),
		rvKm:   make([]int, w.n),
		carKm:  make([]int, w.n),
		trip:   make([]int, w.n),
		atBase: make([]int, w.n),
		year0:  w.civil(0).Year(),
		ref:    ref,
	}
	lastYear := w.civil(w.n - 1).Year()
	// bases[i] is the winter starting in year year0-1+i.
	for y := it.year0 - 1; y <= lastYear; y++ {
		it.bases = append(it.bases, weighted(r, []float64{0.6, 0.25, 0.15}))
	}
	b := &itBuilder{w: w, r: r, it: it, cur: pl(winterBases[it.bases[0]].Place)}
	for y := it.year0; y <= lastYear; y++ {
		b.year(y)
	}
	for d := range it.trip {
		it.trip[d] = -1
	}
	for i, t := range it.trips {
		for d := max(t.start, 0); d <= t.end && d < w.n; d++ {
			it.trip[d] = i
		}
	}
	it.buildStays(w.rng("itinerary/stays"))
	it.driveCar(w.rng("itinerary/car"))
	return it
}

func (b *itBuilder) year(y int) {
	w, r := b.w, b.r
	bin, bout := b.it.baseFor(y-1), b.it.baseFor(y)
	baseIn, baseOut := pl(winterBases[bin].Place), pl(winterBases[bout].Place)
	b.phaseBase = bin
	dep := w.dayYMD(y, 3, 18) + r.IntN(21)
	ret := w.dayYMD(y, 10, 18) + r.IntN(18)
	if chance(r, 0.85) {
		b.stayUntil(w.dayYMD(y, 1, 8) + r.IntN(45))
		b.runTrip(pick(r, winterBases[bin].Trips), between(r, 3, 7), true)
		b.moveTo(baseIn, false)
	}
	b.stayUntil(dep)
	b.phaseBase = -1
	b.summer(ret, baseOut)
	b.phaseBase = bout
	if b.d < w.dayYMD(y, 11, 28) && chance(r, 0.5) {
		b.stayUntil(max(b.d+5, w.dayYMD(y, 11, 10)+r.IntN(20)))
		b.runTrip(pick(r, winterBases[bout].Trips), between(r, 3, 6), true)
		b.moveTo(baseOut, false)
	}
	b.stayUntil(w.dayYMD(y+1, 1, 1))
}

// set records the current day and moves on.
func (b *itBuilder) set(place, km int) {
	it := b.it
	if b.d >= 0 && b.d < len(it.place) {
		it.place[b.d] = place
		it.from[b.d] = b.cur
		it.rvKm[b.d] = km
		it.atBase[b.d] = -1
		if b.phaseBase >= 0 && km == 0 && place == pl(winterBases[b.phaseBase].Place) {
			it.atBase[b.d] = b.phaseBase
		}
	}
	b.cur = place
	b.d++
}

func (b *itBuilder) stayUntil(day int) {
	for b.d < day {
		b.set(b.cur, 0)
	}
}

func (b *itBuilder) stayN(n int) {
	for ; n > 0; n-- {
		b.set(b.cur, 0)
	}
}

// moveTo drives to p, a day at a time, sleeping at the place nearest the
// day's end point. With keepLast it stops one day short and leaves the last
// leg pending, so a trip can begin with its arrival. It returns the days used.
func (b *itBuilder) moveTo(p int, keepLast bool) int {
	if b.pending > 0 {
		km := b.pending
		b.pending = 0
		b.set(p, km)
		return 1
	}
	dist := roadKm(b.cur, p)
	if dist == 0 {
		return 0
	}
	days := (dist + maxDrive - 1) / maxDrive
	legs := days
	if keepLast {
		legs--
	}
	a, z := &places[b.cur], &places[p]
	done := 0
	for k := 0; k < legs; k++ {
		km := dist / days
		if k == days-1 {
			km = dist - done
		}
		to := p
		if k < days-1 {
			f := float64(k+1) / float64(days)
			to = nearestPlace(a.Lat+(z.Lat-a.Lat)*f, a.Lon+(z.Lon-a.Lon)*f)
		}
		b.set(to, km)
		done += km
	}
	if keepLast {
		b.pending = dist - done
	}
	return legs
}

// runTrip drives a loop of length about days: arrival at each stop, then
// nights there.
func (b *itBuilder) runTrip(t tripTemplate, days int, winter bool) {
	r := b.r
	stops := make([]int, len(t.Stops))
	for i, s := range t.Stops {
		stops[i] = pl(s)
	}
	days = max(days, len(stops))
	nights := split(r, days, len(stops))
	tr := trip{title: t.Title, start: b.d, winter: winter}
	for j, p := range stops {
		arrive := b.d
		used := b.moveTo(p, false)
		if used == 0 {
			b.stayN(1)
			used = 1
		}
		b.stayN(nights[j] - used)
		tr.stops = append(tr.stops, tripStop{p, arrive})
	}
	tr.end = b.d - 1
	b.it.trips = append(b.it.trips, tr)
}

// split divides total into n parts of at least 1.
func split(r *rand.Rand, total, n int) []int {
	parts := make([]int, n)
	for i := range parts {
		parts[i] = 1
	}
	for k := total - n; k > 0; k-- {
		parts[r.IntN(n)]++
	}
	return parts
}

// summer plans the travel season from today (the departure) to ret, when
// the couple should be back at base: 7-10 loops in season order, with the
// spare days spent lingering at the end of loops.
func (b *itBuilder) summer(ret, base int) {
	r := b.r
	k := between(r, 8, 10)
	chosen := r.Perm(len(summerTrips))[:k]
	slices.SortFunc(chosen, func(x, y int) int { return summerTrips[x].Order - summerTrips[y].Order })
	lengths := make([]int, k)
	for i := range lengths {
		lengths[i] = between(r, 9, 18)
	}
	transit := func(a, z int) int { return (roadKm(a, z) + maxDrive - 1) / maxDrive }
	var slack int
	for {
		used, prev := 0, b.cur
		for i, ti := range chosen {
			t := &summerTrips[ti]
			used += lengths[i] + max(transit(prev, pl(t.Stops[0]))-1, 0)
			prev = pl(t.Stops[len(t.Stops)-1])
		}
		used += transit(prev, base)
		slack = ret - b.d - used
		if slack >= 2*len(chosen) || len(chosen) <= 5 {
			break
		}
		drop := r.IntN(len(chosen))
		chosen = slices.Delete(chosen, drop, drop+1)
		lengths = slices.Delete(lengths, drop, drop+1)
	}
	linger := make([]int, len(chosen))
	if slack > 0 {
		weights := make([]float64, len(chosen))
		var sum float64
		for i := range weights {
			weights[i] = uniform(r, 0.3, 1.7)
			sum += weights[i]
		}
		left := slack
		for i := range linger {
			linger[i] = int(float64(slack) * weights[i] / sum)
			left -= linger[i]
		}
		for ; left > 0; left-- {
			linger[r.IntN(len(linger))]++
		}
	}
	for i, ti := range chosen {
		t := summerTrips[ti]
		b.moveTo(pl(t.Stops[0]), true)
		b.runTrip(t, lengths[i], false)
		b.stayN(linger[i])
	}
	b.moveTo(base, false)
}

// freeOvernights are where a rig sleeps for free on the way.
var freeOvernights = []string{"Walmart overnight parking", "Love's truck stop lot", "Cracker Barrel lot", "Harvest Hosts winery", "rest area", "Cabela's overnight lot"}

// buildStays cuts the days into stays and picks where the couple camps.
func (it *itinerary) buildStays(r *rand.Rand) {
	n := len(it.place)
	for d := 0; d < n; {
		s := stay{place: it.place[d], start: d, camp: -1, base: it.atBase[d]}
		e := d + 1
		for e < n && it.rvKm[e] == 0 {
			e++
		}
		s.nights = e - d
		if s.base < 0 && e-d > 1 && it.atBase[d+1] >= 0 {
			s.base = it.atBase[d+1] // arrival day at base
		}
		camps := it.ref.campsByPlace[s.place]
		switch {
		case s.base >= 0:
			for _, c := range camps {
				if it.ref.camps[c].name == winterBases[s.base].Park {
					s.camp = c
				}
			}
		case s.nights == 1 && it.trip[d] < 0:
			s.enRoute = true
			if chance(r, 0.65) || len(camps) == 0 {
				s.free = pick(r, freeOvernights)
			} else {
				s.camp = it.ref.cheapest(camps)
			}
		default:
			// Parks limit stays to two weeks; longer stays are at RV
			// parks on weekly or monthly rates.
			long := s.nights > 14
			weights := make([]float64, len(camps))
			for i, c := range camps {
				switch it.ref.camps[c].typ {
				case "national_park":
					weights[i] = 1.6
				case "rv_park":
					weights[i] = 1.1
				case "boondocking":
					weights[i] = 1.0
				case "state_park":
					weights[i] = 1.0
				default:
					weights[i] = 0.7
				}
				if long && it.ref.camps[c].typ != "rv_park" {
					weights[i] *= 0.05
				}
			}
			s.camp = camps[weighted(r, weights)]
		}
		it.stays = append(it.stays, s)
		d = e
	}
}

// cheapest is the camp with the lowest nightly fee that is not free.
func (ref *reference) cheapest(camps []int) int {
	best := camps[0]
	for _, c := range camps {
		p, bp := ref.camps[c].night, ref.camps[best].night
		if p > 0 && (bp == 0 || p < bp) {
			best = c
		}
	}
	return best
}

// driveCar adds the tow car's local driving: errands and sightseeing on
// days the motorhome stays put.
func (it *itinerary) driveCar(r *rand.Rand) {
	for d := range it.carKm {
		if it.rvKm[d] > 0 {
			continue
		}
		p := 0.62
		if it.atBase[d] >= 0 {
			p = 0.5
		}
		if chance(r, p) {
			it.carKm[d] = between(r, 12, 85)
		}
	}
}
