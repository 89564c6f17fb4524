package tools

import (
	"cmp"
	"context"
	"fmt"
	"math"
	"slices"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Recommendation rules of pam_generate_intelligent_recommendations
// (tools.md §2.5 and Decisions §5), as named thresholds.
const (
	// BudgetUtilizationAlertPercent: a budget used over this share of its
	// amount, over its own period, raises a high financial recommendation.
	BudgetUtilizationAlertPercent = 90
	// TravelDailyCostAlertCents: an average daily trip cost above this (in
	// the user's currency, cents) over the last 12 months raises a medium
	// travel recommendation.
	TravelDailyCostAlertCents = 15000
	// InactiveHustleLimit: more than this many of the user's hustle ideas
	// not approved raises a medium hustle recommendation.
	InactiveHustleLimit = 2
	// TravelLookbackDays is the window of trips the travel rule looks at.
	TravelLookbackDays = 365

	// IntelligenceSource marks recommendations written by these tools.
	IntelligenceSource = "pam_intelligence"
)

type spendingPatternArgs struct {
	Months             int   `json:"months,omitempty" schema:"min=1,max=36,default=12" desc:"calendar months to analyse, the current one included"`
	IncludePredictions *bool `json:"include_predictions,omitempty" schema:"default=true" desc:"include the month-end projection for the current month"`
}

var focusAreas = []string{"financial", "travel", "vehicle", "social"}

type optimizeArgs struct {
	FocusAreas []string `json:"focus_areas,omitempty" schema:"maxItems=4" desc:"keep only these areas: financial, travel, vehicle (maintenance), social"`
}

func (a *optimizeArgs) check(Call) []schema.FieldError {
	for i, f := range a.FocusAreas {
		if !slices.Contains(focusAreas, f) {
			return []schema.FieldError{{Field: fmt.Sprintf("focus_areas[%d]", i), Reason: "must be one of financial, travel, vehicle, social"}}
		}
	}
	return nil
}

type reportArgs struct {
	ReportType string `json:"report_type,omitempty" schema:"enum=financial|travel|vehicle|comprehensive,default=comprehensive"`
	TimePeriod string `json:"time_period,omitempty" schema:"enum=last_7_days|last_30_days|last_90_days,default=last_30_days"`
}

// ---------------------------------------------------------------- shared

// tripSpan is one trip (calendar_events of type trip) as days.
type tripSpan struct {
	ID    string `json:"id"`
	Title string `json:"title"`
	Start string `json:"start"`
	End   string `json:"end"`
	Days  int    `json:"days"`
}

// dayIn converts a stored timestamp to its day in loc.
func dayIn(v any, loc *time.Location) string {
	s := schema.AsText(v)
	if t, err := time.Parse(time.RFC3339Nano, s); err == nil {
		return t.In(loc).Format(schema.DateLayout)
	}
	return schema.DateOf(s)
}

// trips reads the user's trips overlapping [start, end], earliest first.
func (in *intel) trips(ctx context.Context, c Call, start, end string) ([]tripSpan, error) {
	rows, err := collect(ctx, in.s, c.User, "calendar_events", schema.Query{Conditions: []schema.Condition{eq("event_type", "trip")}})
	if err != nil {
		return nil, err
	}
	loc := c.Now.Location()
	out := []tripSpan{}
	for _, r := range rows {
		s, e := dayIn(r["start_date"], loc), dayIn(r["end_date"], loc)
		if e < s {
			e = s
		}
		if e < start || s > end {
			continue
		}
		out = append(out, tripSpan{ID: r.Text("id"), Title: r.Text("title"), Start: s, End: e, Days: daysBetween(s, e) + 1})
	}
	slices.SortFunc(out, func(a, b tripSpan) int { return cmp.Or(cmp.Compare(a.Start, b.Start), cmp.Compare(a.ID, b.ID)) })
	return out, nil
}

// tripDays is the set of days in [start, end] inside any trip.
func tripDays(trips []tripSpan, start, end string) map[string]bool {
	days := map[string]bool{}
	for _, t := range trips {
		for d := max(t.Start, start); d <= t.End && d <= end; d = addDays(d, 1) {
			days[d] = true
		}
	}
	return days
}

// expensesIn is what was spent dated in [start, end], fuel counted once
// (spendingRows), by date.
func expensesIn(ctx context.Context, s Store, user, start, end string) ([]schema.Row, error) {
	return spendingRows(ctx, s, user, start, end, "")
}

func perDay(total int64, days int) string {
	if days == 0 {
		return money(0)
	}
	return money(int64(math.Round(float64(total) / float64(days))))
}

// ------------------------------------------------------ spending patterns

// monthSpending is one calendar month's spending.
type monthSpending struct {
	Month      string          `json:"month"` // YYYY-MM
	Period     Period          `json:"period"`
	Total      string          `json:"total"`
	Count      int             `json:"expense_count"`
	ByCategory []CategoryTotal `json:"by_category"`
	Partial    bool            `json:"partial,omitempty"` // the current month, up to today
	cents      int64
}

// seasonMonth compares one month's total with the mean.
type seasonMonth struct {
	Month         string   `json:"month"`
	Total         string   `json:"total"`
	VsMeanPercent *float64 `json:"vs_mean_percent"`
}

// spendingPatterns is pam_analyze_spending_patterns' answer.
type spendingPatterns struct {
	Currency string          `json:"currency"`
	Period   Period          `json:"period"`
	Months   []monthSpending `json:"months"`
	Total    string          `json:"total"`
	Count    int             `json:"expense_count"`
	Season   struct {
		// MonthsUsed are the complete months the mean is taken over (the
		// current month is partial and left out when others exist).
		MonthsUsed  []string      `json:"months_used"`
		MonthlyMean string        `json:"monthly_mean"`
		Months      []seasonMonth `json:"months"`
		Highest     *seasonMonth  `json:"highest"`
		Lowest      *seasonMonth  `json:"lowest"`
	} `json:"seasonality"`
	Travel struct {
		Trips          []tripSpan `json:"trips"`
		TripDays       int        `json:"trip_days"`
		TripTotal      string     `json:"trip_total"`
		TripPerDay     string     `json:"trip_per_day"`
		ParkedDays     int        `json:"parked_days"`
		ParkedTotal    string     `json:"parked_total"`
		ParkedPerDay   string     `json:"parked_per_day"`
		TripExpenses   int        `json:"trip_expense_count"`
		ParkedExpenses int        `json:"parked_expense_count"`
	} `json:"trips_vs_parked"`
	Projection *monthProjection `json:"projection,omitempty"`
}

// monthProjection projects the current month: spent / days elapsed × days in month.
type monthProjection struct {
	Month          string `json:"month"`
	SpentSoFar     string `json:"spent_so_far"`
	DaysElapsed    int    `json:"days_elapsed"`
	DaysInMonth    int    `json:"days_in_month"`
	DailyAverage   string `json:"daily_average"`
	ProjectedTotal string `json:"projected_total"`
	Formula        string `json:"formula"`
}

func (in *intel) spendingPatterns(ctx context.Context, c Call, a spendingPatternArgs) (any, error) {
	n := a.Months
	if n <= 0 {
		n = 12
	}
	today := c.today()
	t0, _ := parseDay(today[:7] + "-01")
	first := t0.AddDate(0, -(n - 1), 0).Format(schema.DateLayout)
	out := spendingPatterns{Currency: c.Currency, Period: period(first, today), Months: []monthSpending{}}
	rows, err := expensesIn(ctx, in.s, c.User, first, today)
	if err != nil {
		return nil, err
	}
	trips, err := in.trips(ctx, c, first, today)
	if err != nil {
		return nil, err
	}
	onTrip := tripDays(trips, first, today)

	months := map[string]map[string]*CategoryTotal{}
	idx := map[string]int{}
	for i := range n {
		m := t0.AddDate(0, -(n - 1 - i), 0)
		key := m.Format("2006-01")
		s, e := monthOf(key + "-01")
		ms := monthSpending{Month: key, Period: period(s, min(e, today)), ByCategory: []CategoryTotal{}}
		if e > today {
			ms.Partial = true
		}
		idx[key] = len(out.Months)
		out.Months = append(out.Months, ms)
		months[key] = map[string]*CategoryTotal{}
	}
	var total, tripTotal, parkedTotal int64
	for _, r := range rows {
		d, amt := r.Text("date"), r.Cents("amount")
		key := d[:7]
		i, ok := idx[key]
		if !ok {
			continue
		}
		ms := &out.Months[i]
		ms.cents += amt
		ms.Count++
		cat := r.Text("category")
		ct := months[key][cat]
		if ct == nil {
			ct = &CategoryTotal{Name: cat}
			months[key][cat] = ct
		}
		ct.cents += amt
		ct.Count++
		total += amt
		out.Count++
		if onTrip[d] {
			tripTotal += amt
			out.Travel.TripExpenses++
		} else {
			parkedTotal += amt
			out.Travel.ParkedExpenses++
		}
	}
	for i := range out.Months {
		ms := &out.Months[i]
		ms.Total = money(ms.cents)
		for _, ct := range months[ms.Month] {
			ct.Total, ct.Share = money(ct.cents), percent(ct.cents, ms.cents)
			ms.ByCategory = append(ms.ByCategory, *ct)
		}
		slices.SortFunc(ms.ByCategory, func(a, b CategoryTotal) int {
			return cmp.Or(cmp.Compare(b.cents, a.cents), cmp.Compare(a.Name, b.Name))
		})
	}
	out.Total = money(total)

	// Seasonality over the complete months (all months when only the
	// current one is in the window).
	used := out.Months
	if len(used) > 1 && used[len(used)-1].Partial {
		used = used[:len(used)-1]
	}
	out.Season.MonthsUsed = []string{}
	out.Season.Months = []seasonMonth{}
	var sum int64
	for _, m := range used {
		sum += m.cents
		out.Season.MonthsUsed = append(out.Season.MonthsUsed, m.Month)
	}
	mean := int64(math.Round(float64(sum) / float64(len(used))))
	out.Season.MonthlyMean = money(mean)
	var hi, lo *seasonMonth
	var hiC, loC int64
	for _, m := range used {
		sm := seasonMonth{Month: m.Month, Total: m.Total}
		if mean != 0 {
			p := round(float64(m.cents-mean)*100/float64(mean), 2)
			sm.VsMeanPercent = &p
		}
		out.Season.Months = append(out.Season.Months, sm)
		if hi == nil || m.cents > hiC {
			h := sm
			hi, hiC = &h, m.cents
		}
		if lo == nil || m.cents < loC {
			l := sm
			lo, loC = &l, m.cents
		}
	}
	if sum > 0 {
		out.Season.Highest, out.Season.Lowest = hi, lo
	}

	out.Travel.Trips = trips
	out.Travel.TripDays = len(onTrip)
	out.Travel.ParkedDays = out.Period.Days - len(onTrip)
	out.Travel.TripTotal, out.Travel.TripPerDay = money(tripTotal), perDay(tripTotal, out.Travel.TripDays)
	out.Travel.ParkedTotal, out.Travel.ParkedPerDay = money(parkedTotal), perDay(parkedTotal, out.Travel.ParkedDays)

	if a.IncludePredictions == nil || *a.IncludePredictions {
		cur := out.Months[len(out.Months)-1]
		_, e := monthOf(today)
		p := &monthProjection{Month: cur.Month, SpentSoFar: cur.Total, DaysElapsed: cur.Period.Days,
			DaysInMonth: daysBetween(cur.Period.Start, e) + 1}
		p.DailyAverage = perDay(cur.cents, p.DaysElapsed)
		proj := int64(math.Round(float64(cur.cents) * float64(p.DaysInMonth) / float64(p.DaysElapsed)))
		p.ProjectedTotal = money(proj)
		p.Formula = fmt.Sprintf("%s spent in %d days / %d × %d days = %s %s", cur.Total, p.DaysElapsed, p.DaysElapsed, p.DaysInMonth, p.ProjectedTotal, c.Currency)
		out.Projection = p
	}
	return out, nil
}

// -------------------------------------------------------- recommendations

// rec is one recommendation of the rules.
type rec struct {
	Key         string         `json:"condition_key"`
	Title       string         `json:"title"`
	Description string         `json:"description"`
	Type        string         `json:"type"`
	Priority    string         `json:"priority"`
	Evidence    map[string]any `json:"evidence"`
	// Status: created (written now), existing (written before, still
	// active) or dismissed (the user dismissed it; not re-created).
	Status string `json:"status"`
	ID     string `json:"id,omitempty"`
}

// recommendations is pam_generate_intelligent_recommendations' answer.
type recommendations struct {
	Currency        string           `json:"currency"`
	Date            string           `json:"date"`
	New             []rec            `json:"new"`
	Existing        []rec            `json:"existing"`
	Dismissed       []rec            `json:"dismissed"`
	Thresholds      map[string]any   `json:"thresholds"`
	HealthScores    HealthScores     `json:"health_scores"`
	Budgets         []BudgetStatus   `json:"current_budgets"`
	OverdueServices []map[string]any `json:"overdue_maintenance"`
}

// overdueMaintenance lists the records whose next_due_date is before
// today and that are the latest record of their task and vehicle.
func overdueMaintenance(rows []schema.Row, today string) []schema.Row {
	var out []schema.Row
	for _, r := range latestPerTask(rows, today) {
		if d := r.Text("next_due_date"); d != "" && d < today {
			out = append(out, r)
		}
	}
	slices.SortFunc(out, func(a, b schema.Row) int {
		return cmp.Or(cmp.Compare(a.Text("next_due_date"), b.Text("next_due_date")), cmp.Compare(a.Text("id"), b.Text("id")))
	})
	return out
}

// Proactive thresholds.
const (
	// TripMaintenanceLookaheadDays: a trip starting this soon with overdue
	// maintenance is urgent.
	TripMaintenanceLookaheadDays = 14
	// FuelAnomalyMinFills is how many earlier full-to-full readings a
	// vehicle needs before a drop can be called anomalous.
	FuelAnomalyMinFills = 3
	// FuelAnomalyPercent is the least rise in L/100km over the earlier
	// mean that counts, on top of two standard deviations.
	FuelAnomalyPercent = 10
)

// proactive finds the conditions the insight job notifies about.
func (in *intel) proactive(ctx context.Context, c Call, budgets []schema.Row, statuses []BudgetStatus, maint, overdue []schema.Row) ([]rec, error) {
	today := c.today()
	var recs []rec
	for i, b := range budgets {
		threshold := 80.0
		if v, ok := b.Number("alert_threshold"); ok {
			threshold = v
		}
		st := statuses[i]
		if st.PercentUsed == nil || *st.PercentUsed < threshold {
			continue
		}
		recs = append(recs, rec{Key: fmt.Sprintf("budget:%s:alert:%g", st.ID, threshold),
			Title:       fmt.Sprintf("%s budget passed its %g %% alert", st.Category, threshold),
			Description: fmt.Sprintf("Spent %s of %s %s (%g %%) on %s from %s to %s.", st.Spent, st.Budgeted, c.Currency, *st.PercentUsed, st.Category, st.Period.Start, st.Period.End),
			Type:        "financial", Priority: "medium",
			Evidence: map[string]any{"budget_id": st.ID, "alert_threshold": threshold, "percent_used": *st.PercentUsed, "period": st.Period}})
	}
	// The odometer now, per vehicle, from the fuel log.
	odo := map[string]float64{}
	var fills []schema.Row
	err := in.s.Each(ctx, c.User, "fuel_log", schema.Query{Order: []schema.Order{{Column: "date"}, {Column: "odometer"}}}, func(r schema.Row) error {
		if v, ok := r.Number("odometer"); ok {
			k := r.Text("vehicle_id")
			odo[k] = math.Max(odo[k], v)
			odo[""] = math.Max(odo[""], v)
		}
		fills = append(fills, r)
		return nil
	})
	if err != nil {
		return nil, err
	}
	due := append([]schema.Row(nil), overdue...)
	for _, r := range latestPerTask(maint, today) {
		next, ok := r.Number("next_due_mileage")
		now := odo[r.Text("vehicle_id")]
		if now == 0 {
			now = odo[""]
		}
		if !ok || now == 0 || now < next {
			continue
		}
		due = append(due, r)
		recs = append(recs, rec{Key: "maintenance:" + r.Text("id") + ":odometer",
			Title:       fmt.Sprintf("%s is due by distance", r.Text("task")),
			Description: fmt.Sprintf("%s was due at %s; the odometer reads %s.", r.Text("task"), qty(odometer(next, c.Units)), qty(odometer(now, c.Units))),
			Type:        "maintenance", Priority: "high",
			Evidence: map[string]any{"record_id": r.Text("id"), "next_due_odometer_km": next, "odometer_km": now}})
	}
	if len(due) > 0 {
		soon, err := in.trips(ctx, c, today, addDays(today, TripMaintenanceLookaheadDays))
		if err != nil {
			return nil, err
		}
		for _, t := range soon {
			if t.Start < today {
				continue // already under way
			}
			tasks := make([]string, len(due))
			for i, r := range due {
				tasks[i] = r.Text("task")
			}
			recs = append(recs, rec{Key: "trip:" + t.ID + ":maintenance",
				Title:       fmt.Sprintf("Service before %s", t.Title),
				Description: fmt.Sprintf("%s starts %s with maintenance overdue: %s.", t.Title, t.Start, strings.Join(tasks, ", ")),
				Type:        "maintenance", Priority: "urgent",
				Evidence: map[string]any{"trip": t, "overdue": tasks}})
		}
	}
	recs = append(recs, fuelAnomalies(fills, c.Units)...)
	return recs, nil
}

func qty(q Quantity) string { return fmt.Sprintf("%.0f %s", q.Value, q.Unit) }

// fuelAnomalies flags, per vehicle, a latest full-fill consumption above
// the earlier mean by more than two standard deviations and at least
// FuelAnomalyPercent.
func fuelAnomalies(fills []schema.Row, units string) []rec {
	byVehicle := map[string][]schema.Row{}
	var order []string
	for _, r := range fills {
		if _, ok := r.Number("consumption"); !ok {
			continue
		}
		k := r.Text("vehicle_id")
		if _, seen := byVehicle[k]; !seen {
			order = append(order, k)
		}
		byVehicle[k] = append(byVehicle[k], r)
	}
	var recs []rec
	for _, k := range order {
		list := byVehicle[k]
		if len(list) < FuelAnomalyMinFills+1 {
			continue
		}
		last := list[len(list)-1]
		var sum, sq float64
		prev := list[:len(list)-1]
		for _, r := range prev {
			v, _ := r.Number("consumption")
			sum += v
			sq += v * v
		}
		n := float64(len(prev))
		mean := sum / n
		sd := math.Sqrt(math.Max(0, sq/n-mean*mean))
		cur, _ := last.Number("consumption")
		if cur <= mean+2*sd || cur < mean*(1+FuelAnomalyPercent/100.0) {
			continue
		}
		recs = append(recs, rec{Key: "fuel:" + last.Text("id"),
			Title:       "Fuel economy dropped",
			Description: fmt.Sprintf("The fill of %s used %.1f L/100km against %.1f on average over %d earlier fills: check tyre pressure, load and engine.", last.Text("date"), cur, mean, len(prev)),
			Type:        "vehicle", Priority: "medium",
			Evidence: map[string]any{"fill_id": last.Text("id"), "vehicle_id": k, "consumption_l_100km": cur, "mean_l_100km": round(mean, 2), "stddev": round(sd, 2), "units": units}})
	}
	return recs
}

func (in *intel) recommendations(ctx context.Context, c Call, _ noArgs) (any, error) {
	today := c.today()
	f := &finance{s: in.s}
	out := recommendations{Currency: c.Currency, Date: today, New: []rec{}, Existing: []rec{}, Dismissed: []rec{},
		Budgets: []BudgetStatus{}, OverdueServices: []map[string]any{}}
	out.Thresholds = map[string]any{
		"budget_utilization_percent": BudgetUtilizationAlertPercent,
		"travel_daily_cost":          money(TravelDailyCostAlertCents),
		"travel_lookback_days":       TravelLookbackDays,
		"inactive_hustles_over":      InactiveHustleLimit,
	}
	var recs []rec

	// Budgets covering today, each over its own period.
	budgets, err := collect(ctx, in.s, c.User, "budgets", schema.Query{
		Conditions: []schema.Condition{cond("start_date", schema.OpLte, today), cond("end_date", schema.OpGte, today)},
		Order:      []schema.Order{{Column: "start_date"}, {Column: "category"}},
	})
	if err != nil {
		return nil, err
	}
	spent := make([]int64, 0, len(budgets))
	for _, b := range budgets {
		sp, err := f.spent(ctx, c.User, category(b.Text("category")), b.Text("start_date"), b.Text("end_date"))
		if err != nil {
			return nil, err
		}
		spent = append(spent, sp.cents)
		st := budgetStatus(b, sp)
		out.Budgets = append(out.Budgets, st)
		bc := b.Cents("budgeted_amount")
		if sp.cents*100 > bc*BudgetUtilizationAlertPercent {
			pct := "n/a"
			if st.PercentUsed != nil {
				pct = fmt.Sprintf("%g %%", *st.PercentUsed)
			}
			recs = append(recs, rec{Key: fmt.Sprintf("budget:%s:%d", st.ID, BudgetUtilizationAlertPercent),
				Title: fmt.Sprintf("%s budget is %s used", st.Category, pct),
				Description: fmt.Sprintf("Spent %s of %s %s on %s from %s to %s, over the %d %% threshold.",
					st.Spent, st.Budgeted, c.Currency, st.Category, st.Period.Start, st.Period.End, BudgetUtilizationAlertPercent),
				Type: "financial", Priority: "high",
				Evidence: map[string]any{"budget_id": st.ID, "period": st.Period, "spent": st.Spent, "budgeted": st.Budgeted, "percent_used": st.PercentUsed}})
		}
	}

	// Overdue maintenance.
	maint, err := collect(ctx, in.s, c.User, "maintenance_records", schema.Query{})
	if err != nil {
		return nil, err
	}
	overdue := overdueMaintenance(maint, today)
	for _, r := range overdue {
		days := daysBetween(r.Text("next_due_date"), today)
		ev := map[string]any{"record_id": r.Text("id"), "task": r.Text("task"), "last_done": r.Text("date"),
			"next_due_date": r.Text("next_due_date"), "days_overdue": days}
		out.OverdueServices = append(out.OverdueServices, ev)
		recs = append(recs, rec{Key: "maintenance:" + r.Text("id"),
			Title:       fmt.Sprintf("%s is overdue", r.Text("task")),
			Description: fmt.Sprintf("%s was due on %s (%d days ago); last done %s.", r.Text("task"), r.Text("next_due_date"), days, r.Text("date")),
			Type:        "maintenance", Priority: "high", Evidence: ev})
	}

	// Travel: average daily cost over trips of the last 12 months.
	from := addDays(today, -TravelLookbackDays)
	trips, err := in.trips(ctx, c, from, today)
	if err != nil {
		return nil, err
	}
	onTrip := tripDays(trips, from, today)
	if len(onTrip) > 0 {
		rows, err := expensesIn(ctx, in.s, c.User, from, today)
		if err != nil {
			return nil, err
		}
		var tc int64
		for _, r := range rows {
			if onTrip[r.Text("date")] {
				tc += r.Cents("amount")
			}
		}
		avg := int64(math.Round(float64(tc) / float64(len(onTrip))))
		if avg > TravelDailyCostAlertCents {
			recs = append(recs, rec{Key: fmt.Sprintf("travel:daily_cost:%d", TravelDailyCostAlertCents/100),
				Title: fmt.Sprintf("Trips average %s %s a day", money(avg), c.Currency),
				Description: fmt.Sprintf("%d trips from %s to %s: %s %s over %d trip days, above %s a day.",
					len(trips), from, today, money(tc), c.Currency, len(onTrip), money(TravelDailyCostAlertCents)),
				Type: "travel", Priority: "medium",
				Evidence: map[string]any{"trips": trips, "trip_days": len(onTrip), "trip_spending": money(tc), "average_daily_cost": money(avg)}})
		}
	}

	// Proactive conditions (each recorded once by its key): a budget past
	// its own alert threshold, a service due by odometer, an upcoming trip
	// with overdue maintenance, an anomalous fuel-economy drop.
	more, err := in.proactive(ctx, c, budgets, out.Budgets, maint, overdue)
	if err != nil {
		return nil, err
	}
	recs = append(recs, more...)

	// Hustles: the user's own ideas not approved.
	ideas, err := collect(ctx, in.s, c.User, "hustle_ideas", schema.Query{Conditions: []schema.Condition{eq("user_id", c.User)}})
	if err != nil {
		return nil, err
	}
	approved, inactive := 0, []string{}
	for _, h := range ideas {
		if h.Text("status") == "approved" {
			approved++
		} else {
			inactive = append(inactive, h.Text("title"))
		}
	}
	slices.Sort(inactive)
	if len(inactive) > InactiveHustleLimit {
		recs = append(recs, rec{Key: fmt.Sprintf("hustle:inactive:%d", InactiveHustleLimit),
			Title:       fmt.Sprintf("%d hustle ideas are not active", len(inactive)),
			Description: fmt.Sprintf("%d of %d hustle ideas are not approved (more than %d): pick one to pursue or drop the rest.", len(inactive), len(ideas), InactiveHustleLimit),
			Type:        "hustle", Priority: "medium",
			Evidence: map[string]any{"inactive": inactive, "approved": approved, "total": len(ideas)}})
	}

	// Write each once per condition key.
	existing, err := collect(ctx, in.s, c.User, "active_recommendations", schema.Query{Conditions: []schema.Condition{cond("source_data_id", schema.OpNeq, "")}})
	if err != nil {
		return nil, err
	}
	byKey := map[string]schema.Row{}
	for _, r := range existing {
		k := r.Text("source_data_id")
		if old, ok := byKey[k]; !ok || (old["dismissed"] == true && r["dismissed"] != true) {
			byKey[k] = r
		}
	}
	for _, rec := range recs {
		if old, ok := byKey[rec.Key]; ok {
			rec.ID = old.Text("id")
			if old["dismissed"] == true {
				rec.Status = "dismissed"
				out.Dismissed = append(out.Dismissed, rec)
			} else {
				rec.Status = "existing"
				out.Existing = append(out.Existing, rec)
			}
			continue
		}
		row, err := in.s.Create(ctx, c.User, "active_recommendations", schema.Row{
			"source_data_id": rec.Key, "title": rec.Title, "description": rec.Description,
			"category": rec.Type, "recommendation_type": rec.Type, "priority_level": rec.Priority,
			"dismissed": false, "metadata": map[string]any{"source": IntelligenceSource, "status": "active", "content": rec.Evidence},
		})
		if err != nil {
			return nil, err
		}
		rec.ID, rec.Status = row.Text("id"), "created"
		out.New = append(out.New, rec)
	}

	// Health scores: the one design (health.go), from the budgets, their
	// spending, the maintenance records and the ideas read above (the
	// writes since touched active_recommendations only).
	hs, err := healthWith(ctx, in.s, c, healthKnown{budgets: nonNil(budgets), spent: spent, maint: nonNil(maint), ideas: nonNil(ideas)})
	if err != nil {
		return nil, err
	}
	out.HealthScores = hs
	return out, nil
}

func sumAmount(ctx context.Context, s Store, user, table, start, end string) (int64, error) {
	var total int64
	if table == "expenses" { // fuel counted once
		rows, err := spendingRows(ctx, s, user, start, end, "")
		for _, r := range rows {
			total += r.Cents("amount")
		}
		return total, err
	}
	err := s.Each(ctx, user, table, schema.Query{Conditions: []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)}},
		func(r schema.Row) error { total += r.Cents("amount"); return nil })
	return total, err
}

