package intent

import (
	"testing"
	"time"
)

// TestAskedUnits: the units a message names are kept, so the answer can be
// given in them; an economy unit's words name no volume or distance.
func TestAskedUnits(t *testing.T) {
	p := parserAt(time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC))
	tests := []struct {
		msg             string
		econ, vol, dist string
	}{
		{"What is my mpg?", "mpg", "", ""},
		{"what's my fuel economy in L/100km", "l/100km", "", ""},
		{"fuel economy in litres per 100 km", "l/100km", "", ""},
		{"how many miles per gallon am I getting", "mpg", "", ""},
		{"what's my fuel economy", "", "", ""},
		{"filled up 15 gallons for $64.80 at 48,210 miles", "", "gal", "mi"},
		{"put 62 litres in for $118 at 48,210 km", "", "L", "km"},
		{"how much will fuel cost for a 300 mile trip", "", "", "mi"},
	}
	for _, tc := range tests {
		t.Run(tc.msg, func(t *testing.T) {
			in := p.Parse(tc.msg)
			if in.Name == Unknown {
				t.Fatalf("not understood")
			}
			s := in.Slots
			if s.EconomyUnit != tc.econ || s.VolumeUnit != tc.vol || s.DistanceUnit != tc.dist {
				t.Errorf("units %q %q %q, want %q %q %q", s.EconomyUnit, s.VolumeUnit, s.DistanceUnit, tc.econ, tc.vol, tc.dist)
			}
		})
	}
}
