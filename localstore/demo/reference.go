package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Reference data: shared directories that do not scale with the history.
const (
	nCamps    = 300
	nStations = 300
	nEvents   = 60
)

type camp struct {
	id, name, typ string
	place         int
	lat, lon      float64
	night         int64 // price per night in cents; 0 when free
	rating        float64
}

type station struct {
	id, name, brand, address string
	place                    int
	rv                       bool
}

type hustleRef struct {
	id, title string
}

type socialGroup struct {
	id, name string
	owner    int // index into people, -1 for none
	created  time.Time
}

type product struct {
	id, name, category string
	price              int64
}

// reference is the generated reference data plus the indexes the
// per-user history draws on.
type reference struct {
	w               *world
	camps           []camp
	campsByPlace    [][]int
	stations        []station
	stationsByPlace [][]int
	youtube         []hustleRef
	catalogue       []hustleRef
	groups          []socialGroup
	products        []product

	tables []refTable
}

type refTable struct {
	name string
	rows []schema.Row
}

func (ref *reference) add(name string, rows []schema.Row) {
	ref.tables = append(ref.tables, refTable{name, rows})
}

func (ref *reference) load(l *loader) error {
	for _, t := range ref.tables {
		if err := l.rows(t.name, t.rows); err != nil {
			return err
		}
	}
	ref.tables = nil
	return nil
}

func genReference(w *world) *reference {
	ref := &reference{w: w}
	ref.genCamps()
	ref.genStations()
	ref.genEvents()
	ref.genOffroad()
	ref.genFacebook()
	ref.genProducts()
	ref.genYoutube()
	ref.genCatalogue()
	ref.genSocialGroups()
	ref.genAnalytics()
	return ref
}

// createdBefore is a creation time some days before Now.
func (ref *reference) createdBefore(r *rand.Rand, minDays, maxDays int) time.Time {
	d := ref.w.today - between(r, minDays, maxDays)
	return ref.w.past(d, between(r, 8*3600, 20*3600))
}

// perPlace spreads n items over the places: every place gets n/len, the
// remainder goes to random places, at most one extra each.
func perPlace(r *rand.Rand, n int) []int {
	counts := make([]int, len(places))
	for i := range counts {
		counts[i] = n / len(places)
	}
	extra := r.Perm(len(places))[:n%len(places)]
	for _, i := range extra {
		counts[i]++
	}
	return counts
}

func jitter(r *rand.Rand, p *place, spread float64) (float64, float64) {
	return round(p.Lat+uniform(r, -spread, spread), 5), round(p.Lon+uniform(r, -spread*1.3, spread*1.3), 5)
}

// ---------------------------------------------------------------- camping

var rvParkPatterns = []string{"%s KOA Journey", "Sun Outdoors %s", "%s RV Resort", "%s Lakeside RV Park", "Good Sam %s RV Park", "%s Trailer Village"}

func (ref *reference) genCamps() {
	w := ref.w
	r := w.rng("camping_locations")
	ids := w.ids("camping_locations")
	counts := perPlace(r, nCamps)
	ref.campsByPlace = make([][]int, len(places))
	used := make(map[string]bool)
	rows := make([]schema.Row, 0, nCamps)
	for pi := range places {
		p := &places[pi]
		park := "State Park"
		if p.Canada() {
			park = "Provincial Park"
		}
		type option struct{ typ, name string }
		opts := []option{
			{"rv_park", fmt.Sprintf(pick(r, rvParkPatterns), p.Name)},
			{"boondocking", p.Feat[1] + pick(r, []string{" BLM Dispersed Area", " Dispersed Camping", " Free Camping Area"})},
			{"state_park", p.Feat[1] + " " + park},
			{"campground", p.Feat[0] + " Campground"},
			{"rv_park", p.Feat[0] + " RV Park"},
		}
		if p.Park != "" {
			opts = append([]option{{"national_park", p.Park + ": " + p.Feat[0] + " Campground"}}, opts...)
		}
		// Base parks where the couple winters.
		for _, b := range winterBases {
			if b.Place == p.Name {
				opts = append([]option{{"rv_park", b.Park}}, opts...)
			}
		}
		order := r.Perm(len(opts))
		if opts[0].name != "" && (p.Park != "" || isBase(p.Name)) {
			// Keep the park (or the base resort) first: it is the reason to come.
			order = append([]int{0}, without(order, 0)...)
		}
		for k := 0; k < counts[pi] && k < len(order); k++ {
			o := opts[order[k]]
			name := o.name
			if used[name] {
				name += " (" + p.Name + ")"
			}
			used[name] = true
			c := camp{name: name, typ: o.typ, place: pi}
			c.lat, c.lon = jitter(r, p, 0.12)
			c.rating = round(uniform(r, 2.5, 5.0), 1)
			amenities := []string{}
			hookups := map[string]any{"electric": nil, "water": false, "sewer": false}
			maxLen := between(r, 25, 45)
			reserve := false
			switch o.typ {
			case "rv_park":
				c.night = dollars(r, 42, 89)
				amenities = pickSome(r, []string{"wifi", "showers", "laundry", "pool", "dog_park", "camp_store", "propane", "clubhouse", "pickleball"}, 4, 7)
				hookups = map[string]any{"electric": pick(r, []string{"30A", "50A", "50A"}), "water": true, "sewer": true}
				maxLen = between(r, 40, 45)
				reserve = true
			case "state_park":
				c.night = dollars(r, 22, 42)
				amenities = pickSome(r, []string{"showers", "dump_station", "potable_water", "picnic_tables", "fire_rings", "hiking_trails"}, 3, 5)
				hookups = map[string]any{"electric": "30A", "water": chance(r, 0.6), "sewer": false}
				reserve = chance(r, 0.6)
			case "national_park":
				c.night = dollars(r, 20, 36)
				amenities = pickSome(r, []string{"flush_toilets", "potable_water", "dump_station", "ranger_programs", "fire_rings"}, 3, 5)
				maxLen = between(r, 27, 40)
				reserve = true
			case "campground":
				c.night = dollars(r, 14, 28)
				amenities = pickSome(r, []string{"vault_toilets", "picnic_tables", "fire_rings", "potable_water"}, 2, 4)
				maxLen = between(r, 25, 35)
			case "boondocking":
				c.night = 0
				c.rating = round(uniform(r, 3.2, 5.0), 1)
			}
			if isBase(p.Name) && k == 0 {
				// The winter resort: well kept, cheaper by the month.
				c.night, c.rating = dollars(r, 52, 64), round(uniform(r, 4.4, 4.8), 1)
			}
			created := ref.createdBefore(r, 200, 1400)
			c.id = ids.at(created)
			row := schema.Row{
				"id":                   c.id,
				"name":                 c.name,
				"type":                 c.typ,
				"latitude":             c.lat,
				"longitude":            c.lon,
				"address":              campAddress(r, p, o.typ),
				"source_url":           "https://camping.example.com/" + slug(c.name),
				"reviews_summary":      campReview(r, &c, p),
				"crowd_level":          pick(r, []string{"low", "moderate", "moderate", "high"}),
				"amenities":            strs(amenities...),
				"hookups":              hookups,
				"seasonal_info":        seasonFor(p),
				"is_free":              c.night == 0,
				"reservation_required": reserve,
				"price_per_night":      money(c.night),
				"user_ratings":         c.rating,
				"max_rig_length":       maxLen,
				"last_scraped":         ts(ref.createdBefore(r, 1, 30)),
				"created_at":           ts(created),
			}
			if reserve {
				row["reservation_link"] = "https://reservations.example.com/" + slug(c.name)
			}
			if o.typ == "boondocking" {
				row["alternative_sites"] = []any{map[string]any{"name": p.Feat[0] + " pullouts", "distance_km": between(r, 2, 15)}}
			}
			ref.campsByPlace[pi] = append(ref.campsByPlace[pi], len(ref.camps))
			ref.camps = append(ref.camps, c)
			rows = append(rows, row)
		}
	}
	ref.add("camping_locations", rows)
}

