package tools

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// Cross-domain intelligence thresholds (tools.md Decisions §5, §2.1–2.4).
const (
	// InsightBudgetWarnPercent: this month's budget use above it, with a
	// trip ahead, is a warning.
	InsightBudgetWarnPercent = 80
	// TripBudgetCampingPerDay: a mean daily trip cost above it (in the
	// user's currency) suggests budget camping.
	TripBudgetCampingPerDay = 100
	// TripsAnalysed is how many trips, latest by start date, are correlated
	// when no trip_id is given.
	TripsAnalysed = 10
	// MaintenanceCostInflation scales the mean historical cost of a service.
	MaintenanceCostInflation = 1.05
	// HustleDropROIPercent and HustleDropAttempts: ROI under the first
	// after more attempts than the second → consider dropping.
	HustleDropROIPercent = 20
	HustleDropAttempts   = 3
	// HustleMinHourly is the hourly profit under which a hustle pays below
	// minimum wage (user's currency per hour).
	HustleMinHourly = 15
	// HustleLinkWords is how many significant title words an attempt at a
	// catalogue hustle must share with one of the user's hustle ideas to
	// count as that idea (its hours then go with the idea's income).
	HustleLinkWords = 2
	// FuelEconomyMonths is the window of the 360 view's fuel economy.
	FuelEconomyMonths = 6
	// daysPerMonth converts day spans to months.
	daysPerMonth = 30.4375
)

type correlateArgs struct {
	TripID UUID `json:"trip_id,omitempty" desc:"one trip (a calendar event of type trip); by default the latest 10 trips that have started, by start date"`
}

// PredictArgs are pam_predict_maintenance_costs' arguments.
type PredictArgs struct {
	MonthsAhead int `json:"months_ahead,omitempty" schema:"min=1,max=24,default=6" desc:"forecast horizon in months"`
}

func registerIntelligence(r *Registry) {
	in := r.intel
	register(r, "pam_get_user_360_view", CategoryIntelligence,
		"A 360° view of the user: profile; finances this month and over the last 12 months (budgets with spending over each budget's own period, utilization, income, net); trips (last 12 months, upcoming, top destinations); vehicles (overdue maintenance, full-to-full fuel economy over 6 months); social; hustle ideas by status; cross-domain insights and health scores 0–100, each with the periods and rows it came from.",
		false, false, in.view360)
	register(r, "pam_correlate_trip_expenses", CategoryIntelligence,
		"Correlate trips (calendar events of type trip) with spending: per trip window, expenses by category and fuel fills, total, daily average and mean consumption; the most expensive trip, and a budget camping suggestion when trips average over 100 a day.",
		false, false, in.correlate)
	register(r, "pam_predict_maintenance_costs", CategoryIntelligence,
		"Forecast maintenance costs over the next months (default 6): per vehicle and service type, the interval learned from the user's history (days and distance; defaults with fewer than two records), next due date and odometer, expected services in the horizon by date and by the user's km per month, and cost = mean historical cost × 1.05, with totals and monthly average.",
		false, false, in.predict)
	register(r, "pam_analyze_hustle_roi", CategoryIntelligence,
		"Return on each side hustle: income (hustle income whose source is the title), expenses (category hustle mentioning the title), profit, ROI (undefined with no expenses), hours and hourly rate from attempts, flags (ROI under 20 % after more than 3 attempts; under 15 an hour) and the best performer.",
		false, false, in.hustleROI)
	register(r, "pam_analyze_spending_patterns", CategoryIntelligence,
		"Analyse spending over the last N calendar months (default 12): totals per month and category, seasonality against the monthly mean, spending on trip days versus parked days, and a month-end projection for the current month.",
		false, false, in.spendingPatterns)
	register(r, "pam_generate_intelligent_recommendations", CategoryIntelligence,
		"Check the user's data against the recommendation rules (budget over 90 % of its period's amount, overdue maintenance, trips averaging over 150/day in the last 12 months, more than 2 inactive hustle ideas), save each new recommendation once, and answer them with health scores (financial, vehicle, hustle).",
		true, false, in.recommendations)
	register(r, "pam_optimize_user_experience", CategoryIntelligence,
		"The user's active recommendations as an action plan: immediate (high/urgent), short-term (medium) and long-term (low), optionally limited to focus areas financial, travel, vehicle or social.",
		false, false, in.optimize)
	register(r, "pam_generate_insights_report", CategoryIntelligence,
		"A report over the last 7, 30 or 90 days (financial, travel, vehicle or comprehensive): spending by category against the previous equal period, income, net, trips, maintenance done and due, fuel used, and an executive summary.",
		false, false, in.report)
}

// intel computes the cross-domain answers: it reads every domain's rows
// and reuses the finance and vehicle functions for budgets and fuel.
type intel struct {
	s Store
	f *finance
	v *vehicles
}

func monthsBack(day string, n int) string {
	t, ok := parseDay(day)
	if !ok {
		return day
	}
	return t.AddDate(0, -n, 1).Format(schema.DateLayout)
}

// ---------------------------------------------------------------- trips

// TripRef cites one trip: a calendar event of type trip.
type TripRef struct {
	ID       string `json:"id"`
	Title    string `json:"title"`
	Location string `json:"location_name,omitempty"`
	Start    string `json:"start_date"`
	End      string `json:"end_date"`
}

func tripRef(r schema.Row) TripRef {
	t := TripRef{ID: r.Text("id"), Title: r.Text("title"), Location: strings.TrimSpace(r.Text("location_name")),
		Start: r.Date("start_date"), End: r.Date("end_date")}
	if t.End < t.Start {
		t.End = t.Start
	}
	return t
}

// allTrips reads the user's trips, latest start first.
func (in *intel) allTrips(ctx context.Context, user string) ([]TripRef, error) {
	q := schema.Query{Conditions: []schema.Condition{eq("event_type", "trip")},
		Order: []schema.Order{{Column: "start_date", Desc: true}, {Column: "id"}}}
	var out []TripRef
	err := in.s.Each(ctx, user, "calendar_events", q, func(r schema.Row) error {
		out = append(out, tripRef(r))
		return nil
	})
	slices.SortStableFunc(out, func(a, b TripRef) int { return cmp.Compare(b.Start, a.Start) })
	return out, err
}

// ---------------------------------------------------------------- 360 view

