package offline_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/schema"
)

func TestBestHustle(t *testing.T) {
	f := newFixture(t)
	f.create(sam, "hustle_ideas", schema.Row{"title": "Campground hosting", "status": "approved", "avg_earnings": "400.00"})
	f.create(sam, "income_entries", schema.Row{"source": "Campground hosting", "type": "hustle", "amount": "300.00", "date": "2026-03-05"})
	f.create(sam, "expenses", schema.Row{"amount": "50.00", "category": "hustle", "date": "2026-03-04", "description": "Campground hosting uniform"})
	// income 300.00 − expenses 50.00 = 250.00 profit; 250 / 50 = 500 % ROI.
	f.ask(sam, "which side hustle pays best", "Campground hosting", "$250.00 profit", "$300.00 income", "$50.00 expenses", "ROI 500%")
}

func TestMaintenanceForecast(t *testing.T) {
	f := newFixture(t)
	f.create(sam, "maintenance_records", schema.Row{"task": "oil_change", "date": "2025-10-12", "mileage": 43000,
		"status": "completed", "cost": "89.99"})
	got := f.ask(sam, "how much will maintenance cost in the next six months", "next 6 months", "oil change ×2")
	// 90-day interval learned from 2025-10-12 → 2026-01-10; due 2026-03-23
	// and 2026-06-21 within the horizon (2026-09-19 is past it); each
	// 89.99 × 1.05 = 94.49; 188.98 over 6 months is 31.50 a month.
	for _, want := range []string{"$188.98 in maintenance", "$31.50 a month", "oil change ×2 ($188.98)"} {
		if !strings.Contains(got, want) {
			t.Fatalf("answer %q lacks %q", got, want)
		}
	}
}

func TestFuelEconomyLately(t *testing.T) {
	f := newFixture(t)
	const rv = "0190a000-0000-7000-8000-0000000000f1"
	// Full at 10,000 km, partial 20 L at 10,300, full 40 L at 10,600:
	// (20 + 40) L over 600 km = 10.0 L/100km.
	for _, fl := range []struct {
		date   string
		odo    int
		vol    float64
		filled bool
	}{{"2026-02-01", 10000, 50, true}, {"2026-02-10", 10300, 20, false}, {"2026-02-20", 10600, 40, true}} {
		f.create(sam, "fuel_log", schema.Row{"date": fl.date, "odometer": fl.odo, "volume": fl.vol, "filled_to_top": fl.filled,
			"price": "1.800", "total": "90.00", "vehicle_id": rv})
	}
	f.ask(sam, "what's my fuel economy lately", "10 L/100km", "60 L over 600 km", "full tank to full tank")
}