func isBase(name string) bool {
	for _, b := range winterBases {
		if b.Place == name {
			return true
		}
	}
	return false
}

func without(xs []int, v int) []int {
	out := make([]int, 0, len(xs))
	for _, x := range xs {
		if x != v {
			out = append(out, x)
		}
	}
	return out
}

// pickSome returns between lo and hi distinct items, in list order.
func pickSome(r *rand.Rand, xs []string, lo, hi int) []string {
	n := min(between(r, lo, hi), len(xs))
	keep := r.Perm(len(xs))[:n]
	mark := make([]bool, len(xs))
	for _, k := range keep {
		mark[k] = true
	}
	out := make([]string, 0, n)
	for i, x := range xs {
		if mark[i] {
			out = append(out, x)
		}
	}
	return out
}

func campAddress(r *rand.Rand, p *place, typ string) string {
	switch typ {
	case "boondocking":
		return fmt.Sprintf("County Road %d, near %s", between(r, 100, 999), p.Label())
	case "national_park", "campground":
		return fmt.Sprintf("%s Rd, %s", p.Feat[0], p.Label())
	}
	return fmt.Sprintf("%d %s, %s", between(r, 100, 9999), pick(r, []string{"Main St", "Lakeshore Dr", "Hwy 89", "River Rd", "Frontage Rd", "Old Highway 40"}), p.Label())
}

func campReview(r *rand.Rand, c *camp, p *place) string {
	switch c.typ {
	case "boondocking":
		return pick(r, []string{
			"Wide, level gravel spots with big views; rough last mile, fine for big rigs at low speed. Good Verizon, Starlink works.",
			"Free and quiet, 14-day limit. No services; dump and water in " + p.Name + ".",
			"Spread-out sites along " + p.Feat[1] + ". Can get windy. Pack out your trash.",
		})
	case "rv_park":
		return pick(r, []string{
			"Clean, friendly staff, full hookups that work. Sites a bit tight for slide-outs.",
			"Level pull-throughs, strong Wi-Fi, laundry is spotless. Close to groceries in " + p.Name + ".",
			"Great base for exploring " + p.Feat[0] + ". Pricey in season; book early.",
		})
	case "national_park":
		return pick(r, []string{
			"Unbeatable location inside " + p.Park + ". Sites fill months ahead; generator hours enforced.",
			"Shaded loops, ranger talks in the amphitheater, no hookups. Rigs over 35 ft should check the loop map.",
		})
	}
	return pick(r, []string{
		"Pretty sites near " + p.Feat[0] + ", some tight turns. Water available May to September.",
		"Well-kept, quiet at night. Vault toilets, no hookups, level pads.",
		"Lovely spot; first-come first-served sites go by noon on weekends.",
	})
}

func seasonFor(p *place) map[string]any {
	switch {
	case p.Lat < 34:
		return map[string]any{"open": "year-round", "best": "October-April"}
	case p.Lat < 40:
		return map[string]any{"open": "year-round", "best": "April-June, September-October"}
	case p.Lat < 46:
		return map[string]any{"open": "May-October", "best": "June-September"}
	}
	return map[string]any{"open": "mid-May to September", "best": "July-August"}
}

// ---------------------------------------------------------------- fuel stations

var (
	truckStops = []string{"Love's Travel Stop", "Pilot Travel Center", "Flying J Travel Center", "TA Travel Center", "Petro Stopping Center"}
	usBrands   = []string{"Maverik", "Sinclair", "Chevron", "Shell", "Conoco", "Costco Gasoline", "Murphy USA", "Circle K", "Exxon"}
	caBrands   = []string{"Petro-Canada", "Esso", "Shell", "Husky", "Co-op Gas Bar", "Chevron"}
)

// basePrice is the per-litre price of regular gasoline and diesel by state,
// in USD, before season and noise.
func basePrice(state string) (gas, diesel float64) {
	switch state {
	case "CA":
		return 1.32, 1.38
	case "OR", "WA":
		return 1.20, 1.29
	case "BC", "AB":
		return 1.22, 1.28
	case "NV":
		return 1.18, 1.26
	case "AZ":
		return 1.10, 1.19
	case "NM", "TX":
		return 1.05, 1.14
	case "SD":
		return 1.08, 1.16
	}
	return 1.12, 1.22 // the Rockies
}

