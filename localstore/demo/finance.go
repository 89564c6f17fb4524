package demo

import (
	"fmt"
	"math"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// inflation makes earlier years of a long history a little cheaper.
func (w *world) inflation(d int, rate float64) float64 {
	return math.Pow(1+rate, float64(w.civil(d).Year()-w.civil(w.today).Year()))
}

func daysIn(t time.Time) int { return time.Date(t.Year(), t.Month()+1, 0, 0, 0, 0, 0, time.UTC).Day() }

// ---------------------------------------------------------------- hustle ideas

func loadHustleIdeas(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("hustle_ideas/" + p.id)
	ids := w.ids("hustle_ideas/" + p.id)
	rows := make([]schema.Row, 0, len(p.hustles))
	for i := range p.hustles {
		h := &p.hustles[i]
		if h.status == "approved" {
			h.created = w.past(w.h0-between(r, 8, 18), between(r, 9*3600, 21*3600))
		} else {
			h.created = w.past(w.today-between(r, 5, 60), between(r, 9*3600, 21*3600))
		}
		h.id = ids.at(h.created)
		row := schema.Row{
			"id":           h.id,
			"user_id":      p.id,
			"title":        h.title,
			"description":  h.desc,
			"avg_earnings": money(int64(h.avgEarnings * 100)),
			"rating":       h.rating,
			"likes":        0,
			"tags":         strs(h.tags...),
			"status":       h.status,
			"created_at":   ts(h.created),
		}
		if h.status == "approved" {
			row["likes"] = between(r, 8, 140)
		}
		rows = append(rows, row)
	}
	return l.rows("hustle_ideas", rows)
}

// ---------------------------------------------------------------- expenses

type expense struct {
	day   int
	at    time.Time
	cat   int
	cents int64
	desc  string
	id    string
}

var (
	groceryChains = map[string][]string{
		"AZ": {"Fry's Food", "Bashas'", "Safeway", "Sprouts Farmers Market"},
		"CA": {"Safeway", "Vons", "Raley's", "Stater Bros.", "Trader Joe's"},
		"OR": {"Fred Meyer", "Safeway", "WinCo Foods", "New Seasons Market"},
		"WA": {"Fred Meyer", "Safeway", "QFC", "WinCo Foods"},
		"UT": {"Smith's", "Harmons", "Ridley's Family Market"},
		"CO": {"King Soopers", "City Market", "Safeway", "Natural Grocers"},
		"NM": {"Smith's", "Albertsons", "La Montanita Co-op"},
		"TX": {"H-E-B", "H-E-B", "Brookshire Brothers"},
		"NV": {"Smith's", "Raley's", "Albertsons"},
		"MT": {"Albertsons", "Town & Country Foods", "Rosauers"},
		"WY": {"Albertsons", "Smith's", "Maverik market"},
		"ID": {"Albertsons", "WinCo Foods", "Paul's Market"},
		"SD": {"Safeway", "Hy-Vee", "Family Thrift Center"},
		"BC": {"Save-On-Foods", "Real Canadian Superstore", "IGA"},
		"AB": {"Save-On-Foods", "Real Canadian Superstore", "Safeway"},
	}
	diningChains   = []string{"Cracker Barrel", "Denny's", "Culver's", "Panda Express", "Chipotle", "Applebee's", "Olive Garden"}
	diningLocal    = []string{"%s Brewing Co.", "%s Diner", "The %s Grill", "%s Pizza Co.", "%s BBQ", "Cafe %s"}
	coffeeShops    = []string{"Starbucks", "Dutch Bros Coffee", "%s Coffee Roasters", "Black Rifle Coffee"}
	maintenanceBuy = []struct {
		shop, item string
		lo, hi     float64
	}{
		{"Camping World", "RhinoFLEX sewer hose", 39, 62}, {"Amazon", "RV water filter cartridges", 22, 48},
		{"Ace Hardware", "Dicor lap sealant", 14, 30}, {"AutoZone", "wiper blades", 28, 55},
		{"Amazon", "LED replacement bulbs", 15, 36}, {"Walmart", "holding tank treatment", 12, 24},
		{"Camping World", "slide-out lubricant and seal conditioner", 18, 34}, {"Ace Hardware", "fuses and 12 V outlet", 9, 22},
		{"Camping World", "replacement galley faucet", 68, 145}, {"O'Reilly Auto Parts", "DEF, 2.5 gal", 14, 21},
		{"Amazon", "water pressure regulator", 24, 38}, {"Lowe's", "weatherstripping and caulk", 16, 40},
	}
	funThings = []struct {
		what   string
		lo, hi float64
		only   string // the towns where it exists; "" for anywhere
	}{
		{"museum admission (2)", 18, 34, ""}, {"guided tour", 89, 178, ""}, {"hot springs day pass (2)", 24, 48, "Ouray Pagosa Springs Stanley Ketchum Truth or Consequences Banff Jasper Taos"},
		{"movie tickets", 24, 34, ""}, {"kayak rental", 45, 90, ""}, {"scenic railroad tickets (2)", 120, 220, "Durango Silverton Williams Chama"},
		{"brewery tour", 20, 30, ""}, {"concert tickets", 60, 140, ""}, {"state park day-use fee", 7, 15, ""},
		{"fishing license (3-day)", 24, 42, ""}, {"e-bike rental", 55, 95, ""}, {"ranger-led cave tour", 16, 30, "Carlsbad Baker Benson Custer Kanab"},
		{"jeep rental", 180, 260, "Moab Ouray Silverton Telluride"}, {"whitewater rafting (2)", 110, 190, "Moab Buena Vista Durango Stanley Jackson Gardiner"},
	}
	baseFun = []struct {
		what   string
		lo, hi float64
	}{
		{"clubhouse bingo night", 10, 20}, {"pickleball league fee", 20, 30}, {"potluck supplies", 18, 40},
		{"line-dancing class", 8, 15}, {"craft fair booth", 25, 40},
	}
	propaneShops = []string{"AmeriGas", "U-Haul propane", "Tractor Supply Co.", "Ferrellgas", "campground propane"}
)

// named fills a "%s" pattern with a town; names without one stay as they are.
func named(pattern, town string) string {
	if strings.Contains(pattern, "%s") {
		return fmt.Sprintf(pattern, town)
	}
	return pattern
}

// baseRent is the monthly site rent at each winter base, in Now's dollars.
var baseRent = []float64{585, 640, 520}

// genExpenses is one person's spending over the history, day by day, plus
// the fill-ups, services, campsites and bills of the itinerary.
func genExpenses(w *world, it *itinerary, ref *reference, p *person) []expense {
	r := w.rng("expenses/" + p.id)
	var out []expense
	add := func(d, sec, cat int, cents int64, desc string) {
		out = append(out, expense{day: d, at: w.past(d, sec), cat: cat, cents: cents, desc: desc})
	}
	day := func() int { return between(r, 8*3600, 21*3600) }
	paidRent := -1
	cadence := [][2]int{{5, 9}, {7, 11}}[p.idx]
	big := [][2]float64{{85, 190}, {55, 140}}[p.idx]
	nextShop := w.h0 + between(r, 0, cadence[1])
	if c := w.civil(w.h0); it.atBase[w.h0] >= 0 {
		paidRent = c.Year()*12 + int(c.Month()) // paid before the history starts
	}
	for d := w.h0; d <= w.today; d++ {
		c := w.civil(d)
		here := &places[it.place[d]]
		driving := it.rvKm[d] > 0
		touring := it.trip[d] >= 0 || driving
		atBase := it.atBase[d]
		infl := w.inflation(d, 0.03)

		// Groceries: a main shop every week or so, top-ups in between.
		if d >= nextShop && !driving {
			nextShop = d + between(r, cadence[0], cadence[1])
			shop, amount := pick(r, groceryChains[here.State]), dollars(r, big[0], big[1])
			switch {
			case chance(r, 0.15) && !here.Canada():
				shop, amount = "Costco Wholesale", dollars(r, big[1]*0.8, big[1]*1.6)
			case chance(r, 0.3) && !here.Canada():
				shop = "Walmart Supercenter"
			}
			add(d, day(), catGroceries, int64(float64(amount)*infl), shop+", "+here.Label())
		} else if chance(r, []float64{0.17, 0.14}[p.idx]) {
			shop := pick(r, groceryChains[here.State])
			if chance(r, 0.3) {
				shop = pick(r, []string{"Dollar General", "Family Dollar", "7-Eleven", "farm stand", "campground store"})
			}
			add(d, day(), catGroceries, int64(float64(dollars(r, 6, 42))*infl), shop+", "+here.Label())
		}
		// Eating out: more on the road.
		pd := 0.16
		if touring {
			pd = 0.3
		}
		if p.idx == 1 {
			pd *= 1.2
		}
		if chance(r, pd) {
			var name string
			var amount int64
			switch k := r.IntN(10); {
			case k < 3:
				name, amount = named(pick(r, coffeeShops), here.Name), dollars(r, 6, 15)
			case k < 6:
				name, amount = pick(r, diningChains), dollars(r, 18, 48)
			default:
				name, amount = named(pick(r, diningLocal), here.Name), dollars(r, 32, 96)
			}
			add(d, between(r, 7*3600, 21*3600), catDining, int64(float64(amount)*infl), name+", "+here.Label())
		}
		// Entertainment: mostly while touring.
		if it.trip[d] >= 0 && chance(r, 0.14) {
			f := funThings[r.IntN(len(funThings))]
			if f.only != "" && !strings.Contains(f.only, here.Name) {
				f = funThings[0]
			}
			add(d, day(), catEntertainment, int64(float64(dollars(r, f.lo, f.hi))*infl), strings.ToUpper(f.what[:1])+f.what[1:]+", "+here.Label())
		} else if atBase >= 0 && chance(r, 0.05) {
			f := baseFun[r.IntN(len(baseFun))]
			add(d, day(), catEntertainment, int64(float64(dollars(r, f.lo, f.hi))*infl), winterBases[atBase].Park+": "+f.what)
		}
		// Laundry about weekly; the base park has machines.
		if chance(r, 0.13) {
			where := "Laundromat, " + here.Label()
			if atBase >= 0 {
				where = winterBases[atBase].Park + ": laundry room"
			}
			add(d, between(r, 9*3600, 19*3600), catLaundry, int64(float64(dollars(r, 6, 18.5))*infl), where)
		}
		// Propane: heating in winter, cooking all year.
		pp := 1.0 / 40
		if m := c.Month(); m >= time.November || m <= time.March {
			pp = 1.0 / 17
		}
		if chance(r, pp) {
			add(d, day(), catPropane, int64(float64(dollars(r, 18, 48))*infl), pick(r, propaneShops)+", "+here.Label()+": propane refill")
		}
		// Small parts and supplies.
		if chance(r, 0.035) {
			m := maintenanceBuy[r.IntN(len(maintenanceBuy))]
			add(d, day(), catMaintenance, int64(float64(dollars(r, m.lo, m.hi))*infl), m.shop+": "+m.item)
		}
		// Bills.
		for _, b := range p.bills {
			if (b.yearMonth == 0 || c.Month() == b.yearMonth) && c.Day() == b.day {
				add(d, between(r, 3*3600, 7*3600), b.cat, int64(math.Round(b.amount*w.inflation(d, 0.04)*100)), b.desc)
			}
		}
		// Site rent and electricity at the winter base.
		if atBase >= 0 {
			month := c.Year()*12 + int(c.Month())
			if paidRent != month {
				paidRent = month
				rent := baseRent[atBase] * infl
				left := daysIn(c) - c.Day() + 1
				desc := fmt.Sprintf("%s: site rent, %s", winterBases[atBase].Park, c.Format("January 2006"))
				if c.Day() > 3 {
					rent = rent * float64(left) / float64(daysIn(c))
					desc = fmt.Sprintf("%s: site rent, %d nights of %s", winterBases[atBase].Park, left, c.Format("January"))
				}
				add(d, between(r, 9*3600, 12*3600), catCamping, int64(math.Round(rent))*100, desc)
			}
			if c.Day() == 10 {
				add(d, between(r, 9*3600, 12*3600), catCamping, int64(float64(dollars(r, 32, 95))*infl),
					winterBases[atBase].Park+": metered electric")
			}
		}
	}
	// Campsites, paid on arrival.
	for _, s := range it.stays {
		if s.start < w.h0 || s.start > w.today || s.base >= 0 || s.camp < 0 {
			continue
		}
		cp := &ref.camps[s.camp]
		if cp.night == 0 {
			continue
		}
		nights := s.nights
		cost := cp.night * int64(nights)
		if cp.typ == "rv_park" && nights >= 7 {
			cost = cp.night * int64(nights/7*6+nights%7) // weekly rate: 7th night free
		}
		desc := fmt.Sprintf("%s: %d nights", cp.name, nights)
		if nights == 1 {
			desc = cp.name + ": 1 night"
		}
		add(s.start, between(r, 14*3600, 18*3600), catCamping, int64(float64(cost)*w.inflation(s.start, 0.03)), desc)
	}
	// Fill-ups: the same date and amount as the fuel log.
	for _, v := range p.vehicles() {
		for _, f := range v.fills {
			out = append(out, expense{day: f.day, at: f.at, cat: catFuel, cents: f.cents, desc: fuelDesc(ref, p, v, &f)})
		}
	}
	// Services, with their cost.
	for _, sv := range p.rv.services {
		if sv.status == "completed" {
			label := serviceLabel(sv.task)
			out = append(out, expense{day: sv.day, at: sv.at, cat: catMaintenance, cents: sv.cost,
				desc: label + ", " + p.rig + ": " + sv.provider})
		}
	}
	out = append(out, hustleExpenses(w, r, p)...)
	slices.SortStableFunc(out, func(a, b expense) int { return a.at.Compare(b.at) })
	ids := w.ids("expenses/" + p.id)
	for i := range out {
		out[i].id = ids.at(out[i].at)
	}
	return out
}

func serviceLabel(task string) string {
	for _, sr := range serviceRules {
		if sr.task == task {
			return sr.label
		}
	}
	return task
}

// fuelDesc reads in the person's units: "Pilot Travel Center #612, Green
// River, UT: 38.4 gal diesel" or "...: 145.31 L regular".
func fuelDesc(ref *reference, p *person, v *vehicle, f *fill) string {
	grade := "diesel"
	if v.fuel == "gasoline" {
		grade = "regular"
	}
	amount := fmt.Sprintf("%s L %s", schema.FormatDecimal(f.volC, 2), grade)
	if p.units == "us" {
		amount = fmt.Sprintf("%.1f gal %s", float64(f.volC)/100/litresPerGal, grade)
	}
	desc := ref.stations[f.stn].name + ", " + places[f.place].Label() + ": " + amount
	if v.car {
		desc += " (" + strings.TrimPrefix(v.short, "the ") + ")"
	}
	return desc
}

// hustleExpenses are the costs of the person's approved hustles; each
// description contains the hustle's title, which is how ROI finds them.
func hustleExpenses(w *world, r *rand.Rand, p *person) []expense {
	var out []expense
	add := func(d, cat int, cents int64, desc string) {
		out = append(out, expense{day: d, at: w.past(d, between(r, 9*3600, 20*3600)), cat: cat, cents: cents, desc: desc})
	}
	for d := w.h0; d <= w.today; d++ {
		c := w.civil(d)
		for _, h := range p.hustles {
			if h.status != "approved" {
				continue
			}
			switch h.title {
			case "Mobile RV Washing & Detailing":
				if chance(r, 1.0/20) {
					add(d, catHustle, dollars(r, 18, 75), h.title+": "+pick(r, []string{"wax and microfiber towels, AutoZone", "roof cleaner and brushes, Camping World", "pressure washer nozzles, Harbor Freight", "biodegradable soap, Walmart"}))
				}
			case "Campground Photography Prints":
				if c.Day() == 14 && c.Month()%2 == 0 {
					add(d, catHustle, dollars(r, 30, 95), h.title+": print and card order, Mpix")
				}
			case "Freelance Bookkeeping for RVers":
				if c.Day() == 8 {
					add(d, catHustle, int64(math.Round(30*w.inflation(d, 0.05)*100)), h.title+": QuickBooks Online Accountant subscription")
				}
			case "RV Travel Blog & Affiliate Links":
				if c.Day() == 11 {
					add(d, catHustle, 1499, h.title+": web hosting, SiteGround")
				}
				if c.Month() == time.June && c.Day() == 2 {
					add(d, catHustle, 11999, h.title+": Canva Pro yearly plan")
				}
			}
		}
	}
	return out
}

func loadExpenses(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	ex := genExpenses(w, it, ref, p)
	// Cumulative spending per category and day, for budgets and chat.
	n := w.today - w.h0 + 1
	p.spend = make([][]int64, nCategories)
	for c := range p.spend {
		p.spend[c] = make([]int64, n)
	}
	for _, e := range ex {
		p.spend[e.cat][e.day-w.h0] += e.cents
	}
	for c := range p.spend {
		for i := 1; i < n; i++ {
			p.spend[c][i] += p.spend[c][i-1]
		}
	}
	return l.load("expenses", len(ex), func(i int) schema.Row {
		e := &ex[i]
		return schema.Row{
			"id":           e.id,
			"user_id":      p.id,
			"amount":       money(e.cents),
			"category":     categories[e.cat].name,
			"date":         w.date(e.day),
			"expense_date": w.date(e.day),
			"description":  e.desc,
			"created_at":   ts(e.at),
		}
	})
}

// spent is what the person spent in a category over days [from, to].
func (p *person) spent(w *world, cat, from, to int) int64 {
	from, to = max(from, w.h0), min(to, w.today)
	if from > to {
		return 0
	}
	s := p.spend[cat][to-w.h0]
	if from > w.h0 {
		s -= p.spend[cat][from-1-w.h0]
	}
	return s
}

// budgetCents is the monthly budget of a category on day d, whole dollars.
func (p *person) budgetCents(w *world, cat, d int) int64 {
	return int64(math.Round(p.budget[cat]*w.inflation(d, 0.03))) * 100
}

// ---------------------------------------------------------------- budgets

func loadBudgets(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("budgets/" + p.id)
	ids := w.ids("budgets/" + p.id)
	type month struct{ start, end int }
	var months []month
	for c := w.civil(w.h0); ; {
		first := time.Date(c.Year(), c.Month(), 1, 0, 0, 0, 0, time.UTC)
		if w.dayOf(first) > w.today {
			break
		}
		months = append(months, month{w.dayOf(first), w.dayOf(first.AddDate(0, 1, -1))})
		c = first.AddDate(0, 1, 0)
	}
	type budget struct {
		id   string
		at   time.Time
		m    month
		cat  int
		cent int64
	}
	rows := make([]budget, 0, len(months)*nCategories)
	for _, m := range months {
		// Set up a day or two before the month starts.
		at := w.past(m.start-between(r, 1, 3), between(r, 18*3600, 21*3600))
		for cat := range nCategories {
			at = at.Add(time.Duration(between(r, 5, 40)) * time.Second)
			rows = append(rows, budget{ids.at(at), at, m, cat, p.budgetCents(w, cat, m.start)})
		}
	}
	err := l.load("budgets", len(rows), func(i int) schema.Row {
		b := &rows[i]
		return schema.Row{
			"id":              b.id,
			"user_id":         p.id,
			"category":        categories[b.cat].name,
			"name":            categories[b.cat].label + ", " + w.civil(b.m.start).Format("January 2006"),
			"budgeted_amount": money(b.cent),
			"monthly_limit":   money(b.cent),
			"alert_threshold": "80",
			"start_date":      w.date(b.m.start),
			"end_date":        w.date(b.m.end),
			"created_at":      ts(b.at),
		}
	})
	if err != nil {
		return err
	}
	// Budget categories: this month's budget and the last 30 days' spending.
	cats := make([]schema.Row, 0, nCategories)
	cids := w.ids("budget_categories/" + p.id)
	at := w.past(w.h0+between(r, 1, 5), 19*3600)
	for cat := range nCategories {
		at = at.Add(time.Duration(between(r, 10, 90)) * time.Second)
		cats = append(cats, schema.Row{
			"id":              cids.at(at),
			"user_id":         p.id,
			"name":            categories[cat].name,
			"budgeted_amount": money(p.budgetCents(w, cat, w.today)),
			"spent_amount":    money(p.spent(w, cat, w.today-29, w.today)),
			"color":           categories[cat].color,
			"created_at":      ts(at),
		})
	}
	return l.rows("budget_categories", cats)
}

// ---------------------------------------------------------------- income

type income struct {
	day               int
	at                time.Time
	source, typ, desc string
	cents             int64
	id                string
	hustle            int // index into person.hustles, -1 for regular income
}

var bookkeepingClients = []string{"Desert Palms RV Resort", "Canyon Country Jeep Tours", "Bluebird Mobile Welding", "Rio Verde Farm Stand", "Summit Mobile RV Repair", "High Desert Dog Grooming"}

func genIncome(w *world, it *itinerary, p *person) []income {
	r := w.rng("income_entries/" + p.id)
	var out []income
	add := func(d int, source, typ, desc string, cents int64, hustle int) {
		if d < w.h0 || d > w.today {
			return
		}
		out = append(out, income{day: d, at: w.past(d, between(r, 6*3600, 20*3600)), source: source, typ: typ, desc: desc, cents: cents, hustle: hustle})
	}
	hustleIdx := func(title string) int {
		for i, h := range p.hustles {
			if h.title == title {
				return i
			}
		}
		return -1
	}
	h0 := w.civil(w.h0)
	for first := time.Date(h0.Year(), h0.Month(), 1, 0, 0, 0, 0, time.UTC); w.dayOf(first) <= w.today; first = first.AddDate(0, 1, 0) {
		d0 := w.dayOf(first)
		n := daysIn(first)
		summer := first.Month() >= time.April && first.Month() <= time.October
		month := first.Format("January 2006")
		if p.idx == 0 {
			add(d0, "CalSTRS pension", "regular", "Monthly retirement benefit, "+month, int64(math.Round(2486.17*w.inflation(d0, 0.02)*100)), -1)
			// Social Security pays on the second Wednesday.
			wed := d0 + (int(time.Wednesday)-int(first.Weekday())+7)%7 + 7
			add(wed, "Social Security", "regular", "SSA benefit deposit, "+month, int64(math.Round(1612*w.inflation(d0, 0.025)*100)), -1)
			det := hustleIdx("Mobile RV Washing & Detailing")
			jobs := between(r, 1, 3)
			if !summer {
				jobs = between(r, 2, 5) // snowbird parks are full of rigs to wash
			}
			for j := 0; j < jobs; j++ {
				d := d0 + r.IntN(n)
				where := places[it.place[min(d, len(it.place)-1)]].Label()
				if b := it.atBase[min(d, len(it.atBase)-1)]; b >= 0 {
					where = winterBases[b].Park
				}
				add(d, p.hustles[det].title, "hustle", fmt.Sprintf("%s for a neighbour's %d ft %s at %s", pick(r, []string{"Wash and wax", "Roof clean and seal check", "Full detail", "Wash and awning clean"}), between(r, 26, 42), pick(r, []string{"Class A", "Class C", "fifth wheel", "travel trailer"}), where),
					dollars(r, 95, 260), det)
			}
			ph := hustleIdx("Campground Photography Prints")
			sales := between(r, 0, 2)
			if summer {
				sales = between(r, 1, 3)
			}
			for j := 0; j < sales; j++ {
				d := d0 + r.IntN(n)
				add(d, p.hustles[ph].title, "hustle", pick(r, []string{"Prints sold at the campground craft fair", "Online order: 16x20 canvas", "Note card sets, gift shop consignment", "Online order: 11x14 print"}),
					dollars(r, 25, 120), ph)
			}
		} else {
			// Contract pay on the last weekday of the month.
			last := d0 + n - 1
			for wd := w.civil(last).Weekday(); wd == time.Saturday || wd == time.Sunday; wd = w.civil(last).Weekday() {
				last--
			}
			hours := float64(between(r, 104, 136)) / 2
			if summer {
				hours = float64(between(r, 80, 112)) / 2
			}
			rate := 62.50 * w.inflation(d0, 0.03)
			add(last, "Trailhead Analytics (contract)", "regular", fmt.Sprintf("Data analysis contract, %s: %.1f h", month, hours), int64(math.Round(rate*hours*100)), -1)
			bk := hustleIdx("Freelance Bookkeeping for RVers")
			clients := r.Perm(len(bookkeepingClients))[:between(r, 2, 4)]
			for _, k := range clients {
				add(d0+between(r, 2, 6), p.hustles[bk].title, "hustle", "Monthly books: "+bookkeepingClients[k], dollars(r, 140, 380), bk)
			}
			blog := hustleIdx("RV Travel Blog & Affiliate Links")
			ads := dollars(r, 40, 140)
			if summer {
				ads = dollars(r, 110, 260)
			}
			add(d0+19, p.hustles[blog].title, "hustle", "Display ad revenue, "+first.AddDate(0, -1, 0).Format("January 2006"), ads, blog)
			if first.Month()%3 == 0 {
				add(d0+14, p.hustles[blog].title, "hustle", "Affiliate commissions, quarterly payout", dollars(r, 30, 140), blog)
			}
		}
	}
	slices.SortStableFunc(out, func(a, b income) int { return a.at.Compare(b.at) })
	ids := w.ids("income_entries/" + p.id)
	for i := range out {
		out[i].id = ids.at(out[i].at)
	}
	return out
}

func loadIncome(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	in := genIncome(w, it, p)
	p.hustleIn = make([]int64, len(p.hustles))
	p.jobs = make([]int, len(p.hustles))
	for _, e := range in {
		if e.hustle >= 0 {
			p.hustleIn[e.hustle] += e.cents
			p.jobs[e.hustle]++
			p.hustleIncome = append(p.hustleIncome, e)
		}
	}
	return l.load("income_entries", len(in), func(i int) schema.Row {
		e := &in[i]
		return schema.Row{
			"id":          e.id,
			"user_id":     p.id,
			"source":      e.source,
			"amount":      money(e.cents),
			"date":        w.date(e.day),
			"type":        e.typ,
			"description": e.desc,
			"created_at":  ts(e.at),
		}
	})
}

// ---------------------------------------------------------------- hustle attempts

// loadHustleAttempts records the person trying hustles from the video
// catalogue: the ones matching their own ideas carry the income earned.
func loadHustleAttempts(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("user_hustle_attempts/" + p.id)
	ids := w.ids("user_hustle_attempts/" + p.id)
	type attempt struct {
		yt     int
		own    int // index into p.hustles, -1 for none
		status string
		earn   int64
		hours  float64
		notes  string
		start  int
	}
	var as []attempt
	if p.idx == 0 {
		as = []attempt{
			{yt: 2, own: 0, status: "active", notes: "Neighbours keep asking; the waterless wax kit pays for itself."},
			{yt: 1, own: -1, status: "abandoned", earn: 3750, hours: 22, notes: "Too few downloads to be worth the keywording.", start: w.today - between(r, 150, 300)},
		}
	} else {
		as = []attempt{
			{yt: 4, own: 0, status: "active", notes: "Four steady clients; Starlink makes month-end close painless."},
			{yt: 7, own: 1, status: "active", notes: "Slow growth; the gear reviews get most traffic."},
			{yt: 5, own: -1, status: "paused", earn: 8615, hours: 14, notes: "Planners sell in January, little otherwise.", start: w.today - between(r, 200, 340)},
		}
	}
	rows := make([]schema.Row, 0, len(as))
	for _, a := range as {
		if a.own >= 0 {
			a.earn = p.hustleIn[a.own]
			hoursPer := []float64{2.5, 1.5, 4, 6}[min(a.own+2*p.idx, 3)]
			a.hours = float64(p.jobs[a.own]) * hoursPer
			a.start = w.h0 + between(r, 0, 10)
		}
		at := w.past(a.start, between(r, 9*3600, 20*3600))
		rows = append(rows, schema.Row{
			"id":          ids.at(at),
			"user_id":     p.id,
			"hustle_id":   ref.youtube[a.yt].id,
			"start_date":  w.date(a.start),
			"earnings":    money(a.earn),
			"hours_spent": round(a.hours, 1),
			"status":      a.status,
			"notes":       a.notes,
			"created_at":  ts(at),
		})
	}
	return l.rows("user_hustle_attempts", rows)
}

// ---------------------------------------------------------------- fuel log

func loadFuel(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	var fills []*fill
	var owners []*vehicle
	for _, v := range p.vehicles() {
		for i := range v.fills {
			fills = append(fills, &v.fills[i])
			owners = append(owners, v)
		}
	}
	return l.load("fuel_log", len(fills), func(i int) schema.Row {
		f, v := fills[i], owners[i]
		st := &ref.stations[f.stn]
		row := schema.Row{
			"id":            f.id,
			"user_id":       p.id,
			"vehicle_id":    v.id,
			"date":          w.date(f.day),
			"volume":        float64(f.volC) / 100,
			"price":         schema.FormatDecimal(f.mills, 3),
			"total":         money(f.cents),
			"odometer":      float64(f.odo),
			"filled_to_top": f.full,
			"location":      st.name + ", " + places[f.place].Label(),
			"region":        places[f.place].State,
			"receipt_metadata": map[string]any{
				"station_id": st.id, "brand": st.brand, "pump": 1 + int(f.odo%12), "payment": "card",
			},
			"created_at": ts(f.at),
		}
		if f.full {
			row["consumption"] = f.cons
		} else {
			row["notes"] = "Partial fill: topped off on the way"
		}
		return row
	})
}

// ---------------------------------------------------------------- maintenance

func loadMaintenance(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	svs := p.rv.services
	return l.load("maintenance_records", len(svs), func(i int) schema.Row {
		sv := &svs[i]
		row := schema.Row{
			"id":         sv.id,
			"user_id":    p.id,
			"vehicle_id": p.rv.id,
			"task":       sv.task,
			"date":       w.date(sv.day),
			"mileage":    sv.mileage,
			"status":     sv.status,
			"notes":      sv.notes,
			"created_at": ts(sv.at),
		}
		if sv.cost > 0 {
			row["cost"] = money(sv.cost)
		}
		if sv.nextDay >= 0 {
			row["next_due_date"] = w.date(sv.nextDay)
		}
		if sv.nextKm > 0 {
			row["next_due_mileage"] = sv.nextKm
		}
		return row
	})
}
