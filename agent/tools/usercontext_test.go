package tools_test

import (
	"testing"

	"github.com/pam-rv/pamd/schema"
)

func TestGetUserContext(t *testing.T) {
	f := newFixture(t)
	if _, err := f.store.Update(f.ctx, sam, "profiles", sam, schema.Row{"vehicle_type": "motorhome", "fuel_type": "diesel",
		"travel_style": []any{"slow", "off-grid"}, "pets": "dog", "timezone": "America/Phoenix"}); err != nil {
		t.Fatal(err)
	}
	a := f.run(sam, "get_user_context", `{"raw_context": {"current_page": "/wheels",
		"location": {"lat": -27.5, "lng": 153.0, "address": "Brisbane"},
		"vehicle": {"make": "Ford", "year": 2019, "fuel": "petrol"},
		"travel_prefs": {"daily_drive_limit": 300},
		"budget_constraints": {"daily": 150, "fuel": "80.5"},
		"mystery": 1}}`)
	want(t, a, sam, "user_id")
	want(t, a, "/wheels", "current_page")
	want(t, a, "metric", "units")
	want(t, a, "AUD", "currency")
	want(t, a, -27.5, "location", "latitude")
	want(t, a, 153.0, "location", "longitude")
	want(t, a, "client", "location", "source")
	want(t, a, "America/Phoenix", "location", "timezone") // from the profile
	want(t, a, "Ford", "vehicle", "make")
	want(t, a, 2019, "vehicle", "year")
	want(t, a, "petrol", "vehicle", "fuel_type") // the client's wins
	want(t, a, "motorhome", "vehicle", "type")   // from the profile
	want(t, a, 300, "travel_preferences", "daily_drive_limit")
	want(t, a, []any{"slow", "off-grid"}, "travel_preferences", "style")
	want(t, a, "dog", "travel_preferences", "pets")
	want(t, a, "150.00", "budget_constraints", "daily")
	want(t, a, "80.50", "budget_constraints", "fuel")
	want(t, a, "AUD", "budget_constraints", "currency")
	want(t, a, []any{"location.timezone", "vehicle.type", "travel_preferences.style", "travel_preferences.pets"}, "from_profile")
	want(t, a, []any{"mystery"}, "ignored_keys")

	// Nothing given: the location comes from the profile.
	a = f.run(sam, "get_user_context", `{}`)
	want(t, a, 33.0, "location", "latitude")
	want(t, a, "profile", "location", "source")
	want(t, a, "diesel", "vehicle", "fuel_type")
	a = f.run(alex, "get_user_context", `{}`)
	want(t, a, "us", "units")
	want(t, a, "USD", "currency")
	want(t, a, map[string]any{}, "location")
}
