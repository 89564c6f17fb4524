package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"time"
)

// vehicle is one of the couple's vehicles and what happened to it over the
// history: fill-ups, odometer per day and, for the motorhomes, services.
type vehicle struct {
	id, name, short, fuel string
	econ                  float64 // mean L/100 km
	thrLo, thrHi          int     // km driven between fill-ups
	odo0                  int     // odometer at the start of the history, km
	car                   bool    // the tow car: driven locally, towed on travel days

	fills    []fill
	odo      []int // odometer at the end of each history day
	services []service
}

type fill struct {
	id    string
	day   int
	at    time.Time
	volC  int64   // centilitres
	mills int64   // price per litre in thousandths of a dollar
	cents int64   // total
	odo   int     // km
	cons  float64 // L/100 km since the previous full fill; 0 on partial fills
	full  bool
	place int
	stn   int // index into reference stations
}

type service struct {
	id, task, status, notes string
	provider                string
	day                     int
	at                      time.Time
	mileage                 int
	cost                    int64 // 0 when not known yet
	nextDay, nextKm         int   // -1 / 0 when none
	place                   int
}

// odoAt is the odometer at the end of history day d.
func (v *vehicle) odoAt(w *world, d int) int {
	switch {
	case d < w.h0:
		return v.odo0
	case d > w.today:
		return v.odo[len(v.odo)-1]
	}
	return v.odo[d-w.h0]
}

// totalPrice is the cost of a fill: volume times price rounded half up to
// the cent, computed exactly in integers.
func totalPrice(volC, mills int64) int64 { return (volC*mills + 500) / 1000 }

func simulateVehicles(w *world, it *itinerary, ref *reference, p *person) {
	for _, v := range p.vehicles() {
		simulateFuel(w, it, ref, v)
		if !v.car {
			simulateService(w, it, v)
		}
	}
}

// simulateFuel drives the vehicle day by day and fills up every 400-700 km
// (less for the car): full fills top up exactly what was burnt since the
// tank was last full; about one fill in seven (and at least one in ten) is
// a partial top-off.
func simulateFuel(w *world, it *itinerary, ref *reference, v *vehicle) {
	r := w.rng("fuel/" + v.id)
	ids := w.ids("fuel_log/" + v.id)
	odo := v.odo0
	var deficit float64 // litres below full
	since := 0          // km since the tank was full, or their equivalent after a top-off
	thr := between(r, v.thrLo, v.thrHi)
	lastFull, volSince := odo, int64(0)
	sincePartial := between(r, 0, 6)
	v.odo = make([]int, w.today-w.h0+1)
	for d := w.h0; d <= w.today; d++ {
		km := it.rvKm[d]
		if v.car {
			km = it.carKm[d]
		}
		econ := v.econ * (1 + 0.045*r.NormFloat64())
		econ = math.Max(v.econ*0.88, math.Min(v.econ*1.12, econ))
		for pos := 0; pos < km; {
			step := min(thr-since, km-pos)
			odo += step
			since += step
			pos += step
			deficit += float64(step) * econ / 100
			if since < thr {
				break
			}
			place := it.place[d]
			if !v.car && km > 0 {
				a, z := &places[it.from[d]], &places[it.place[d]]
				f := float64(pos) / float64(km)
				place = nearestPlace(a.Lat+(z.Lat-a.Lat)*f, a.Lon+(z.Lon-a.Lon)*f)
			}
			hour := 9*3600 + pos*9*3600/max(km, 1)
			if v.car {
				hour = between(r, 10*3600, 18*3600)
			}
			fl := fill{day: d, odo: odo, place: place, at: w.past(d, hour+between(r, 0, 900))}
			thr = between(r, v.thrLo, v.thrHi)
			sincePartial++
			if (chance(r, 0.15) || sincePartial >= 10) && deficit > 30 {
				sincePartial = 0
				fl.volC = int64(math.Round(deficit * uniform(r, 0.35, 0.65) * 100))
				deficit -= float64(fl.volC) / 100
				volSince += fl.volC
				// The tank is not full: the next fill comes sooner, but
				// never within 60 km.
				since = min(int(deficit/econ*100), thr-60)
			} else {
				fl.full = true
				fl.volC = int64(math.Round(deficit * 100))
				fl.cons = round(float64(volSince+fl.volC)/float64(odo-lastFull), 2)
				lastFull, volSince, deficit, since = odo, 0, 0, 0
			}
			fl.mills = fuelMills(w, r, places[place].State, v.fuel, d)
			fl.cents = totalPrice(fl.volC, fl.mills)
			fl.stn = ref.pickStation(r, place, !v.car)
			fl.id = ids.at(fl.at)
			v.fills = append(v.fills, fl)
		}
		v.odo[d-w.h0] = odo
	}
}

