package tools

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// plan_trip works offline (tools.md Decisions §5): legs by great-circle
// distance times a road factor, fuel from the user's own consumption and
// latest price, campsites within a corridor of the route.
const (
	// RoadFactor turns a great-circle distance into an estimated road distance.
	RoadFactor = 1.2
	// DefaultConsumptionL100 is used when the user has no recorded full fill.
	DefaultConsumptionL100 = 20.0
	// TripConsumptionFills is how many of the latest full fills the
	// consumption estimate averages.
	TripConsumptionFills = 3
	// CampsiteCorridorKm is how far from the route a campsite may be.
	CampsiteCorridorKm = 25.0
	// TripCampsiteLimit bounds the campsites answered.
	TripCampsiteLimit = 20
	// Price rules of the POI filters (tools.md §2.9), per night in the
	// user's currency.
	LuxuryMinPricePerNight  = 50
	OffGridMaxPricePerNight = 20
)

// pOIRule is a route type's campsite filter (tools.md §2.9).
type pOIRule struct {
	MinRating      float64  `json:"min_rating"`
	MinPrice       *string  `json:"min_price_per_night,omitempty"`
	MaxPrice       *string  `json:"max_price_per_night,omitempty"`
	PreferredTypes []string `json:"preferred_types,omitempty"`
	ExcludedTypes  []string `json:"excluded_types,omitempty"`
	minCents       int64
	maxCents       int64 // −1 none
}

func poiRule(routeType string) pOIRule {
	price := func(units int64) *string { s := money(units * 100); return &s }
	r := pOIRule{maxCents: -1, minCents: -1}
	switch routeType {
	case "luxury":
		r.MinRating, r.ExcludedTypes = 4.0, []string{"boondocking", "basic"}
		r.MinPrice, r.minCents = price(LuxuryMinPricePerNight), LuxuryMinPricePerNight*100
	case "off_grid":
		r.MinRating, r.PreferredTypes = 3.0, []string{"boondocking", "wilderness", "national_park"}
		r.MaxPrice, r.maxCents = price(OffGridMaxPricePerNight), OffGridMaxPricePerNight*100
	case "scenic":
		r.MinRating, r.PreferredTypes = 3.5, []string{"overlook", "scenic_overlook", "park", "national_park", "state_park"}
	case "fastest":
		r.MinRating, r.PreferredTypes = 3.0, []string{"rest_stop", "truck_stop"}
	case "shortest":
		r.MinRating = 2.5
	default: // manual
		r.MinRating = 2.0
	}
	return r
}

// legacyRouteTypes maps the original's legacy route types.
var legacyRouteTypes = map[string]string{"highway": "fastest", "backroad": "scenic", "offroad": "off_grid"}

// Place is a trip point: {latitude, longitude} or the name of a camping location.
type Place struct {
	Name      string
	Latitude  *float64
	Longitude *float64
}

// JSONSchema describes a Place.
func (Place) JSONSchema() *Schema {
	closed := false
	lat, lon := -90.0, 90.0
	lonMin, lonMax := -180.0, 180.0
	one, long := 1, 200
	return &Schema{AnyOf: []*Schema{
		{Type: "string", MinLength: &one, MaxLength: &long, Description: "the name of a camping location (no online geocoding)"},
		{Type: "object", AdditionalProperties: &closed, Required: []string{"latitude", "longitude"},
			Properties: map[string]*Schema{
				"latitude":  {Type: "number", Minimum: &lat, Maximum: &lon},
				"longitude": {Type: "number", Minimum: &lonMin, Maximum: &lonMax},
				"name":      {Type: "string", MaxLength: &long},
			}},
	}}
}