// ----------------------------------------------------------- optimize

// planItem is one active recommendation in the action plan.
type planItem struct {
	ID          string `json:"id"`
	Title       string `json:"title"`
	Description string `json:"description,omitempty"`
	Type        string `json:"type"`
	Priority    string `json:"priority"`
	CreatedAt   string `json:"created_at"`
	ExpiresAt   string `json:"expires_at,omitempty"`
}

// actionPlan is pam_optimize_user_experience's answer.
type actionPlan struct {
	FocusAreas []string   `json:"focus_areas"`
	Types      []string   `json:"types_included,omitempty"`
	Immediate  []planItem `json:"immediate"`
	ShortTerm  []planItem `json:"short_term"`
	LongTerm   []planItem `json:"long_term"`
	Total      int        `json:"total"`
	Summary    string     `json:"summary"`
}

var focusTypes = map[string][]string{
	"financial": {"financial", "budget", "finance", "expense", "hustle"},
	"travel":    {"travel", "trip"},
	"vehicle":   {"maintenance", "vehicle", "fuel"},
	"social":    {"social"},
}

func (in *intel) optimize(ctx context.Context, c Call, a optimizeArgs) (any, error) {
	rows, err := collect(ctx, in.s, c.User, "active_recommendations", schema.Query{Order: []schema.Order{{Column: "created_at"}}})
	if err != nil {
		return nil, err
	}
	out := actionPlan{FocusAreas: a.FocusAreas, Immediate: []planItem{}, ShortTerm: []planItem{}, LongTerm: []planItem{}}
	var allowed map[string]bool
	if len(a.FocusAreas) > 0 {
		allowed = map[string]bool{}
		for _, f := range a.FocusAreas {
			for _, t := range focusTypes[f] {
				if !allowed[t] {
					allowed[t] = true
					out.Types = append(out.Types, t)
				}
			}
		}
	} else {
		out.FocusAreas = []string{}
	}
	now := c.Now.UTC().Format(time.RFC3339Nano)
	for _, r := range rows {
		if r["dismissed"] == true {
			continue
		}
		if exp := r.Text("expires_at"); exp != "" {
			if t, err := time.Parse(time.RFC3339Nano, exp); err == nil && !t.After(c.Now) {
				continue
			} else if err != nil && exp <= now {
				continue
			}
		}
		typ := strings.ToLower(cmp.Or(r.Text("category"), r.Text("recommendation_type")))
		if allowed != nil && !allowed[typ] && !allowed[strings.ToLower(r.Text("recommendation_type"))] {
			continue
		}
		it := planItem{ID: r.Text("id"), Title: r.Text("title"), Description: r.Text("description"), Type: typ,
			Priority: r.Text("priority_level"), CreatedAt: r.Text("created_at"), ExpiresAt: r.Text("expires_at")}
		switch it.Priority {
		case "high", "urgent":
			out.Immediate = append(out.Immediate, it)
		case "medium":
			out.ShortTerm = append(out.ShortTerm, it)
		default:
			out.LongTerm = append(out.LongTerm, it)
		}
		out.Total++
	}
	out.Summary = fmt.Sprintf("%d active recommendations: %d immediate, %d short-term, %d long-term",
		out.Total, len(out.Immediate), len(out.ShortTerm), len(out.LongTerm))
	return out, nil
}

