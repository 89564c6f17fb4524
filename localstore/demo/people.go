package demo

import (
	"time"

	"github.com/pam-rv/pamd/schema"
)

// person is one of the demo couple and what is known about them before
// their history is generated.
type person struct {
	idx                          int
	id, first, last, nick, email string
	units                        string // "us" or "metric"
	rig                          string // the motorhome, for text
	partner                      *person
	rv, car                      *vehicle
	birthday                     [2]int // month, day
	family                       string // a relative whose birthday is on the calendar
	familyBirthday               [2]int
	budget                       []float64 // monthly budget per category, dollars
	bills                        []bill
	hustles                      []ownHustle

	// Filled while generating, read by later parts (chat, recommendations).
	spend        [][]int64      // per category, cumulative cents by history day
	hustleIn     []int64        // total income per own hustle, cents
	jobs         []int          // income entries per own hustle
	hustleIncome []income       // the hustle income entries
	sessions     []session      // chat sessions
	tripEvents   map[int]string // calendar event id per itinerary trip
}

func (p *person) vehicles() []*vehicle {
	if p.car != nil {
		return []*vehicle{p.rv, p.car}
	}
	return []*vehicle{p.rv}
}

// bill is a fixed charge: monthly on a day of the month, or yearly in a month.
type bill struct {
	cat       int
	desc      string
	amount    float64 // dollars, in Now's year; earlier years are cheaper
	day       int
	yearMonth time.Month // 0 for monthly bills
}

// ownHustle is a side hustle the person submitted as a hustle idea; the
// approved ones earn income booked under their exact title.
type ownHustle struct {
	title, desc, status string
	avgEarnings         float64
	rating              float64
	tags                []string
	id                  string
	created             time.Time
}

// Categories of expenses, budgets and budget categories.
const (
	catGroceries = iota
	catFuel
	catCamping
	catDining
	catMaintenance
	catEntertainment
	catInsurance
	catPhone
	catPropane
	catLaundry
	catHustle
	nCategories
)

var categories = [nCategories]struct{ name, label, color string }{
	{"groceries", "Groceries", "#22c55e"},
	{"fuel", "Fuel", "#f97316"},
	{"camping", "Camping", "#0ea5e9"},
	{"dining", "Dining out", "#eab308"},
	{"maintenance", "Maintenance", "#64748b"},
	{"entertainment", "Entertainment", "#a855f7"},
	{"insurance", "Insurance", "#ef4444"},
	{"phone_internet", "Phone & internet", "#06b6d4"},
	{"propane", "Propane", "#f59e0b"},
	{"laundry", "Laundry", "#84cc16"},
	{"hustle", "Side hustles", "#8b5cf6"},
}