// financePeriod is the finances of one period.
type financePeriod struct {
	Label       string         `json:"label"`
	Period      Period         `json:"period"`
	Budgets     []BudgetStatus `json:"budgets"` // overlapping the period, spent over each budget's own period
	Budgeted    string         `json:"total_budgeted"`
	BudgetSpent string         `json:"total_spent_in_budgets"`
	Utilization *float64       `json:"budget_utilization_percent"` // null without budgets
	Expenses    string         `json:"expenses"`
	ExpenseN    int            `json:"expense_count"`
	Income      string         `json:"income"`
	IncomeN     int            `json:"income_count"`
	Net         string         `json:"net"`
	netCents    int64
	budgetRows  []schema.Row // the budgets of Budgets, in order
	spentCents  []int64      // what Budgets spent, in order
}

func (in *intel) financePeriod(ctx context.Context, user, label, start, end string) (financePeriod, error) {
	fp := financePeriod{Label: label, Period: period(start, end), Budgets: []BudgetStatus{}}
	q := schema.Query{
		Conditions: []schema.Condition{cond("start_date", schema.OpLte, end), cond("end_date", schema.OpGte, start)},
		Order:      []schema.Order{{Column: "start_date"}, {Column: "category"}},
	}
	var budgeted, spent int64
	// Budgets first: spent reads the store, and a read inside an Each
	// callback would wait for a second reader while holding one.
	budgets, err := collect(ctx, in.s, user, "budgets", q)
	if err != nil {
		return fp, err
	}
	// The fuel budgets' fill-ups are read once for all of them.
	fs, err := fuelSpanOf(ctx, in.s, user, budgets, func(b schema.Row) string { return b.Text("category") })
	if err != nil {
		return fp, err
	}
	for _, b := range budgets {
		sp, err := in.f.spentIn(ctx, user, b.Text("category"), b.Text("start_date"), b.Text("end_date"), fs)
		if err != nil {
			return fp, err
		}
		fp.Budgets = append(fp.Budgets, budgetStatus(b, sp))
		fp.budgetRows, fp.spentCents = append(fp.budgetRows, b), append(fp.spentCents, sp.cents)
		budgeted += b.Cents("budgeted_amount")
		spent += sp.cents
	}
	fp.Budgeted, fp.BudgetSpent, fp.Utilization = money(budgeted), money(spent), percent(spent, budgeted)
	inPeriod := []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)}
	_, exp, en, err := in.f.spendingTotals(ctx, user, start, end)
	if err != nil {
		return fp, err
	}
	_, inc, inN, err := in.f.totals(ctx, user, "income_entries", "source", inPeriod)
	if err != nil {
		return fp, err
	}
	fp.Expenses, fp.ExpenseN, fp.Income, fp.IncomeN = money(exp), en, money(inc), inN
	fp.netCents = inc - exp
	fp.Net = money(fp.netCents)
	return fp, nil
}

// destination is a trip destination and how often it was visited.
type destination struct {
	Location string `json:"location_name"`
	Trips    int    `json:"trips"`
}

// vehicleEconomy is one vehicle's full-to-full fuel economy over a period.
type vehicleEconomy struct {
	VehicleID   string    `json:"vehicle_id,omitempty"`
	Period      Period    `json:"period"`
	Fills       int       `json:"fills"`
	Segments    int       `json:"full_to_full_segments"`
	Distance    Quantity  `json:"distance"`
	Fuel        Quantity  `json:"fuel"` // fuel of the segments, partial fills included
	Consumption *Quantity `json:"consumption"`
	// CostPerDistance is fuel and maintenance over the distance driven in
	// the period (the odometer span of its fills), per km or per mile.
	CostPerDistance *string `json:"cost_per_distance"`
	CostBasis       string  `json:"cost_basis,omitempty"`
	Note            string  `json:"note,omitempty"`
}

// perDistance renders cents over km in the user's distance unit.
func perDistance(cents int64, km float64, units string) (string, string) {
	unit := "km"
	d := km
	if units == UnitsUS {
		unit, d = "mile", km/1.609344
	}
	return money(int64(math.Round(float64(cents) / d))), unit
}

// fullToFull sums full-to-full segments over fills sorted by odometer:
// each full fill after an earlier full fill closes a segment whose fuel is
// its own plus the partial fills since.
func fullToFull(fills []schema.Row) (segments int, km, litres float64) {
	var anchor *float64
	pending := 0.0
	for _, r := range fills {
		odo, ok := r.Number("odometer")
		if !ok {
			continue
		}
		vol, _ := r.Number("volume")
		if full, ok := r["filled_to_top"].(bool); ok && !full {
			pending += vol
			continue
		}
		if anchor != nil && odo > *anchor {
			segments++
			km += odo - *anchor
			litres += pending + vol
		}
		o := odo
		anchor, pending = &o, 0
	}
	return
}

