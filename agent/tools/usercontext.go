package tools

import (
	"context"
	"encoding/json"
	"sort"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

type userContextArgs struct {
	RawContext map[string]any `json:"raw_context,omitempty" schema:"maxProperties=100" desc:"the client's context: current_page, location {latitude, longitude, address, timezone}, vehicle {make, model, year, type, fuel_type, length, towing}, travel_preferences {camp_types, daily_drive_limit, style, accessibility, pets}, budget_constraints {daily, fuel, ...}"`
}

func registerUserContext(r *Registry) {
	register(r, "get_user_context", CategoryUserContext,
		"Normalise the client's raw context (location, vehicle, travel preferences, budget constraints) into one shape, filling what is missing from the user's profile (units, currency, vehicle, travel style…) and saying which fields came from the profile. Writes nothing.",
		false, false, func(ctx context.Context, c Call, a userContextArgs) (any, error) {
			p, err := r.store.Get(ctx, c.User, "profiles", c.User)
			if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
				return nil, err
			}
			return normaliseContext(c, a.RawContext, p), nil
		})
}

// userContext is get_user_context's answer.
type userContext struct {
	UserID            string         `json:"user_id"`
	CurrentPage       string         `json:"current_page,omitempty"`
	Units             string         `json:"units"`
	Currency          string         `json:"currency"`
	Location          map[string]any `json:"location"`
	Vehicle           map[string]any `json:"vehicle"`
	TravelPreferences map[string]any `json:"travel_preferences"`
	BudgetConstraints map[string]any `json:"budget_constraints"`
	// FromProfile lists the fields filled from the profile.
	FromProfile []string `json:"from_profile"`
	// Ignored lists raw keys that were not understood.
	Ignored []string `json:"ignored_keys"`
}

// pick returns the first present key of m among names.
func pick(m map[string]any, names ...string) (any, bool) {
	for _, n := range names {
		if v, ok := m[n]; ok && v != nil && v != "" {
			return v, true
		}
	}
	return nil, false
}

func objectOf(v any) map[string]any {
	m, _ := v.(map[string]any)
	if m == nil {
		m = map[string]any{}
	}
	return m
}

// plain turns json.Number into float64 so answers are plain JSON numbers.
func plain(v any) any {
	switch x := v.(type) {
	case json.Number:
		f, _ := x.Float64()
		return f
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = plain(e)
		}
		return out
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = plain(e)
		}
		return out
	}
	return v
}

func normaliseContext(c Call, raw map[string]any, p schema.Row) userContext {
	out := userContext{UserID: c.User, Units: c.Units, Currency: c.Currency, FromProfile: []string{}, Ignored: []string{}}
	known := map[string]bool{"user_id": true}
	use := func(keys ...string) map[string]any {
		for _, k := range keys {
			known[k] = true
		}
		v, _ := pick(raw, keys...)
		return objectOf(v)
	}
	fromProfile := func(dst map[string]any, section, key string, v any, ok bool) {
		if _, has := dst[key]; has || !ok || v == nil {
			return
		}
		if s, isStr := v.(string); isStr && strings.TrimSpace(s) == "" {
			return
		}
		if _, isRaw := v.(json.RawMessage); isRaw {
			if l := stringsOf(v); len(l) > 0 {
				v = l
			} else {
				return
			}
		}
		dst[key] = v
		out.FromProfile = append(out.FromProfile, section+"."+key)
	}
	set := func(dst, src map[string]any, key string, names ...string) {
		if v, ok := pick(src, names...); ok {
			dst[key] = plain(v)
		}
	}
	if v, ok := pick(raw, "current_page", "page"); ok {
		out.CurrentPage, _ = v.(string)
	}
	known["current_page"], known["page"] = true, true

	loc := use("location", "user_location")
	out.Location = map[string]any{}
	set(out.Location, loc, "latitude", "latitude", "lat")
	set(out.Location, loc, "longitude", "longitude", "lon", "lng")
	set(out.Location, loc, "address", "address", "formatted_address")
	set(out.Location, loc, "timezone", "timezone", "tz")
	if _, ok := out.Location["latitude"]; ok {
		out.Location["source"] = "client"
	} else {
		lat, ok1 := p.Number("current_latitude")
		lon, ok2 := p.Number("current_longitude")
		if ok1 && ok2 {
			fromProfile(out.Location, "location", "latitude", lat, true)
			fromProfile(out.Location, "location", "longitude", lon, true)
			out.Location["source"] = "profile"
		}
	}
	fromProfile(out.Location, "location", "timezone", p["timezone"], true)

	veh := use("vehicle", "vehicle_info")
	out.Vehicle = map[string]any{}
	set(out.Vehicle, veh, "make", "make")
	set(out.Vehicle, veh, "model", "model")
	set(out.Vehicle, veh, "year", "year")
	set(out.Vehicle, veh, "type", "type", "vehicle_type")
	set(out.Vehicle, veh, "fuel_type", "fuel_type", "fuel")
	set(out.Vehicle, veh, "length", "length", "length_ft", "length_m")
	set(out.Vehicle, veh, "towing", "towing", "towing_capacity")
	fromProfile(out.Vehicle, "vehicle", "type", p["vehicle_type"], true)
	fromProfile(out.Vehicle, "vehicle", "make_model", p["vehicle_make_model"], true)
	fromProfile(out.Vehicle, "vehicle", "fuel_type", p["fuel_type"], true)
	fromProfile(out.Vehicle, "vehicle", "towing", p["towing"], true)

	tp := use("travel_preferences", "travel_prefs", "preferences")
	out.TravelPreferences = map[string]any{}
	set(out.TravelPreferences, tp, "camp_types", "camp_types", "preferred_camp_types")
	set(out.TravelPreferences, tp, "daily_drive_limit", "daily_drive_limit", "max_daily_drive", "max_driving")
	set(out.TravelPreferences, tp, "style", "style", "travel_style")
	set(out.TravelPreferences, tp, "accessibility", "accessibility", "accessibility_needs")
	set(out.TravelPreferences, tp, "pets", "pets")
	fromProfile(out.TravelPreferences, "travel_preferences", "camp_types", p["camp_types"], true)
	fromProfile(out.TravelPreferences, "travel_preferences", "daily_drive_limit", p["max_driving"], true)
	fromProfile(out.TravelPreferences, "travel_preferences", "style", p["travel_style"], true)
	fromProfile(out.TravelPreferences, "travel_preferences", "accessibility", p["accessibility"], true)
	fromProfile(out.TravelPreferences, "travel_preferences", "pets", p["pets"], true)

	bc := use("budget_constraints", "budget")
	out.BudgetConstraints = map[string]any{}
	keys := make([]string, 0, len(bc))
	for k := range bc {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := bc[k]
		if f, ok := schema.AsNumber(v); ok {
			if _, isBool := v.(bool); !isBool {
				out.BudgetConstraints[k] = money(int64(round(f*100, 0)))
				continue
			}
		}
		out.BudgetConstraints[k] = plain(v)
	}
	fromProfile(out.BudgetConstraints, "budget_constraints", "budget_range", p["budget_range"], true)
	if len(out.BudgetConstraints) > 0 {
		out.BudgetConstraints["currency"] = c.Currency
	}

	for k := range raw {
		if !known[k] {
			out.Ignored = append(out.Ignored, k)
		}
	}
	sort.Strings(out.Ignored)
	return out
}
