package tools_test

import (
	"testing"

	"github.com/pam-rv/pamd/schema"
)

func TestMoneymaker(t *testing.T) {
	f := newFixture(t)
	a := f.run(sam, "add_idea", `{"title": "Campground photos", "description": "Sell prints", "tags": ["photo", "art"], "avg_earnings": "250.50"}`)
	want(t, a, "pending", "idea", "status")
	want(t, a, "250.50", "idea", "avg_earnings")
	want(t, a, []any{"photo", "art"}, "idea", "tags")
	want(t, a, "AUD", "currency")
	photos := get(t, a, "idea", "id").(string)
	want(t, f.run(sam, "add_idea", `{"title": "Dog walking"}`), "0.00", "idea", "avg_earnings")

	// Seed the review outcome and others' ideas directly.
	f.create(sam, "hustle_ideas", schema.Row{"title": "Mobile welding", "avg_earnings": "1000.00", "status": "approved"})
	f.create(sam, "hustle_ideas", schema.Row{"title": "Crypto tips", "avg_earnings": "5000.00", "status": "rejected"})
	f.create(sam, "hustle_ideas", schema.Row{"title": "Remote bookkeeping", "avg_earnings": "800.25", "status": "approved"})
	f.create(alex, "hustle_ideas", schema.Row{"title": "Alex's idea", "avg_earnings": "9999.00", "status": "approved"})
	if _, err := f.store.Update(f.ctx, sam, "hustle_ideas", photos, schema.Row{"status": "approved"}); err != nil {
		t.Fatal(err)
	}

	a = f.run(sam, "list_active_ideas", `{}`)
	want(t, a, 4, "count") // rejected left out, Alex's not seen
	want(t, a, "Campground photos", "ideas", 0, "title")
	want(t, a, "Dog walking", "ideas", 1, "title")
	want(t, a, "Remote bookkeeping", "ideas", 3, "title")

	// Approved: 250.50 + 1000.00 + 800.25 = 2050.75.
	a = f.run(sam, "estimate_monthly_income", `{}`)
	want(t, a, "2050.75", "monthly_income")
	want(t, a, 3, "count")
	want(t, a, "AUD", "currency")
	want(t, a, "Mobile welding", "approved_ideas", 1, "title")
	want(t, f.run(alex, "estimate_monthly_income", `{}`), "9999.00", "monthly_income")

	f.fail(sam, "add_idea", `{"title": "x", "avg_earnings": -1}`, schema.EUNPROCESSABLE)
	f.fail(sam, "add_idea", `{"description": "no title"}`, schema.EUNPROCESSABLE)
}