// UnmarshalJSON accepts a name or an object with latitude and longitude.
func (p *Place) UnmarshalJSON(b []byte) error {
	b = bytes.TrimSpace(b)
	if len(b) > 0 && b[0] == '"' {
		return json.Unmarshal(b, &p.Name)
	}
	var o struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Name      string   `json:"name"`
	}
	if err := json.Unmarshal(b, &o); err != nil {
		return err
	}
	p.Name, p.Latitude, p.Longitude = o.Name, o.Latitude, o.Longitude
	return nil
}

// MarshalJSON writes what UnmarshalJSON reads: the name alone, or the
// object with latitude and longitude (and the name, if any).
func (p Place) MarshalJSON() ([]byte, error) {
	if p.Latitude == nil && p.Longitude == nil {
		return json.Marshal(p.Name)
	}
	return json.Marshal(struct {
		Latitude  *float64 `json:"latitude"`
		Longitude *float64 `json:"longitude"`
		Name      string   `json:"name,omitempty"`
	}{p.Latitude, p.Longitude, p.Name})
}

func (p Place) check(field string) []schema.FieldError {
	switch {
	case p.Latitude == nil && p.Longitude == nil:
		if strings.TrimSpace(p.Name) == "" {
			return []schema.FieldError{{Field: field, Reason: "give {latitude, longitude} or a camping location's name"}}
		}
	case p.Latitude == nil || p.Longitude == nil:
		return []schema.FieldError{{Field: field, Reason: "give latitude and longitude together"}}
	case *p.Latitude < -90 || *p.Latitude > 90:
		return []schema.FieldError{{Field: field + ".latitude", Reason: "must be between -90 and 90"}}
	case *p.Longitude < -180 || *p.Longitude > 180:
		return []schema.FieldError{{Field: field + ".longitude", Reason: "must be between -180 and 180"}}
	}
	return nil
}

type waypointArg struct {
	Latitude  float64 `json:"latitude" schema:"required,min=-90,max=90"`
	Longitude float64 `json:"longitude" schema:"required,min=-180,max=180"`
	Order     int     `json:"order,omitempty" desc:"position along the route; waypoints are visited in ascending order"`
	ID        string  `json:"id,omitempty" schema:"maxLength=100"`
	IsLocked  bool    `json:"is_locked,omitempty"`
	CreatedAt string  `json:"created_at,omitempty" schema:"maxLength=40"`
}

// TripArgs are plan_trip's arguments.
type TripArgs struct {
	Start           Place         `json:"start" schema:"required" desc:"where the trip starts: {latitude, longitude} or a camping location's name"`
	End             Place         `json:"end" schema:"required" desc:"where the trip ends: {latitude, longitude} or a camping location's name"`
	RouteType       string        `json:"route_type,omitempty" schema:"enum=fastest|shortest|scenic|off_grid|luxury|manual|highway|backroad|offroad,default=fastest" desc:"decides the campsite filter; highway, backroad and offroad are legacy names of fastest, scenic and off_grid"`
	ManualWaypoints []waypointArg `json:"manual_waypoints,omitempty" schema:"maxItems=50" desc:"points to pass through between start and end, visited by ascending order"`
	VehicleID       UUID          `json:"vehicle_id,omitempty" desc:"the vehicle driven, whose fuel economy and price are used; by default the primary vehicle (the one that burns the most fuel)"`
}

func (a *TripArgs) check(Call) []schema.FieldError {
	return append(a.Start.check("start"), a.End.check("end")...)
}

func registerTrip(r *Registry) {
	t := r.trip
	register(r, "plan_trip", CategoryTrip,
		"Plan a trip offline from start to end (coordinates or camping location names) through optional waypoints: legs by great-circle distance × road factor 1.2, fuel volume and cost from the user's own recent consumption and latest fuel price, and campsites within 25 km of the route filtered by the route type's rules (rating, price, preferred and excluded types), with the figures explained.",
		false, false, t.plan)
}

type trips struct{ s Store }

// tripStop is one point of the route.
type tripStop struct {
	Label     string  `json:"label"`
	Latitude  float64 `json:"latitude"`
	Longitude float64 `json:"longitude"`
	Name      string  `json:"name,omitempty"`
	// CampingLocationID is set when the point was given by name.
	CampingLocationID string `json:"camping_location_id,omitempty"`
}