func (ref *reference) genStations() {
	w := ref.w
	r := w.rng("fuel_stations")
	ids := w.ids("fuel_stations")
	counts := perPlace(r, nStations)
	ref.stationsByPlace = make([][]int, len(places))
	rows := make([]schema.Row, 0, nStations)
	for pi := range places {
		p := &places[pi]
		for k := 0; k < counts[pi]; k++ {
			var s station
			switch {
			case p.Canada():
				s.brand = pick(r, caBrands)
				s.name = s.brand + " " + p.Name
				s.rv = chance(r, 0.5)
			case k == 0 || chance(r, 0.3):
				s.brand = pick(r, truckStops)
				if p.State == "TX" && chance(r, 0.3) {
					s.brand = "Buc-ee's"
				}
				s.name = fmt.Sprintf("%s #%d", s.brand, between(r, 101, 1299))
				s.rv = true
			default:
				s.brand = pick(r, usBrands)
				s.name = s.brand + " " + p.Name
				s.rv = chance(r, 0.45)
			}
			if s.rv {
				s.address = fmt.Sprintf("%d %s, %s", between(r, 100, 9999), pick(r, []string{"Frontage Rd", "Hwy 191", "I-70 Exit Rd", "Business Loop", "Truck Stop Way", "Hwy 93"}), p.Label())
			} else {
				s.address = fmt.Sprintf("%d %s, %s", between(r, 10, 2999), pick(r, []string{"Main St", "E Center St", "W 1st Ave", "N Highway Dr", "Broadway"}), p.Label())
			}
			gas, diesel := basePrice(p.State)
			noise := uniform(r, -0.04, 0.06)
			lat, lon := jitter(r, p, 0.05)
			amen := []string{"restrooms", "snacks"}
			if s.rv {
				amen = append(amen, pickSome(r, []string{"rv_lanes", "dump_station", "propane", "def_at_pump", "showers", "cat_scale", "potable_water"}, 3, 6)...)
			}
			created := ref.createdBefore(r, 300, 1500)
			s.id = ids.at(created)
			ref.stationsByPlace[pi] = append(ref.stationsByPlace[pi], len(ref.stations))
			ref.stations = append(ref.stations, s)
			rows = append(rows, schema.Row{
				"id":            s.id,
				"station_name":  s.name,
				"address":       s.address,
				"latitude":      lat,
				"longitude":     lon,
				"brand":         s.brand,
				"regular_price": schema.FormatDecimal(int64(math.Round((gas+noise)*1000)), 3),
				"premium_price": schema.FormatDecimal(int64(math.Round((gas+noise+uniform(r, 0.15, 0.24))*1000)), 3),
				"diesel_price":  schema.FormatDecimal(int64(math.Round((diesel+noise)*1000)), 3),
				"rv_friendly":   s.rv,
				"amenities":     strs(amen...),
				"user_ratings":  round(uniform(r, 2.5, 5.0), 1),
				"last_updated":  ts(w.past(w.today-between(r, 0, 6), between(r, 6*3600, 21*3600))),
				"created_at":    ts(created),
			})
		}
	}
	ref.add("fuel_stations", rows)
}

// ---------------------------------------------------------------- local events

type fixedEvent struct {
	name, typ, place string
	month            time.Month
	day, days        int
	price            float64 // 0 = free
	desc             string
}

var fixedEvents = []fixedEvent{
	{"Quartzsite Sports, Vacation & RV Show", "rv_show", "Quartzsite", time.January, 18, 9, 5, "The big tent: hundreds of vendors of solar, gadgets and rigs, plus seminars. Boondock on La Posa."},
	{"Tucson Gem, Mineral & Fossil Showcase", "market", "Tucson", time.February, 1, 14, 0, "Dozens of shows across town; the main show charges admission."},
	{"Yuma Lettuce Days", "food", "Yuma", time.March, 1, 2, 10, "Salad bar of the winter vegetable capital, cooking demos and farm tours."},
	{"Moab Easter Jeep Safari", "offroad", "Moab", time.April, 5, 9, 0, "Guided trail runs every day; registration for trail runs required."},
	{"Telluride Bluegrass Festival", "music", "Telluride", time.June, 18, 4, 95, "Four days of bluegrass in the box canyon. Town Park camping sells out."},
	{"Cody Stampede Rodeo", "rodeo", "Cody", time.July, 1, 4, 30, "Pro rodeo and parade over the Fourth of July."},
	{"Penticton Peach Festival", "festival", "Penticton", time.August, 6, 5, 0, "Parade, concerts and peaches on Okanagan Beach."},
	{"Santa Fe Indian Market", "art", "Santa Fe", time.August, 17, 2, 0, "More than a thousand Native artists on the Plaza."},
	{"Sturgis-area Black Hills Rally Days", "festival", "Rapid City", time.August, 4, 10, 0, "Motorcycles everywhere; book campgrounds far ahead or avoid the week."},
	{"Jackson Hole Fall Arts Festival", "art", "Jackson", time.September, 8, 11, 0, "Gallery walks, Quick Draw and the Western Design Conference."},
	{"Fredericksburg Oktoberfest", "food", "Fredericksburg", time.October, 4, 3, 12, "German food, polka bands and Hill Country wine on Marktplatz."},
	{"Terlingua International Chili Championship", "food", "Terlingua", time.November, 1, 4, 20, "Chili cook-off in the ghost town; dry camping on site."},
}

var genericEvents = []struct {
	pattern, typ string
	price        [2]float64 // 0,0 = free
	start, end   string
	days         int
}{
	{"%s Farmers Market", "market", [2]float64{0, 0}, "08:00", "12:00", 1},
	{"%s Art Walk", "art", [2]float64{0, 0}, "17:00", "20:00", 1},
	{"%s Summer Concert Series", "music", [2]float64{0, 0}, "18:30", "21:00", 1},
	{"%s Rodeo", "rodeo", [2]float64{15, 35}, "19:00", "22:00", 2},
	{"%s Days Festival", "festival", [2]float64{0, 0}, "10:00", "22:00", 3},
	{"%s Craft Beer Festival", "food", [2]float64{35, 60}, "13:00", "18:00", 1},
	{"%s Chili Cook-off", "food", [2]float64{5, 15}, "11:00", "16:00", 1},
	{"Star Party at %s", "astronomy", [2]float64{0, 0}, "20:30", "23:30", 1},
	{"Guided Wildflower Walk: %s", "nature", [2]float64{0, 0}, "09:00", "11:30", 1},
	{"%s RV Maintenance Workshop", "workshop", [2]float64{20, 45}, "10:00", "15:00", 1},
}

