package transfer

import (
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// fill is one fill-up read from a file, metric.
type fill struct {
	line    int
	id      string
	vehicle string // the app's car name, "" for one vehicle
	date    string
	km      float64 // odometer; NaN when the line gave only a trip distance
	trip    float64 // km since the previous fill, NaN when not given
	litres  float64
	mills   int64 // price per litre in thousandths, -1 when unknown
	total   int64 // cents, -1 when unknown
	partial bool
	missed  bool
	notes   string
	where   string
	l100    float64 // computed consumption, 0 when none
}

// fuellyHeader is Fuelly's export (US units; the metric export names its
// columns litres, km and l/100km).
const fuellyRequired = "fuelup_date,odometer|miles|km|kilometers,gallons|litres|liters"

func parseFuelly(user string, data []byte, opt Options) (*plan, error) {
	_, recs, err := readCSV(data, strings.Split(fuellyRequired, ",")...)
	if err != nil {
		return nil, err
	}
	p := &plan{lines: len(recs)}
	ids := newIDer(user, KindFuelly)
	var fills []*fill
	for _, r := range recs {
		us := r.has("gallons")
		if opt.Units != "" {
			us = opt.Units == UnitsUS
		}
		volF, distF := 1.0, 1.0
		if us {
			volF, distF = litresPerGallon, kmPerMile
		}
		f := &fill{line: r.line, id: ids.id(r.content()), vehicle: r.get("car_name"), km: math.NaN(), trip: math.NaN(), mills: -1, total: -1}
		ok := true
		fail := func(format string, args ...any) { p.bad(r.line, format, args...); ok = false }
		if f.date, err = parseDate(r.get("fuelup_date"), opt.DayFirst); err != nil {
			fail("fuelup_date: %v", err)
		}
		if s := r.get("odometer"); s != "" {
			if x, err := parseNumber(s); err != nil || x < 0 {
				fail("odometer: not a distance: %q", s)
			} else {
				f.km = x * distF
			}
		}
		if s := r.get("miles", "km", "kilometers"); s != "" {
			if x, err := parseNumber(s); err != nil || x < 0 {
				fail("trip distance: not a distance: %q", s)
			} else {
				f.trip = x * distF
			}
		}
		if math.IsNaN(f.km) && math.IsNaN(f.trip) {
			fail("neither an odometer nor a trip distance")
		}
		vol := r.get("gallons", "litres", "liters")
		if x, err := parseNumber(vol); err != nil || x <= 0 {
			fail("volume: not a positive number: %q", vol)
		} else {
			f.litres = x * volF
		}
		if s := r.get("price"); s != "" {
			if x, err := parseNumber(s); err != nil || x < 0 {
				fail("price: not a price: %q", s)
			} else if ok {
				f.mills = int64(math.Round(x * 1000 / volF))
				f.total = cents(x * f.litres / volF)
			}
		}
		if f.partial, err = parseBool(r.get("partial_fuelup")); err != nil {
			fail("partial_fuelup: %v", err)
		}
		if f.missed, err = parseBool(r.get("missed_fuelup")); err != nil {
			fail("missed_fuelup: %v", err)
		}
		f.notes = joinNotes(r.get("notes"), r.get("tags"), carName(r.get("car_name"), r.get("model")))
		f.where = r.get("brand")
		if lat, lon := r.get("latitude"), r.get("longitude"); lat != "" && lon != "" && lat != "0" && lon != "0" {
			f.where = strings.TrimSpace(f.where + " " + fmt.Sprintf("(%s, %s)", lat, lon))
		}
		if ok {
			fills = append(fills, f)
		}
	}
	fuelPlan(p, fills, opt)
	return p, nil
}

// lubeFuelRequired is LubeLogger's fuel export header.
const lubeFuelRequired = "date,odometer,fuelconsumed,cost,isfilltofull,missedfuelup"

func parseLubeFuel(user string, data []byte, opt Options) (*plan, error) {
	_, recs, err := readCSV(data, strings.Split(lubeFuelRequired, ",")...)
	if err != nil {
		return nil, err
	}
	volF, distF := litresPerGallon, kmPerMile
	if opt.Units == UnitsMetric {
		volF, distF = 1, 1
	}
	p := &plan{lines: len(recs)}
	ids := newIDer(user, KindLubeLoggerFuel)
	var fills []*fill
	for _, r := range recs {
		f := &fill{line: r.line, id: ids.id(r.content()), trip: math.NaN(), mills: -1, total: -1}
		ok := true
		fail := func(format string, args ...any) { p.bad(r.line, format, args...); ok = false }
		if f.date, err = parseDate(r.get("date"), opt.DayFirst); err != nil {
			fail("Date: %v", err)
		}
		if x, err := parseNumber(r.get("odometer")); err != nil || x < 0 {
			fail("Odometer: not a distance: %q", r.get("odometer"))
		} else {
			f.km = x * distF
		}
		if x, err := parseNumber(r.get("fuelconsumed")); err != nil || x <= 0 {
			fail("FuelConsumed: not a positive number: %q", r.get("fuelconsumed"))
		} else {
			f.litres = x * volF
		}
		if s := r.get("cost"); s != "" {
			if x, err := parseNumber(s); err != nil || x < 0 {
				fail("Cost: not an amount: %q", s)
			} else {
				f.total = cents(x)
			}
		}
		full, err := parseBool(r.get("isfilltofull"))
		if err != nil {
			fail("IsFillToFull: %v", err)
		}
		f.partial = !full
		if f.missed, err = parseBool(r.get("missedfuelup")); err != nil {
			fail("MissedFuelUp: %v", err)
		}
		f.notes = joinNotes(r.get("notes"), r.get("tags"), "")
		if ok {
			if f.total >= 0 && f.litres > 0 {
				f.mills = int64(math.Round(float64(f.total) * 10 / f.litres))
			}
			fills = append(fills, f)
		}
	}
	fuelPlan(p, fills, opt)
	return p, nil
}

func carName(car, model string) string {
	if car == "" {
		return ""
	}
	if model != "" && !strings.Contains(strings.ToLower(car), strings.ToLower(model)) {
		car += " " + model
	}
	return "vehicle: " + car
}

// joinNotes is the notes, the tags and extra in one text.
func joinNotes(notes, tags, extra string) string {
	var parts []string
	if notes != "" {
		parts = append(parts, notes)
	}
	if tags != "" {
		parts = append(parts, "tags: "+tags)
	}
	if extra != "" {
		parts = append(parts, extra)
	}
	return strings.Join(parts, "; ")
}

// fuelPlan orders each vehicle's fills by odometer, computes consumption
// as Fuelly and LubeLogger do and turns the fills into fuel_log rows.
//
// A full fill's consumption is the fuel since the previous full fill (the
// partial fills in between and this fill) over the distance between the
// two full fills. A missed fill-up (one not recorded before this one)
// breaks the interval: the next full fill has no consumption and starts
// a new interval.
func fuelPlan(p *plan, fills []*fill, opt Options) {
	byCar := map[string][]*fill{}
	var cars []string
	for _, f := range fills {
		if _, ok := byCar[f.vehicle]; !ok {
			cars = append(cars, f.vehicle)
		}
		byCar[f.vehicle] = append(byCar[f.vehicle], f)
	}
	for _, car := range cars {
		fs := byCar[car]
		// Trip-only lines (Fuelly without odometer) take their odometer
		// from the previous line by date.
		sort.SliceStable(fs, func(i, j int) bool { return fs[i].date < fs[j].date })
		prev := math.NaN()
		for _, f := range fs {
			if math.IsNaN(f.km) {
				if math.IsNaN(prev) {
					p.bad(f.line, "no odometer and no earlier fill-up of %q to count the trip distance from", car)
					continue
				}
				f.km = prev + f.trip
			}
			prev = f.km
		}
		sort.SliceStable(fs, func(i, j int) bool {
			if fs[i].km != fs[j].km {
				return fs[i].km < fs[j].km
			}
			return fs[i].date < fs[j].date
		})
		eco := Economy{Vehicle: car, Fills: len(fs)}
		prevFull := math.NaN()
		carried := 0.0
		broken := false
		for _, f := range fs {
			if f.missed {
				broken, carried = true, 0
			}
			if f.partial {
				carried += f.litres
				continue
			}
			if !math.IsNaN(prevFull) && !broken {
				dist := f.km - prevFull
				if dist <= 0 {
					p.bad(f.line, "odometer %.1f km is not above the previous full fill's %.1f km", f.km, prevFull)
				} else {
					fuel := carried + f.litres
					f.l100 = round(fuel/dist*100, 2)
					eco.Counted++
					eco.KM += dist
					eco.Litres += fuel
				}
			}
			prevFull, carried, broken = f.km, 0, false
		}
		if eco.KM > 0 {
			eco.L100 = round(eco.Litres/eco.KM*100, 2)
			eco.MPG = round(mpgTimesL100/(eco.Litres/eco.KM*100), 2)
		}
		eco.KM, eco.Litres = round(eco.KM, 1), round(eco.Litres, 3)
		p.economy = append(p.economy, eco)
		for _, f := range fs {
			row := schema.Row{"id": f.id, "date": f.date, "volume": round(f.litres, 3), "odometer": round(f.km, 1),
				"filled_to_top": !f.partial}
			if f.mills >= 0 {
				row["price"] = schema.FormatDecimal(f.mills, 3)
			}
			if f.total >= 0 {
				row["total"] = schema.FormatDecimal(f.total, 2)
			}
			if f.l100 > 0 {
				row["consumption"] = f.l100
			}
			notes := f.notes
			if f.missed {
				notes = joinNotes(notes, "", "after a missed fill-up")
			}
			if notes != "" {
				row["notes"] = notes
			}
			if f.where != "" {
				row["location"] = f.where
			}
			if opt.VehicleID != "" {
				row["vehicle_id"] = opt.VehicleID
			}
			p.items = append(p.items, item{table: "fuel_log", line: f.line, row: row})
		}
	}
}
