package tools_test

import (
	"math"
	"testing"

	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

// TestDemoTripFuelOneVehicle: a trip's fuel comes from one vehicle's fills,
// the primary one (the RV, which burns the most), never from a mean over
// the RV's and the tow car's fills.
//
// Alex's fuel log on the demo set (now 2026-03-15), latest full fills:
//
//	tow car: 2026-02-15 8.28, 2026-01-31 8.18, 2026-01-08 8.08 L/100km
//	RV:      2026-01-10 19.82, 2025-11-16 19.61, 2025-10-31 21.60 L/100km
//
// The old answer mixed them: the latest 3 full fills of any vehicle were
// 8.28, 8.18 and 19.82, mean 12.09 L/100km = 19.4 mpg. The RV's own latest
// 3: (19.82 + 19.61 + 21.60) / 3 = 20.343 L/100km = 235.215 / 20.343 =
// 11.56, shown 11.6 mpg; its price is the RV's (diesel) latest fill's.
func TestDemoTripFuelOneVehicle(t *testing.T) {
	d := newDemo(t)
	fills := d.rows(demo.UserA, "fuel_log", []schema.Order{{Column: "date", Desc: true}, {Column: "odometer", Desc: true}})

	// The hand figure, from the rows: the RV's latest 3 full fills.
	litres := map[string]float64{}
	var rv []float64
	for _, r := range fills {
		v, _ := r["volume"].(float64)
		litres[r["vehicle_id"].(string)] += v
		if r["vehicle_id"] != demo.VehicleAlexRV {
			continue
		}
		if c, ok := r["consumption"].(float64); ok && len(rv) < 3 {
			rv = append(rv, c)
		}
	}
	if litres[demo.VehicleAlexRV] <= litres[demo.VehicleAlexCar] {
		t.Fatalf("the RV should burn the most fuel: %v", litres)
	}
	l100 := (rv[0] + rv[1] + rv[2]) / 3
	if math.Abs(l100-20.343) > 0.001 {
		t.Fatalf("RV's latest 3 full fills average %.3f L/100km, the comment says 20.343 (%v)", l100, rv)
	}
	mpg := math.Round(235.215/l100*10) / 10 // 11.6

	for _, tc := range []struct {
		name, args, vehicle string
		mpg                 float64
	}{
		{"primary vehicle by default", `{}`, demo.VehicleAlexRV, mpg},
		{"the RV named", `{"vehicle_id": "` + demo.VehicleAlexRV + `"}`, demo.VehicleAlexRV, mpg},
		// The car's latest 3: (8.28 + 8.18 + 8.08) / 3 = 8.18 L/100km = 28.8 mpg.
		{"the tow car named", `{"vehicle_id": "` + demo.VehicleAlexCar + `"}`, demo.VehicleAlexCar, 28.8},
	} {
		t.Run(tc.name, func(t *testing.T) {
			args := `{"start": {"latitude": 33.4, "longitude": -112.0}, "end": {"latitude": 35.2, "longitude": -111.6}`
			if tc.args != `{}` {
				args += `, ` + tc.args[1:len(tc.args)-1]
			}
			m := d.run(demo.UserA, "plan_trip", args+`}`)
			want(t, m, tc.vehicle, "fuel", "vehicle_id")
			want(t, m, tc.mpg, "fuel", "consumption", "value")
			want(t, m, "mpg", "fuel", "consumption", "unit")
			for i := range 3 {
				id := get(t, m, "fuel", "from_fills", i, "id")
				r := d.get(demo.UserA, "fuel_log", id.(string))
				if r["vehicle_id"] != tc.vehicle {
					t.Errorf("fill %v is of vehicle %v", id, r["vehicle_id"])
				}
			}
			pr := d.get(demo.UserA, "fuel_log", get(t, m, "fuel", "price_fill_id").(string))
			if pr["vehicle_id"] != tc.vehicle {
				t.Errorf("price from a fill of vehicle %v", pr["vehicle_id"])
			}
		})
	}
}