func (ref *reference) genEvents() {
	w := ref.w
	r := w.rng("local_events")
	ids := w.ids("local_events")
	rows := make([]schema.Row, 0, nEvents)
	lo, hi := w.today-365, w.today+90
	add := func(name, typ, desc string, pi int, start, days int, price int64, t0, t1 string, weather bool) {
		p := &places[pi]
		lat, lon := jitter(r, p, 0.03)
		created := w.past(min(start, w.today)-between(r, 14, 90), between(r, 9*3600, 17*3600))
		row := schema.Row{
			"id":                    ids.at(created),
			"event_name":            name,
			"event_type":            typ,
			"description":           desc,
			"venue_name":            pick(r, []string{"Town Park", "Fairgrounds", "Main Street", "Community Center", "Visitor Center", p.Feat[0] + " Pavilion"}),
			"address":               p.Label(),
			"latitude":              lat,
			"longitude":             lon,
			"start_date":            w.date(start),
			"end_date":              w.date(start + days - 1),
			"start_time":            t0,
			"end_time":              t1,
			"is_free":               price == 0,
			"registration_required": price > 0 && chance(r, 0.5),
			"weather_dependent":     weather,
			"target_audience":       strs(pickSome(r, []string{"families", "rvers", "seniors", "outdoor enthusiasts", "pet owners", "music fans"}, 1, 3)...),
			"created_at":            ts(created),
		}
		if price > 0 {
			row["ticket_price"] = money(price)
			row["registration_link"] = "https://events.example.com/" + slug(name)
		}
		rows = append(rows, row)
	}
	for _, e := range fixedEvents {
		// The occurrence that falls in the window, the latest if two do.
		year := w.civil(hi).Year()
		for ; year >= w.civil(lo).Year(); year-- {
			if d := w.dayYMD(year, e.month, e.day); d >= lo && d <= hi {
				add(e.name, e.typ, e.desc, pl(e.place), d, e.days, int64(e.price*100), "09:00", "18:00", e.typ == "rodeo" || e.typ == "offroad")
				break
			}
		}
	}
	used := make(map[string]bool)
	for len(rows) < nEvents {
		g := genericEvents[r.IntN(len(genericEvents))]
		pi := r.IntN(len(places))
		p := &places[pi]
		subject := p.Name
		if g.typ == "astronomy" || g.typ == "nature" {
			subject = p.Feat[r.IntN(2)]
		}
		name := fmt.Sprintf(g.pattern, subject)
		if used[name] {
			continue
		}
		used[name] = true
		start := between(r, lo, hi)
		// Northern towns hold their outdoor events in summer.
		if p.Lat > 42 {
			for m := w.civil(start).Month(); m < time.May || m > time.September; m = w.civil(start).Month() {
				start = between(r, lo, hi)
			}
		}
		var price int64
		if g.price[1] > 0 {
			price = dollars(r, g.price[0], g.price[1])
			price -= price % 100 // whole dollars
		}
		add(name, g.typ, eventDesc(r, g.typ, p), pi, start, g.days, price, g.start+":00", g.end, g.typ != "workshop")
	}
	ref.add("local_events", rows)
}

func eventDesc(r *rand.Rand, typ string, p *place) string {
	switch typ {
	case "market":
		return "Local produce, baked goods and crafts. RV parking on " + pick(r, []string{"the side streets", "the fairgrounds lot", "the church lot across the road"}) + "."
	case "music":
		return "Free outdoor concert; bring a camp chair. Food trucks on site."
	case "rodeo":
		return "Bronc and bull riding, barrel racing and mutton busting for the kids."
	case "astronomy":
		return "Rangers and the local astronomy club set up telescopes under dark skies near " + p.Name + "."
	case "nature":
		return "An easy two-mile walk with a naturalist; wear sturdy shoes and bring water."
	case "workshop":
		return "Hands-on sessions: roof sealants, battery care, tire safety and winterizing."
	case "food":
		return "Tastings from local vendors and breweries; live music all afternoon."
	}
	return "The town's yearly celebration: parade, vendors, live music and fireworks."
}

// ---------------------------------------------------------------- off-road routes

var offroadRoutes = []struct {
	name, difficulty string
	lat, lon         float64
	miles, hours     float64
	seasons          []string
	desc             string
}{
	{"Shafer Trail", "moderate", 38.47, -109.81, 18, 2.5, []string{"spring", "fall"}, "Switchbacks from Island in the Sky down to the White Rim; exposure but a wide shelf road."},
	{"White Rim Road", "moderate", 38.40, -109.90, 100, 14, []string{"spring", "fall"}, "Canyonlands' classic loop below the mesa; permit required for camping."},
	{"Hell's Revenge", "extreme", 38.58, -109.52, 6.5, 3, []string{"spring", "fall"}, "Slickrock fins and the Escalator; lockers and a spotter recommended."},
	{"Fins and Things", "difficult", 38.58, -109.50, 9.3, 3, []string{"spring", "fall"}, "Steep slickrock climbs in the Sand Flats Recreation Area."},
	{"Top of the World", "difficult", 38.80, -109.33, 16, 4, []string{"spring", "fall"}, "Climbs to an overlook 3,000 feet above Fisher Towers."},
	{"Alpine Loop", "moderate", 37.94, -107.57, 65, 8, []string{"summer"}, "Engineer and Cinnamon passes between Ouray, Silverton and Lake City."},
	{"Black Bear Pass", "extreme", 37.90, -107.75, 11, 4, []string{"summer"}, "One-way descent into Telluride past Bridal Veil Falls; tight switchbacks."},
	{"Imogene Pass", "difficult", 37.95, -107.73, 17, 4, []string{"summer"}, "Second-highest pass road in Colorado, from Ouray to Telluride."},
	{"Ophir Pass", "easy", 37.85, -107.78, 9, 1.5, []string{"summer"}, "Shelf road on talus between Silverton and Ophir; fine for stock SUVs."},
	{"Mojave Road", "moderate", 35.15, -115.45, 140, 24, []string{"winter", "spring"}, "Historic wagon route across the Mojave Preserve; carry water and recovery gear."},
	{"Rubicon Trail", "extreme", 39.00, -120.23, 22, 16, []string{"summer"}, "The benchmark rock crawl between Georgetown and Lake Tahoe."},
	{"Hole-in-the-Rock Road", "easy", 37.70, -111.45, 55, 3, []string{"spring", "fall"}, "Washboard gravel into Grand Staircase-Escalante; slot canyons along the way."},
	{"Burr Trail", "easy", 37.87, -111.20, 66, 3, []string{"spring", "summer", "fall"}, "Paved and gravel through Long Canyon to the Capitol Reef switchbacks."},
	{"Cottonwood Canyon Road", "moderate", 37.40, -111.90, 46, 2.5, []string{"spring", "fall"}, "Clay road past Grosvenor Arch; impassable when wet."},
	{"Old Maverick Road", "easy", 29.20, -103.55, 14, 1, []string{"winter", "spring", "fall"}, "Gravel link to Santa Elena Canyon across the Big Bend desert."},
	{"Black Gap Road", "difficult", 29.20, -102.95, 9, 3, []string{"winter", "spring"}, "Unmaintained Big Bend route with ledges; high clearance required."},
	{"Titus Canyon Road", "moderate", 36.82, -117.03, 27, 3, []string{"winter", "spring"}, "One-way through the ghost town of Leadfield and a narrow limestone canyon."},
	{"Racetrack Valley Road", "moderate", 36.68, -117.56, 28, 4, []string{"winter", "spring"}, "Sharp rocks to the sailing stones playa; carry two spares."},
	{"Phantom Canyon Road", "easy", 38.55, -105.10, 30, 2, []string{"spring", "summer", "fall"}, "Old railroad grade with tunnels and bridges to Victor."},
	{"Mosquito Pass", "difficult", 39.28, -106.19, 17, 3.5, []string{"summer"}, "Highest pass road in North America at 13,185 feet, above Leadville."},
	{"Schofield Pass", "difficult", 39.02, -107.05, 13, 3, []string{"summer"}, "Crystal Mill and the Devil's Punchbowl below Crested Butte."},
	{"Lockhart Basin Road", "difficult", 38.30, -109.60, 45, 7, []string{"spring", "fall"}, "Remote route below the Needles Overlook with rocky ledges."},
	{"Elephant Hill", "difficult", 38.14, -109.83, 10, 4, []string{"spring", "fall"}, "Steep, stepped climbs into the Needles backcountry; permit required."},
	{"Medano Pass", "moderate", 37.78, -105.44, 22, 3, []string{"summer", "fall"}, "Deep sand and creek crossings into Great Sand Dunes; air down."},
	{"Cinnamon Pass", "moderate", 37.93, -107.54, 16, 2.5, []string{"summer"}, "Gentle side of the Alpine Loop to the Animas Forks ghost town."},
}

