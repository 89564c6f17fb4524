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
