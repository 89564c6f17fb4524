package tools

import (
	"cmp"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// Fuel economy average: an exponential moving average over the vehicle's
// full fills, oldest first (tools.md §2.9).
const (
	FuelEMAOld = 0.7
	FuelEMANew = 0.3
	// fuelEMAFills bounds the fills the average reads (0.7^50 ≈ 2e-8).
	fuelEMAFills = 50
)

// Consumption outside these bounds (L/100km) comes from a mistyped
// odometer or a missed fill, not from driving: it is reported, not recorded.
const (
	MinPlausibleL100 = 2
	MaxPlausibleL100 = 100
)

// Default service intervals in days, used for a service type with fewer
// than two records of the user's own (tools.md §2.3).
const (
	IntervalOilChange    = 90
	IntervalTireRotation = 180
	IntervalService      = 365
	IntervalBrakeService = 730
	IntervalOther        = 180
)

func defaultInterval(task string) int {
	switch task {
	case "oil_change":
		return IntervalOilChange
	case "tire_rotation":
		return IntervalTireRotation
	case "service":
		return IntervalService
	case "brake_service":
		return IntervalBrakeService
	}
	return IntervalOther
}

// Fuel station search bounds.
const (
	DefaultStationRadiusKm = 50
	DefaultStationLimit    = 10
	kmPerDegree            = schema.EarthRadiusKm * math.Pi / 180
)

type maintenanceArgs struct {
	Task                string `json:"task" schema:"required,minLength=1,maxLength=64" desc:"the service, e.g. oil_change, tire_rotation, brake_service, service, generator_service"`
	Date                string `json:"date,omitempty" schema:"format=date" desc:"day of the service, YYYY-MM-DD; defaults to today; a future day books it as scheduled"`
	MileageKm           *int64 `json:"mileage_km,omitempty" schema:"min=0,max=5000000" desc:"odometer at the service in km; or give mileage_miles"`
	MileageMiles        *int64 `json:"mileage_miles,omitempty" schema:"min=0,max=3000000" desc:"odometer at the service in miles; or give mileage_km"`
	Cost                *Money `json:"cost,omitempty" schema:"min=0" desc:"what it cost, in the user's currency"`
	ServiceProvider     string `json:"service_provider,omitempty" schema:"maxLength=200"`
	Notes               string `json:"notes,omitempty" schema:"maxLength=2000"`
	VehicleID           UUID   `json:"vehicle_id,omitempty" desc:"the vehicle serviced"`
	NextDue             string `json:"next_due,omitempty" schema:"format=date" desc:"day the next service of this kind is due, YYYY-MM-DD; also adds a maintenance event to the calendar"`
	NextDueMileageKm    *int64 `json:"next_due_mileage_km,omitempty" schema:"min=0,max=5000000"`
	NextDueMileageMiles *int64 `json:"next_due_mileage_miles,omitempty" schema:"min=0,max=3000000"`
}

func (a *maintenanceArgs) check(c Call) []schema.FieldError {
	var errs []schema.FieldError
	if (a.MileageKm == nil) == (a.MileageMiles == nil) {
		errs = append(errs, schema.FieldError{Field: "mileage_km", Reason: "give the odometer as exactly one of mileage_km or mileage_miles"})
	}
	if a.NextDueMileageKm != nil && a.NextDueMileageMiles != nil {
		errs = append(errs, schema.FieldError{Field: "next_due_mileage_km", Reason: "give at most one of next_due_mileage_km or next_due_mileage_miles"})
	}
	day := a.Date
	if day == "" {
		day = c.today()
	}
	if a.NextDue != "" && a.NextDue <= day {
		errs = append(errs, schema.FieldError{Field: "next_due", Reason: "must be after the service date " + day})
	}
	return errs
}

// FuelArgs are pam_log_fuel's arguments.
type FuelArgs struct {
	Litres        *float64 `json:"litres,omitempty" schema:"exclusiveMin=0,max=2000" desc:"fuel put in, in litres; or give gallons"`
	Gallons       *float64 `json:"gallons,omitempty" schema:"exclusiveMin=0,max=530" desc:"fuel put in, in US gallons; or give litres"`
	TotalCost     Money    `json:"total_cost" schema:"required,exclusiveMin=0" desc:"what the fill cost in total, in the user's currency"`
	OdometerKm    *float64 `json:"odometer_km,omitempty" schema:"min=0,max=5000000" desc:"odometer reading in km; or give odometer_miles"`
	OdometerMiles *float64 `json:"odometer_miles,omitempty" schema:"min=0,max=3000000" desc:"odometer reading in miles; or give odometer_km"`
	Partial       bool     `json:"partial,omitempty" desc:"true when the tank was not filled to the top: its fuel counts toward the next full fill's consumption"`
	VehicleID     UUID     `json:"vehicle_id,omitempty" desc:"the vehicle filled"`
	Date          string   `json:"date,omitempty" schema:"format=date" desc:"day of the fill, YYYY-MM-DD; defaults to today"`
	Location      string   `json:"location,omitempty" schema:"maxLength=200"`
	Notes         string   `json:"notes,omitempty" schema:"maxLength=2000"`
}

func (a *FuelArgs) check(Call) []schema.FieldError {
	var errs []schema.FieldError
	if (a.Litres == nil) == (a.Gallons == nil) {
		errs = append(errs, schema.FieldError{Field: "litres", Reason: "give the volume as exactly one of litres or gallons"})
	}
	if (a.OdometerKm == nil) == (a.OdometerMiles == nil) {
		errs = append(errs, schema.FieldError{Field: "odometer_km", Reason: "give the odometer as exactly one of odometer_km or odometer_miles"})
	}
	return errs
}

type stationsArgs struct {
	Action      string         `json:"action" schema:"required,enum=search|create|update|update_prices" desc:"search finds stations near a point; fuel stations are shared reference data, so create, update and update_prices are refused on this device"`
	Latitude    *float64       `json:"latitude,omitempty" schema:"min=-90,max=90" desc:"centre of the search; defaults to the user's current location"`
	Longitude   *float64       `json:"longitude,omitempty" schema:"min=-180,max=180"`
	RadiusKm    *float64       `json:"radius_km,omitempty" schema:"exclusiveMin=0,max=500" desc:"search radius in km (default 50); or give radius_miles"`
	RadiusMiles *float64       `json:"radius_miles,omitempty" schema:"exclusiveMin=0,max=310"`
	FuelType    string         `json:"fuel_type,omitempty" schema:"enum=regular|premium|diesel" desc:"only stations selling this fuel, with its price"`
	RVFriendly  bool           `json:"rv_friendly,omitempty" desc:"only stations marked RV-friendly"`
	SortBy      string         `json:"sort_by,omitempty" schema:"enum=distance|price,default=distance" desc:"price sorts by fuel_type's price"`
	Limit       int            `json:"limit,omitempty" schema:"min=1,max=100,default=10"`
	StationID   UUID           `json:"station_id,omitempty" desc:"for update and update_prices (refused)"`
	StationData map[string]any `json:"station_data,omitempty" desc:"for create and update (refused)"`
	Prices      map[string]any `json:"prices,omitempty" desc:"for update_prices (refused)"`
}

func (a *stationsArgs) check(Call) []schema.FieldError {
	var errs []schema.FieldError
	if (a.Latitude == nil) != (a.Longitude == nil) {
		errs = append(errs, schema.FieldError{Field: "latitude", Reason: "give latitude and longitude together, or neither to use the user's location"})
	}
	if a.RadiusKm != nil && a.RadiusMiles != nil {
		errs = append(errs, schema.FieldError{Field: "radius_km", Reason: "give at most one of radius_km or radius_miles"})
	}
	if a.SortBy == "price" && a.FuelType == "" {
		errs = append(errs, schema.FieldError{Field: "fuel_type", Reason: "required to sort by price"})
	}
	return errs
}

// ScheduleArgs are pam_get_maintenance_schedule's arguments.
type ScheduleArgs struct {
	VehicleID    UUID `json:"vehicle_id,omitempty" desc:"only this vehicle; by default every vehicle of the user"`
	UpcomingDays int  `json:"upcoming_days,omitempty" schema:"min=1,max=365,default=30" desc:"how far ahead a due service counts as upcoming"`
}

func registerVehicle(r *Registry) {
	v := r.veh
	register(r, "pam_log_maintenance", CategoryVehicle,
		"Record a vehicle service (task, date, odometer, cost, notes, provider). With next_due it also puts a maintenance event on the calendar for that day.",
		true, false, v.logMaintenance)
	register(r, "pam_log_fuel", CategoryVehicle,
		"Record a fuel fill (volume, total cost, odometer, partial or full). Answers the price per unit and, for a full fill, the consumption since the previous full fill (partial fills in between included) and the vehicle's running average, in the user's units.",
		true, false, v.logFuel)
	register(r, "pam_manage_fuel_stations", CategoryVehicle,
		"Search fuel stations within a radius of a point (default: the user's location) by great-circle distance, optionally only those selling a fuel type or RV-friendly, sorted by distance or price. Stations are shared reference data: create and update are refused.",
		false, false, v.stations)
	register(r, "pam_get_maintenance_schedule", CategoryVehicle,
		"The maintenance schedule per vehicle and service type: latest service by date, next due date and mileage, overdue and upcoming items, service counts and costs, and the interval between services learned from the user's history (defaults with fewer than two records).",
		false, false, v.schedule)
}

type vehicles struct{ s Store }

// taskName normalises a service type: "Oil change" is oil_change.
func taskName(s string) string {
	s = strings.ToLower(strings.TrimSpace(s))
	return strings.Join(strings.FieldsFunc(s, func(r rune) bool { return r == ' ' || r == '-' || r == '_' }), "_")
}

func taskLabel(task string) string {
	s := strings.ReplaceAll(task, "_", " ")
	if s == "" {
		return s
	}
	return strings.ToUpper(s[:1]) + s[1:]
}

func kmOf(km, miles *int64) *int64 {
	switch {
	case km != nil:
		return km
	case miles != nil:
		v := int64(math.Round(float64(*miles) * kmPerMile))
		return &v
	}
	return nil
}

// maintenanceLogged is pam_log_maintenance's answer.
type maintenanceLogged struct {
	Record   schema.Row `json:"record"`
	Task     string     `json:"task"`
	Status   string     `json:"status"` // completed, or scheduled for a future day
	Mileage  Quantity   `json:"mileage"`
	Cost     string     `json:"cost,omitempty"`
	Currency string     `json:"currency"`
	Reminder schema.Row `json:"reminder,omitempty"` // the calendar event for next_due
}

func (v *vehicles) logMaintenance(ctx context.Context, c Call, a maintenanceArgs) (any, error) {
	day := a.Date
	if day == "" {
		day = c.today()
	}
	task := taskName(a.Task)
	status := "completed"
	if day > c.today() {
		status = "scheduled"
	}
	km := *kmOf(a.MileageKm, a.MileageMiles)
	rec := schema.Row{"task": task, "date": day, "mileage": km, "status": status}
	notes := strings.TrimSpace(a.Notes)
	if p := strings.TrimSpace(a.ServiceProvider); p != "" {
		notes = strings.TrimSpace("Service provider: " + p + ". " + notes)
	}
	if notes != "" {
		rec["notes"] = notes
	}
	if a.VehicleID != "" {
		rec["vehicle_id"] = string(a.VehicleID)
	}
	if a.Cost != nil {
		rec["cost"] = money(int64(*a.Cost))
	}
	if a.NextDue != "" {
		rec["next_due_date"] = a.NextDue
	}
	if n := kmOf(a.NextDueMileageKm, a.NextDueMileageMiles); n != nil {
		rec["next_due_mileage"] = *n
	}
	ops := []schema.Operation{{Op: schema.OpCreate, Table: "maintenance_records", Data: rec}}
	if a.NextDue != "" {
		desc := fmt.Sprintf("%s due (last done %s at %s).", taskLabel(task), day, odometer(float64(km), c.Units).String())
		ops = append(ops, schema.Operation{Op: schema.OpCreate, Table: "calendar_events", Data: schema.Row{
			"title":       taskLabel(task) + " due",
			"description": desc,
			"start_date":  a.NextDue,
			"end_date":    a.NextDue,
			"all_day":     true,
			"event_type":  "maintenance",
		}})
	}
	rows, err := v.s.Apply(ctx, c.User, ops)
	if err != nil {
		return nil, err
	}
	out := maintenanceLogged{Record: rows[0], Task: task, Status: status, Mileage: odometer(float64(km), c.Units), Currency: c.Currency}
	if a.Cost != nil {
		out.Cost = money(int64(*a.Cost))
	}
	if len(rows) > 1 {
		out.Reminder = rows[1]
	}
	return out, nil
}

// String renders a quantity: "9,300 km" style without grouping.
func (q Quantity) String() string {
	return strings.TrimSuffix(strings.TrimRight(fmt.Sprintf("%.2f", q.Value), "0"), ".") + " " + q.Unit
}

// FillRef cites one fuel fill.
type FillRef struct {
	ID       string   `json:"id"`
	Date     string   `json:"date"`
	Odometer Quantity `json:"odometer"`
	Volume   Quantity `json:"volume"`
	Full     bool     `json:"full"`
}

func fillRef(row schema.Row, units string) FillRef {
	odo, _ := row.Number("odometer")
	vol, _ := row.Number("volume")
	full, _ := row["filled_to_top"].(bool)
	if row["filled_to_top"] == nil {
		full = true
	}
	return FillRef{ID: row.Text("id"), Date: row.Text("date"), Odometer: odometer(odo, units), Volume: volume(vol, units), Full: full}
}

// fuelBasis is what a consumption figure was computed from.
type fuelBasis struct {
	PreviousFullFill FillRef   `json:"previous_full_fill"`
	PartialFills     []FillRef `json:"partial_fills"` // between it and this fill, counted in
	Distance         Quantity  `json:"distance"`
	Fuel             Quantity  `json:"fuel"` // partial fills + this fill
}

// FuelLogged is pam_log_fuel's answer, in the user's units.
type FuelLogged struct {
	Fill        schema.Row `json:"fill"` // as stored: litres, km, L/100km
	Units       string     `json:"units"`
	Volume      Quantity   `json:"volume"`
	Odometer    Quantity   `json:"odometer"`
	TotalCost   string     `json:"total_cost"`
	Currency    string     `json:"currency"`
	UnitPrice   string     `json:"price_per_unit"`
	PriceUnit   string     `json:"price_unit"` // e.g. USD/gal
	Partial     bool       `json:"partial"`
	Consumption *Quantity  `json:"consumption,omitempty"`
	Basis       *fuelBasis `json:"basis,omitempty"`
	// Note says why there is no consumption figure.
	Note string `json:"note,omitempty"`
	// Average is the EMA (0.7 × previous + 0.3 × new) over the vehicle's
	// full fills with a consumption, oldest first, this one included.
	Average     *Quantity `json:"average_consumption,omitempty"`
	AverageOver int       `json:"average_over_fills,omitempty"`
	// ExpenseID is the fill's purchase in expenses (a fuel expense of the
	// same date and amount): spending is read from expenses only, so the
	// fill counts once. ExpenseCreated says it was recorded by this call.
	ExpenseID      string `json:"expense_id"`
	ExpenseCreated bool   `json:"expense_created"`
}

var errStop = errors.New("stop")

func vehicleCond(id UUID) schema.Condition {
	if id == "" {
		return schema.Condition{Column: "vehicle_id", Op: schema.OpIsNull, Value: true}
	}
	canon, _ := schema.ParseUUID(string(id))
	return eq("vehicle_id", canon)
}

func (v *vehicles) logFuel(ctx context.Context, c Call, a FuelArgs) (*FuelLogged, error) {
	day := a.Date
	if day == "" {
		day = c.today()
	}
	litres := 0.0
	if a.Litres != nil {
		litres = *a.Litres
	} else {
		litres = *a.Gallons * litresPerGallon
	}
	litres = round(litres, 3)
	odo := 0.0
	if a.OdometerKm != nil {
		odo = *a.OdometerKm
	} else {
		odo = *a.OdometerMiles * kmPerMile
	}
	odo = round(odo, 1)
	total := int64(a.TotalCost)
	priceMills := int64(math.Round(float64(total) * 10 / litres)) // cents/L → thousandths/L

	// The fills before this one, latest first by odometer then date (never
	// table order): partial fills count in, up to the latest full fill.
	out := FuelLogged{Units: c.Units, Volume: volume(litres, c.Units), Odometer: odometer(odo, c.Units),
		TotalCost: money(total), Currency: c.Currency, UnitPrice: perUnitPrice(total, litres, c.Units),
		PriceUnit: c.Currency + "/" + volumeUnit(c.Units), Partial: a.Partial}
	var prevFull schema.Row
	var partials []schema.Row
	prev := schema.Query{
		Conditions: []schema.Condition{vehicleCond(a.VehicleID), cond("odometer", schema.OpLt, odo), cond("date", schema.OpLte, day)},
		Order:      []schema.Order{{Column: "odometer", Desc: true}, {Column: "date", Desc: true}},
	}
	err := v.s.Each(ctx, c.User, "fuel_log", prev, func(row schema.Row) error {
		if full, ok := row["filled_to_top"].(bool); ok && !full {
			partials = append(partials, row)
			return nil
		}
		prevFull = row
		return errStop
	})
	if err != nil && !errors.Is(err, errStop) {
		return nil, err
	}
	var consumption *float64
	switch {
	case a.Partial:
		out.Note = "partial fill: its fuel is counted in the next full fill's consumption"
	case prevFull == nil:
		out.Note = "no earlier full fill of this vehicle with a lower odometer: consumption needs two full fills"
	default:
		prevOdo, _ := prevFull.Number("odometer")
		fuel := litres
		refs := make([]FillRef, len(partials))
		for i, p := range partials {
			vol, _ := p.Number("volume")
			fuel += vol
			refs[len(partials)-1-i] = fillRef(p, c.Units) // oldest first
		}
		dist := odo - prevOdo
		l100 := round(fuel/dist*100, 2)
		out.Basis = &fuelBasis{PreviousFullFill: fillRef(prevFull, c.Units), PartialFills: refs,
			Distance: distance(dist, c.Units), Fuel: volume(fuel, c.Units)}
		if l100 < MinPlausibleL100 || l100 > MaxPlausibleL100 {
			out.Note = fmt.Sprintf("%s over %s since the previous full fill is %s, which no vehicle burns: check the odometer; no consumption recorded",
				out.Basis.Fuel, out.Basis.Distance, economy(l100, c.Units))
			break
		}
		consumption = &l100
		q := economy(l100, c.Units)
		out.Consumption = &q
	}

	row := schema.Row{"date": day, "volume": litres, "price": schema.FormatDecimal(priceMills, 3),
		"total": money(total), "odometer": odo, "filled_to_top": !a.Partial}
	if consumption != nil {
		row["consumption"] = *consumption
	}
	if a.VehicleID != "" {
		row["vehicle_id"] = string(a.VehicleID)
	}
	if s := strings.TrimSpace(a.Location); s != "" {
		row["location"] = s
	}
	if s := strings.TrimSpace(a.Notes); s != "" {
		row["notes"] = s
	}
	if consumption != nil {
		avg, n, err := v.average(ctx, c, a.VehicleID, day, odo, *consumption)
		if err != nil {
			return nil, err
		}
		q := economy(avg, c.Units)
		out.Average, out.AverageOver = &q, n
	}
	// Fuel is counted once (see FuelCategories): the purchase is the fuel
	// expense of the same date and amount, recorded with the fill (in one
	// transaction) when missing.
	if out.ExpenseID, err = fuelExpenseOf(ctx, v.s, c.User, day, total); err != nil {
		return nil, err
	}
	ops := []schema.Operation{{Op: schema.OpCreate, Table: "fuel_log", Data: row}}
	if out.ExpenseID == "" {
		ops = append(ops, schema.Operation{Op: schema.OpCreate, Table: "expenses",
			Data: fuelExpenseRow(day, total, litres, strings.TrimSpace(a.Location))})
	}
	rows, err := v.s.Apply(ctx, c.User, ops)
	if err != nil {
		return nil, err
	}
	out.Fill = rows[0]
	if len(rows) > 1 {
		out.ExpenseID, out.ExpenseCreated = rows[1].Text("id"), true
	}
	return &out, nil
}

// perUnitPrice is total/volume in the user's volume unit, to thousandths,
// computed from the fill itself (not from the rounded price per litre).
func perUnitPrice(totalCents int64, litres float64, units string) string {
	vol := litres
	if units == UnitsUS {
		vol = litres / litresPerGallon
	}
	return schema.FormatDecimal(int64(math.Round(float64(totalCents)*10/vol)), 3)
}

// average is the EMA of the vehicle's recorded consumptions before the
// fill at (day, odo), oldest first, then latest; and how many it covers.
func (v *vehicles) average(ctx context.Context, c Call, vehicle UUID, day string, odo, latest float64) (float64, int, error) {
	q := schema.Query{
		Conditions: []schema.Condition{vehicleCond(vehicle), cond("consumption", schema.OpIsNull, false),
			cond("odometer", schema.OpLt, odo), cond("date", schema.OpLte, day)},
		Order: []schema.Order{{Column: "date", Desc: true}, {Column: "odometer", Desc: true}},
		Limit: fuelEMAFills,
	}
	var hist []float64
	err := v.s.Each(ctx, c.User, "fuel_log", q, func(row schema.Row) error {
		if x, ok := row.Number("consumption"); ok && x > 0 {
			hist = append(hist, x)
		}
		return nil
	})
	if err != nil {
		return 0, 0, err
	}
	slices.Reverse(hist)
	hist = append(hist, latest)
	ema := hist[0]
	for _, x := range hist[1:] {
		ema = FuelEMAOld*ema + FuelEMANew*x
	}
	return round(ema, 2), len(hist), nil
}

// stationHit is one station found.
type stationHit struct {
	ID          string            `json:"id"`
	Name        string            `json:"name"`
	Brand       string            `json:"brand,omitempty"`
	Address     string            `json:"address"`
	Latitude    float64           `json:"latitude"`
	Longitude   float64           `json:"longitude"`
	Distance    Quantity          `json:"distance"`
	RVFriendly  *bool             `json:"rv_friendly,omitempty"`
	Prices      map[string]string `json:"prices"` // per the user's volume unit
	LastUpdated string            `json:"last_updated,omitempty"`
	km          float64
	price       int64 // the sort fuel's price per litre, thousandths; −1 none
}

// stationsFound is pam_manage_fuel_stations' search answer.
type stationsFound struct {
	Center struct {
		Latitude  float64 `json:"latitude"`
		Longitude float64 `json:"longitude"`
		Source    string  `json:"source"` // arguments or profile
	} `json:"center"`
	Radius    Quantity     `json:"radius"`
	Found     int          `json:"found"` // within the radius and filters
	Stations  []stationHit `json:"stations"`
	Currency  string       `json:"currency"`
	PriceUnit string       `json:"price_unit"`
	SortedBy  string       `json:"sorted_by"`
}

func (v *vehicles) stations(ctx context.Context, c Call, a stationsArgs) (any, error) {
	if a.Action != "search" {
		return nil, schema.Errorf(schema.ENOTALLOWED,
			"cannot %s fuel stations: they are shared reference data, read-only on this device and updated by sync; use action search", a.Action)
	}
	var out stationsFound
	switch {
	case a.Latitude != nil:
		out.Center.Latitude, out.Center.Longitude, out.Center.Source = *a.Latitude, *a.Longitude, "arguments"
	default:
		p, err := v.s.Get(ctx, c.User, "profiles", c.User)
		if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
			return nil, err
		}
		lat, ok1 := p.Number("current_latitude")
		lon, ok2 := p.Number("current_longitude")
		if !ok1 || !ok2 {
			return nil, &schema.Error{Code: schema.EUNPROCESSABLE, Message: "no search centre: the user's profile has no current location",
				Fields: []schema.FieldError{{Field: "latitude", Reason: "required: the profile has no current location"}}}
		}
		out.Center.Latitude, out.Center.Longitude, out.Center.Source = lat, lon, "profile"
	}
	radius := float64(DefaultStationRadiusKm)
	switch {
	case a.RadiusKm != nil:
		radius = *a.RadiusKm
	case a.RadiusMiles != nil:
		radius = *a.RadiusMiles * kmPerMile
	}
	limit := a.Limit
	if limit == 0 {
		limit = DefaultStationLimit
	}
	out.Radius, out.Currency = distance(radius, c.Units), c.Currency
	out.PriceUnit = c.Currency + "/" + volumeUnit(c.Units)
	out.SortedBy = cmp.Or(a.SortBy, "distance")

	// A bounding box narrows the read; the haversine distance decides.
	lat, lon := out.Center.Latitude, out.Center.Longitude
	dLat := radius / kmPerDegree
	conds := []schema.Condition{cond("latitude", schema.OpGte, lat-dLat), cond("latitude", schema.OpLte, lat+dLat)}
	if cosLat := math.Cos(lat * math.Pi / 180); cosLat > 0.01 {
		dLon := radius / (kmPerDegree * cosLat)
		if lon-dLon >= -180 && lon+dLon <= 180 {
			conds = append(conds, cond("longitude", schema.OpGte, lon-dLon), cond("longitude", schema.OpLte, lon+dLon))
		}
	}
	if a.RVFriendly {
		conds = append(conds, eq("rv_friendly", int64(1)))
	}
	var hits []stationHit
	err := v.s.Each(ctx, c.User, "fuel_stations", schema.Query{Conditions: conds}, func(row schema.Row) error {
		slat, _ := row.Number("latitude")
		slon, _ := row.Number("longitude")
		km := schema.HaversineKm(lat, lon, slat, slon)
		if km > radius {
			return nil
		}
		h := stationHit{ID: row.Text("id"), Name: row.Text("station_name"), Brand: row.Text("brand"),
			Address: row.Text("address"), Latitude: slat, Longitude: slon, Distance: distance(km, c.Units),
			Prices: map[string]string{}, LastUpdated: row.Text("last_updated"), km: km, price: -1}
		if b, ok := row["rv_friendly"].(bool); ok {
			h.RVFriendly = &b
		}
		for _, f := range []string{"regular", "premium", "diesel"} {
			if m, ok := schema.AsDecimal(row[f+"_price"], 3); ok {
				h.Prices[f] = unitPrice(m, c.Units)
				if f == a.FuelType {
					h.price = m
				}
			}
		}
		if a.FuelType != "" && h.price < 0 {
			return nil
		}
		hits = append(hits, h)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.SortFunc(hits, func(x, y stationHit) int {
		if out.SortedBy == "price" {
			if d := cmp.Compare(x.price, y.price); d != 0 {
				return d
			}
		}
		return cmp.Or(cmp.Compare(x.km, y.km), cmp.Compare(x.ID, y.ID))
	})
	out.Found = len(hits)
	out.Stations = hits[:min(limit, len(hits))]
	if out.Stations == nil {
		out.Stations = []stationHit{}
	}
	return out, nil
}

// ServiceRef cites one maintenance record.
type ServiceRef struct {
	ID      string   `json:"id"`
	Date    string   `json:"date"`
	Mileage Quantity `json:"mileage"`
	Cost    string   `json:"cost,omitempty"`
	Status  string   `json:"status,omitempty"`
}

// ScheduleItem is one service type of one vehicle.
type ScheduleItem struct {
	VehicleID string `json:"vehicle_id,omitempty"`
	Task      string `json:"task"`
	// Status is overdue, upcoming (due within upcoming_days), ok, or
	// scheduled_only (booked, never done).
	Status         string      `json:"status"`
	LastService    *ServiceRef `json:"last_service,omitempty"`
	NextDueDate    string      `json:"next_due_date,omitempty"`
	NextDueMileage *Quantity   `json:"next_due_mileage,omitempty"`
	// DueSource says where the next due date comes from: the latest
	// record's next_due_date ("record"), the user's mean interval
	// ("history") or the default interval for the type ("default").
	DueSource    string  `json:"due_source,omitempty"`
	DaysUntilDue *int    `json:"days_until_due,omitempty"` // negative when overdue
	DaysOverdue  int     `json:"days_overdue,omitempty"`
	OverdueBy    string  `json:"overdue_by,omitempty"` // "date", "mileage" or "date and mileage"
	IntervalDays float64 `json:"interval_days"`
	// IntervalSource is "history" (mean of the gaps between the user's
	// services of this type, two records or more) or "default".
	IntervalSource string       `json:"interval_source"`
	IntervalKm     *Quantity    `json:"interval_distance,omitempty"`
	ServiceCount   int          `json:"service_count"`
	TotalCost      string       `json:"total_cost"`
	Booked         []ServiceRef `json:"booked,omitempty"` // scheduled services ahead
	CurrentOdo     *Quantity    `json:"current_odometer,omitempty"`
	dueKm          float64
	sortKey        int
}

// recommendation is advice attached to an answer.
type recommendation struct {
	Priority string `json:"priority"` // high, medium, low
	Message  string `json:"message"`
}

// Schedule is pam_get_maintenance_schedule's answer.
type Schedule struct {
	Today           string           `json:"today"`
	UpcomingDays    int              `json:"upcoming_days"`
	Units           string           `json:"units"`
	Currency        string           `json:"currency"`
	Overdue         int              `json:"overdue"`
	Upcoming        int              `json:"upcoming"`
	Items           []ScheduleItem   `json:"items"` // overdue first, then by due date
	RecordsRead     int              `json:"records_read"`
	Recommendations []recommendation `json:"recommendations"`
}

func (v *vehicles) schedule(ctx context.Context, c Call, a ScheduleArgs) (*Schedule, error) {
	out, _, err := v.scheduleRead(ctx, c, a)
	return out, err
}

// scheduleRead is schedule, and the maintenance records it read (the
// vehicle's, else all), in its order: date, mileage, id.
func (v *vehicles) scheduleRead(ctx context.Context, c Call, a ScheduleArgs) (*Schedule, []schema.Row, error) {
	today := c.today()
	window := a.UpcomingDays
	if window == 0 {
		window = 30
	}
	out := Schedule{Today: today, UpcomingDays: window, Units: c.Units, Currency: c.Currency,
		Items: []ScheduleItem{}, Recommendations: []recommendation{}}
	q := schema.Query{Order: []schema.Order{{Column: "date"}, {Column: "mileage"}}}
	if a.VehicleID != "" {
		q.Conditions = []schema.Condition{vehicleCond(a.VehicleID)}
	}
	type key struct{ vehicle, task string }
	groups := map[key][]schema.Row{}
	var keys []key
	odoNow := map[string]float64{} // vehicle → highest odometer seen up to today
	var read []schema.Row
	err := v.s.Each(ctx, c.User, "maintenance_records", q, func(row schema.Row) error {
		read = append(read, row)
		out.RecordsRead++
		k := key{row.Text("vehicle_id"), taskName(row.Text("task"))}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], row)
		if m, ok := row.Number("mileage"); ok && row.Text("date") <= today && performed(row, today) {
			odoNow[k.vehicle] = max(odoNow[k.vehicle], m)
		}
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	for veh := range odoNow {
		if veh == "" {
			continue
		}
		res, err := v.s.Find(ctx, c.User, "fuel_log", schema.Query{
			Conditions: []schema.Condition{eq("vehicle_id", veh), cond("date", schema.OpLte, today)},
			Order:      []schema.Order{{Column: "odometer", Desc: true}}, Limit: 1})
		if err != nil {
			return nil, nil, err
		}
		if len(res.Rows) > 0 {
			if m, ok := res.Rows[0].Number("odometer"); ok {
				odoNow[veh] = max(odoNow[veh], m)
			}
		}
	}
	for _, k := range keys {
		item := scheduleItem(groups[k], k.vehicle, k.task, today, window, odoNow[k.vehicle], c)
		switch item.Status {
		case "overdue":
			out.Overdue++
			msg := fmt.Sprintf("%s is overdue", taskLabel(item.Task))
			if item.DaysOverdue > 0 {
				msg += fmt.Sprintf(" by %d days (due %s)", item.DaysOverdue, item.NextDueDate)
			}
			if item.OverdueBy != "date" && item.NextDueMileage != nil {
				msg += fmt.Sprintf("; due at %s, odometer now %s", item.NextDueMileage.String(), item.CurrentOdo.String())
			}
			out.Recommendations = append(out.Recommendations, recommendation{"high", msg + ": book it before the next drive."})
		case "upcoming":
			out.Upcoming++
		}
		out.Items = append(out.Items, item)
	}
	slices.SortStableFunc(out.Items, func(x, y ScheduleItem) int {
		return cmp.Or(cmp.Compare(x.sortKey, y.sortKey), cmp.Compare(x.NextDueDate, y.NextDueDate),
			cmp.Compare(x.Task, y.Task), cmp.Compare(x.VehicleID, y.VehicleID))
	})
	if out.RecordsRead == 0 {
		out.Recommendations = append(out.Recommendations, recommendation{"medium",
			"No maintenance history: log services with pam_log_maintenance so due dates can be learned from your own intervals."})
	}
	return &out, read, nil
}

// performed reports whether a record is a service done: completed, or
// without a status and not in the future. Scheduled, upcoming and overdue
// records are plans.
func performed(row schema.Row, today string) bool {
	switch row.Text("status") {
	case "completed":
		return true
	case "":
		return row.Text("date") <= today
	}
	return false
}

// scheduleItem computes one service type's schedule from its records,
// sorted by date then mileage.
func scheduleItem(rows []schema.Row, vehicle, task, today string, window int, odoNow float64, c Call) ScheduleItem {
	item := ScheduleItem{VehicleID: vehicle, Task: task}
	var done []schema.Row
	var totalCost int64
	for _, r := range rows {
		if performed(r, today) {
			done = append(done, r)
			totalCost += r.Cents("cost")
		} else if r.Text("date") >= today {
			item.Booked = append(item.Booked, serviceRef(r, c.Units))
		}
	}
	item.ServiceCount, item.TotalCost = len(done), money(totalCost)
	if odoNow > 0 {
		q := odometer(odoNow, c.Units)
		item.CurrentOdo = &q
	}
	// Intervals between consecutive services, learned from history.
	var gapDays, gapKm []float64
	for i := 1; i < len(done); i++ {
		gapDays = append(gapDays, float64(daysBetween(done[i-1].Text("date"), done[i].Text("date"))))
		m0, ok0 := done[i-1].Number("mileage")
		m1, ok1 := done[i].Number("mileage")
		if ok0 && ok1 && m1 > m0 {
			gapKm = append(gapKm, m1-m0)
		}
	}
	item.IntervalDays, item.IntervalSource = float64(defaultInterval(task)), "default"
	if len(gapDays) > 0 {
		item.IntervalDays, item.IntervalSource = round(mean(gapDays), 1), "history"
	}
	meanKm := 0.0
	if len(gapKm) > 0 {
		meanKm = mean(gapKm)
		q := distance(meanKm, c.Units)
		item.IntervalKm = &q
	}
	if len(done) == 0 {
		item.Status, item.sortKey = "scheduled_only", 3
		return item
	}
	last := done[len(done)-1] // latest by date (then mileage): rows are sorted
	lastKm, _ := last.Number("mileage")
	ref := serviceRef(last, c.Units)
	item.LastService = &ref
	switch {
	case last.Text("next_due_date") != "":
		item.NextDueDate, item.DueSource = last.Text("next_due_date"), "record"
	default:
		item.NextDueDate = addDays(last.Text("date"), int(math.Round(item.IntervalDays)))
		item.DueSource = item.IntervalSource
	}
	switch n, ok := last.Number("next_due_mileage"); {
	case ok:
		item.dueKm = n
	case meanKm > 0:
		item.dueKm = lastKm + math.Round(meanKm)
	}
	if item.dueKm > 0 {
		q := odometer(item.dueKm, c.Units)
		item.NextDueMileage = &q
	}
	days := daysBetween(today, item.NextDueDate)
	item.DaysUntilDue = &days
	byDate := days < 0
	byKm := item.dueKm > 0 && odoNow >= item.dueKm
	switch {
	case byDate || byKm:
		item.Status, item.sortKey = "overdue", 0
		if byDate {
			item.DaysOverdue = -days
		}
		item.OverdueBy = map[[2]bool]string{{true, false}: "date", {false, true}: "mileage", {true, true}: "date and mileage"}[[2]bool{byDate, byKm}]
	case days <= window:
		item.Status, item.sortKey = "upcoming", 1
	default:
		item.Status, item.sortKey = "ok", 2
	}
	return item
}

func serviceRef(r schema.Row, units string) ServiceRef {
	m, _ := r.Number("mileage")
	ref := ServiceRef{ID: r.Text("id"), Date: r.Text("date"), Mileage: odometer(m, units), Status: r.Text("status")}
	if r["cost"] != nil {
		ref.Cost = money(r.Cents("cost"))
	}
	return ref
}

func mean(xs []float64) float64 {
	s := 0.0
	for _, x := range xs {
		s += x
	}
	return s / float64(len(xs))
}
