package intent

import (
	"math"
	"testing"
	"time"
)

// FuzzParse checks that Parse never panics, stays deterministic and keeps
// its promises on any input: confidence in [0, 1], zero for Unknown, finite
// figures, non-negative amounts, and periods with From before To.
func FuzzParse(f *testing.F) {
	for _, s := range []string{
		"filled up 62 litres for $118 at 48,210 km",
		"campgrounds near Moab, UT under $20 within 50 mi",
		"how much did I spend on the 3rd of March 2025",
		"spent $1.2k at Love's on 2026-03-14",
		"l/100km 12,5 $ ¢ / @ 48 210 km 48.2k",
	} {
		f.Add(s, true)
	}
	now := time.Date(2026, 3, 15, 10, 0, 0, 0, time.FixedZone("MDT", -6*3600))
	us, metric := parserAt(now), parserAt(now)
	us.Units = UnitsUS
	f.Fuzz(func(t *testing.T, msg string, inUS bool) {
		p := metric
		if inUS {
			p = us
		}
		in := p.Parse(msg)
		if c := in.Confidence; math.IsNaN(c) || c < 0 || c > 1 {
			t.Fatalf("%q: confidence %v", msg, c)
		}
		if in.Name == Unknown && in != (Intent{}) {
			t.Fatalf("%q: Unknown with %+v", msg, in)
		}
		s := in.Slots
		for _, v := range []float64{s.VolumeL, s.DistanceKM, s.OdometerKM, s.RadiusKM, s.PricePerLitreCents} {
			if math.IsNaN(v) || math.IsInf(v, 0) || v < 0 {
				t.Fatalf("%q: figure %v in %+v", msg, v, s)
			}
		}
		if s.AmountCents < 0 || s.TotalCents < 0 || s.MaxPriceCents < 0 || s.Months < 0 {
			t.Fatalf("%q: negative amount in %+v", msg, s)
		}
		if s.Period != nil && !s.Period.From.Before(s.Period.To) {
			t.Fatalf("%q: empty period %+v", msg, *s.Period)
		}
		if again := p.Parse(msg); !sameIntent(in, again) {
			t.Fatalf("%q: %+v, then %+v", msg, in, again)
		}
	})
}