// tripLeg is the way between two consecutive stops.
type tripLeg struct {
	From         string   `json:"from"`
	To           string   `json:"to"`
	GreatCircle  Quantity `json:"great_circle"`
	RoadEstimate Quantity `json:"road_estimate"`
}

// tripFuel is the fuel estimate of a trip.
type tripFuel struct {
	Consumption       Quantity  `json:"consumption"`
	ConsumptionSource string    `json:"consumption_source"`   // fuel_log or default
	VehicleID         string    `json:"vehicle_id,omitempty"` // whose fills: never a mix of vehicles
	FromFills         []FillRef `json:"from_fills,omitempty"`
	Volume            Quantity  `json:"volume"`
	PricePerUnit      *string   `json:"price_per_unit,omitempty"`
	PriceDate         string    `json:"price_date,omitempty"`
	PriceFillID       string    `json:"price_fill_id,omitempty"`
	Cost              *string   `json:"cost"`
	Currency          string    `json:"currency"`
	Note              string    `json:"note,omitempty"`
}

// campsiteHit is a campsite near the route.
type campsiteHit struct {
	ID            string   `json:"id"`
	Name          string   `json:"name"`
	Type          string   `json:"type"`
	Latitude      float64  `json:"latitude"`
	Longitude     float64  `json:"longitude"`
	Rating        *float64 `json:"user_ratings"`
	PricePerNight *string  `json:"price_per_night"`
	IsFree        *bool    `json:"is_free,omitempty"`
	Address       string   `json:"address,omitempty"`
	FromRoute     Quantity `json:"distance_from_route"`
	Preferred     bool     `json:"preferred_type"`
	km            float64
	rating        float64
}

// TripPlan is plan_trip's answer.
type TripPlan struct {
	RouteType          string        `json:"route_type"`
	RequestedRouteType string        `json:"requested_route_type,omitempty"`
	Offline            bool          `json:"offline"`
	Stops              []tripStop    `json:"stops"`
	WaypointCount      int           `json:"waypoint_count"`
	Legs               []tripLeg     `json:"legs"`
	RoadFactor         float64       `json:"road_factor"`
	GreatCircle        Quantity      `json:"great_circle_distance"`
	Distance           Quantity      `json:"distance"`
	Fuel               tripFuel      `json:"fuel"`
	POIFilters         pOIRule       `json:"poi_filters"`
	Corridor           Quantity      `json:"corridor"`
	CampsitesFound     int           `json:"campsites_found"`
	Campsites          []campsiteHit `json:"campsites"`
	Explanation        []string      `json:"explanation"`
}

