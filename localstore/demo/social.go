package demo

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// memberships: indexes into socialGroups and the person's role there.
var memberships = [2][]struct {
	group int
	role  string
}{
	{{0, "member"}, {1, "admin"}, {3, "moderator"}, {5, "member"}, {8, "member"}, {12, "member"}, {14, "member"}},
	{{0, "member"}, {2, "admin"}, {3, "member"}, {7, "member"}, {9, "member"}, {13, "member"}},
}

func loadSocial(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("social/" + p.id)
	ids := w.ids("group_memberships/" + p.id)
	var rows []schema.Row
	var groups []int
	for _, m := range memberships[p.idx] {
		g := &ref.groups[m.group]
		joined := g.created
		if m.role != "admin" {
			joined = w.past(w.h0-between(r, -60, 400), between(r, 9*3600, 21*3600))
			if joined.Before(g.created) {
				joined = g.created.Add(time.Duration(between(r, 1, 30)) * 24 * time.Hour)
			}
		}
		groups = append(groups, m.group)
		rows = append(rows, schema.Row{
			"id":         ids.at(joined),
			"user_id":    p.id,
			"group_id":   g.id,
			"role":       m.role,
			"is_active":  true,
			"joined_at":  ts(joined),
			"created_at": ts(joined),
		})
	}
	if err := l.rows("group_memberships", rows); err != nil {
		return err
	}
	if err := loadPosts(w, l, it, ref, p, groups); err != nil {
		return err
	}
	return loadListings(w, l, it, p)
}

// loadPosts: two to four posts a month about where the couple is.
func loadPosts(w *world, l *loader, it *itinerary, ref *reference, p *person, groups []int) error {
	r := w.rng("social_posts/" + p.id)
	ids := w.ids("social_posts/" + p.id)
	var rows []schema.Row
	h0 := w.civil(w.h0)
	for first := time.Date(h0.Year(), h0.Month(), 1, 0, 0, 0, 0, time.UTC); w.dayOf(first) <= w.today; first = first.AddDate(0, 1, 0) {
		for range between(r, 2, 4) {
			d := w.dayOf(first) + r.IntN(daysIn(first))
			if d < w.h0 || d > w.today {
				continue
			}
			at := w.past(d, between(r, 7*3600, 22*3600))
			row := schema.Row{
				"id":             ids.at(at),
				"user_id":        p.id,
				"content":        postText(r, w, it, ref, p, d),
				"location":       "feed",
				"status":         "approved",
				"upvotes":        between(r, 0, 85),
				"downvotes":      between(r, 0, 3),
				"created_at":     ts(at),
				"comments_count": 0,
			}
			comments := between(r, 0, 24)
			row["comments_count"], row["comment_count"] = comments, comments
			switch k := r.IntN(10); {
			case k < 3:
				row["location"] = "group"
				row["group_id"] = ref.groups[pick(r, groups)].id
			case k < 4:
				row["location"] = "profile"
			}
			if chance(r, 0.45) {
				row["image_url"] = fmt.Sprintf("https://images.example.com/posts/%s-%s-%d.jpg", slug(p.first), slug(places[it.place[d]].Name), between(r, 1, 99))
			}
			rows = append(rows, row)
		}
	}
	return l.rows("social_posts", rows)
}