func (in *intel) economy(ctx context.Context, c Call, start, end string) ([]vehicleEconomy, error) {
	q := schema.Query{Conditions: []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)},
		Order: []schema.Order{{Column: "odometer"}, {Column: "date"}}}
	byVeh := map[string][]schema.Row{}
	var keys []string
	err := in.s.Each(ctx, c.User, "fuel_log", q, func(r schema.Row) error {
		k := r.Text("vehicle_id")
		if _, ok := byVeh[k]; !ok {
			keys = append(keys, k)
		}
		byVeh[k] = append(byVeh[k], r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	slices.Sort(keys)
	maint := map[string]int64{}
	if err := in.s.Each(ctx, c.User, "maintenance_records", schema.Query{Conditions: []schema.Condition{
		cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)}}, func(r schema.Row) error {
		maint[r.Text("vehicle_id")] += r.Cents("cost")
		return nil
	}); err != nil {
		return nil, err
	}
	out := []vehicleEconomy{}
	for _, k := range keys {
		n, km, l := fullToFull(byVeh[k])
		ve := vehicleEconomy{VehicleID: k, Period: period(start, end), Fills: len(byVeh[k]), Segments: n,
			Distance: distance(km, c.Units), Fuel: volume(l, c.Units)}
		if n > 0 && km > 0 {
			q := economy(round(l/km*100, 2), c.Units)
			ve.Consumption = &q
		} else {
			ve.Note = "needs two full fills in the period"
		}
		lo, hi, fuel := math.Inf(1), math.Inf(-1), int64(0)
		for _, r := range byVeh[k] {
			if odo, ok := r.Number("odometer"); ok {
				lo, hi = math.Min(lo, odo), math.Max(hi, odo)
			}
			fuel += r.Cents("total")
		}
		if span := hi - lo; span > 0 {
			per, unit := perDistance(fuel+maint[k], span, c.Units)
			ve.CostPerDistance = &per
			ve.CostBasis = fmt.Sprintf("fuel %s + maintenance %s over %.0f km (odometer %.0f to %.0f), per %s",
				money(fuel), money(maint[k]), span, lo, hi, unit)
		}
		out = append(out, ve)
	}
	return out, nil
}

// insight is a cross-domain finding.
type insight struct {
	Severity string `json:"severity"` // critical, warning, info
	Domain   string `json:"domain"`
	Message  string `json:"message"`
}

// View360 is pam_get_user_360_view's answer.
type View360 struct {
	Today    string `json:"today"`
	Units    string `json:"units"`
	Currency string `json:"currency"`
	Profile  struct {
		Name        string `json:"name,omitempty"`
		Email       string `json:"email,omitempty"`
		Region      string `json:"region,omitempty"`
		VehicleType string `json:"vehicle_type,omitempty"`
		Vehicle     string `json:"vehicle_make_model,omitempty"`
		Timezone    string `json:"timezone,omitempty"`
		MemberSince string `json:"member_since,omitempty"`
	} `json:"profile"`
	Financial struct {
		ThisMonth      financePeriod `json:"this_month"`
		Last12Months   financePeriod `json:"last_12_months"`
		MonthlyAverage struct {
			Expenses string `json:"expenses"`
			Income   string `json:"income"`
		} `json:"last_12_months_monthly_average"`
	} `json:"financial"`
	Travel struct {
		Period          Period        `json:"period"` // of trips_last_12_months
		TripsLast12     int           `json:"trips_last_12_months"`
		Trips           []TripRef     `json:"trips_last_12_months_list"`
		InProgress      []TripRef     `json:"in_progress"`
		Upcoming        []TripRef     `json:"upcoming"` // start after today, soonest first
		TopDestinations []destination `json:"top_destinations"`
		TotalTrips      int           `json:"total_trips"`
	} `json:"travel"`
	Vehicle struct {
		Overdue          int              `json:"overdue_count"`
		OverdueItems     []ScheduleItem   `json:"overdue"`
		Upcoming         int              `json:"upcoming_count"`
		RecordsRead      int              `json:"maintenance_records_read"`
		FuelEconomy      []vehicleEconomy `json:"fuel_economy"`
		MaintenanceFresh bool             `json:"maintenance_up_to_date"`
	} `json:"vehicle"`
	Social struct {
		Posts       int `json:"posts"`
		Memberships int `json:"active_memberships"`
	} `json:"social"`
	Hustles struct {
		Total    int            `json:"total_ideas"`
		ByStatus map[string]int `json:"by_status"`
	} `json:"hustles"`
	Insights []insight    `json:"insights"`
	Scores   HealthScores `json:"health_scores"`
}

// count is how many of the user's rows of table match conds: Find's
// count (SELECT count(*) over the same scope and conditions), not a scan
// decoding every row (the 360 view's 1,794 social posts at --scale 50:
// 7 ms a call).
func (in *intel) count(ctx context.Context, user, table string, conds ...schema.Condition) (int, error) {
	res, err := in.s.Find(ctx, user, table, schema.Query{Conditions: conds, Limit: 1})
	if err != nil {
		return 0, err
	}
	return res.Count, nil
}

func (in *intel) view360(ctx context.Context, c Call, _ noArgs) (*View360, error) {
	today := c.today()
	out := View360{Today: today, Units: c.Units, Currency: c.Currency, Insights: []insight{}}
	p, err := in.s.Get(ctx, c.User, "profiles", c.User)
	if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
		return nil, err
	}
	out.Profile.Name, out.Profile.Email, out.Profile.Region = p.Text("full_name"), p.Text("email"), p.Text("region")
	out.Profile.VehicleType, out.Profile.Vehicle = p.Text("vehicle_type"), p.Text("vehicle_make_model")
	out.Profile.Timezone, out.Profile.MemberSince = p.Text("timezone"), p.Date("created_at")

	// Financial.
	ms, me := monthOf(today)
	if out.Financial.ThisMonth, err = in.financePeriod(ctx, c.User, "this month", ms, me); err != nil {
		return nil, err
	}
	y0 := monthsBack(today, 12)
	if out.Financial.Last12Months, err = in.financePeriod(ctx, c.User, "last 12 months", y0, today); err != nil {
		return nil, err
	}
	l12 := out.Financial.Last12Months
	out.Financial.MonthlyAverage.Expenses = money(int64(math.Round(float64(schema.AsCents(l12.Expenses)) / 12)))
	out.Financial.MonthlyAverage.Income = money(int64(math.Round(float64(schema.AsCents(l12.Income)) / 12)))

	// Travel.
	trips, err := in.allTrips(ctx, c.User)
	if err != nil {
		return nil, err
	}
	out.Travel.Period, out.Travel.TotalTrips = period(y0, today), len(trips)
	out.Travel.Trips, out.Travel.InProgress, out.Travel.Upcoming = []TripRef{}, []TripRef{}, []TripRef{}
	dest := map[string]*destination{}
	for _, t := range trips {
		switch {
		case t.Start > today:
			out.Travel.Upcoming = append(out.Travel.Upcoming, t)
		case t.End >= today:
			out.Travel.InProgress = append(out.Travel.InProgress, t)
		}
		if t.Start >= y0 && t.Start <= today {
			out.Travel.Trips = append(out.Travel.Trips, t)
		}
		if t.Location != "" {
			k := strings.ToLower(t.Location)
			if dest[k] == nil {
				dest[k] = &destination{Location: t.Location}
			}
			dest[k].Trips++
		}
	}
	slices.Reverse(out.Travel.Upcoming)
	out.Travel.TripsLast12 = len(out.Travel.Trips)
	out.Travel.TopDestinations = []destination{}
	for _, d := range dest {
		out.Travel.TopDestinations = append(out.Travel.TopDestinations, *d)
	}
	slices.SortFunc(out.Travel.TopDestinations, func(a, b destination) int {
		return cmp.Or(cmp.Compare(b.Trips, a.Trips), cmp.Compare(a.Location, b.Location))
	})
	out.Travel.TopDestinations = out.Travel.TopDestinations[:min(3, len(out.Travel.TopDestinations))]

	// Vehicle.
	sv, maint, err := in.v.scheduleRead(ctx, c, ScheduleArgs{})
	if err != nil {
		return nil, err
	}
	sched := *sv
	out.Vehicle.OverdueItems = []ScheduleItem{}
	for _, it := range sched.Items {
		if it.Status == "overdue" {
			out.Vehicle.OverdueItems = append(out.Vehicle.OverdueItems, it)
		}
	}
	out.Vehicle.Overdue, out.Vehicle.Upcoming, out.Vehicle.RecordsRead = sched.Overdue, sched.Upcoming, sched.RecordsRead
	out.Vehicle.MaintenanceFresh = sched.Overdue == 0
	if out.Vehicle.FuelEconomy, err = in.economy(ctx, c, monthsBack(today, FuelEconomyMonths), today); err != nil {
		return nil, err
	}

	// Social and hustles.
	if out.Social.Posts, err = in.count(ctx, c.User, "social_posts"); err != nil {
		return nil, err
	}
	err = in.s.Each(ctx, c.User, "group_memberships", schema.Query{}, func(r schema.Row) error {
		if a, ok := r["is_active"].(bool); !ok || a {
			out.Social.Memberships++
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	out.Hustles.ByStatus = map[string]int{}
	ideas, err := collect(ctx, in.s, c.User, "hustle_ideas", schema.Query{Conditions: []schema.Condition{eq("user_id", c.User)}})
	if err != nil {
		return nil, err
	}
	for _, r := range ideas {
		out.Hustles.Total++
		out.Hustles.ByStatus[cmp.Or(r.Text("status"), "pending")]++
	}

	// Insights.
	up := len(out.Travel.Upcoming)
	util := out.Financial.ThisMonth.Utilization
	if up > 0 && out.Vehicle.Overdue > 0 {
		var names []string
		for _, it := range out.Vehicle.OverdueItems {
			names = append(names, taskLabel(it.Task))
		}
		out.Insights = append(out.Insights, insight{"critical", "vehicle+travel", fmt.Sprintf(
			"%d overdue maintenance item(s) (%s) with a trip ahead (%s, starting %s): service the vehicle before leaving.",
			out.Vehicle.Overdue, strings.Join(names, ", "), out.Travel.Upcoming[0].Title, out.Travel.Upcoming[0].Start)})
	}
	if up > 0 && util != nil && *util > InsightBudgetWarnPercent {
		out.Insights = append(out.Insights, insight{"warning", "financial+travel", fmt.Sprintf(
			"budgets this month (%s to %s) are %.2f %% used (%s of %s %s) with a trip ahead (%s, starting %s): plan the trip's spending.",
			ms, me, *util, out.Financial.ThisMonth.BudgetSpent, out.Financial.ThisMonth.Budgeted, c.Currency,
			out.Travel.Upcoming[0].Title, out.Travel.Upcoming[0].Start)})
	}

	// Health scores: the one design (health.go). The budgets covering
	// today are among this month's, read above with their spending; the
	// ideas and every maintenance record were read above too (the
	// records by date: health reads them by id).
	maint = slices.Clone(maint)
	slices.SortFunc(maint, func(x, y schema.Row) int { return cmp.Compare(x.Text("id"), y.Text("id")) })
	known := healthKnown{budgets: []schema.Row{}, ideas: nonNil(ideas), maint: nonNil(maint)}
	tm := out.Financial.ThisMonth
	for i, b := range tm.budgetRows {
		if !(b.Text("start_date") <= today && today <= b.Text("end_date")) {
			continue
		}
		sp := tm.spentCents[i]
		if cat := category(b.Text("category")); cat != b.Text("category") {
			// health sums the spending of the category as category()
			// spells it; this month's budgets, as stored.
			s, err := in.f.spent(ctx, c.User, cat, b.Text("start_date"), b.Text("end_date"))
			if err != nil {
				return nil, err
			}
			sp = s.cents
		}
		known.budgets, known.spent = append(known.budgets, b), append(known.spent, sp)
	}
	if out.Scores, err = healthWith(ctx, in.s, c, known); err != nil {
		return nil, err
	}
	return &out, nil
}

// ---------------------------------------------------------------- trip expenses

// tripCost is one trip's spending.
type tripCost struct {
	Trip         TripRef         `json:"trip"`
	Window       Period          `json:"window"` // start_date to end_date, both included
	Expenses     string          `json:"expenses"`
	ByCategory   []CategoryTotal `json:"expenses_by_category"`
	ExpenseCount int             `json:"expense_count"`
	// Fuel is the part of Expenses in fuel categories (FuelCategories):
	// fuel is counted once, as expenses; the fills in fuel_log give the
	// fill count, volume, distance and economy, never money.
	Fuel         string    `json:"fuel"`
	FuelFills    int       `json:"fuel_fills"`
	FuelVolume   Quantity  `json:"fuel_volume"`
	Total        string    `json:"total"` // = expenses (fuel included once)
	DailyAverage string    `json:"daily_average"`
	Consumption  *Quantity `json:"mean_consumption,omitempty"` // mean of the recorded consumption of one vehicle's fills
	// ConsumptionVehicle is the vehicle whose fills give Consumption.
	ConsumptionVehicle string `json:"mean_consumption_vehicle_id,omitempty"`
	// CostPerDistance is the trip's total (camping, fuel, maintenance and
	// the rest) over the distance its fills' odometers span, per km or mile.
	CostPerDistance *string `json:"cost_per_distance"`
	CostBasis       string  `json:"cost_basis,omitempty"`
	totalCents      int64
	dailyCents      float64
}

// tripCorrelation is pam_correlate_trip_expenses' answer.
type tripCorrelation struct {
	Currency      string     `json:"currency"`
	Trips         []tripCost `json:"trips"` // latest start first
	Analysed      int        `json:"trips_analysed"`
	MostExpensive *TripRef   `json:"most_expensive_trip"`
	MostCost      string     `json:"most_expensive_total,omitempty"`
	AverageTrip   string     `json:"average_trip_cost"`
	MeanDaily     string     `json:"mean_daily_average"`
	Threshold     int        `json:"budget_camping_threshold_per_day"`
	Insights      []string   `json:"insights"`
}

func (in *intel) tripCost(ctx context.Context, c Call, t TripRef) (tripCost, error) {
	tc := tripCost{Trip: t, Window: period(t.Start, t.End)}
	conds := []schema.Condition{cond("date", schema.OpGte, t.Start), cond("date", schema.OpLte, t.End)}
	var exp int64
	spent, err := spendingRows(ctx, in.s, c.User, t.Start, t.End, "")
	if err != nil {
		return tc, err
	}
	if tc.ByCategory, exp, _, err = in.f.totalsOf(eachRow(spent), "category"); err != nil {
		return tc, err
	}
	var fuel int64
	var litres float64
	var fills []schema.Row
	span := map[string][2]float64{} // vehicle -> lowest, highest odometer
	err = in.s.Each(ctx, c.User, "fuel_log", schema.Query{Conditions: conds}, func(r schema.Row) error {
		fills = append(fills, r)
		if odo, ok := r.Number("odometer"); ok {
			k := r.Text("vehicle_id")
			sp, seen := span[k]
			if !seen {
				sp = [2]float64{odo, odo}
			}
			span[k] = [2]float64{math.Min(sp[0], odo), math.Max(sp[1], odo)}
		}
		tc.FuelFills++
		v, _ := r.Number("volume")
		litres += v
		return nil
	})
	if err != nil {
		return tc, err
	}
	var recorded int64 // in the expenses table (not fill-ups standing alone)
	tc.ExpenseCount = 0
	for _, r := range spent {
		if IsFuelCategory(r.Text("category")) {
			fuel += r.Cents("amount")
		}
		if r["source"] == nil {
			recorded += r.Cents("amount")
			tc.ExpenseCount++
		}
	}
	tc.Expenses, tc.Fuel, tc.FuelVolume = money(recorded), money(fuel), volume(litres, c.Units)
	tc.totalCents = exp
	tc.Total = money(tc.totalCents)
	tc.dailyCents = float64(tc.totalCents) / float64(max(1, tc.Window.Days))
	tc.DailyAverage = money(int64(math.Round(tc.dailyCents)))
	// One vehicle's economy: the trip's primary vehicle (the one that
	// burnt the most in the window), never a mean over the rig and the
	// tow car.
	veh := PrimaryVehicle(fills)
	var cons []float64
	for _, r := range FillsOf(fills, veh) {
		if x, ok := r.Number("consumption"); ok && x > 0 {
			cons = append(cons, x)
		}
	}
	if len(cons) > 0 {
		q := economy(round(mean(cons), 2), c.Units)
		tc.Consumption, tc.ConsumptionVehicle = &q, veh
	}
	km := 0.0
	for _, sp := range span {
		km += sp[1] - sp[0]
	}
	if km > 0 {
		per, unit := perDistance(tc.totalCents, km, c.Units)
		tc.CostPerDistance = &per
		tc.CostBasis = fmt.Sprintf("total %s over %.0f km driven between the trip's fill-ups, per %s", tc.Total, km, unit)
	}
	return tc, nil
}

func (in *intel) correlate(ctx context.Context, c Call, a correlateArgs) (any, error) {
	var trips []TripRef
	if a.TripID != "" {
		r, err := in.s.Get(ctx, c.User, "calendar_events", string(a.TripID))
		if err != nil {
			return nil, err
		}
		if r.Text("event_type") != "trip" {
			return nil, schema.Errorf(schema.ENOTFOUND, "calendar event %s is a %s event, not a trip", a.TripID, r.Text("event_type"))
		}
		trips = []TripRef{tripRef(r)}
	} else {
		all, err := in.allTrips(ctx, c.User)
		if err != nil {
			return nil, err
		}
		for _, t := range all {
			if t.Start <= c.today() && len(trips) < TripsAnalysed {
				trips = append(trips, t)
			}
		}
	}
	out := tripCorrelation{Currency: c.Currency, Trips: []tripCost{}, Threshold: TripBudgetCampingPerDay, Insights: []string{},
		AverageTrip: money(0), MeanDaily: money(0)}
	var sum int64
	var daily float64
	for _, t := range trips {
		tc, err := in.tripCost(ctx, c, t)
		if err != nil {
			return nil, err
		}
		out.Trips = append(out.Trips, tc)
		sum += tc.totalCents
		daily += tc.dailyCents
		if out.MostExpensive == nil || tc.totalCents > schema.AsCents(out.MostCost) {
			ref := tc.Trip
			out.MostExpensive, out.MostCost = &ref, tc.Total
		}
	}
	out.Analysed = len(out.Trips)
	if out.Analysed == 0 {
		out.Insights = append(out.Insights, "no trips that have started: add trips to the calendar as events of type trip")
		return out, nil
	}
	out.AverageTrip = money(int64(math.Round(float64(sum) / float64(out.Analysed))))
	meanDaily := daily / float64(out.Analysed)
	out.MeanDaily = money(int64(math.Round(meanDaily)))
	out.Insights = append(out.Insights, fmt.Sprintf("most expensive trip: %s (%s to %s), %s %s",
		out.MostExpensive.Title, out.MostExpensive.Start, out.MostExpensive.End, out.MostCost, c.Currency))
	if meanDaily > TripBudgetCampingPerDay*100 {
		out.Insights = append(out.Insights, fmt.Sprintf("trips average %s %s a day, over %d a day: consider budget camping (free or low-cost sites) to cut costs",
			out.MeanDaily, c.Currency, TripBudgetCampingPerDay))
	}
	return out, nil
}

// ---------------------------------------------------------------- maintenance forecast

// vehicleUsage is a vehicle's recent distance per month from its fuel log.
type vehicleUsage struct {
	VehicleID string    `json:"vehicle_id,omitempty"`
	Period    Period    `json:"period"` // first to last fill read
	Fills     int       `json:"fills"`
	Distance  Quantity  `json:"distance"`
	PerMonth  *Quantity `json:"distance_per_month"`
	kmMonth   float64
}

// costForecast is one service type's forecast.
type costForecast struct {
	VehicleID      string    `json:"vehicle_id,omitempty"`
	Task           string    `json:"task"`
	IntervalDays   float64   `json:"interval_days"`
	IntervalSource string    `json:"interval_source"` // history or default
	IntervalKm     *Quantity `json:"interval_distance,omitempty"`
	LastService    string    `json:"last_service_date,omitempty"`
	NextDueDate    string    `json:"next_due_date,omitempty"`
	NextDueOdo     *Quantity `json:"next_due_odometer,omitempty"`
	DueSource      string    `json:"due_source,omitempty"`
	ByDate         int       `json:"occurrences_by_date"`
	ByDistance     *int      `json:"occurrences_by_distance,omitempty"`
	Occurrences    int       `json:"expected_occurrences"` // the larger: whichever comes due first
	UnitCost       *string   `json:"estimated_cost_each"`  // mean cost × 1.05; null without costs
	MeanCost       *string   `json:"mean_historical_cost"`
	CostBasis      []string  `json:"cost_basis_record_ids"`
	Cost           string    `json:"estimated_cost"`
	Note           string    `json:"note,omitempty"`
}

// MaintenanceForecast is pam_predict_maintenance_costs' answer.
type MaintenanceForecast struct {
	Today          string         `json:"today"`
	Horizon        Period         `json:"horizon"`
	MonthsAhead    int            `json:"months_ahead"`
	Units          string         `json:"units"`
	Currency       string         `json:"currency"`
	Inflation      float64        `json:"inflation_factor"`
	Items          []costForecast `json:"items"`
	Usage          []vehicleUsage `json:"usage"`
	Total          string         `json:"total_estimated_cost"`
	MonthlyAverage string         `json:"monthly_average"`
	RecordsRead    int            `json:"records_read"`
}

func (in *intel) usage(ctx context.Context, c Call, start, end string) (map[string]vehicleUsage, []string, error) {
	q := schema.Query{Conditions: []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)},
		Order: []schema.Order{{Column: "date"}, {Column: "odometer"}}}
	type acc struct {
		first, last string
		lo, hi      float64
		n           int
	}
	m := map[string]*acc{}
	var keys []string
	err := in.s.Each(ctx, c.User, "fuel_log", q, func(r schema.Row) error {
		odo, ok := r.Number("odometer")
		if !ok {
			return nil
		}
		k := r.Text("vehicle_id")
		a := m[k]
		if a == nil {
			a = &acc{first: r.Text("date"), lo: odo, hi: odo}
			m[k] = a
			keys = append(keys, k)
		}
		a.last, a.lo, a.hi = r.Text("date"), math.Min(a.lo, odo), math.Max(a.hi, odo)
		a.n++
		return nil
	})
	if err != nil {
		return nil, nil, err
	}
	slices.Sort(keys)
	out := map[string]vehicleUsage{}
	for _, k := range keys {
		a := m[k]
		u := vehicleUsage{VehicleID: k, Period: period(a.first, a.last), Fills: a.n, Distance: distance(a.hi-a.lo, c.Units)}
		if days := daysBetween(a.first, a.last); days > 0 && a.hi > a.lo {
			u.kmMonth = (a.hi - a.lo) / (float64(days) / daysPerMonth)
			q := distance(u.kmMonth, c.Units)
			u.PerMonth = &q
		}
		out[k] = u
	}
	return out, keys, nil
}

func (in *intel) predict(ctx context.Context, c Call, a PredictArgs) (*MaintenanceForecast, error) {
	months := a.MonthsAhead
	if months == 0 {
		months = 6
	}
	today := c.today()
	t0, _ := parseDay(today)
	hEnd := t0.AddDate(0, months, 0).Format(schema.DateLayout)
	out := MaintenanceForecast{Today: today, Horizon: period(today, hEnd), MonthsAhead: months, Units: c.Units,
		Currency: c.Currency, Inflation: MaintenanceCostInflation, Items: []costForecast{}, Usage: []vehicleUsage{}}
	use, ukeys, err := in.usage(ctx, c, monthsBack(today, 12), today)
	if err != nil {
		return nil, err
	}
	for _, k := range ukeys {
		out.Usage = append(out.Usage, use[k])
	}
	type key struct{ vehicle, task string }
	groups := map[key][]schema.Row{}
	var keys []key
	odoNow := map[string]float64{}
	q := schema.Query{Order: []schema.Order{{Column: "date"}, {Column: "mileage"}}}
	err = in.s.Each(ctx, c.User, "maintenance_records", q, func(r schema.Row) error {
		out.RecordsRead++
		k := key{r.Text("vehicle_id"), taskName(r.Text("task"))}
		if _, ok := groups[k]; !ok {
			keys = append(keys, k)
		}
		groups[k] = append(groups[k], r)
		if m, ok := r.Number("mileage"); ok && performed(r, today) {
			odoNow[k.vehicle] = max(odoNow[k.vehicle], m)
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	// The fuel log's highest odometer up to today also tells where a vehicle is.
	for _, k := range keys {
		res, err := in.s.Find(ctx, c.User, "fuel_log", schema.Query{
			Conditions: []schema.Condition{vehicleCond(UUID(k.vehicle)), cond("date", schema.OpLte, today)},
			Order:      []schema.Order{{Column: "odometer", Desc: true}}, Limit: 1})
		if err != nil {
			return nil, err
		}
		if len(res.Rows) > 0 {
			if m, ok := res.Rows[0].Number("odometer"); ok {
				odoNow[k.vehicle] = max(odoNow[k.vehicle], m)
			}
		}
	}
	var total int64
	for _, k := range keys {
		rows := groups[k]
		item := scheduleItem(rows, k.vehicle, k.task, today, 30, odoNow[k.vehicle], c)
		cf := costForecast{VehicleID: k.vehicle, Task: k.task, IntervalDays: item.IntervalDays, IntervalSource: item.IntervalSource,
			IntervalKm: item.IntervalKm, NextDueDate: item.NextDueDate, NextDueOdo: item.NextDueMileage, DueSource: item.DueSource,
			CostBasis: []string{}}
		if item.LastService != nil {
			cf.LastService = item.LastService.Date
		}
		var costs []int64
		var done []schema.Row
		for _, r := range rows {
			if performed(r, today) {
				done = append(done, r)
				if r["cost"] != nil {
					costs = append(costs, r.Cents("cost"))
					cf.CostBasis = append(cf.CostBasis, r.Text("id"))
				}
			}
		}
		switch {
		case len(done) == 0:
			for _, b := range item.Booked {
				if b.Date <= hEnd {
					cf.ByDate++
				}
			}
			cf.Note = "never done: only booked services in the horizon count"
		case cf.NextDueDate <= hEnd:
			first := max(cf.NextDueDate, today)
			cf.ByDate = 1 + int(math.Floor(float64(daysBetween(first, hEnd))/math.Max(1, item.IntervalDays)))
		}
		// Distance: the learned km interval and the vehicle's km per month.
		var gapKm []float64
		for i := 1; i < len(done); i++ {
			m0, ok0 := done[i-1].Number("mileage")
			m1, ok1 := done[i].Number("mileage")
			if ok0 && ok1 && m1 > m0 {
				gapKm = append(gapKm, m1-m0)
			}
		}
		if u := use[k.vehicle]; item.dueKm > 0 && u.kmMonth > 0 {
			ahead := u.kmMonth * float64(months)
			left := math.Max(0, item.dueKm-odoNow[k.vehicle])
			n := 0
			if left <= ahead {
				n = 1
				if len(gapKm) > 0 {
					n += int(math.Floor((ahead - left) / math.Round(mean(gapKm))))
				}
			}
			cf.ByDistance = &n
		}
		cf.Occurrences = cf.ByDate
		if cf.ByDistance != nil {
			cf.Occurrences = max(cf.Occurrences, *cf.ByDistance)
		}
		var itemCost int64
		if len(costs) > 0 {
			var s int64
			for _, x := range costs {
				s += x
			}
			meanC := float64(s) / float64(len(costs))
			each := int64(math.Round(meanC * MaintenanceCostInflation))
			m, e := money(int64(math.Round(meanC))), money(each)
			cf.MeanCost, cf.UnitCost = &m, &e
			itemCost = each * int64(cf.Occurrences)
		} else if cf.Occurrences > 0 {
			cf.Note = strings.TrimPrefix(cf.Note+"; no recorded costs: cost unknown", "; ")
		}
		cf.Cost = money(itemCost)
		total += itemCost
		out.Items = append(out.Items, cf)
	}
	slices.SortStableFunc(out.Items, func(x, y costForecast) int {
		return cmp.Or(cmp.Compare(min(y.Occurrences, 1), min(x.Occurrences, 1)), cmp.Compare(x.NextDueDate, y.NextDueDate),
			cmp.Compare(x.VehicleID, y.VehicleID), cmp.Compare(x.Task, y.Task))
	})
	out.Total = money(total)
	out.MonthlyAverage = money(int64(math.Round(float64(total) / float64(months))))
	return &out, nil
}

// ---------------------------------------------------------------- hustle ROI

// HustleROI is one hustle's return.
type HustleROI struct {
	Title      string       `json:"title"`
	IdeaID     string       `json:"idea_id,omitempty"`
	Status     string       `json:"idea_status,omitempty"`
	HustleID   string       `json:"hustle_id,omitempty"` // youtube_hustles of the attempts
	Income     string       `json:"income"`
	IncomeIDs  []string     `json:"income_entry_ids"`
	Expenses   string       `json:"expenses"`
	Expense    []ExpenseRef `json:"expense_rows"`
	Profit     string       `json:"profit"`
	ROI        *float64     `json:"roi_percent"` // null with no expenses
	Attempts   int          `json:"attempts"`
	AttemptIDs []string     `json:"attempt_ids"`
	// Hours are the hours_spent of the attempts linked to the hustle.
	Hours float64 `json:"hours"`
	// HourlyRate is the hustle's profit (its income net of its costs)
	// over its recorded hours; HourlyIncome its income before costs over
	// them. Both null, with HoursNote saying so, where no hours are
	// recorded: no rate is made up.
	HourlyRate   *string  `json:"hourly_rate"`
	HourlyIncome *string  `json:"hourly_income"`
	HoursNote    string   `json:"hours_note,omitempty"`
	Flags        []string `json:"flags"`
	Note         string   `json:"note,omitempty"`
	profitCents  int64
	hourlyCentsF float64
	attemptEarn  int64 // earnings recorded on attempts not linked to an idea
}

// hustleWords are the significant words of a hustle title: lower case,
// without the words every RV hustle shares.
func hustleWords(title string) map[string]bool {
	stop := map[string]bool{"a": true, "an": true, "the": true, "and": true, "&": true, "of": true, "for": true, "on": true,
		"from": true, "to": true, "in": true, "how": true, "much": true, "can": true, "you": true, "make": true, "your": true,
		"rv": true, "rvs": true, "rvers": true, "road": true, "first": true, "starting": true, "income": true, "results": true}
	out := map[string]bool{}
	for _, w := range strings.FieldsFunc(strings.ToLower(title), func(r rune) bool {
		return !(r >= 'a' && r <= 'z' || r >= '0' && r <= '9')
	}) {
		if !stop[w] && len(w) > 1 {
			out[w] = true
		}
	}
	return out
}

// linkAttempt is the hustle idea (a key of ideas) an attempt at a
// catalogue hustle titled title belongs to: the idea sharing the most
// significant words with it, at least HustleLinkWords; "" when none or
// when two ideas tie.
func linkAttempt(title string, ideas []string) string {
	aw := hustleWords(title)
	best, bestN, tie := "", 0, false
	for _, k := range ideas {
		n := 0
		for w := range hustleWords(k) {
			if aw[w] {
				n++
			}
		}
		switch {
		case n > bestN:
			best, bestN, tie = k, n, false
		case n == bestN && n > 0:
			tie = true
		}
	}
	if bestN < HustleLinkWords || tie {
		return ""
	}
	return best
}

// HustleReport is pam_analyze_hustle_roi's answer.
type HustleReport struct {
	Currency      string      `json:"currency"`
	Hustles       []HustleROI `json:"hustles"`
	TotalIncome   string      `json:"total_income"`
	TotalExpenses string      `json:"total_expenses"`
	TotalProfit   string      `json:"total_profit"`
	MeanROI       *float64    `json:"mean_roi_percent"` // over hustles with a defined ROI
	Best          *string     `json:"best_performer"`   // by profit
	Thresholds    struct {
		DropROIPercent int `json:"drop_roi_below_percent"`
		DropAttempts   int `json:"drop_after_attempts_over"`
		MinHourly      int `json:"min_hourly"`
	} `json:"thresholds"`
	Recommendations []string `json:"recommendations"`
}

func (in *intel) hustleROI(ctx context.Context, c Call, _ noArgs) (*HustleReport, error) {
	out := HustleReport{Currency: c.Currency, Hustles: []HustleROI{}, Recommendations: []string{}}
	out.Thresholds.DropROIPercent, out.Thresholds.DropAttempts, out.Thresholds.MinHourly = HustleDropROIPercent, HustleDropAttempts, HustleMinHourly
	byTitle := map[string]*HustleROI{}
	var order []string
	entry := func(title string) *HustleROI {
		k := strings.ToLower(strings.TrimSpace(title))
		if byTitle[k] == nil {
			byTitle[k] = &HustleROI{Title: strings.TrimSpace(title), IncomeIDs: []string{}, Expense: []ExpenseRef{}, AttemptIDs: []string{}, Flags: []string{}}
			order = append(order, k)
		}
		return byTitle[k]
	}
	q := schema.Query{Conditions: []schema.Condition{eq("user_id", c.User)}, Order: []schema.Order{{Column: "created_at"}, {Column: "id"}}}
	err := in.s.Each(ctx, c.User, "hustle_ideas", q, func(r schema.Row) error {
		h := entry(r.Text("title"))
		if h.IdeaID == "" {
			h.IdeaID, h.Status = r.Text("id"), r.Text("status")
		}
		return nil
	})
	if err != nil {
		return nil, err
	}
	ideaKeys := slices.Clone(order) // the ideas, before any attempt is added
	titles := map[string]string{}   // youtube_hustles id → title
	hours := map[string]float64{}
	// Attempts first: each looks its catalogue hustle up, and a read inside
	// an Each callback would wait for a second reader while holding one.
	attempts, err := collect(ctx, in.s, c.User, "user_hustle_attempts", schema.Query{Order: []schema.Order{{Column: "start_date"}, {Column: "id"}}})
	if err != nil {
		return nil, err
	}
	for _, r := range attempts {
		hid := r.Text("hustle_id")
		t, ok := titles[hid]
		if !ok {
			yh, err := in.s.Get(ctx, c.User, "youtube_hustles", hid)
			if err != nil && schema.ErrorCode(err) != schema.ENOTFOUND {
				return nil, err
			}
			t = cmp.Or(yh.Text("title"), "hustle "+hid)
			titles[hid] = t
		}
		// An attempt at a catalogue hustle is the user's own idea when their
		// titles share enough words: its hours go with the idea's income.
		// Otherwise it stands alone, with the earnings recorded on it.
		k := linkAttempt(t, ideaKeys)
		if k == "" {
			k = strings.ToLower(strings.TrimSpace(t))
			entry(t).attemptEarn += r.Cents("earnings")
		}
		h := byTitle[k]
		h.HustleID = hid
		h.Attempts++
		h.AttemptIDs = append(h.AttemptIDs, r.Text("id"))
		if x, ok := r.Number("hours_spent"); ok && x > 0 {
			hours[k] += x
		}
	}
	income, err := collect(ctx, in.s, c.User, "income_entries", schema.Query{Order: []schema.Order{{Column: "date"}, {Column: "id"}}})
	if err != nil {
		return nil, err
	}
	expenses, err := collect(ctx, in.s, c.User, "expenses", schema.Query{
		Conditions: []schema.Condition{{Column: "category", Op: schema.OpLike, Value: "hustle"}},
		Order:      []schema.Order{{Column: "date"}, {Column: "id"}}})
	if err != nil {
		return nil, err
	}
	var inc, exp, profit int64
	var rois []float64
	var best *HustleROI
	for _, k := range order {
		h := byTitle[k]
		var hi, he int64
		for _, r := range income {
			if strings.EqualFold(strings.TrimSpace(r.Text("type")), "hustle") && strings.EqualFold(strings.TrimSpace(r.Text("source")), h.Title) {
				hi += r.Cents("amount")
				h.IncomeIDs = append(h.IncomeIDs, r.Text("id"))
			}
		}
		if len(h.IncomeIDs) == 0 {
			// No income entries: the earnings recorded on its attempts
			// (never both, which would count the same money twice).
			hi = h.attemptEarn
		}
		for _, r := range expenses {
			if category(r.Text("category")) == "hustle" && k != "" && strings.Contains(strings.ToLower(r.Text("description")), k) {
				he += r.Cents("amount")
				h.Expense = append(h.Expense, expenseRef(r))
			}
		}
		h.profitCents = hi - he
		h.Income, h.Expenses, h.Profit = money(hi), money(he), money(h.profitCents)
		if he > 0 {
			h.ROI = percent(h.profitCents, he)
			rois = append(rois, *h.ROI)
		} else {
			h.Note = "no expenses: pure profit, ROI undefined"
		}
		h.Hours = round(hours[k], 2)
		if h.Hours > 0 {
			h.hourlyCentsF = float64(h.profitCents) / hours[k]
			net := money(int64(math.Round(h.hourlyCentsF)))
			gross := money(int64(math.Round(float64(hi) / hours[k])))
			h.HourlyRate, h.HourlyIncome = &net, &gross
		} else {
			h.HoursNote = "no hours recorded: no hourly rate"
		}
		if h.ROI != nil && *h.ROI < HustleDropROIPercent && h.Attempts > HustleDropAttempts {
			h.Flags = append(h.Flags, "consider_dropping")
			out.Recommendations = append(out.Recommendations, fmt.Sprintf("%s: ROI %.2f %% after %d attempts, under %d %%: consider dropping it.",
				h.Title, *h.ROI, h.Attempts, HustleDropROIPercent))
		}
		if h.HourlyRate != nil && h.hourlyCentsF < HustleMinHourly*100 {
			h.Flags = append(h.Flags, "below_minimum_wage")
			out.Recommendations = append(out.Recommendations, fmt.Sprintf("%s: %s %s an hour net of costs (%s income before costs) over %g recorded hours, under %d an hour: below minimum wage.",
				h.Title, *h.HourlyRate, c.Currency, *h.HourlyIncome, h.Hours, HustleMinHourly))
		}
		inc, exp, profit = inc+hi, exp+he, profit+h.profitCents
		if best == nil || h.profitCents > best.profitCents {
			best = h
		}
		out.Hustles = append(out.Hustles, *h)
	}
	out.TotalIncome, out.TotalExpenses, out.TotalProfit = money(inc), money(exp), money(profit)
	if len(rois) > 0 {
		m := round(mean(rois), 2)
		out.MeanROI = &m
	}
	if best != nil {
		out.Best = &best.Title
	}
	return &out, nil
}
