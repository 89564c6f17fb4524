package tools

import (
	"cmp"
	"context"
	"slices"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// ShopAlternatives bounds the other matching products answered.
const ShopAlternatives = 5

type affiliateArgs struct {
	VehicleType string `json:"vehicle_type,omitempty" schema:"maxLength=64" desc:"e.g. motorhome, caravan, 5th_wheel; defaults to the profile's vehicle_type"`
	Region      string `json:"region,omitempty" schema:"maxLength=64" desc:"where the user shops, e.g. AU; defaults to the profile's region"`
}

func registerShop(r *Registry) {
	register(r, "suggest_affiliate_product", CategoryShop,
		"Suggest an active shop product (from the local mirror of shop_products) whose category or type matches the vehicle type and that is available in the region, falling back to the vehicle type alone.",
		false, false, func(ctx context.Context, c Call, a affiliateArgs) (any, error) {
			return suggestProduct(ctx, r.store, c, a)
		})
}

// productRef describes one shop product.
type productRef struct {
	ID          string   `json:"id"`
	Name        string   `json:"name"`
	Description string   `json:"description,omitempty"`
	Category    string   `json:"category,omitempty"`
	Type        string   `json:"type,omitempty"`
	Price       *string  `json:"price"`
	ExternalURL string   `json:"external_url,omitempty"`
	Regions     []string `json:"available_regions"`
}

// productSuggestion is suggest_affiliate_product's answer.
type productSuggestion struct {
	VehicleType  string       `json:"vehicle_type"`
	Region       string       `json:"region,omitempty"`
	Match        string       `json:"match"` // vehicle_and_region, vehicle_only or none
	Product      *productRef  `json:"product"`
	Alternatives []productRef `json:"alternatives"`
	Currency     string       `json:"currency"`
	Basis        string       `json:"basis"`
}

func suggestProduct(ctx context.Context, s Store, c Call, a affiliateArgs) (any, error) {
	vt, region := strings.TrimSpace(a.VehicleType), strings.TrimSpace(a.Region)
	if vt == "" || region == "" {
		p, err := s.Get(ctx, c.User, "profiles", c.User)
		if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
			return nil, err
		}
		vt = cmp.Or(vt, strings.TrimSpace(p.Text("vehicle_type")))
		region = cmp.Or(region, strings.TrimSpace(p.Text("region")))
	}
	if vt == "" {
		return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "no vehicle type: give vehicle_type, the profile has none",
			Fields: []schema.FieldError{{Field: "vehicle_type", Reason: "required: the profile has no vehicle_type"}}}
	}
	out := productSuggestion{VehicleType: vt, Region: region, Match: "none", Alternatives: []productRef{}, Currency: c.Currency}
	var both, vehicle []productRef
	q := schema.Query{Conditions: []schema.Condition{eq("status", "active")}, Order: []schema.Order{{Column: "name"}, {Column: "id"}}}
	err := s.Each(ctx, c.User, "shop_products", q, func(r schema.Row) error {
		if !strings.EqualFold(strings.TrimSpace(r.Text("category")), vt) && !strings.EqualFold(strings.TrimSpace(r.Text("type")), vt) {
			return nil
		}
		p := productRef{ID: r.Text("id"), Name: r.Text("name"), Description: r.Text("description"), Category: r.Text("category"),
			Type: r.Text("type"), ExternalURL: r.Text("external_url"), Regions: stringsOf(r["available_regions"])}
		if r["price"] != nil {
			m := money(r.Cents("price"))
			p.Price = &m
		}
		vehicle = append(vehicle, p)
		if region != "" && slices.ContainsFunc(p.Regions, func(x string) bool { return strings.EqualFold(strings.TrimSpace(x), region) }) {
			both = append(both, p)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	list := both
	switch {
	case len(both) > 0:
		out.Match = "vehicle_and_region"
		out.Basis = "active products for " + vt + " available in " + region + ", by name"
	case len(vehicle) > 0:
		list, out.Match = vehicle, "vehicle_only"
		out.Basis = "no active product for " + vt + " is listed for region " + cmp.Or(region, "(none given)") + "; products for " + vt + " in any region, by name"
	default:
		out.Basis = "no active product's category or type matches " + vt
	}
	if len(list) > 0 {
		out.Product = &list[0]
		out.Alternatives = append(out.Alternatives, list[1:min(len(list), 1+ShopAlternatives)]...)
	}
	return out, nil
}