func (ref *reference) genOffroad() {
	w := ref.w
	r := w.rng("offroad_routes")
	ids := w.ids("offroad_routes")
	rows := make([]schema.Row, 0, len(offroadRoutes))
	for _, o := range offroadRoutes {
		near := &places[nearestPlace(o.lat, o.lon)]
		req := map[string]any{"4wd": o.difficulty != "easy", "high_clearance": o.difficulty != "easy", "max_length_ft": 22}
		if o.difficulty == "extreme" {
			req["lockers"] = true
			req["max_length_ft"] = 18
		}
		safety := "Check conditions with the ranger station in " + near.Name + "; no cell service on much of the route."
		if o.difficulty == "extreme" || o.difficulty == "difficult" {
			safety = "Travel with a second vehicle and recovery gear. " + safety
		}
		created := ref.createdBefore(r, 300, 1200)
		rows = append(rows, schema.Row{
			"id":                   ids.at(created),
			"route_name":           o.name,
			"route_description":    o.desc,
			"difficulty_level":     o.difficulty,
			"safety_notes":         safety,
			"latitude":             o.lat,
			"longitude":            o.lon,
			"start_location":       map[string]any{"name": near.Label(), "lat": o.lat, "lon": o.lon},
			"end_location":         map[string]any{"name": o.name + " end", "lat": round(o.lat+uniform(r, -0.15, 0.15), 4), "lon": round(o.lon+uniform(r, -0.15, 0.15), 4)},
			"vehicle_requirements": req,
			"best_seasons":         strs(o.seasons...),
			"distance_miles":       o.miles,
			"estimated_time_hours": o.hours,
			"scenic_rating":        round(uniform(r, 3.6, 5.0), 1),
			"created_at":           ts(created),
		})
	}
	ref.add("offroad_routes", rows)
}

// ---------------------------------------------------------------- Facebook groups

var facebookGroups = []struct{ name, typ, loc, activity, meet string }{
	{"Full-Time RV Living", "lifestyle", "United States", "very active", "none"},
	{"Boondocking & Dispersed Camping West", "boondocking", "Western US", "very active", "none"},
	{"Class C Motorhome Owners", "rig owners", "United States", "active", "none"},
	{"Jayco Seneca & Greyhawk Owners", "rig owners", "North America", "active", "yearly rally"},
	{"Winnebago Minnie Winnie Owners Group", "rig owners", "North America", "active", "none"},
	{"Yuma Snowbirds & Winter Texans", "regional", "Yuma, AZ", "active", "weekly"},
	{"Quartzsite Boondockers", "regional", "Quartzsite, AZ", "seasonal", "weekly in winter"},
	{"Rio Grande Valley Winter Residents", "regional", "Mission, TX", "active", "weekly"},
	{"Utah National Parks RV Travel", "regional", "Utah", "active", "none"},
	{"Colorado RV Camping", "regional", "Colorado", "active", "monthly"},
	{"Pacific Northwest RVers", "regional", "Oregon & Washington", "active", "monthly"},
	{"Canada RV Travellers", "regional", "Canada", "active", "none"},
	{"RV Solar & Lithium Upgrades", "technical", "North America", "very active", "none"},
	{"Starlink for RVers", "technical", "North America", "very active", "none"},
	{"Workamping Jobs & Campground Hosts", "work", "United States", "active", "none"},
	{"Digital Nomads in RVs", "work", "North America", "active", "quarterly meetups"},
	{"RVing with Dogs", "pets", "North America", "very active", "none"},
	{"Towing a Toad: Flat-Tow Setups", "technical", "North America", "active", "none"},
	{"Over-50 Full-Timers", "lifestyle", "United States", "active", "monthly potlucks"},
	{"Big Bend & West Texas Travelers", "regional", "West Texas", "seasonal", "none"},
}

func (ref *reference) genFacebook() {
	w := ref.w
	r := w.rng("facebook_groups")
	ids := w.ids("facebook_groups")
	rows := make([]schema.Row, 0, len(facebookGroups))
	for i, g := range facebookGroups {
		created := ref.createdBefore(r, 200, 1500)
		row := schema.Row{
			"id":               ids.at(created),
			"group_name":       g.name,
			"group_url":        "https://www.facebook.com/groups/" + slug(g.name),
			"group_type":       g.typ,
			"description":      "A community for " + g.loc + ": " + pick(r, []string{"tips, meetups and friendly advice", "questions, trip reports and rig help", "buy/sell, campground reviews and events"}) + ".",
			"location":         g.loc,
			"activity_level":   g.activity,
			"meetup_frequency": g.meet,
			"member_count":     between(r, 2, 180) * 500,
			"created_at":       ts(created),
		}
		if g.typ == "regional" {
			// Anchor regional groups at their town or region's centre.
			pi := nearestRegional(g.loc)
			row["latitude"], row["longitude"] = places[pi].Lat, places[pi].Lon
		}
		// Two groups were suggested by the demo couple.
		switch i {
		case 3:
			row["user_id"] = UserA
		case 15:
			row["user_id"] = UserB
		}
		rows = append(rows, row)
	}
	ref.add("facebook_groups", rows)
}