func (t *trips) plan(ctx context.Context, c Call, a TripArgs) (*TripPlan, error) {
	out := TripPlan{RouteType: cmp.Or(a.RouteType, "fastest"), Offline: true, RoadFactor: RoadFactor}
	if m, ok := legacyRouteTypes[out.RouteType]; ok {
		out.RequestedRouteType, out.RouteType = out.RouteType, m
	}
	start, err := t.resolve(ctx, c, a.Start, "start")
	if err != nil {
		return nil, err
	}
	end, err := t.resolve(ctx, c, a.End, "end")
	if err != nil {
		return nil, err
	}
	wps := slices.Clone(a.ManualWaypoints)
	slices.SortStableFunc(wps, func(x, y waypointArg) int { return cmp.Compare(x.Order, y.Order) })
	out.Stops = append(out.Stops, start)
	for i, w := range wps {
		out.Stops = append(out.Stops, tripStop{Label: fmt.Sprintf("waypoint %d", i+1), Latitude: w.Latitude, Longitude: w.Longitude})
	}
	out.Stops = append(out.Stops, end)
	out.WaypointCount = len(wps)

	var gcKm float64
	for i := 1; i < len(out.Stops); i++ {
		p, q := out.Stops[i-1], out.Stops[i]
		km := schema.HaversineKm(p.Latitude, p.Longitude, q.Latitude, q.Longitude)
		gcKm += km
		out.Legs = append(out.Legs, tripLeg{From: p.Label, To: q.Label,
			GreatCircle: distance(km, c.Units), RoadEstimate: distance(km*RoadFactor, c.Units)})
	}
	roadKm := gcKm * RoadFactor
	out.GreatCircle, out.Distance = distance(gcKm, c.Units), distance(roadKm, c.Units)
	out.Explanation = append(out.Explanation, fmt.Sprintf(
		"distance: %s great-circle over %d leg(s) × road factor %.1f = %s (estimated offline, no routing service)",
		out.GreatCircle, len(out.Legs), RoadFactor, out.Distance))

	if out.Fuel, err = t.fuel(ctx, c, roadKm, a.VehicleID); err != nil {
		return nil, err
	}
	out.Explanation = append(out.Explanation, out.Fuel.Note)

	out.POIFilters = poiRule(out.RouteType)
	out.Corridor = distance(CampsiteCorridorKm, c.Units)
	hits, err := t.campsites(ctx, c, out.Stops, out.POIFilters)
	if err != nil {
		return nil, err
	}
	out.CampsitesFound = len(hits)
	out.Campsites = hits[:min(len(hits), TripCampsiteLimit)]
	out.Explanation = append(out.Explanation, fmt.Sprintf(
		"campsites: %d camping location(s) within %s of the route pass the %s filter (rating ≥ %.1f%s); preferred types first, then nearest; showing %d",
		out.CampsitesFound, out.Corridor, out.RouteType, out.POIFilters.MinRating, priceRuleText(out.POIFilters, c.Currency), len(out.Campsites)))
	return &out, nil
}

func priceRuleText(r pOIRule, currency string) string {
	switch {
	case r.MinPrice != nil:
		return ", price ≥ " + *r.MinPrice + " " + currency
	case r.MaxPrice != nil:
		return ", price ≤ " + *r.MaxPrice + " " + currency
	}
	return ""
}

// resolve turns a Place into a stop, looking names up in camping_locations
// (exact name first, then without case).
func (t *trips) resolve(ctx context.Context, c Call, p Place, label string) (tripStop, error) {
	if p.Latitude != nil {
		return tripStop{Label: label, Latitude: *p.Latitude, Longitude: *p.Longitude, Name: p.Name}, nil
	}
	name := strings.TrimSpace(p.Name)
	rows, err := collect(ctx, t.s, c.User, "camping_locations", schema.Query{Conditions: []schema.Condition{eq("name", name)},
		Order: []schema.Order{{Column: "id"}}, Limit: 2})
	if err != nil {
		return tripStop{}, err
	}
	if len(rows) == 0 {
		err = t.s.Each(ctx, c.User, "camping_locations", schema.Query{Order: []schema.Order{{Column: "id"}}}, func(r schema.Row) error {
			if strings.EqualFold(strings.TrimSpace(r.Text("name")), name) {
				rows = append(rows, r)
			}
			return nil
		})
		if err != nil {
			return tripStop{}, err
		}
	}
	switch len(rows) {
	case 0:
		return tripStop{}, &schema.Error{Code: schema.ENOTFOUND,
			Message: fmt.Sprintf("no camping location is named %q; plan_trip works offline without geocoding, so give %s as {latitude, longitude}", schema.Truncate(name, 100), label),
			Fields:  []schema.FieldError{{Field: label, Reason: "unknown place name"}}}
	case 1:
	default:
		return tripStop{}, &schema.Error{Code: schema.EUNPROCESSABLE,
			Message: fmt.Sprintf("several camping locations are named %q; give %s as {latitude, longitude}", schema.Truncate(name, 100), label),
			Fields:  []schema.FieldError{{Field: label, Reason: "ambiguous place name"}}}
	}
	lat, _ := rows[0].Number("latitude")
	lon, _ := rows[0].Number("longitude")
	return tripStop{Label: label, Latitude: lat, Longitude: lon, Name: rows[0].Text("name"), CampingLocationID: rows[0].Text("id")}, nil
}