func postText(r *rand.Rand, w *world, it *itinerary, ref *reference, p *person, d int) string {
	here := &places[it.place[d]]
	if it.atBase[d] >= 0 {
		park := winterBases[it.atBase[d]].Park
		temp := fmt.Sprintf("%d°F", between(r, 68, 78))
		if !p.us() {
			temp = fmt.Sprintf("%d°C", between(r, 20, 25))
		}
		return pick(r, []string{
			"Another perfect winter day at " + park + ". " + temp + " and the pickleball courts are packed.",
			"Potluck night at " + park + ": " + pick(r, []string{"green chile stew", "brisket", "three kinds of cornbread"}) + " and way too many desserts.",
			"Parked for the season in " + here.Label() + ". Catching up on maintenance and sunsets.",
			"Day trip from " + here.Name + " today. Love having the " + pick(r, []string{"car", "e-bikes"}) + " for exploring.",
		})
	}
	if it.rvKm[d] > 0 {
		return pick(r, []string{
			fmt.Sprintf("Travel day: %s to %s. %s of good road and one very windy pass.", places[it.from[d]].Name, here.Name, p.dist(float64(it.rvKm[d]))),
			"Made it to " + here.Label() + ". Levelled on the first try, which never happens.",
			"On the move again. Next stop " + here.Name + "!",
		})
	}
	feat := here.Feat[r.IntN(2)]
	lines := []string{
		"Morning hike at " + feat + ". Worth every step.",
		"Camped near " + here.Label() + " this week. " + feat + " at sunset is unreal.",
		"Tip for anyone heading to " + here.Name + ": the dump station at the visitor center is free.",
		"Boondocking near " + feat + ": free, quiet, " + pick(r, []string{"great Starlink", "two bars of Verizon", "zero signal and loving it"}) + ".",
		"Anyone know a good mobile RV tech around " + here.Name + "? Our " + pick(r, []string{"slide-out", "water pump", "fridge"}) + " is acting up.",
	}
	if ti := it.trip[d]; ti >= 0 {
		lines = append(lines, fmt.Sprintf("Day %d of our %s trip. %s is the highlight so far.", d-it.trips[ti].start+1, it.trips[ti].title, feat))
	}
	if p.idx == 1 {
		lines = append(lines, "Office view today: "+feat+". Remote work from "+here.Name+" hits different.")
	}
	return pick(r, lines)
}

var listingItems = []struct {
	title, category, condition string
	lo, hi                     float64
}{
	{"Renogy 100W solar panel", "solar", "good", 55, 85},
	{"Blackstone 17 in griddle with cover", "kitchen", "like new", 90, 140},
	{"Weber Q1200 propane grill", "kitchen", "good", 110, 160},
	{"Camco leveling blocks, 10-pack", "leveling", "good", 15, 25},
	{"Inflatable kayak with paddles", "outdoor", "good", 120, 220},
	{"Two-bike hitch rack", "exterior", "fair", 90, 180},
	{"Portable generator, 2200W inverter", "electrical", "good", 350, 520},
	{"RV patio mat, 9x18", "exterior", "like new", 35, 60},
	{"Camp chairs (pair)", "outdoor", "good", 30, 55},
	{"Extra 30A extension cord, 25 ft", "electrical", "good", 30, 50},
	{"Heated water hose, 25 ft", "water", "like new", 45, 75},
	{"Folding picnic table", "outdoor", "fair", 25, 45},
}

// loadListings: two or three things to sell each year.
func loadListings(w *world, l *loader, it *itinerary, p *person) error {
	r := w.rng("marketplace_listings/" + p.id)
	ids := w.ids("marketplace_listings/" + p.id)
	var rows []schema.Row
	for y := 0; y < w.scale; y++ {
		for range between(r, 2, 3) {
			d := w.today - y*365 - r.IntN(365)
			if d < w.h0 {
				continue
			}
			item := listingItems[r.IntN(len(listingItems))]
			at := w.past(d, between(r, 8*3600, 21*3600))
			status := "active"
			if w.today-d > 45 || chance(r, 0.2) {
				status = "sold"
			}
			where := places[it.place[d]].Label()
			img := fmt.Sprintf("https://images.example.com/listings/%s-%d.jpg", slug(item.title), between(r, 1, 999))
			rows = append(rows, schema.Row{
				"id":          ids.at(at),
				"user_id":     p.id,
				"title":       item.title,
				"description": fmt.Sprintf("%s, %s. Pick up at our site in %s; we move on in a few days.", item.title, item.condition, where),
				"category":    item.category,
				"condition":   item.condition,
				"status":      status,
				"location":    where,
				"image":       img,
				"seller":      p.nick,
				"posted":      w.date(d),
				"price":       money(dollars(r, item.lo, item.hi) / 100 * 100),
				"photos":      strs(img),
				"is_favorite": false,
				"created_at":  ts(at),
			})
		}
	}
	return l.rows("marketplace_listings", rows)
}