func nearestRegional(loc string) int {
	for _, n := range []struct{ key, place string }{
		{"Yuma", "Yuma"}, {"Quartzsite", "Quartzsite"}, {"Mission", "Mission"}, {"Utah", "Moab"},
		{"Colorado", "Buena Vista"}, {"Oregon", "Bend"}, {"Canada", "Banff"}, {"West Texas", "Alpine"},
	} {
		if strings.Contains(loc, n.key) {
			return pl(n.place)
		}
	}
	return pl("Moab")
}

// ---------------------------------------------------------------- shop products

var shopProducts = []struct {
	name, category, typ string
	price               float64
	regions             []string
}{
	{"Camco TastePURE RV Water Filter", "water", "physical", 24.99, []string{"US", "CA"}},
	{"RhinoFLEX 20 ft Sewer Hose Kit", "plumbing", "physical", 54.99, []string{"US", "CA"}},
	{"Progressive Industries 50A Surge Protector", "electrical", "physical", 389.00, []string{"US", "CA"}},
	{"Renogy 200W Monocrystalline Solar Panel", "solar", "physical", 229.99, []string{"US", "CA"}},
	{"Battle Born 100Ah LiFePO4 Battery", "solar", "physical", 899.00, []string{"US", "CA"}},
	{"Victron SmartShunt 500A", "electrical", "physical", 139.00, []string{"US", "CA", "AU"}},
	{"Victron MultiPlus-II 3000VA Inverter/Charger", "electrical", "physical", 1349.00, []string{"US", "CA", "AU"}},
	{"Dometic CFX3 45 Powered Cooler", "kitchen", "physical", 949.99, []string{"US", "CA", "AU"}},
	{"Blackstone 22 in Tabletop Griddle", "kitchen", "physical", 179.99, []string{"US"}},
	{"Andersen Camper Levelers (pair)", "leveling", "physical", 119.95, []string{"US", "CA"}},
	{"Lynx Leveler Blocks, 10-pack", "leveling", "physical", 44.99, []string{"US", "CA"}},
	{"weBoost Drive Reach RV Cell Booster", "connectivity", "physical", 549.99, []string{"US", "CA"}},
	{"TST 507 Tire Pressure Monitoring System (6 sensors)", "safety", "physical", 459.00, []string{"US", "CA"}},
	{"First Alert RV Carbon Monoxide & Propane Alarm", "safety", "physical", 64.99, []string{"US", "CA"}},
	{"Camco Heavy-Duty Drinking Water Hose, 25 ft", "water", "physical", 29.99, []string{"US", "CA"}},
	{"Valterra Stainless Steel Water Pressure Regulator", "water", "physical", 27.49, []string{"US", "CA"}},
	{"Thetford Aqua-Kem Holding Tank Treatment", "plumbing", "physical", 19.99, []string{"US", "CA"}},
	{"Dicor Self-Leveling Lap Sealant, 2-pack", "maintenance", "physical", 32.99, []string{"US", "CA"}},
	{"Roadmaster Nighthawk Tow Bar", "towing", "physical", 1149.00, []string{"US", "CA"}},
	{"Blue Ox Patriot 3 Supplemental Braking System", "towing", "physical", 1495.00, []string{"US", "CA"}},
	{"MaxxAir MaxxFan Deluxe Roof Vent", "comfort", "physical", 339.00, []string{"US", "CA"}},
	{"Mr. Heater Buddy Indoor-Safe Propane Heater", "comfort", "physical", 119.99, []string{"US", "CA"}},
	{"Camco Olympian Wave-6 Catalytic Heater", "comfort", "physical", 289.99, []string{"US", "CA"}},
	{"Lippert Solid Step Bracket Kit", "exterior", "physical", 89.00, []string{"US"}},
	{"Camco RV Wheel Chocks (pair)", "leveling", "physical", 21.99, []string{"US", "CA", "AU"}},
	{"GoPower! Portable 200W Solar Kit", "solar", "physical", 449.00, []string{"US", "CA"}},
	{"EcoFlow Delta 2 Portable Power Station", "electrical", "physical", 799.00, []string{"US", "CA", "AU"}},
	{"Magma Nesting 10-Piece Cookware Set", "kitchen", "physical", 249.99, []string{"US", "CA", "AU"}},
	{"Collapsible Silicone Dish Tub", "kitchen", "physical", 18.99, []string{"US", "CA", "AU"}},
	{"Camp Chef Everest 2X Stove", "kitchen", "physical", 149.99, []string{"US", "CA"}},
	{"Heavy-Duty RV Slide-Out Awning Cleaner", "maintenance", "physical", 16.49, []string{"US", "CA"}},
	{"303 Aerospace UV Protectant, 32 oz", "maintenance", "physical", 21.99, []string{"US", "CA"}},
	{"Boondocking Field Guide (ebook)", "guides", "digital", 14.99, []string{"US", "CA", "AU", "NZ", "UK"}},
	{"Full-Time RV Budget Planner (spreadsheet)", "guides", "digital", 9.99, []string{"US", "CA", "AU", "NZ", "UK"}},
	{"RV Solar Sizing Course", "courses", "digital", 79.00, []string{"US", "CA", "AU", "NZ", "UK"}},
	{"Winterizing Your RV: Video Guide", "courses", "digital", 24.00, []string{"US", "CA"}},
	{"National Parks Campground Booking Cheat Sheet", "guides", "digital", 7.99, []string{"US"}},
	{"PAM Premium (1 year)", "subscriptions", "digital", 59.00, []string{"US", "CA", "AU", "NZ", "UK"}},
	{"Wheels & Wins Trucker-Style Cap", "merch", "physical", 26.00, []string{"US", "CA", "AU"}},
	{"Wheels & Wins Enamel Camp Mug", "merch", "physical", 18.00, []string{"US", "CA", "AU"}},
}