// fuel estimates the trip's fuel from one vehicle's latest full fills and
// latest price: the vehicle named, else the primary one (PrimaryVehicle).
func (t *trips) fuel(ctx context.Context, c Call, roadKm float64, vehicle UUID) (tripFuel, error) {
	f := tripFuel{Currency: c.Currency, ConsumptionSource: "default"}
	l100 := DefaultConsumptionL100
	fills, veh, err := vehicleFills(ctx, t.s, c, vehicle)
	if err != nil {
		return f, err
	}
	f.VehicleID = veh
	if x, used := RecentConsumption(fills); len(used) > 0 {
		l100, f.ConsumptionSource = x, "fuel_log"
		for _, r := range used {
			f.FromFills = append(f.FromFills, fillRef(r, c.Units))
		}
	}
	f.Consumption = economy(l100, c.Units)
	litres := roadKm * l100 / 100
	f.Volume = volume(litres, c.Units)
	var basis string
	if f.ConsumptionSource == "default" {
		basis = fmt.Sprintf("the default %s (no full fills recorded)", economy(DefaultConsumptionL100, c.Units))
	} else {
		basis = fmt.Sprintf("%s, the mean of the latest %d full fill(s) of %s", f.Consumption, len(f.FromFills), vehicleLabel(veh))
	}

	priced := LatestPrice(fills)
	if priced == nil {
		f.Note = fmt.Sprintf("fuel: %s × %s = %s; no fuel price on record, so no cost estimate (log a fill with pam_log_fuel)",
			distance(roadKm, c.Units), basis, f.Volume)
		return f, nil
	}
	m, _ := schema.AsDecimal(priced["price"], 3)
	cost := money(int64(math.Round(litres * float64(m) / 10)))
	p := unitPrice(m, c.Units)
	f.PricePerUnit, f.Cost = &p, &cost
	f.PriceDate, f.PriceFillID = priced.Date("date"), priced.Text("id")
	f.Note = fmt.Sprintf("fuel: %s × %s = %s at your latest price %s %s/%s (%s) = %s %s",
		distance(roadKm, c.Units), basis, f.Volume, p, c.Currency, volumeUnit(c.Units), f.PriceDate, cost, c.Currency)
	return f, nil
}