func newPeople(w *world) []*person {
	alex := &person{
		idx: 0, id: UserA, first: "Alex", last: "Morgan", nick: "Alex", email: "alex.morgan@example.com",
		units: "us", rig: "Jayco Seneca",
		rv: &vehicle{id: VehicleAlexRV, name: "2020 Jayco Seneca 37K", short: "the Seneca", fuel: "diesel",
			econ: 20.0, thrLo: 400, thrHi: 700, odo0: 48000},
		car: &vehicle{id: VehicleAlexCar, name: "2018 Honda CR-V", short: "the CR-V", fuel: "gasoline",
			econ: 8.1, thrLo: 380, thrHi: 560, odo0: 72000, car: true},
		birthday: [2]int{6, 14}, family: "Mom", familyBirthday: [2]int{2, 21},
		budget: []float64{700, 360, 850, 260, 260, 160, 230, 170, 45, 40, 100},
		bills: []bill{
			{catInsurance, "Progressive: motorhome policy", 151.38, 5, 0},
			{catInsurance, "GEICO: Honda CR-V policy", 74.12, 12, 0},
			{catPhone, "Starlink Roam subscription", 165.00, 20, 0},
			{catEntertainment, "America the Beautiful annual pass", 80.00, 3, time.March},
			{catCamping, "Good Sam membership renewal", 29.00, 9, time.May},
		},
		hustles: []ownHustle{
			{title: "Mobile RV Washing & Detailing", status: "approved", avgEarnings: 520, rating: 4.5,
				desc: "Wash, wax and roof cleaning for neighbours' rigs at RV parks; pressure washer and waterless wax kit.", tags: []string{"local", "physical", "rv-parks"}},
			{title: "Campground Photography Prints", status: "approved", avgEarnings: 120, rating: 3.9,
				desc: "Landscape prints and note cards of parks we visit, sold at campground craft fairs and online.", tags: []string{"photography", "craft-fairs"}},
			{title: "RV Solar Install Consulting", status: "pending", avgEarnings: 900, rating: 0,
				desc: "Help other RVers size and install solar and lithium batteries; one day per install.", tags: []string{"solar", "technical"}},
		},
	}
	sam := &person{
		idx: 1, id: UserB, first: "Sam", last: "Rivera", nick: "Sam", email: "sam.rivera@example.com",
		units: "metric", rig: "Minnie Winnie",
		rv: &vehicle{id: VehicleSamRV, name: "2019 Winnebago Minnie Winnie 26T", short: "the Minnie", fuel: "gasoline",
			econ: 25.5, thrLo: 400, thrHi: 650, odo0: 61500},
		birthday: [2]int{9, 3}, family: "Dad", familyBirthday: [2]int{11, 9},
		budget: []float64{480, 330, 800, 240, 180, 130, 125, 100, 40, 35, 110},
		bills: []bill{
			{catInsurance, "National General: Minnie Winnie policy", 118.40, 7, 0},
			{catPhone, "Verizon: unlimited plan with hotspot", 92.37, 17, 0},
			{catCamping, "Harvest Hosts annual membership", 99.00, 2, time.April},
			{catCamping, "Passport America membership", 44.00, 15, time.January},
		},
		hustles: []ownHustle{
			{title: "Freelance Bookkeeping for RVers", status: "approved", avgEarnings: 780, rating: 4.6,
				desc: "Monthly books, receipts and quarterly estimates for full-time RVers and campground businesses.", tags: []string{"remote", "finance", "recurring"}},
			{title: "RV Travel Blog & Affiliate Links", status: "approved", avgEarnings: 160, rating: 3.7,
				desc: "Trip reports and gear reviews; display ads and affiliate commissions.", tags: []string{"writing", "passive", "affiliate"}},
			{title: "Etsy Campsite Sticker Shop", status: "pending", avgEarnings: 150, rating: 0,
				desc: "Vinyl stickers of national parks and campgrounds, printed on demand.", tags: []string{"etsy", "design"}},
			{title: "Remote IT Help for Campgrounds", status: "pending", avgEarnings: 400, rating: 0,
				desc: "Wi-Fi and booking-system help for small campground owners, by the hour.", tags: []string{"remote", "technical"}},
		},
	}
	alex.partner, sam.partner = sam, alex
	return []*person{alex, sam}
}

func (p *person) fullName() string { return p.first + " " + p.last }

// loadPerson generates and loads one person's history, table by table.
func loadPerson(w *world, l *loader, it *itinerary, ref *reference, p *person, people []*person) error {
	steps := []func(*world, *loader, *itinerary, *reference, *person) error{
		loadProfile,
		loadHustleIdeas,
		loadExpenses,
		loadBudgets,
		loadIncome,
		loadHustleAttempts,
		loadFuel,
		loadMaintenance,
		loadCalendar,
		loadChat,
		loadUserContext,
		loadRecommendations,
		loadSocial,
		loadShop,
	}
	for _, step := range steps {
		if err := step(w, l, it, ref, p); err != nil {
			return err
		}
	}
	return nil
}