// fuelMills is the pump price per litre on day d, in thousandths of a
// dollar: the state's base price, a summer peak, a drift from year to year
// and a little noise, kept within 1.000-1.400.
func fuelMills(w *world, r *rand.Rand, state, fuel string, d int) int64 {
	gas, diesel := basePrice(state)
	p := gas
	if fuel == "diesel" {
		p = diesel
	}
	c := w.civil(d)
	season := 1 + 0.045*math.Sin(2*math.Pi*float64(c.YearDay()-110)/365)
	drift := 1 + 0.035*math.Sin(float64(c.Year())*1.7)
	p = p*season*drift + 0.012*r.NormFloat64()
	if p < 1.0 {
		p = 1.0 + 0.03*r.Float64()
	}
	p = math.Min(p, 1.4)
	return int64(math.Round(p * 1000))
}

// pickStation picks a station of the place, an RV-friendly one for a rig.
func (ref *reference) pickStation(r *rand.Rand, place int, rig bool) int {
	cands := ref.stationsByPlace[place]
	if rig {
		var rv []int
		for _, s := range cands {
			if ref.stations[s].rv {
				rv = append(rv, s)
			}
		}
		if len(rv) > 0 {
			cands = rv
		}
	}
	return pick(r, cands)
}

// serviceRule is a kind of maintenance: due every km kilometres (0: by time
// only) or every days days, whichever comes first. AtBase services are
// yearly, done in winter at the base (at the latest after 400 days).
type serviceRule struct {
	task, label  string
	km, kmSpread int
	days         int
	atBase       bool
	diesel, gas  [2]float64 // cost range, dollars
}

var serviceRules = []serviceRule{
	{"oil_change", "Oil change", 9000, 1000, 182, false, [2]float64{265, 365}, [2]float64{115, 175}},
	{"tire_rotation", "Tire rotation", 11000, 1000, 365, false, [2]float64{95, 165}, [2]float64{60, 120}},
	{"generator_service", "Generator service", 0, 0, 365, true, [2]float64{165, 285}, [2]float64{150, 260}},
	{"brake_service", "Brake service", 35000, 3000, 730, false, [2]float64{520, 980}, [2]float64{380, 720}},
	{"service", "Annual service", 0, 0, 365, true, [2]float64{680, 1250}, [2]float64{480, 920}},
}

func (sr *serviceRule) cost(r *rand.Rand, fuel string) int64 {
	c := sr.gas
	if fuel == "diesel" {
		c = sr.diesel
	}
	return dollars(r, c[0], c[1])
}