// ---------------------------------------------------------------- shop

func loadShop(w *world, l *loader, it *itinerary, ref *reference, p *person) error {
	r := w.rng("shop/" + p.id)
	ids := w.ids("shop_orders/" + p.id)
	address := map[string]any{"name": p.fullName(), "line1": "101 Rainbow Dr #4411", "city": "Livingston", "state": "TX", "postal_code": "77399", "country": "US"}
	if p.idx == 1 {
		address = map[string]any{"name": p.fullName(), "line1": "PMB 2214, 1012 N Main St", "city": "Sioux Falls", "state": "SD", "postal_code": "57104", "country": "US"}
	}
	var orders []schema.Row
	for y := 0; y < w.scale; y++ {
		for range between(r, 2, 4) {
			d := w.today - y*365 - r.IntN(365)
			if d < w.h0 {
				continue
			}
			at := w.past(d, between(r, 8*3600, 22*3600))
			var items []any
			var total int64
			for _, k := range r.Perm(len(ref.products))[:between(r, 1, 3)] {
				pr := &ref.products[k]
				qty := 1
				if pr.price < 3000 && chance(r, 0.4) {
					qty = 2
				}
				items = append(items, map[string]any{"product_id": pr.id, "name": pr.name, "quantity": qty, "price": money(pr.price)})
				total += pr.price * int64(qty)
			}
			status, pay := "delivered", "paid"
			switch age := w.today - d; {
			case age < 2:
				status, pay = "pending", "pending"
			case age < 7:
				status = "shipped"
			}
			row := schema.Row{
				"id":               ids.at(at),
				"user_id":          p.id,
				"user_email":       p.email,
				"total_amount":     money(total),
				"status":           status,
				"payment_status":   pay,
				"shipping_address": address,
				"order_items":      items,
				"created_at":       ts(at),
			}
			if status != "pending" {
				row["tracking_number"] = fmt.Sprintf("1Z%06X%010d", r.Uint32()&0xffffff, r.Int64N(1e10))
			}
			orders = append(orders, row)
		}
	}
	if err := l.rows("shop_orders", orders); err != nil {
		return err
	}
	// Affiliate sales: commissions on gear the user recommended (Sam's blog
	// sells more).
	aids := w.ids("affiliate_sales/" + p.id)
	var sales []schema.Row
	per := []int{4, 10}[p.idx]
	for y := 0; y < w.scale; y++ {
		for range between(r, per-2, per+2) {
			d := w.today - y*365 - r.IntN(365)
			if d < w.h0 {
				continue
			}
			at := w.past(d, between(r, 0, 86399))
			pr := &ref.products[r.IntN(len(ref.products))]
			rate := int64(pick(r, []int{400, 600, 800, 1000})) // ten-thousandths
			vendor := "Wheels & Wins Shop"
			if strings.Contains(pr.category, "guides") || strings.Contains(pr.category, "courses") {
				vendor, rate = "Digistore24", 4000
			} else if chance(r, 0.5) {
				vendor = "Amazon Associates"
			}
			payout := "paid"
			if w.today-d < 35 {
				payout = "pending"
			}
			sales = append(sales, schema.Row{
				"id":                aids.at(at),
				"user_id":           p.id,
				"product_id":        pr.id,
				"product_name":      pr.name,
				"vendor_name":       vendor,
				"payout_status":     payout,
				"sale_amount":       money(pr.price),
				"commission_amount": money((pr.price*rate + 5000) / 10000),
				"commission_rate":   schema.FormatDecimal(rate, 4),
				"sale_date":         ts(at),
				"created_at":        ts(at),
			})
		}
	}
	return l.rows("affiliate_sales", sales)
}