// ------------------------------------------------------------ report

// categoryChange is a category's spending in the period and the previous one.
type categoryChange struct {
	Category      string   `json:"category"`
	Current       string   `json:"current"`
	Previous      string   `json:"previous"`
	ChangePercent *float64 `json:"change_percent"` // nil when nothing was spent before
	cur, prev     int64
}

// reportFinance is the financial part of an insights report.
type reportFinance struct {
	Spending         string           `json:"spending"`
	PreviousSpending string           `json:"previous_spending"`
	ChangePercent    *float64         `json:"change_percent"`
	ByCategory       []categoryChange `json:"by_category"`
	Income           string           `json:"income"`
	PreviousIncome   string           `json:"previous_income"`
	Net              string           `json:"net"`
}

// insightsReport is pam_generate_insights_report's answer.
type insightsReport struct {
	ReportType     string         `json:"report_type"`
	TimePeriod     string         `json:"time_period"`
	Period         Period         `json:"period"`
	PreviousPeriod Period         `json:"previous_period"`
	Currency       string         `json:"currency"`
	Units          string         `json:"units"`
	Financial      *reportFinance `json:"financial,omitempty"`
	Travel         *struct {
		Trips    []tripSpan `json:"trips"`
		TripDays int        `json:"trip_days"`
	} `json:"travel,omitempty"`
	Vehicle *struct {
		Done    []map[string]any `json:"maintenance_done"`
		Cost    string           `json:"maintenance_cost"`
		Due     []map[string]any `json:"maintenance_due"` // overdue or due within the next equal period
		Overdue int              `json:"overdue_count"`
	} `json:"vehicle,omitempty"`
	Fuel *struct {
		FillUps int      `json:"fill_ups"`
		Volume  Quantity `json:"volume"`
		Cost    string   `json:"cost"`
	} `json:"fuel,omitempty"`
	ExecutiveSummary []string `json:"executive_summary"`
}