func (ref *reference) genProducts() {
	w := ref.w
	r := w.rng("shop_products")
	ids := w.ids("shop_products")
	rows := make([]schema.Row, 0, len(shopProducts))
	for _, p := range shopProducts {
		created := ref.createdBefore(r, 60, 900)
		id := ids.at(created)
		cents := int64(math.Round(p.price * 100))
		ref.products = append(ref.products, product{id: id, name: p.name, category: p.category, price: cents})
		inv := 0
		if p.typ == "physical" {
			inv = between(r, 4, 250)
		}
		rows = append(rows, schema.Row{
			"id":                id,
			"name":              p.name,
			"description":       productDesc(p.category, p.name),
			"category":          p.category,
			"type":              p.typ,
			"image_url":         "https://images.example.com/shop/" + slug(p.name) + ".jpg",
			"external_url":      "https://shop.example.com/products/" + slug(p.name),
			"price":             money(cents),
			"status":            "active",
			"inventory_count":   inv,
			"images":            []any{"https://images.example.com/shop/" + slug(p.name) + "-1.jpg", "https://images.example.com/shop/" + slug(p.name) + "-2.jpg"},
			"available_regions": strs(p.regions...),
			"created_at":        ts(created),
		})
	}
	ref.add("shop_products", rows)
}

func productDesc(category, name string) string {
	switch category {
	case "solar", "electrical":
		return name + ": tested off-grid by our team; pairs with lithium banks and 12 V systems."
	case "water", "plumbing":
		return name + ": campground-ready, lead-free and easy to stow."
	case "guides", "courses":
		return name + ": practical, RV-specific and updated every season."
	case "towing":
		return name + ": for flat-towing a car behind a motorhome; check your state's braking rules."
	}
	return name + ": a favourite of full-timers."
}

// ---------------------------------------------------------------- hustles

var youtubeHustles = []struct {
	title, desc string
	earnings    float64
	hours       float64
	verdict     string
}{
	{"I Tried Campground Hosting for 30 Days", "Free full-hookup site in exchange for 20 hours a week of host duties.", 0, 80, "worth it for the free site"},
	{"Selling Stock Photos From the Road: 90-Day Results", "Uploading landscape photos to microstock sites.", 212.40, 46, "slow burn"},
	{"Mobile RV Washing: How Much Can You Make?", "Washing and waxing rigs at RV parks with a pressure washer and wax kit.", 1840, 62, "profitable"},
	{"Amazon CamperForce Peak Season Review", "Seasonal warehouse work with a paid campsite.", 6480, 420, "hard work, good money"},
	{"Freelance Bookkeeping for Small Businesses on Starlink", "QuickBooks clients found through local business groups.", 2950, 58, "profitable"},
	{"Selling Digital Planners on Etsy", "Printable trip and budget planners.", 388.15, 35, "steady passive income"},
	{"Sugar Beet Harvest: 3 Weeks of 12-Hour Shifts", "Harvest crew work in the Red River Valley.", 4100, 252, "great pay, exhausting"},
	{"Starting a Travel Blog: First 6 Months of Income", "Affiliate links and display ads.", 164.72, 120, "not yet"},
	{"Mobile Notary Signing Agent on the Road", "Loan signings booked through signing services.", 1275, 40, "profitable with a printer"},
	{"Teaching English Online From an RV", "Evening sessions over Starlink.", 1120, 64, "reliable"},
}

func (ref *reference) genYoutube() {
	w := ref.w
	r := w.rng("youtube_hustles")
	ids := w.ids("youtube_hustles")
	rows := make([]schema.Row, 0, len(youtubeHustles))
	for _, h := range youtubeHustles {
		test := w.today - between(r, 120, 1000)
		created := w.past(test+between(r, 20, 60), between(r, 9*3600, 20*3600))
		id := ids.at(created)
		ref.youtube = append(ref.youtube, hustleRef{id, h.title})
		rows = append(rows, schema.Row{
			"id":              id,
			"title":           h.title,
			"description":     h.desc,
			"video_url":       "https://www.youtube.com/watch?v=" + videoID(r),
			"test_date":       w.date(test),
			"initial_results": map[string]any{"earnings": h.earnings, "time_spent_hours": h.hours, "hourly_rate": round(h.earnings/h.hours, 2), "verdict": h.verdict},
			"created_at":      ts(created),
		})
	}
	ref.add("youtube_hustles", rows)
}

func videoID(r *rand.Rand) string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
	b := make([]byte, 11)
	for i := range b {
		b[i] = alphabet[r.IntN(len(alphabet))]
	}
	return string(b)
}

var catalogueHustles = []struct {
	title, desc string
	earnings    float64
	rating      float64
	tags        []string
}{
	{"Campground Host (Workamping)", "Host at a public or private campground in exchange for a free site, sometimes plus wages.", 600, 4.4, []string{"workamping", "seasonal", "free-site"}},
	{"Amazon CamperForce", "Seasonal warehouse work for RVers, August to December, with paid campsite.", 3200, 3.6, []string{"seasonal", "warehouse", "hourly"}},
	{"Sugar Beet Harvest", "Three weeks of harvest work in Minnesota and North Dakota each fall.", 4000, 3.9, []string{"seasonal", "physical", "hourly"}},
	{"Mobile Notary Signing Agent", "Loan signings for title companies; state commission and background check needed.", 1200, 4.2, []string{"licensed", "flexible", "local"}},
	{"Freelance Writing", "Blog posts and copy for travel and outdoor brands.", 900, 4.0, []string{"remote", "writing"}},
	{"Stock Photography", "License landscape and lifestyle photos on microstock sites.", 150, 3.4, []string{"passive", "photography"}},
	{"Virtual Assistant", "Email, scheduling and admin for small businesses.", 1400, 4.1, []string{"remote", "admin"}},
	{"Etsy Digital Downloads", "Printable planners, checklists and maps.", 350, 3.8, []string{"passive", "design", "etsy"}},
	{"Dog Walking at RV Parks", "Walk and sit dogs for fellow campers.", 300, 4.3, []string{"local", "pets"}},
	{"RV Inspection (NRVIA certified)", "Pre-purchase inspections for RV buyers.", 2500, 4.6, []string{"certified", "technical", "local"}},
	{"RV Solar Installation", "Install solar and lithium systems for other RVers.", 2200, 4.5, []string{"technical", "solar", "local"}},
	{"YouTube Travel Channel", "Document the road; ads, sponsors and memberships.", 400, 3.2, []string{"video", "long-term"}},
	{"Online Tutoring", "Tutor math, languages or test prep over video.", 1100, 4.2, []string{"remote", "teaching"}},
	{"Gate Guarding", "Log traffic at oilfield gates in Texas; full hookups provided.", 3000, 3.7, []string{"texas", "full-time", "free-site"}},
	{"Mobile Bike Repair", "Tune-ups and repairs for e-bikes at campgrounds.", 700, 4.0, []string{"local", "technical", "bikes"}},
}