// simulateService walks the history and services the motorhome when each
// kind of maintenance falls due, on a day the rig is not driving, at the
// odometer reading of that day. The latest service of each kind carries
// its next due date and mileage; one service ahead of Now is booked.
func simulateService(w *world, it *itinerary, v *vehicle) {
	r := w.rng("service/" + v.id)
	ids := w.ids("maintenance_records/" + v.id)
	type state struct{ lastKm, lastDay, interval, latest int }
	st := make([]state, len(serviceRules))
	// The services done at base were last done the winter before.
	lastWinter := w.h0
	for m := w.civil(lastWinter).Month(); m > time.February && m < time.December; m = w.civil(lastWinter).Month() {
		lastWinter--
	}
	for i, sr := range serviceRules {
		st[i] = state{lastDay: w.h0 - r.IntN(sr.days*4/5), latest: -1}
		if sr.atBase {
			st[i].lastDay = lastWinter - r.IntN(40)
		}
		if sr.km > 0 {
			st[i].interval = between(r, sr.km-sr.kmSpread, sr.km+sr.kmSpread)
			st[i].lastKm = v.odo0 - r.IntN(sr.km*4/5)
		}
	}
	for d := w.h0; d <= w.today; d++ {
		if it.rvKm[d] > 0 {
			continue
		}
		odo := v.odoAt(w, d)
		visit := between(r, 8*3600, 11*3600)
		for i := range serviceRules {
			sr, s := &serviceRules[i], &st[i]
			due := d-s.lastDay >= sr.days && !sr.atBase ||
				sr.km > 0 && odo-s.lastKm >= s.interval ||
				sr.atBase && (it.atBase[d] >= 0 && d-s.lastDay >= 240 || d-s.lastDay >= 400)
			if !due {
				continue
			}
			sv := service{task: sr.task, status: "completed", day: d, mileage: odo, place: it.place[d],
				cost: sr.cost(r, v.fuel), nextDay: -1}
			sv.at = w.past(d, visit+between(r, 2*3600, 5*3600))
			sv.provider = serviceProvider(r, sr, v, &places[sv.place])
			sv.notes = serviceNotes(r, sr, v, sv.provider)
			sv.id = ids.at(sv.at)
			s.lastDay, s.lastKm, s.latest = d, odo, len(v.services)
			if sr.km > 0 {
				s.interval = between(r, sr.km-sr.kmSpread, sr.km+sr.kmSpread)
			}
			v.services = append(v.services, sv)
		}
	}
	// Next due on the latest of each kind; book the soonest one ahead.
	soonest, soonDay := -1, 0
	for i := range serviceRules {
		sr, s := &serviceRules[i], &st[i]
		if s.latest < 0 {
			continue
		}
		sv := &v.services[s.latest]
		sv.nextDay = sv.day + sr.days
		if sr.km > 0 {
			sv.nextKm = sv.mileage + s.interval
		}
		if soonest < 0 || sv.nextDay < soonDay {
			soonest, soonDay = i, sv.nextDay
		}
	}
	if soonest < 0 {
		return
	}
	sr, prev := &serviceRules[soonest], v.services[st[soonest].latest]
	day := min(max(soonDay, w.today+5), w.today+90)
	odoNow := v.odoAt(w, w.today)
	perDay := float64(odoNow-v.odo0) / float64(w.today-w.h0+1)
	sv := service{task: sr.task, status: "scheduled", day: day, nextDay: day, nextKm: prev.nextKm,
		mileage: odoNow + int(perDay*float64(day-w.today)), place: it.place[min(day, len(it.place)-1)]}
	if sv.nextKm > 0 && sv.mileage > sv.nextKm {
		sv.mileage = sv.nextKm
	}
	if sv.mileage < odoNow {
		sv.mileage = odoNow
	}
	if day-w.today <= 30 {
		sv.status = "upcoming"
	}
	sv.at = w.now.Add(-time.Duration(between(r, 2, 9)) * 24 * time.Hour)
	sv.provider = serviceProvider(r, sr, v, &places[sv.place])
	sv.notes = fmt.Sprintf("Booked: %s at %s. Estimate %s.", sr.label, sv.provider, usd(sr.cost(r, v.fuel)))
	sv.id = ids.at(sv.at)
	v.services = append(v.services, sv)
}

func serviceProvider(r *rand.Rand, sr *serviceRule, v *vehicle, p *place) string {
	var names []string
	switch {
	case sr.task == "generator_service":
		names = []string{"Cummins Onan Service Center", "Camping World Service", "mobile RV tech"}
	case sr.task == "tire_rotation":
		names = []string{"Discount Tire", "Les Schwab Tire Center", "Love's Truck Care", "Big O Tires"}
	case v.fuel == "diesel":
		names = []string{"Cummins Sales and Service", "Freightliner Truck Center", "Love's Truck Care", "Speedco"}
	default:
		names = []string{"Ford Commercial Truck Service", "Camping World Service", "Jiffy Lube RV Center", "Valvoline Express Care"}
	}
	if sr.task == "service" {
		names = []string{"Camping World Service", "Lazydays RV Service", "mobile RV tech", "Blue Compass RV Service"}
	}
	return pick(r, names) + ", " + p.Label()
}

func serviceNotes(r *rand.Rand, sr *serviceRule, v *vehicle, where string) string {
	switch sr.task {
	case "oil_change":
		if v.fuel == "diesel" {
			return "Cummins 6.7L: 18 qt 15W-40, oil and fuel filters, DEF topped up. " + where + "."
		}
		return "Ford 7.3L V8: 8 qt 5W-30, oil filter, chassis lube. " + where + "."
	case "tire_rotation":
		return fmt.Sprintf("Rotated and balanced, pressures set to %d psi front / %d psi rear. %s.", between(r, 90, 100), between(r, 80, 95), where)
	case "generator_service":
		return fmt.Sprintf("Onan generator at %d hours: oil, air and fuel filters, spark arrestor cleaned. %s.", between(r, 300, 1400), where)
	case "brake_service":
		return "Front pads and rotors, brake fluid flush. " + where + "."
	}
	return pick(r, []string{
		"Annual coach service: roof and window seals resealed, slide-outs lubricated, water heater anode replaced, LP leak test passed. ",
		"Annual chassis and coach inspection: belts, hoses, coolant, batteries load-tested, awning serviced. ",
	}) + where + "."
}