// campsites reads camping locations within the corridor of the route that
// pass rule, preferred types first, then nearest to the route.
func (t *trips) campsites(ctx context.Context, c Call, stops []tripStop, rule pOIRule) ([]campsiteHit, error) {
	minLat, maxLat, minLon, maxLon := 90.0, -90.0, 180.0, -180.0
	for _, s := range stops {
		minLat, maxLat = math.Min(minLat, s.Latitude), math.Max(maxLat, s.Latitude)
		minLon, maxLon = math.Min(minLon, s.Longitude), math.Max(maxLon, s.Longitude)
	}
	dLat := CampsiteCorridorKm / kmPerDegree
	conds := []schema.Condition{cond("latitude", schema.OpGte, minLat-dLat), cond("latitude", schema.OpLte, maxLat+dLat)}
	if cosLat := math.Cos(math.Min(math.Max(math.Abs(minLat), math.Abs(maxLat))+dLat, 89.9) * math.Pi / 180); cosLat > 0.01 {
		dLon := CampsiteCorridorKm / (kmPerDegree * cosLat)
		if minLon-dLon >= -180 && maxLon+dLon <= 180 {
			conds = append(conds, cond("longitude", schema.OpGte, minLon-dLon), cond("longitude", schema.OpLte, maxLon+dLon))
		}
	}
	var hits []campsiteHit
	err := t.s.Each(ctx, c.User, "camping_locations", schema.Query{Conditions: conds}, func(row schema.Row) error {
		lat, _ := row.Number("latitude")
		lon, _ := row.Number("longitude")
		km := math.Inf(1)
		for i := 1; i < len(stops); i++ {
			km = math.Min(km, segmentKm(stops[i-1], stops[i], lat, lon))
		}
		if len(stops) == 1 {
			km = schema.HaversineKm(stops[0].Latitude, stops[0].Longitude, lat, lon)
		}
		if km > CampsiteCorridorKm {
			return nil
		}
		typ := normType(row.Text("type"))
		if slices.Contains(rule.ExcludedTypes, typ) {
			return nil
		}
		rating, ok := row.Number("user_ratings")
		if !ok || rating < rule.MinRating {
			return nil
		}
		h := campsiteHit{ID: row.Text("id"), Name: row.Text("name"), Type: row.Text("type"), Latitude: lat, Longitude: lon,
			Rating: &rating, Address: row.Text("address"), FromRoute: distance(km, c.Units),
			Preferred: slices.Contains(rule.PreferredTypes, typ), km: km, rating: rating}
		if b, ok := row["is_free"].(bool); ok {
			h.IsFree = &b
		}
		price := int64(-1)
		if row["price_per_night"] != nil {
			price = row.Cents("price_per_night")
			s := money(price)
			h.PricePerNight = &s
		} else if h.IsFree != nil && *h.IsFree {
			price = 0
		}
		if rule.minCents >= 0 && (price < 0 || price < rule.minCents) {
			return nil
		}
		if rule.maxCents >= 0 && (price < 0 || price > rule.maxCents) {
			return nil
		}
		hits = append(hits, h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hits, func(x, y campsiteHit) int {
		if x.Preferred != y.Preferred {
			if x.Preferred {
				return -1
			}
			return 1
		}
		return cmp.Or(cmp.Compare(x.km, y.km), cmp.Compare(y.rating, x.rating), cmp.Compare(x.ID, y.ID))
	})
	if hits == nil {
		hits = []campsiteHit{}
	}
	return hits, nil
}

func normType(s string) string {
	return strings.NewReplacer(" ", "_", "-", "_").Replace(strings.ToLower(strings.TrimSpace(s)))
}

// segmentKm is the great-circle distance from (lat, lon) to the segment a–b:
// the cross-track distance when the point projects inside the segment,
// else the distance to the nearer end.
func segmentKm(a, b tripStop, lat, lon float64) float64 {
	dAP := schema.HaversineKm(a.Latitude, a.Longitude, lat, lon)
	dAB := schema.HaversineKm(a.Latitude, a.Longitude, b.Latitude, b.Longitude)
	dBP := schema.HaversineKm(b.Latitude, b.Longitude, lat, lon)
	if dAB == 0 {
		return dAP
	}
	dt := bearing(a.Latitude, a.Longitude, lat, lon) - bearing(a.Latitude, a.Longitude, b.Latitude, b.Longitude)
	if math.Cos(dt) <= 0 {
		return dAP
	}
	xt := math.Asin(math.Sin(dAP/schema.EarthRadiusKm)*math.Sin(dt)) * schema.EarthRadiusKm
	at := math.Acos(math.Min(1, math.Cos(dAP/schema.EarthRadiusKm)/math.Cos(xt/schema.EarthRadiusKm))) * schema.EarthRadiusKm
	if at > dAB {
		return dBP
	}
	return math.Abs(xt)
}

func bearing(lat1, lon1, lat2, lon2 float64) float64 {
	rad := math.Pi / 180
	p1, p2, dl := lat1*rad, lat2*rad, (lon2-lon1)*rad
	return math.Atan2(math.Sin(dl)*math.Cos(p2), math.Cos(p1)*math.Sin(p2)-math.Sin(p1)*math.Cos(p2)*math.Cos(dl))
}