func (ref *reference) genCatalogue() {
	w := ref.w
	r := w.rng("hustle_ideas/catalogue")
	ids := w.ids("hustle_ideas/catalogue")
	rows := make([]schema.Row, 0, len(catalogueHustles))
	for _, h := range catalogueHustles {
		at := ref.createdBefore(r, 200, 900)
		id := ids.at(at)
		ref.catalogue = append(ref.catalogue, hustleRef{id, h.title})
		rows = append(rows, schema.Row{
			"id":           id,
			"title":        h.title,
			"description":  h.desc,
			"image":        "https://images.example.com/hustles/" + slug(h.title) + ".jpg",
			"avg_earnings": money(int64(h.earnings * 100)),
			"rating":       h.rating,
			"likes":        between(r, 12, 900),
			"trending":     chance(r, 0.25),
			"tags":         strs(h.tags...),
			"status":       "approved",
			"created_at":   ts(at),
		})
	}
	ref.add("hustle_ideas", rows)
}

// ---------------------------------------------------------------- social groups

var socialGroups = []struct {
	name, desc, location, activity, privacy string
	owner                                   int
}{
	{"Full-Time RVers Community", "Everyday life on the road: questions, wins and disasters.", "Online", "active", "public", -1},
	{"Class C Diesel Owners", "Super C and diesel Class C owners: chassis service, towing, mods.", "Online", "active", "public", 0},
	{"Remote Workers on Wheels", "Working full time from an RV: connectivity, taxes, time zones.", "Online", "active", "public", 1},
	{"Yuma Snowbirds", "Winter residents of Yuma's RV parks: potlucks, pickleball and day trips.", "Yuma, AZ", "active", "public", -1},
	{"Boondockers of the Desert Southwest", "Free camping on BLM land in Arizona and California.", "Quartzsite, AZ", "active", "public", -1},
	{"RV Solar & Lithium", "Design reviews and troubleshooting of off-grid power systems.", "Online", "active", "public", -1},
	{"Women Who RV", "Support and meetups for women on the road.", "Online", "active", "private", -1},
	{"Dog-Friendly RVing", "Dog-friendly parks, trails and vets along the way.", "Online", "active", "public", -1},
	{"National Park Junkies", "Campground booking tips and park itineraries.", "Online", "active", "public", -1},
	{"Canada RV Travellers", "Border crossings, provincial parks and fuel prices in Canada.", "Banff, AB", "quiet", "public", -1},
	{"Pacific Northwest RVers", "Coast, rainforest and mountains from Oregon to BC.", "Bend, OR", "quiet", "public", -1},
	{"Texas Hill Country Campers", "Rivers, barbecue and wildflowers.", "Kerrville, TX", "quiet", "public", -1},
	{"Dutch Oven & Campfire Cooking", "Recipes for the galley and the fire ring.", "Online", "active", "public", -1},
	{"Workamping Jobs Board", "Campground host and seasonal job postings.", "Online", "active", "public", -1},
	{"Photography on the Road", "Landscape and night-sky photography while travelling.", "Online", "new", "public", -1},
	{"Four Corners Meetup", "Monthly meetups around Moab, Durango and Cortez.", "Moab, UT", "new", "public", -1},
}

func (ref *reference) genSocialGroups() {
	w := ref.w
	r := w.rng("social_groups")
	ids := w.ids("social_groups")
	for _, g := range socialGroups {
		at := ref.createdBefore(r, 100, 1500)
		if g.owner >= 0 {
			// Founded by the couple early in the history.
			at = w.past(w.h0+between(r, 10, 60), between(r, 9*3600, 20*3600))
		}
		ref.groups = append(ref.groups, socialGroup{id: ids.at(at), name: g.name, owner: g.owner, created: at})
	}
	// The rows are loaded with the people, who own two of the groups.
}

func (ref *reference) socialGroupRows(people []*person) []schema.Row {
	r := ref.w.rng("social_groups/rows")
	rows := make([]schema.Row, 0, len(socialGroups))
	for i, g := range socialGroups {
		row := schema.Row{
			"id":             ref.groups[i].id,
			"name":           g.name,
			"description":    g.desc,
			"location":       g.location,
			"avatar_url":     "https://images.example.com/groups/" + slug(g.name) + ".png",
			"cover":          "https://images.example.com/groups/" + slug(g.name) + "-cover.jpg",
			"privacy":        g.privacy,
			"activity_level": g.activity,
			"member_count":   between(r, 40, 9000),
			"is_active":      true,
			"created_at":     ts(ref.groups[i].created),
		}
		if g.owner >= 0 {
			row["owner_id"] = people[g.owner].id
			row["admin_id"] = people[g.owner].id
			row["member_count"] = between(r, 40, 600)
		}
		rows = append(rows, row)
	}
	return rows
}

// ---------------------------------------------------------------- analytics

func (ref *reference) genAnalytics() {
	w := ref.w
	r := w.rng("analytics_daily")
	ids := w.ids("analytics_daily")
	rows := make([]schema.Row, 0, 30)
	// The last 30 complete days: today's row is computed tomorrow.
	for d := w.today - 30; d < w.today; d++ {
		weekend := w.civil(d).Weekday() == time.Saturday || w.civil(d).Weekday() == time.Sunday
		users := between(r, 180, 320)
		if weekend {
			users = users * 5 / 4
		}
		inter := users * between(r, 5, 9)
		errRate := int64(between(r, 40, 290)) // hundredths of a percent
		processed := w.past(d+1, between(r, 2*3600, 3*3600))
		rows = append(rows, schema.Row{
			"id":                 ids.at(processed),
			"date":               w.date(d),
			"total_interactions": inter,
			"unique_users":       users,
			"avg_response_time":  round(uniform(r, 820, 1650), 1),
			"error_rate":         schema.FormatDecimal(errRate, 2),
			"popular_features": map[string]any{
				"expense_tracking": between(r, 150, 400), "trip_planning": between(r, 120, 380),
				"campsite_search": between(r, 90, 300), "fuel_log": between(r, 60, 200), "budget_check": between(r, 80, 260),
			},
			"user_engagement": map[string]any{
				"sessions": users * between(r, 2, 4), "avg_session_minutes": round(uniform(r, 3.5, 9.5), 1),
				"voice_share": round(uniform(r, 0.08, 0.22), 2), "returning_users": round(uniform(r, 0.62, 0.85), 2),
			},
			"processed_at": ts(processed),
			"generated_at": ts(processed),
			"log_count":    inter + between(r, 100, 900),
			"created_at":   ts(processed),
		})
	}
	ref.add("analytics_daily", rows)
}
