// Package demo fills a store with a deterministic, believable data set: a
// year in the life of an RV couple, plus reference data.
//
// Alex and Sam spend the winter parked at a desert RV resort (Yuma, Tucson
// or the Rio Grande Valley) and the rest of the year on the road, in two
// rigs travelling together: Alex drives a diesel Super C towing a Honda
// CR-V, Sam a gasoline Class C that doubles as a mobile office. Every
// per-user table is derived from one simulated itinerary, so the numbers
// agree with each other: each fuel fill-up is also a "fuel" expense, each
// service a "maintenance" expense, odometers only go up, maintenance
// mileage matches the odometer of its day, camping fees follow the stays,
// hustle income is booked under the exact title of the user's hustle idea,
// and the assistant's answers quote the user's own spending.
//
// The same Options always produce the same rows, ids included: ids are
// UUIDv7 built from the row's timestamp and bits of a seeded PCG.
package demo

import (
	"context"
	"errors"
	"fmt"
	"hash/fnv"
	"math"
	"math/rand/v2"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

// The demo couple.
const (
	UserA = "0190a000-0000-7000-8000-00000000a11e" // Alex Morgan: US units, diesel Super C and tow car
	UserB = "0190a000-0000-7000-8000-00000000b0b5" // Sam Rivera: metric, gasoline Class C, remote worker
)

// The couple's vehicles (ids of the central vehicles table).
const (
	VehicleAlexRV  = "0190a000-0000-7000-8000-0000000a1e01" // 2020 Jayco Seneca 37K, diesel
	VehicleAlexCar = "0190a000-0000-7000-8000-0000000a1e02" // 2018 Honda CR-V, flat-towed
	VehicleSamRV   = "0190a000-0000-7000-8000-00000000b501" // 2019 Winnebago Minnie Winnie 26T, gasoline
)

// Options tune the data set.
type Options struct {
	// Scale multiplies the per-user history (expenses, fuel, income,
	// chat...) for benchmarks; 1 = one year. Scale N = N years back-to-back
	// ending at Now. Reference data does not scale.
	Scale int
	// Seed picks the data set; 0 means 1.
	Seed int64
	// Now is where the data set ends (required; callers pass the store
	// clock's now). A few planned rows (trips, scheduled service, local
	// events) lie after it.
	Now time.Time
	// Progress, when set, is called after each batch loaded with the
	// table's name, the rows of it loaded so far and the rows it will get.
	Progress func(step string, done, total int)
}

// Summary says what Fill loaded.
type Summary struct {
	Users []string       // UserA and UserB
	Rows  map[string]int // rows loaded per table
}

// batchSize bounds the rows of one Load call (one transaction).
const batchSize = 5000

// Fill loads the demo data set into s and makes UserA the device owner.
// Rows are loaded with LoadOptions{} (no change log), so nothing is pushed.
// Fill into a store that already holds the demo set fails on the first
// duplicate id.
func Fill(ctx context.Context, s *localstore.Store, opt Options) (*Summary, error) {
	if s == nil {
		return nil, errors.New("demo: nil store")
	}
	if opt.Now.IsZero() {
		return nil, errors.New("demo: Options.Now is required")
	}
	if opt.Scale <= 0 {
		opt.Scale = 1
	}
	if opt.Seed == 0 {
		opt.Seed = 1
	}
	w := newWorld(opt)
	l := &loader{ctx: ctx, s: s, progress: opt.Progress,
		sum: &Summary{Users: []string{UserA, UserB}, Rows: make(map[string]int)}}

	ref := genReference(w)
	if err := ref.load(l); err != nil {
		return nil, err
	}
	it := buildItinerary(w, ref)
	people := newPeople(w)
	for _, p := range people {
		simulateVehicles(w, it, ref, p)
	}
	for _, p := range people {
		if err := loadPerson(w, l, it, ref, p, people); err != nil {
			return nil, err
		}
	}
	if err := loadShared(w, l, it, ref, people); err != nil {
		return nil, err
	}
	if err := s.SetOwner(ctx, UserA); err != nil {
		return nil, fmt.Errorf("demo: set owner: %w", err)
	}
	return l.sum, nil
}

// ---------------------------------------------------------------- world

// tz is the couple's local time: Arizona's, which has no daylight saving.
var tz = time.FixedZone("MST", -7*3600)

// world holds the calendar of the simulation. Days are indices from day0,
// the first of January of the first simulated year, in local dates.
type world struct {
	seed  uint64
	scale int
	now   time.Time // UTC
	day0  time.Time // local midnight of day 0, as a UTC-located civil date
	h0    int       // first day of the history
	today int       // last day of the history: Now's local date
	end   int       // last planned day (trips, events, service ahead of Now)
	n     int       // simulated days: through the 31st of December after end
	dates []string  // YYYY-MM-DD per day
}

func newWorld(opt Options) *world {
	now := opt.Now.UTC()
	local := now.In(tz)
	todayDate := time.Date(local.Year(), local.Month(), local.Day(), 0, 0, 0, 0, time.UTC)
	first := todayDate.AddDate(-opt.Scale, 0, 1)
	w := &world{seed: uint64(opt.Seed), scale: opt.Scale, now: now}
	w.day0 = time.Date(first.Year(), 1, 1, 0, 0, 0, 0, time.UTC)
	w.h0 = w.dayOf(first)
	w.today = w.dayOf(todayDate)
	w.end = w.today + 92
	endDate := w.day0.AddDate(0, 0, w.end)
	w.n = w.dayOf(time.Date(endDate.Year()+1, 1, 1, 0, 0, 0, 0, time.UTC))
	w.dates = make([]string, w.n)
	for d := range w.dates {
		w.dates[d] = w.civil(d).Format(schema.DateLayout)
	}
	return w
}

// dayOf is the index of a civil date (UTC-located midnight).
func (w *world) dayOf(t time.Time) int {
	return int(math.Round(t.Sub(w.day0).Hours() / 24))
}

// dayYMD is the index of a civil date.
func (w *world) dayYMD(y int, m time.Month, d int) int {
	return w.dayOf(time.Date(y, m, d, 0, 0, 0, 0, time.UTC))
}

// civil is day d as a UTC-located civil date.
func (w *world) civil(d int) time.Time { return w.day0.AddDate(0, 0, d) }

// date is day d as YYYY-MM-DD.
func (w *world) date(d int) string {
	if d >= 0 && d < len(w.dates) {
		return w.dates[d]
	}
	return w.civil(d).Format(schema.DateLayout)
}

// at is local time sec seconds after midnight of day d, in UTC.
func (w *world) at(d int, sec int) time.Time {
	c := w.civil(d)
	return time.Date(c.Year(), c.Month(), c.Day(), 0, 0, 0, 0, tz).Add(time.Duration(sec) * time.Second).UTC()
}

// past is at(d, sec) but never after Now: something that already happened.
func (w *world) past(d, sec int) time.Time {
	t := w.at(d, sec)
	if t.After(w.now) {
		// Keep the order of same-day events: squeeze them before Now.
		t = w.now.Add(-time.Duration(86400-sec%86400) * time.Second / 24)
	}
	return t
}

// rng returns an independent generator for one part of the data set, so
// each part stays the same when another changes.
func (w *world) rng(stream string) *rand.Rand {
	h := fnv.New64a()
	h.Write([]byte(stream))
	return rand.New(rand.NewPCG(w.seed, h.Sum64()))
}

// ids mints deterministic UUIDv7s for one part of the data set.
func (w *world) ids(stream string) *idGen { return &idGen{r: w.rng("ids/" + stream)} }

type idGen struct{ r *rand.Rand }

// at mints a UUIDv7 whose timestamp is t.
func (g *idGen) at(t time.Time) string {
	ms := uint64(t.UnixMilli())
	a, b := g.r.Uint64(), g.r.Uint64()
	var u [16]byte
	for i := 0; i < 6; i++ {
		u[i] = byte(ms >> (40 - 8*i))
	}
	u[6] = 0x70 | byte(a>>8)&0x0f
	u[7] = byte(a)
	u[8] = 0x80 | byte(b>>56)&0x3f
	for i := 9; i < 16; i++ {
		u[i] = byte(b >> (8 * (15 - i)))
	}
	return fmt.Sprintf("%x-%x-%x-%x-%x", u[0:4], u[4:6], u[6:8], u[8:10], u[10:16])
}

// ---------------------------------------------------------------- loading

type loader struct {
	ctx      context.Context
	s        *localstore.Store
	progress func(string, int, int)
	sum      *Summary
}

// load inserts n rows built by row, in transactions of batchSize rows, so
// only one batch of maps is alive at a time.
func (l *loader) load(table string, n int, row func(i int) schema.Row) error {
	batch := make([]schema.Row, 0, min(n, batchSize))
	for i := 0; i < n; i++ {
		batch = append(batch, row(i))
		if len(batch) < batchSize && i < n-1 {
			continue
		}
		if err := l.s.Load(l.ctx, table, batch, localstore.LoadOptions{}); err != nil {
			return fmt.Errorf("demo: load %s: %w", table, err)
		}
		l.sum.Rows[table] += len(batch)
		if l.progress != nil {
			l.progress(table, i+1, n)
		}
		clear(batch)
		batch = batch[:0]
	}
	return nil
}

// rows loads prepared rows.
func (l *loader) rows(table string, rows []schema.Row) error {
	return l.load(table, len(rows), func(i int) schema.Row { return rows[i] })
}

// ---------------------------------------------------------------- helpers

// between is a uniform integer in [lo, hi].
func between(r *rand.Rand, lo, hi int) int {
	if hi <= lo {
		return lo
	}
	return lo + r.IntN(hi-lo+1)
}

// uniform is a uniform float in [lo, hi).
func uniform(r *rand.Rand, lo, hi float64) float64 { return lo + r.Float64()*(hi-lo) }

func chance(r *rand.Rand, p float64) bool { return r.Float64() < p }

func pick[T any](r *rand.Rand, xs []T) T { return xs[r.IntN(len(xs))] }

// dollars is a uniform amount of money in [lo, hi) dollars, in cents.
func dollars(r *rand.Rand, lo, hi float64) int64 {
	return int64(math.Round(uniform(r, lo, hi) * 100))
}

// money renders cents as a decimal string: 4510 -> "45.10".
func money(cents int64) string { return schema.FormatDecimal(cents, 2) }

// usd renders cents for text: "$1,234.50".
func usd(cents int64) string {
	s := money(cents)
	whole, frac := s[:len(s)-3], s[len(s)-3:]
	neg := whole[0] == '-'
	if neg {
		whole = whole[1:]
	}
	var b []byte
	for i := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b = append(b, ',')
		}
		b = append(b, whole[i])
	}
	if neg {
		return "-$" + string(b) + frac
	}
	return "$" + string(b) + frac
}

// round rounds x to n decimals.
func round(x float64, n int) float64 {
	p := math.Pow10(n)
	return math.Round(x*p) / p
}

// ts renders a timestamp in the stored form.
func ts(t time.Time) string { return schema.FormatTimestamp(t) }

// strs turns strings into the []any a text[] column takes.
func strs(xs ...string) []any {
	out := make([]any, len(xs))
	for i, x := range xs {
		out[i] = x
	}
	return out
}

// weighted picks an index with probability proportional to its weight.
func weighted(r *rand.Rand, weights []float64) int {
	var sum float64
	for _, x := range weights {
		sum += x
	}
	t := r.Float64() * sum
	for i, x := range weights {
		if t < x {
			return i
		}
		t -= x
	}
	return len(weights) - 1
}

// Unit conversions for users who read US units.
const (
	kmPerMile     = 1.609344
	litresPerGal  = 3.785411784
	mpgPerL100KmK = 235.214583 // mpg = k / (L/100 km)
)