// loadShared loads what belongs to both: the social groups, two of which
// the couple founded.
func loadShared(w *world, l *loader, it *itinerary, ref *reference, people []*person) error {
	return l.rows("social_groups", ref.socialGroupRows(people))
}

func loadProfile(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("profiles/" + p.id)
	here := &places[it.place[w.today]]
	next := nextTrip(w, it)
	dest := here
	if next >= 0 {
		dest = &places[it.trips[next].stops[0].place]
	}
	created := w.past(w.h0-between(r, 20, 60), between(r, 9*3600, 20*3600))
	row := schema.Row{
		"id":                        p.id,
		"email":                     p.email,
		"full_name":                 p.fullName(),
		"nickname":                  p.nick,
		"role":                      "user",
		"status":                    "active",
		"region":                    "US-West",
		"language":                  "en",
		"profile_image_url":         "https://images.example.com/avatars/" + slug(p.fullName()) + ".jpg",
		"partner_name":              p.partner.fullName(),
		"partner_email":             p.partner.email,
		"partner_profile_image_url": "https://images.example.com/avatars/" + slug(p.partner.fullName()) + ".jpg",
		"vehicle_type":              "Class C motorhome",
		"vehicle_make_model":        p.rv.name,
		"fuel_type":                 p.rv.fuel,
		"max_driving":               "300 miles",
		"camp_types":                "boondocking, state parks, national parks, RV parks",
		"accessibility":             "none",
		"pets":                      "none",
		"budget_range":              "$3,000-4,000 per month",
		"travel_style":              strs("full-time", "snowbird", "slow travel"),
		"travel_radius_miles":       300,
		"current_latitude":          here.Lat,
		"current_longitude":         here.Lon,
		"destination_latitude":      dest.Lat,
		"destination_longitude":     dest.Lon,
		"units":                     p.units,
		"currency":                  "USD",
		"timezone":                  "America/Phoenix",
		"last_active":               ts(w.now.Add(-time.Duration(between(r, 5, 300)) * time.Minute)),
		"trial_notification_sent":   true,
		"subscription_cancelled":    false,
		"created_at":                ts(created),
	}
	if p.idx == 0 {
		row["towing"] = p.car.name + " (flat tow, Blue Ox base plate)"
		row["second_vehicle"] = p.car.name
		row["interests"] = strs("national parks", "photography", "off-roading", "solar", "birding")
		row["preferences"] = map[string]any{"fuel_unit": "gallons", "distance_unit": "miles", "notifications": map[string]any{"budget_alerts": true, "maintenance": true}}
		row["content_preferences"] = map[string]any{"topics": []any{"boondocking", "rig maintenance", "photography"}}
		row["emergency_contact"] = map[string]any{"name": "Jordan Morgan", "relationship": "brother", "phone": "+1-555-0142"}
		row["pronouns"] = "he/him"
	} else {
		row["max_driving"] = "500 km"
		row["interests"] = strs("hiking", "hot springs", "writing", "farmers markets", "remote work")
		row["preferences"] = map[string]any{"fuel_unit": "litres", "distance_unit": "km", "work_hours": "08:00-16:00", "notifications": map[string]any{"budget_alerts": true, "weekly_summary": true}}
		row["content_preferences"] = map[string]any{"topics": []any{"remote work", "connectivity", "budgeting"}}
		row["emergency_contact"] = map[string]any{"name": "Maria Rivera", "relationship": "sister", "phone": "+1-555-0187"}
		row["pronouns"] = "they/them"
	}
	return l.rows("profiles", []schema.Row{row})
}

// nextTrip is the first trip starting after today, or -1.
func nextTrip(w *world, it *itinerary) int {
	for i, t := range it.trips {
		if t.start > w.today {
			return i
		}
	}
	return -1
}

// currentTrip is the trip under way today, or -1.
func currentTrip(w *world, it *itinerary) int {
	if w.today < len(it.trip) {
		return it.trip[w.today]
	}
	return -1
}
