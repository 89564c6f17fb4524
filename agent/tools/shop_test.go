package tools_test

import (
	"testing"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/schema"
)

func TestSuggestAffiliateProduct(t *testing.T) {
	f := newFixture(t)
	p := func(id, name, cat, typ, status, price string, regions ...any) schema.Row {
		return schema.Row{"id": "0190b000-0000-7000-8000-00000000d00" + id, "name": name, "category": cat, "type": typ,
			"status": status, "price": price, "available_regions": regions}
	}
	rows := []schema.Row{
		p("1", "Levelling Blocks", "motorhome", "accessory", "active", "49.95", "AU", "NZ"),
		p("2", "Awning Mat", "Motorhome", "", "active", "89.00", "US"),
		p("3", "Draft Kit", "motorhome", "", "draft", "10.00", "AU"),
		p("4", "Hitch Lock", "accessory", "caravan", "active", "35.00", "US"),
	}
	if err := f.store.Load(f.ctx, "shop_products", rows, localstore.LoadOptions{}); err != nil {
		t.Fatal(err)
	}
	a := f.run(sam, "suggest_affiliate_product", `{"vehicle_type": "motorhome", "region": "au"}`)
	want(t, a, "vehicle_and_region", "match")
	want(t, a, "Levelling Blocks", "product", "name")
	want(t, a, "49.95", "product", "price")
	want(t, a, []any{}, "alternatives")
	want(t, a, "AUD", "currency")

	a = f.run(sam, "suggest_affiliate_product", `{"vehicle_type": "motorhome", "region": "UK"}`)
	want(t, a, "vehicle_only", "match")
	want(t, a, "Awning Mat", "product", "name") // by name; the draft is left out
	want(t, a, "Levelling Blocks", "alternatives", 0, "name")

	// Type matches too; the vehicle type and region come from the profile.
	if _, err := f.store.Update(f.ctx, alex, "profiles", alex, schema.Row{"vehicle_type": "caravan", "region": "US"}); err != nil {
		t.Fatal(err)
	}
	a = f.run(alex, "suggest_affiliate_product", `{}`)
	want(t, a, "Hitch Lock", "product", "name")
	want(t, a, "caravan", "vehicle_type")
	want(t, a, "vehicle_and_region", "match")

	a = f.run(sam, "suggest_affiliate_product", `{"vehicle_type": "bus"}`)
	want(t, a, "none", "match")
	want(t, a, nil, "product")
	f.fail(sam, "suggest_affiliate_product", `{}`, schema.EUNPROCESSABLE) // Sam's profile has no vehicle_type
}