func (in *intel) report(ctx context.Context, c Call, a reportArgs) (any, error) {
	rt, tp := cmp.Or(a.ReportType, "comprehensive"), cmp.Or(a.TimePeriod, "last_30_days")
	n := map[string]int{"last_7_days": 7, "last_30_days": 30, "last_90_days": 90}[tp]
	today := c.today()
	start := addDays(today, -(n - 1))
	pStart, pEnd := addDays(start, -n), addDays(start, -1)
	out := insightsReport{ReportType: rt, TimePeriod: tp, Period: period(start, today), PreviousPeriod: period(pStart, pEnd),
		Currency: c.Currency, Units: c.Units, ExecutiveSummary: []string{}}
	want := func(k string) bool { return rt == "comprehensive" || rt == k }
	sum := &out.ExecutiveSummary

	if want("financial") {
		f := &reportFinance{}
		out.Financial = f
		rows, err := expensesIn(ctx, in.s, c.User, pStart, today)
		if err != nil {
			return nil, err
		}
		by := map[string]*categoryChange{}
		var cur, prev int64
		for _, r := range rows {
			cat, amt := r.Text("category"), r.Cents("amount")
			cc := by[cat]
			if cc == nil {
				cc = &categoryChange{Category: cat}
				by[cat] = cc
			}
			if r.Text("date") >= start {
				cc.cur += amt
				cur += amt
			} else {
				cc.prev += amt
				prev += amt
			}
		}
		f.ByCategory = []categoryChange{}
		for _, cc := range by {
			cc.Current, cc.Previous, cc.ChangePercent = money(cc.cur), money(cc.prev), change(cc.cur, cc.prev)
			f.ByCategory = append(f.ByCategory, *cc)
		}
		slices.SortFunc(f.ByCategory, func(a, b categoryChange) int {
			return cmp.Or(cmp.Compare(b.cur, a.cur), cmp.Compare(a.Category, b.Category))
		})
		inc, err := sumAmount(ctx, in.s, c.User, "income_entries", start, today)
		if err != nil {
			return nil, err
		}
		pinc, err := sumAmount(ctx, in.s, c.User, "income_entries", pStart, pEnd)
		if err != nil {
			return nil, err
		}
		f.Spending, f.PreviousSpending, f.ChangePercent = money(cur), money(prev), change(cur, prev)
		f.Income, f.PreviousIncome, f.Net = money(inc), money(pinc), money(inc-cur)
		s := fmt.Sprintf("Spent %s %s from %s to %s", f.Spending, c.Currency, start, today)
		if f.ChangePercent != nil {
			s += fmt.Sprintf(", %+.2f %% against %s the %d days before", *f.ChangePercent, f.PreviousSpending, n)
		} else {
			s += fmt.Sprintf(" (nothing spent the %d days before)", n)
		}
		*sum = append(*sum, s+".")
		*sum = append(*sum, fmt.Sprintf("Income %s, net %s %s.", f.Income, f.Net, c.Currency))
		if len(f.ByCategory) > 0 && f.ByCategory[0].cur > 0 {
			*sum = append(*sum, fmt.Sprintf("Largest category: %s at %s.", f.ByCategory[0].Category, f.ByCategory[0].Current))
		}
	}
	if want("travel") {
		trips, err := in.trips(ctx, c, start, today)
		if err != nil {
			return nil, err
		}
		out.Travel = &struct {
			Trips    []tripSpan `json:"trips"`
			TripDays int        `json:"trip_days"`
		}{trips, len(tripDays(trips, start, today))}
		*sum = append(*sum, fmt.Sprintf("%d trips, %d days on the road of %d.", len(trips), out.Travel.TripDays, n))
	}
	if want("vehicle") {
		maint, err := collect(ctx, in.s, c.User, "maintenance_records", schema.Query{Order: []schema.Order{{Column: "date"}}})
		if err != nil {
			return nil, err
		}
		v := &struct {
			Done    []map[string]any `json:"maintenance_done"`
			Cost    string           `json:"maintenance_cost"`
			Due     []map[string]any `json:"maintenance_due"`
			Overdue int              `json:"overdue_count"`
		}{Done: []map[string]any{}, Due: []map[string]any{}}
		var cost int64
		for _, r := range maint {
			if d := r.Text("date"); d >= start && d <= today {
				v.Done = append(v.Done, map[string]any{"id": r.Text("id"), "task": r.Text("task"), "date": d,
					"cost": money(r.Cents("cost")), "mileage": mileageOf(r["mileage"], c.Units)})
				cost += r.Cents("cost")
			}
		}
		horizon := addDays(today, n)
		for _, r := range latestPerTask(maint, today) {
			d := r.Text("next_due_date")
			if d == "" || d > horizon {
				continue
			}
			st := "due"
			if d < today {
				st = "overdue"
				v.Overdue++
			}
			v.Due = append(v.Due, map[string]any{"record_id": r.Text("id"), "task": r.Text("task"), "next_due_date": d, "status": st})
		}
		v.Cost = money(cost)
		out.Vehicle = v
		*sum = append(*sum, fmt.Sprintf("%d services done (%s %s); %d due by %s, %d overdue.", len(v.Done), v.Cost, c.Currency, len(v.Due), horizon, v.Overdue))
	}
	if want("travel") || want("vehicle") {
		fuel, err := collect(ctx, in.s, c.User, "fuel_log", schema.Query{Conditions: []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, today)}})
		if err != nil {
			return nil, err
		}
		var litres float64
		for _, r := range fuel {
			l, _ := r.Number("volume")
			litres += l
		}
		// Fuel is counted once, as expenses (FuelCategories): the cost is
		// the period's fuel expenses, the fills give count and volume.
		spent, err := expensesIn(ctx, in.s, c.User, start, today)
		if err != nil {
			return nil, err
		}
		var fc int64
		for _, r := range spent {
			if IsFuelCategory(r.Text("category")) {
				fc += r.Cents("amount")
			}
		}
		out.Fuel = &struct {
			FillUps int      `json:"fill_ups"`
			Volume  Quantity `json:"volume"`
			Cost    string   `json:"cost"`
		}{len(fuel), volume(litres, c.Units), money(fc)}
		*sum = append(*sum, fmt.Sprintf("Fuel: %d fill-ups, %g %s, %s %s.", len(fuel), out.Fuel.Volume.Value, out.Fuel.Volume.Unit, out.Fuel.Cost, c.Currency))
	}
	return out, nil
}

// latestPerTask keeps the latest done record of each task and vehicle.
func latestPerTask(rows []schema.Row, today string) []schema.Row {
	latest := map[string]schema.Row{}
	var keys []string
	for _, r := range rows {
		if r.Text("date") > today {
			continue
		}
		k := strings.ToLower(r.Text("task")) + "|" + r.Text("vehicle_id")
		l, ok := latest[k]
		if !ok {
			keys = append(keys, k)
		}
		if !ok || r.Text("date") >= l.Text("date") {
			latest[k] = r
		}
	}
	slices.Sort(keys)
	out := make([]schema.Row, 0, len(keys))
	for _, k := range keys {
		out = append(out, latest[k])
	}
	return out
}

// change is (cur − prev) / prev × 100, nil when prev is 0.
func change(cur, prev int64) *float64 {
	if prev == 0 {
		return nil
	}
	p := round(float64(cur-prev)*100/float64(prev), 2)
	return &p
}

func mileageOf(v any, units string) Quantity {
	km, _ := schema.AsNumber(v)
	return odometer(km, units)
}
