// Package intent understands the common questions and entries of life on the
// road without a language model: deterministic matching of a message to an
// intent with typed slots and a confidence.
//
// It is the offline answerer's front end and the first gate before any model:
// a message parsed with Confidence >= Confident (see Intent.NeedsModel) can be
// answered from local data alone. Everything else goes to a model, with the
// parsed intent as a hint.
//
// The matcher is a small hand-written pipeline, no statistics: tokenize
// (numbers with thousands separators, "$45", "62L", "48.2k km"), expand
// contractions, look words up in a lexicon of concepts with typo tolerance
// (edit distance 1 for words of 5 to 8 letters, 2 from 9 letters, a swapped
// pair for 4 letters), read periods, dates and quantities, score every intent
// on the concepts present, then extract the winner's slots. The confidence
// falls with every word the parse cannot explain, so an unrelated message
// that shares a keyword ("write me a poem about my budget") stays below the
// threshold.
//
// Inside Slots, units are always metric and money is always integer cents,
// whatever the user wrote: gallons are converted with 3.785411784 L/gal and
// miles with 1.609344 km/mi, and money is read from the decimal text without
// going through floating point.
//
// This package imports only the standard library; the agent imports it.
package intent

import "time"

// Name names an intent.
type Name string

// The intents the parser knows. The comment lists the slots each one fills.
const (
	// SpendingTotal: Period (this month if not said), Category?, Merchant?.
	SpendingTotal Name = "spending_total"
	// BudgetLeft: Category?, Period (this month if not said).
	BudgetLeft Name = "budget_left"
	// FuelEconomy: Period? (nil: the answerer's recent window), Vehicle?.
	FuelEconomy Name = "fuel_economy"
	// TripFuelCost: DistanceKM, or Origin/Destination place names; neither
	// means the next planned trip.
	TripFuelCost Name = "trip_fuel_cost"
	// NextMaintenance: Service? ("" = any maintenance).
	NextMaintenance Name = "next_maintenance"
	// MaintenanceForecast: Months (6 if not said), Service?.
	MaintenanceForecast Name = "maintenance_forecast"
	// UpcomingTrips: Period? (e.g. "next month").
	UpcomingTrips Name = "upcoming_trips"
	// CampsitesNear: Place? ("" = here), RadiusKM?, Free?, MaxPriceCents?.
	CampsitesNear Name = "campsites_near"
	// IncomeTotal: Period (this month if not said), Source?.
	IncomeTotal Name = "income_total"
	// BestHustle: Period?.
	BestHustle Name = "best_hustle"
	// LogExpense: AmountCents, Category ("" when it could not be told, and
	// then the confidence stays below Confident), Merchant?, Date?.
	LogExpense Name = "log_expense"
	// LogFuel: VolumeL?, TotalCents?, OdometerKM?, PricePerLitreCents?,
	// Partial?, Merchant?, Date?. At least one figure is present.
	LogFuel Name = "log_fuel"
	// Unknown: the message is none of the above.
	Unknown Name = ""
)

// Confident is the confidence from which a parse is trusted as is: the message
// never needs a model.
const Confident = 0.75

// Units systems, for Parser.Units.
const (
	UnitsMetric = "metric"
	UnitsUS     = "us"
)

// Intent is what a message asks for or records.
type Intent struct {
	Name Name
	// Confidence is in [0, 1]. An Unknown intent has Confidence 0; a known
	// Name below Confident is a hint for the model, not an answer.
	Confidence float64
	Slots      Slots
}

// NeedsModel reports whether the message must go to a language model: it was
// not understood, or not with confidence.
func (in Intent) NeedsModel() bool {
	return in.Name == Unknown || in.Confidence < Confident
}

// Period is a half-open span of time [From, To) in the user's local time.
type Period struct {
	From, To time.Time
	// Label says the period in words: "this month", "last month", "this
	// year", "last year", "this week", "last week", "today", "yesterday",
	// "last 30 days", "past month", "next 6 months", "March 2026",
	// "since January 2026", "2025", "March 3, 2026".
	Label string
}

// Contains reports whether t falls in the period.
func (p Period) Contains(t time.Time) bool {
	return !t.Before(p.From) && t.Before(p.To)
}

// Slots are the typed arguments of an intent. A zero field is absent. Units
// are metric and money is in cents, whatever the user wrote.
type Slots struct {
	// Period is the span a question is about. Rolling periods ("last 30
	// days") end at the end of today; calendar ones ("this month") cover the
	// whole month. A named month is the most recent one not in the future
	// ("in March" said in February is March of last year).
	Period *Period
	// Date is the day an entry happened, at midnight local time ("yesterday",
	// "on Friday", "March 3"). Zero means not said (today).
	Date time.Time

	// Category is an expense category, one of Parser.Categories, matched
	// directly or through a built-in synonym ("gas" is fuel, "eating out" is
	// dining).
	Category string
	// Merchant is where money was spent, as written ("Walmart", "Love's").
	Merchant string
	// Place is a place name as written ("Moab", "Quartzsite, AZ"); "" means
	// where the user is now.
	Place string
	// Origin and Destination are the ends of a trip, as written. An empty
	// Origin means from here.
	Origin, Destination string
	// Service is a maintenance task: oil_change, tire_rotation,
	// brake_service, generator_service or service (the annual service). ""
	// means any.
	Service string
	// Source is where income came from, lower case as written ("youtube",
	// "workamping"); "hustle" stands for side hustles in general.
	Source string
	// Vehicle is rv, car or truck when the user names one.
	Vehicle string

	// AmountCents is the amount of an expense.
	AmountCents int64
	// TotalCents is what a fill-up cost in total.
	TotalCents int64
	// MaxPriceCents is a price ceiling ("under $20" a night).
	MaxPriceCents int64
	// PricePerLitreCents is a fuel price in cents per litre; it has a
	// fraction (a price per gallon divided by 3.785411784).
	PricePerLitreCents float64

	VolumeL    float64 // litres
	DistanceKM float64 // a distance to drive, km
	OdometerKM float64 // an odometer reading, km
	RadiusKM   float64 // a search radius, km

	// Months is a span ahead, in months (MaintenanceForecast).
	Months int

	Free    bool // only free places (boondocking, BLM, dispersed)
	Partial bool // the tank was not filled to full

	// The units the message names, which the answer is given in before
	// the user's own: EconomyUnit "mpg" or "l/100km" ("what is my mpg",
	// "miles per gallon", "L/100km", "km per litre"); VolumeUnit "gal" or
	// "L" ("how many gallons", "15 gallons", "in litres"); DistanceUnit
	// "mi" or "km". "" when the message names none. The quantities above
	// stay metric whatever these say.
	EconomyUnit, VolumeUnit, DistanceUnit string
}
