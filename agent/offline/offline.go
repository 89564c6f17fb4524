// Package offline is the assistant's last resort and first gate: with no
// network and no local model it still answers the common questions and
// takes the common entries of life on the road, by matching the message to
// an intent (llm/intent) and running the tool that answers it. It is an
// llm.Provider, so the router falls back to it like to any model.
package offline

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/llm"
	"github.com/pam-rv/pamd/llm/intent"
	"github.com/pam-rv/pamd/schema"
)

// Tools is what the answerer needs of the tool registry: the typed
// functions its tools wrap (tools.Registry's typed calls), so a renamed or
// reshaped tool breaks this package at compile time.
type Tools interface {
	ReadRecords(ctx context.Context, c tools.Call, a tools.ReadArgs) (*tools.TableRows, error)
	FetchSummary(ctx context.Context, c tools.Call, a tools.SummaryArgs) (*tools.Summary, error)
	SuggestBudgetAdjustment(ctx context.Context, c tools.Call, a tools.BudgetAdjustArgs) (*tools.BudgetAdjustment, error)
	LogExpense(ctx context.Context, c tools.Call, a tools.ExpenseArgs) (*tools.ExpenseLogged, error)
	LogFuel(ctx context.Context, c tools.Call, a tools.FuelArgs) (*tools.FuelLogged, error)
	MaintenanceSchedule(ctx context.Context, c tools.Call, a tools.ScheduleArgs) (*tools.Schedule, error)
	PlanTrip(ctx context.Context, c tools.Call, a tools.TripArgs) (*tools.TripPlan, error)
	User360(ctx context.Context, c tools.Call) (*tools.View360, error)
	PredictMaintenanceCosts(ctx context.Context, c tools.Call, a tools.PredictArgs) (*tools.MaintenanceForecast, error)
	HustleROI(ctx context.Context, c tools.Call) (*tools.HustleReport, error)
	Totals(ctx context.Context, c tools.Call, table, start, end, merchant string) ([]tools.CategoryTotal, int64, int, error)
	Spending(ctx context.Context, c tools.Call, start, end string) ([]schema.Row, error)
}

var _ Tools = (*tools.Registry)(nil)

// Provider answers without a model.
type Provider struct {
	tools   Tools
	parsers [2]sync.Pool // metric, us: parsers reused with the call's clock
	context int
}

var _ llm.Provider = (*Provider)(nil)

// New returns the offline answerer over the tool registry.
func New(t Tools) *Provider {
	p := &Provider{tools: t, context: 1 << 20}
	p.parsers[0].New = func() any { return intent.NewParser() }
	p.parsers[1].New = func() any { q := intent.NewParser(); q.Units = intent.UnitsUS; return q }
	return p
}

func (p *Provider) Name() string       { return "offline" }
func (p *Provider) Model() string      { return "intent-rules" }
func (p *Provider) ContextWindow() int { return p.context }

// Understands reports whether the answerer can answer msg with confidence,
// so the agent can skip a local model for it.
func (p *Provider) Understands(msg, units string) bool {
	return !p.parse(msg, units, time.Now()).NeedsModel()
}

// parse reads msg with the parser of units on the clock now.
func (p *Provider) parse(msg, units string, now time.Time) intent.Intent {
	pool := &p.parsers[0]
	if units == tools.UnitsUS {
		pool = &p.parsers[1]
	}
	ps := pool.Get().(*intent.Parser)
	defer pool.Put(ps)
	ps.Now = func() time.Time { return now }
	return ps.Parse(msg)
}

// Chat answers the last user message of req.
func (p *Provider) Chat(ctx context.Context, req llm.Request, onEvent func(llm.Event)) (*llm.Response, error) {
	call, ok := tools.CallFrom(ctx) // who asks: tools run for that user only
	if !ok {
		return nil, fmt.Errorf("offline: %w: no caller in context", llm.ErrUnavailable)
	}
	var msg string
	for i := len(req.Messages) - 1; i >= 0; i-- {
		if req.Messages[i].Role == llm.RoleUser {
			msg = req.Messages[i].Content
			break
		}
	}
	text := p.answer(ctx, call, msg)
	if onEvent != nil {
		onEvent(llm.Event{Token: text})
	}
	return &llm.Response{Message: llm.Message{Role: llm.RoleAssistant, Content: text}, Provider: p.Name(), Model: p.Model(), FinishReason: "stop"}, nil
}

// Fallback is the answer to a message the answerer did not understand.
const Fallback = "I'm offline and no local model is available, so I can only handle the common things right now: " +
	"spending, income and budgets, fuel economy and fuel cost of a trip, maintenance due, upcoming trips, campsites nearby, " +
	"and expense and fuel entries. Try \"how much did I spend this month\", \"spent $45 on groceries at Walmart\" or " +
	"\"filled up 62 litres for $118 at 48,210 km\"."

// answerer is one answer in progress: the caller with its preferences.
type answerer struct {
	p    *Provider
	ctx  context.Context
	call tools.Call
	prof schema.Row // the caller's profile, nil when none
	msg  string     // the message, lower case: what was asked, beyond the intent
	// asked are the units the message names (intent.Slots.EconomyUnit,
	// VolumeUnit, DistanceUnit): they win over the profile's.
	asked intent.Slots
}

// usIn says whether a quantity is answered in US units: the unit the
// message names for it ("gal"/"L", "mi"/"km", "mpg"/"l/100km"); else the
// system the message's other named units imply (asking for mpg implies
// gallons and miles); else the profile's units.
func (a *answerer) usIn(named string) bool {
	switch named {
	case "gal", "mi", "mpg":
		return true
	case "L", "km", "l/100km":
		return false
	}
	for _, u := range []string{a.asked.EconomyUnit, a.asked.VolumeUnit, a.asked.DistanceUnit} {
		switch u {
		case "gal", "mi", "mpg":
			return true
		case "L", "km", "l/100km":
			return false
		}
	}
	return a.us()
}

// answer maps the message to tools and renders their figures.
func (p *Provider) answer(ctx context.Context, call tools.Call, msg string) string {
	if call.Now.IsZero() {
		call.Now = time.Now()
	}
	a := &answerer{p: p, ctx: ctx, call: call, msg: strings.ToLower(msg)}
	if strings.TrimSpace(msg) == "" {
		return Fallback
	}
	// Units decide how the message is read, so a call without them
	// reads the profile first (one local read).
	if call.Units == "" || call.Currency == "" {
		a.profile()
	}
	if a.asksHealth() {
		text, err := a.healthScore()
		if err != nil {
			return "I couldn't do that offline: " + err.Error()
		}
		return text
	}
	in := p.parse(msg, a.call.Units, a.call.Now)
	if in.NeedsModel() {
		return Fallback
	}
	text, err := a.intent(in)
	if err != nil {
		return "I couldn't do that offline: " + err.Error()
	}
	return text
}

// profile reads the caller's profile and fills the call's units and currency.
func (a *answerer) profile() schema.Row {
	if a.prof == nil {
		if rows, err := a.read("profiles", map[string]any{"id": a.call.User}, nil, 1, 0); err == nil && len(rows.Rows) > 0 {
			a.prof = rows.Rows[0]
		} else {
			a.prof = schema.Row{}
		}
	}
	if a.call.Units == "" {
		a.call.Units = a.prof.Text("units")
	}
	if a.call.Units != tools.UnitsUS {
		a.call.Units = tools.UnitsMetric
	}
	if a.call.Currency == "" {
		a.call.Currency = a.prof.Text("currency")
	}
	if a.call.Currency == "" {
		a.call.Currency = tools.DefaultCurrency
	}
	return a.prof
}

// read reads one page of table's rows matching filters, in the filter
// language of pam_read_records (tools.ReadArgs).
func (a *answerer) read(table string, filters map[string]any, order []string, limit, offset int) (*tools.TableRows, error) {
	args := tools.ReadArgs{Table: tools.TableName(table), Order: order, Limit: limit, Offset: offset}
	if len(filters) > 0 {
		raw, err := json.Marshal(filters)
		if err != nil {
			return nil, err
		}
		args.Filters = raw
	}
	return a.p.tools.ReadRecords(a.ctx, a.call, args)
}

func (a *answerer) us() bool { return a.call.Units == tools.UnitsUS }

func (a *answerer) today() string { return a.call.Now.Format(schema.DateLayout) }

// intent answers a parsed intent.
func (a *answerer) intent(in intent.Intent) (string, error) {
	a.asked = intent.Slots{EconomyUnit: in.Slots.EconomyUnit, VolumeUnit: in.Slots.VolumeUnit, DistanceUnit: in.Slots.DistanceUnit}
	switch in.Name {
	case intent.SpendingTotal:
		if a.asksBiggest() {
			return a.biggestExpense(in)
		}
		if a.asked.VolumeUnit != "" && strings.Contains(a.msg, "how many") {
			return a.fuelVolume(in)
		}
		return a.totals(in, "expenses")
	case intent.IncomeTotal:
		return a.totals(in, "income_entries")
	case intent.BudgetLeft:
		return a.budgetLeft(in)
	case intent.FuelEconomy:
		return a.fuelEconomy(in)
	case intent.TripFuelCost:
		return a.tripFuelCost(in)
	case intent.NextMaintenance:
		return a.nextMaintenance(in)
	case intent.UpcomingTrips:
		return a.upcomingTrips(in)
	case intent.CampsitesNear:
		return a.campsitesNear(in)
	case intent.LogExpense:
		return a.logExpense(in)
	case intent.LogFuel:
		return a.logFuel(in)
	case intent.BestHustle:
		return a.bestHustle()
	case intent.MaintenanceForecast:
		return a.maintenanceForecast(in)
	}
	return fmt.Sprintf("I understood that (%s), but I can't answer it offline yet.", strings.ReplaceAll(string(in.Name), "_", " ")), nil
}

// bestHustle answers from the hustle ROI computation.
func (a *answerer) bestHustle() (string, error) {
	rep, err := a.p.tools.HustleROI(a.ctx, a.call)
	if err != nil {
		return "", err
	}
	if rep.Best == nil {
		return "You have no side hustle with income or attempts recorded yet.", nil
	}
	for _, h := range rep.Hustles {
		if h.Title != *rep.Best {
			continue
		}
		msg := fmt.Sprintf("Your best-paying side hustle is %s: %s profit (%s income, %s expenses)",
			h.Title, a.money(h.Profit), a.money(h.Income), a.money(h.Expenses))
		if h.ROI != nil {
			msg += fmt.Sprintf(", ROI %.0f%%", *h.ROI)
		} else {
			msg += ", no expenses so ROI is undefined: pure profit"
		}
		switch {
		case h.HourlyRate != nil && h.HourlyIncome != nil:
			msg += fmt.Sprintf(", about %s an hour after costs (%s before) over %g recorded hours",
				a.money(*h.HourlyRate), a.money(*h.HourlyIncome), h.Hours)
		default:
			msg += "; no hours recorded, so no hourly rate"
		}
		return msg + ".", nil
	}
	return fmt.Sprintf("Your best-paying side hustle is %s.", *rep.Best), nil
}

// maintenanceForecast answers from the maintenance cost forecast.
func (a *answerer) maintenanceForecast(in intent.Intent) (string, error) {
	months := in.Slots.Months
	if months <= 0 {
		months = 6
	}
	f, err := a.p.tools.PredictMaintenanceCosts(a.ctx, a.call, tools.PredictArgs{MonthsAhead: months})
	if err != nil {
		return "", err
	}
	var parts []string
	for _, it := range f.Items {
		if it.Occurrences == 0 {
			continue
		}
		cost := a.money(it.Cost)
		if it.UnitCost == nil {
			cost = "cost unknown: none recorded"
		}
		parts = append(parts, fmt.Sprintf("%s ×%d (%s)", strings.ReplaceAll(it.Task, "_", " "), it.Occurrences, cost))
	}
	if len(parts) == 0 {
		return fmt.Sprintf("Nothing is expected to come due in the next %d months from your service history.", months), nil
	}
	return fmt.Sprintf("Over the next %d months (to %s) expect about %s in maintenance, %s a month: %s.",
		months, f.Horizon.End, a.money(f.Total), a.money(f.MonthlyAverage), strings.Join(parts, ", ")), nil
}

// ---------------------------------------------------------------- money and figures

// money renders a decimal string in the caller's currency: "$1,234.56".
func (a *answerer) money(dec string) string {
	c, err := schema.ParseDecimal(dec, 2)
	if err != nil {
		return dec + " " + a.call.Currency
	}
	return formatMoney(c, a.call.Currency)
}

func formatMoney(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	s := group(cents/100) + fmt.Sprintf(".%02d", cents%100)
	switch currency {
	case "USD", "AUD", "CAD", "NZD", "":
		return sign + "$" + s
	case "EUR":
		return sign + "€" + s
	case "GBP":
		return sign + "£" + s
	}
	return sign + currency + " " + s
}

// group writes n with thousands separators.
func group(n int64) string {
	s := fmt.Sprint(n)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	return s
}

// figure renders x with up to digits decimals (trailing zeros dropped) and
// thousands separators.
func figure(x float64, digits int) string {
	neg := x < 0
	x = math.Abs(x)
	p := math.Pow10(digits)
	x = math.Round(x*p) / p
	whole := math.Floor(x)
	s := group(int64(whole))
	if frac := strings.TrimRight(strings.TrimPrefix(fmt.Sprintf("%.*f", digits, x-whole), "0"), "0"); frac != "." && frac != "" {
		s += frac
	}
	if neg {
		s = "-" + s
	}
	return s
}

func quantity(q tools.Quantity) string {
	return figure(q.Value, 2) + " " + q.Unit
}

const (
	litresPerGallon = 3.785411784
	kmPerMile       = 1.609344
)

func (a *answerer) distance(km float64) string {
	if a.usIn(a.asked.DistanceUnit) {
		return figure(km/kmPerMile, 0) + " mi"
	}
	return figure(km, 0) + " km"
}

func (a *answerer) volume(l float64) string {
	if a.usIn(a.asked.VolumeUnit) {
		return figure(l/litresPerGallon, 1) + " gal"
	}
	return figure(l, 1) + " L"
}

func (a *answerer) economy(l100 float64) string {
	if a.usIn(a.asked.EconomyUnit) {
		return figure(100*litresPerGallon/kmPerMile/l100, 1) + " mpg"
	}
	return figure(l100, 1) + " L/100km"
}

// ---------------------------------------------------------------- periods

// period is the intent's period, this month when none was said.
func (a *answerer) period(in intent.Intent) intent.Period {
	if in.Slots.Period != nil {
		return *in.Slots.Period
	}
	n := a.call.Now
	from := time.Date(n.Year(), n.Month(), 1, 0, 0, 0, 0, n.Location())
	return intent.Period{From: from, To: from.AddDate(0, 1, 0), Label: "this month"}
}

// month returns YYYY-MM when the period is exactly one calendar month.
func month(p intent.Period) (string, bool) {
	f := p.From
	if f.Day() != 1 || f.Hour() != 0 || f.Minute() != 0 || f.Second() != 0 || !p.To.Equal(f.AddDate(0, 1, 0)) {
		return "", false
	}
	return f.Format("2006-01"), true
}

// days are the first and last day of the period, both included, the last
// capped at today.
func (a *answerer) days(p intent.Period) (string, string) {
	last := p.To.Add(-time.Nanosecond)
	if now := a.call.Now; last.After(now) && !p.From.After(now) {
		last = now
	}
	return p.From.Format(schema.DateLayout), last.Format(schema.DateLayout)
}

// span says a period in words: "this month (1–15 Mar)".
func (a *answerer) span(p intent.Period) string {
	from, to := a.days(p)
	f, _ := time.Parse(schema.DateLayout, from)
	t, _ := time.Parse(schema.DateLayout, to)
	var s string
	switch {
	case from == to:
		s = f.Format("2 Jan 2006")
	case f.Year() == t.Year() && f.Month() == t.Month():
		s = fmt.Sprintf("%d–%s", f.Day(), t.Format("2 Jan 2006"))
	case f.Year() == t.Year():
		s = f.Format("2 Jan") + " – " + t.Format("2 Jan 2006")
	default:
		s = f.Format("2 Jan 2006") + " – " + t.Format("2 Jan 2006")
	}
	if p.Label == "" {
		return s
	}
	return p.Label + " (" + s + ")"
}

// ---------------------------------------------------------------- health score

// asksHealth says the message asks for the health score, which no intent
// names: "financial health", "health score", "how healthy are my finances".
func (a *answerer) asksHealth() bool {
	m := a.msg
	return strings.Contains(m, "health score") || strings.Contains(m, "financial health") ||
		(strings.Contains(m, "healthy") && (strings.Contains(m, "financ") || strings.Contains(m, "money")))
}

// healthScore answers the health scores, as the tools compute them (one
// design: tools.HealthScores).
func (a *answerer) healthScore() (string, error) {
	v, err := a.p.tools.User360(a.ctx, a.call)
	if err != nil {
		return "", err
	}
	score := func(h tools.HealthScore) string {
		if h.Score == nil {
			return "not scored"
		}
		return strconv.FormatFloat(*h.Score, 'f', 1, 64) + "/100"
	}
	hs := v.Scores
	return fmt.Sprintf("Your financial health score is %s: %s. Vehicle %s, side hustles %s; overall %s.",
		score(hs.Financial), hs.Financial.Formula, score(hs.Vehicle), score(hs.Hustle), score(hs.Overall)), nil
}

// ---------------------------------------------------------------- spending and income

// biggestWords ask for the one largest row, not a total.
var biggestWords = []string{"biggest", "largest", "most expensive", "highest", "priciest", "costliest", "largest single", "top expense", "single biggest"}

// asksBiggest says the message asks for the single largest expense.
func (a *answerer) asksBiggest() bool {
	for _, w := range biggestWords {
		if containsWord(a.msg, w) {
			return true
		}
	}
	return false
}

// containsWord says s holds w between word boundaries.
func containsWord(s, w string) bool {
	for i := 0; ; {
		j := strings.Index(s[i:], w)
		if j < 0 {
			return false
		}
		j += i
		before := j == 0 || !isWordByte(s[j-1])
		after := j+len(w) == len(s) || !isWordByte(s[j+len(w)])
		if before && after {
			return true
		}
		i = j + 1
	}
}

func isWordByte(b byte) bool { return b >= 'a' && b <= 'z' || b >= '0' && b <= '9' || b == '\'' }

// biggestExpense answers the single largest expense of the period (and
// category, when named): its amount, what and when. Fuel is counted once
// (tools.Registry.Spending): a fill-up no expense stands for is a candidate.
func (a *answerer) biggestExpense(in intent.Intent) (string, error) {
	p := a.period(in)
	from, to := a.days(p)
	rows, err := a.p.tools.Spending(a.ctx, a.call, from, to)
	if err != nil {
		return "", err
	}
	cat := strings.ToLower(in.Slots.Category)
	var best schema.Row
	for _, r := range rows {
		if cat != "" && strings.ToLower(r.Text("category")) != cat {
			continue
		}
		if best == nil || r.Cents("amount") > best.Cents("amount") {
			best = r // ties: the earliest (rows are by date, then id)
		}
	}
	on := ""
	if cat != "" {
		on = " on " + strings.ReplaceAll(cat, "_", " ")
	}
	if best == nil {
		return fmt.Sprintf("You have no expenses%s recorded %s.", on, a.span(p)), nil
	}
	what := strings.ReplaceAll(cmp.Or(best.Text("category"), "uncategorised"), "_", " ")
	if d := strings.TrimSpace(best.Text("description")); d != "" {
		what += ": " + d
	}
	return fmt.Sprintf("Your biggest expense%s %s was %s (%s) %s.", on, a.span(p), a.money(best.Text("amount")), what, a.when(best.Text("date"))), nil
}

type total struct {
	name  string
	cents int64
	count int
}

// totals answers SpendingTotal (table expenses) and IncomeTotal (income_entries).
func (a *answerer) totals(in intent.Intent, table string) (string, error) {
	p := a.period(in)
	filter := in.Slots.Category
	if table == "income_entries" {
		filter = strings.ToLower(in.Slots.Source)
		if filter == "hustle" {
			filter = ""
		}
	}
	var all int64
	var count int
	var by []total
	if m, ok := month(p); ok && in.Slots.Merchant == "" {
		sum, err := a.p.tools.FetchSummary(a.ctx, a.call, tools.SummaryArgs{Month: m})
		if err != nil {
			return "", err
		}
		list, tot, n := sum.Expenses.ByCategory, sum.Expenses.Total, sum.Expenses.Count
		if table == "income_entries" {
			list, tot, n = sum.Income.BySource, sum.Income.Total, sum.Income.Count
		}
		all, count = schema.AsCents(tot), n
		for _, ct := range list {
			by = append(by, total{ct.Name, schema.AsCents(ct.Total), ct.Count})
		}
	} else {
		var err error
		if by, all, count, err = a.sum(table, p, in.Slots.Merchant); err != nil {
			return "", err
		}
	}
	span := a.span(p)
	if filter != "" {
		var t total
		for _, x := range by {
			if strings.EqualFold(x.name, filter) {
				t = x
			}
		}
		if table == "income_entries" {
			return fmt.Sprintf("You've earned %s from %s %s (%s).", formatMoney(t.cents, a.call.Currency), filter, span, entries(t.count, "entry", "entries")), nil
		}
		return fmt.Sprintf("You've spent %s on %s %s (%s).", formatMoney(t.cents, a.call.Currency), strings.ReplaceAll(filter, "_", " "), span, entries(t.count, "expense", "expenses")), nil
	}
	verb, at := "spent", ""
	if table == "income_entries" {
		verb = "earned"
	}
	if in.Slots.Merchant != "" {
		at = " at " + in.Slots.Merchant
	}
	s := fmt.Sprintf("You've %s %s%s %s", verb, formatMoney(all, a.call.Currency), at, span)
	if count == 0 {
		return s + ": nothing recorded.", nil
	}
	var parts []string
	for i, x := range by {
		if i == 5 {
			parts = append(parts, fmt.Sprintf("%d more", len(by)-5))
			break
		}
		parts = append(parts, strings.ReplaceAll(cmp.Or(x.name, "other"), "_", " ")+" "+formatMoney(x.cents, a.call.Currency))
	}
	if in.Slots.Merchant != "" {
		return s + " (" + entries(count, "expense", "expenses") + ").", nil
	}
	return s + ": " + strings.Join(parts, ", ") + ".", nil
}

func entries(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

// sum adds up table's amounts over a period that is not one calendar
// month, by key, largest first (tools.Registry.Totals: fetch_summary's
// group-and-sum).
func (a *answerer) sum(table string, p intent.Period, merchant string) ([]total, int64, int, error) {
	from, to := a.days(p)
	list, all, n, err := a.p.tools.Totals(a.ctx, a.call, table, from, to, merchant)
	if err != nil {
		return nil, 0, 0, err
	}
	out := make([]total, len(list))
	for i, ct := range list {
		out[i] = total{ct.Name, ct.Cents(), ct.Count}
	}
	return out, all, n, nil
}

// readAll reads every row of table matching filters, by date then id,
// page by page.
func (a *answerer) readAll(table string, filters map[string]any) ([]schema.Row, error) {
	var out []schema.Row
	for off := 0; ; {
		rows, err := a.read(table, filters, []string{"date", "id"}, 1000, off)
		if err != nil {
			return nil, err
		}
		out = append(out, rows.Rows...)
		off += len(rows.Rows)
		if len(rows.Rows) == 0 || off >= rows.Count {
			return out, nil
		}
	}
}

// ---------------------------------------------------------------- budgets

func (a *answerer) budgetLeft(in intent.Intent) (string, error) {
	if c := in.Slots.Category; c != "" {
		args := tools.BudgetAdjustArgs{Category: c}
		if in.Slots.Period != nil {
			args.Date, _ = a.days(*in.Slots.Period)
		}
		adj, err := a.p.tools.SuggestBudgetAdjustment(a.ctx, a.call, args)
		if err != nil {
			if schema.ErrorCode(err) == schema.ENOTFOUND {
				return "You have no " + strings.ReplaceAll(c, "_", " ") + " budget (" + errMessage(err) + ").", nil
			}
			return "", err
		}
		return a.budgetLine(adj.Budget) + ".", nil
	}
	p := a.period(in)
	m, ok := month(p)
	if !ok {
		m = p.From.Format("2006-01")
	}
	sum, err := a.p.tools.FetchSummary(a.ctx, a.call, tools.SummaryArgs{Month: m})
	if err != nil {
		return "", err
	}
	if len(sum.Budgets) == 0 {
		return "You have no budgets for " + p.From.Format("January 2006") + ".", nil
	}
	var lines []string
	var left, budgeted int64
	for _, b := range sum.Budgets {
		lines = append(lines, a.budgetLine(b))
		left += schema.AsCents(b.Remaining)
		budgeted += schema.AsCents(b.Budgeted)
	}
	head := fmt.Sprintf("You have %s left of %s budgeted", formatMoney(left, a.call.Currency), formatMoney(budgeted, a.call.Currency))
	return head + ": " + strings.Join(lines, "; ") + ".", nil
}

func errMessage(err error) string {
	var se *schema.Error
	if errors.As(err, &se) {
		return se.Message
	}
	return err.Error()
}

// budgetLine says one budget: "groceries: $87.90 left of $500.00 (spent
// $412.10, 82.42 %, 1–31 Mar 2026)".
func (a *answerer) budgetLine(b tools.BudgetStatus) string {
	name := strings.ReplaceAll(b.Category, "_", " ")
	rem := schema.AsCents(b.Remaining)
	state := a.money(b.Remaining) + " left of " + a.money(b.Budgeted)
	if rem < 0 {
		state = formatMoney(-rem, a.call.Currency) + " over your " + a.money(b.Budgeted) + " budget"
	}
	pct := ""
	if b.PercentUsed != nil {
		pct = ", " + figure(*b.PercentUsed, 1) + " %"
	}
	p := intent.Period{}
	p.From, _ = time.Parse(schema.DateLayout, b.Period.Start)
	end, _ := time.Parse(schema.DateLayout, b.Period.End)
	p.To = end.AddDate(0, 0, 1)
	saved := a.call.Now
	a.call.Now = time.Date(9999, 1, 1, 0, 0, 0, 0, time.UTC) // whole period, not capped at today
	span := a.span(p)
	a.call.Now = saved
	return fmt.Sprintf("%s: %s (spent %s%s, %s)", name, state, a.money(b.Spent), pct, span)
}

// ---------------------------------------------------------------- fuel

// fuelRows reads the caller's fills, latest first.
func (a *answerer) fuelRows(filters map[string]any, limit int) ([]schema.Row, error) {
	rows, err := a.read("fuel_log", filters, []string{"-date", "-odometer"}, limit, 0)
	if err != nil {
		return nil, err
	}
	return rows.Rows, nil
}

// vehicle is the vehicle_id meant by kind ("rv", "car", "truck" or ""):
// tools.VehicleNamed over the fills of the primary vehicle's window
// (tools.PrimaryFrom), or over the latest fills when none is that recent.
func (a *answerer) vehicle(kind string) (string, error) {
	rows, err := a.fuelRows(map[string]any{"date": map[string]any{"op": "gte", "value": tools.PrimaryFrom(a.today())}}, 1000)
	if err == nil && len(rows) == 0 {
		rows, err = a.fuelRows(nil, 1000)
	}
	return tools.VehicleNamed(rows, kind), err
}

// ofVehicle is the filter on fuel_log for one vehicle ("" for fills with
// none recorded).
func ofVehicle(id string) any {
	if id == "" {
		return nil
	}
	return id
}

func full(r schema.Row) bool {
	f, ok := r["filled_to_top"].(bool)
	return !ok || f
}

// fuelEconomy computes full-to-full consumption over the period (the last
// 6 months when none was said) for one vehicle: the one named ("the car"),
// else the primary one (tools.VehicleNamed over the whole log), never a
// mix of vehicles.
func (a *answerer) fuelEconomy(in intent.Intent) (string, error) {
	p := intent.Period{From: a.call.Now.AddDate(0, -6, 0), To: a.call.Now.AddDate(0, 0, 1), Label: "the last 6 months"}
	if in.Slots.Period != nil {
		p = *in.Slots.Period
	}
	from, to := a.days(p)
	veh, err := a.vehicle(in.Slots.Vehicle)
	if err != nil {
		return "", err
	}
	rows, err := a.fuelRows(map[string]any{"vehicle_id": ofVehicle(veh), "date": []any{
		map[string]any{"op": "gte", "value": from}, map[string]any{"op": "lte", "value": to}}}, 1000)
	if err != nil {
		return "", err
	}
	byVehicle := map[string][]schema.Row{veh: rows}
	var bestKm, bestL float64
	bestFills := 0
	for _, fills := range byVehicle {
		slices.SortFunc(fills, func(x, y schema.Row) int {
			ox, _ := x.Number("odometer")
			oy, _ := y.Number("odometer")
			return cmp.Or(cmp.Compare(ox, oy), cmp.Compare(x.Text("date"), y.Text("date")))
		})
		first, last := -1, -1
		for i, r := range fills {
			if full(r) {
				if first < 0 {
					first = i
				}
				last = i
			}
		}
		if first < 0 || last <= first {
			continue
		}
		o0, _ := fills[first].Number("odometer")
		o1, _ := fills[last].Number("odometer")
		litres := 0.0
		for _, r := range fills[first+1 : last+1] {
			v, _ := r.Number("volume")
			litres += v
		}
		if km := o1 - o0; km > bestKm {
			bestKm, bestL, bestFills = km, litres, last-first
		}
	}
	if bestKm <= 0 {
		return fmt.Sprintf("I can't work out your fuel economy for %s: it needs two full fills with odometer readings.", a.span(p)), nil
	}
	l100 := bestL / bestKm * 100
	return fmt.Sprintf("Your fuel economy %s: %s (%s over %s, %s, full tank to full tank).",
		a.span(p), a.economy(l100), a.volume(bestL), a.distance(bestKm), entries(bestFills, "fill", "fills")), nil
}

// fuelVolume answers how much fuel was bought in the period ("how many
// gallons did I buy this month"), in the unit asked.
func (a *answerer) fuelVolume(in intent.Intent) (string, error) {
	p := a.period(in)
	from, to := a.days(p)
	fills, err := a.readAll("fuel_log", map[string]any{"date": []any{
		map[string]any{"op": "gte", "value": from}, map[string]any{"op": "lte", "value": to}}})
	if err != nil {
		return "", err
	}
	litres := 0.0
	for _, r := range fills {
		v, _ := r.Number("volume")
		litres += v
	}
	return fmt.Sprintf("You bought %s of fuel %s (%s).", a.volume(litres), a.span(p), entries(len(fills), "fill-up", "fill-ups")), nil
}

// consumption is the mean of the latest 3 full fills' recorded consumption
// (L/100km) of the vehicle named, else the primary one, as plan_trip
// estimates it, and that
// vehicle's latest price per litre in thousandths.
func (a *answerer) consumption(vehicle string) (l100 float64, n int, priceMills int64, priceDay string, err error) {
	veh, err := a.vehicle(vehicle)
	if err != nil {
		return 0, 0, 0, "", err
	}
	fills, err := a.fuelRows(map[string]any{"vehicle_id": ofVehicle(veh)}, 50)
	if err != nil {
		return 0, 0, 0, "", err
	}
	l100, used := tools.RecentConsumption(fills)
	if n = len(used); n == 0 {
		l100 = tools.DefaultConsumptionL100
	}
	priced := tools.LatestPrice(fills)
	if priced == nil {
		return l100, n, 0, "", nil
	}
	priceMills, _ = schema.ParseDecimal(priced["price"], 3)
	return l100, n, priceMills, priced.Text("date"), nil
}

func (a *answerer) unitPrice(mills int64) string {
	per := float64(mills)
	unit := "L"
	if a.usIn(a.asked.VolumeUnit) {
		per, unit = per*litresPerGallon, "gal"
	}
	return formatMoney(int64(math.Round(per/10)), a.call.Currency) + "/" + unit
}

func (a *answerer) tripFuelCost(in intent.Intent) (string, error) {
	s := in.Slots
	if s.DistanceKM > 0 {
		l100, n, mills, day, err := a.consumption(s.Vehicle)
		if err != nil {
			return "", err
		}
		litres := s.DistanceKM * l100 / 100
		basis := "the default " + a.economy(l100)
		if n > 0 {
			basis = a.economy(l100) + " (your latest " + entries(n, "full fill", "full fills") + ")"
		}
		head := fmt.Sprintf("%s at %s takes about %s", a.distance(s.DistanceKM), basis, a.volume(litres))
		if mills == 0 {
			return head + "; I have no fuel price on record to cost it.", nil
		}
		cost := int64(math.Round(litres * float64(mills) / 10))
		return fmt.Sprintf("%s: about %s at your latest price %s (%s).", head, formatMoney(cost, a.call.Currency), a.unitPrice(mills), day), nil
	}
	dest, origin := s.Destination, s.Origin
	if dest == "" {
		dest = s.Place
	}
	if dest == "" {
		trips, _, err := a.trips(nil, 1)
		if err != nil {
			return "", err
		}
		if len(trips) == 0 || trips[0].Text("location_name") == "" {
			return "Tell me the distance or where you're going (e.g. \"fuel cost for 300 km\"): I have no upcoming trip with a destination.", nil
		}
		dest = trips[0].Text("location_name")
	}
	args := tools.TripArgs{End: tools.Place{Name: dest}}
	if origin != "" {
		args.Start = tools.Place{Name: origin}
	} else {
		lat, ok1 := a.profile().Number("current_latitude")
		lon, ok2 := a.prof.Number("current_longitude")
		if !ok1 || !ok2 {
			return "I don't know where you are: give a start, e.g. \"fuel cost from Quartzsite to " + dest + "\".", nil
		}
		args.Start = tools.Place{Latitude: &lat, Longitude: &lon}
	}
	if s.Vehicle != "" { // the vehicle named: its economy and price
		id, err := a.vehicle(s.Vehicle)
		if err != nil {
			return "", err
		}
		args.VehicleID = tools.UUID(id)
	}
	plan, err := a.p.tools.PlanTrip(a.ctx, a.call, args)
	if err != nil {
		return "", errors.New(errMessage(err))
	}
	from := cmp.Or(origin, "here")
	head := fmt.Sprintf("From %s to %s is about %s by road (estimated offline); at %s that's %s of fuel",
		from, dest, quantity(plan.Distance), quantity(plan.Fuel.Consumption), quantity(plan.Fuel.Volume))
	if plan.Fuel.Cost == nil {
		return head + "; I have no fuel price on record to cost it.", nil
	}
	return fmt.Sprintf("%s, about %s at your latest price (%s).", head, a.money(*plan.Fuel.Cost), plan.Fuel.PriceDate), nil
}

// ---------------------------------------------------------------- maintenance

func (a *answerer) nextMaintenance(in intent.Intent) (string, error) {
	sch, err := a.p.tools.MaintenanceSchedule(a.ctx, a.call, tools.ScheduleArgs{UpcomingDays: 365})
	if err != nil {
		return "", err
	}
	var item *tools.ScheduleItem
	for i := range sch.Items {
		it := &sch.Items[i]
		if it.NextDueDate == "" || (in.Slots.Service != "" && it.Task != in.Slots.Service) {
			continue
		}
		item = it
		break
	}
	what := "maintenance"
	if in.Slots.Service != "" {
		what = strings.ReplaceAll(in.Slots.Service, "_", " ")
	}
	if item == nil {
		return "I have no " + what + " on record, so nothing is due yet: log services and I'll track them.", nil
	}
	task := strings.ReplaceAll(item.Task, "_", " ")
	days := 0
	if item.DaysUntilDue != nil {
		days = *item.DaysUntilDue
	}
	km := ""
	if item.NextDueMileage != nil {
		km = " or at " + quantity(*item.NextDueMileage)
	}
	var s string
	if item.Status == "overdue" {
		s = fmt.Sprintf("Overdue: %s was due on %s", task, item.NextDueDate)
		if days < 0 {
			s += fmt.Sprintf(" (%s ago)", entries(-days, "day", "days"))
		}
		s += km
	} else {
		when := fmt.Sprintf("in %s", entries(days, "day", "days"))
		if days == 0 {
			when = "today"
		}
		s = fmt.Sprintf("Next due: %s on %s (%s)%s", task, item.NextDueDate, when, km)
	}
	if item.CurrentOdo != nil {
		s += "; odometer now " + quantity(*item.CurrentOdo)
	}
	if item.LastService != nil {
		s += fmt.Sprintf(". Last done %s at %s", item.LastService.Date, quantity(item.LastService.Mileage))
	}
	return s + ".", nil
}

// ---------------------------------------------------------------- trips

// trips reads the caller's trips starting today or later (or in p).
func (a *answerer) trips(p *intent.Period, limit int) ([]schema.Row, int, error) {
	n := a.call.Now
	from := time.Date(n.Year(), n.Month(), n.Day(), 0, 0, 0, 0, n.Location())
	conds := []any{map[string]any{"op": "gte", "value": schema.FormatTimestamp(from)}}
	if p != nil {
		if p.From.After(from) {
			conds[0] = map[string]any{"op": "gte", "value": schema.FormatTimestamp(p.From)}
		}
		conds = append(conds, map[string]any{"op": "lt", "value": schema.FormatTimestamp(p.To)})
	}
	rows, err := a.read("calendar_events", map[string]any{"event_type": "trip", "start_date": conds}, []string{"start_date", "id"}, limit, 0)
	if err != nil {
		return nil, 0, err
	}
	return rows.Rows, rows.Count, nil
}

func (a *answerer) upcomingTrips(in intent.Intent) (string, error) {
	rows, count, err := a.trips(in.Slots.Period, 5)
	if err != nil {
		return "", err
	}
	when := ""
	if in.Slots.Period != nil {
		when = " " + in.Slots.Period.Label
	}
	if count == 0 {
		return "You have no trips planned" + when + ".", nil
	}
	var parts []string
	today := a.today()
	for _, r := range rows {
		start, end := r.Text("start_date"), r.Text("end_date")
		if len(start) > 10 {
			start = start[:10]
		}
		if len(end) > 10 {
			end = end[:10]
		}
		s := r.Text("title")
		if l := r.Text("location_name"); l != "" && !strings.Contains(s, l) {
			s += " (" + l + ")"
		}
		s += " " + start
		if end != "" && end != start {
			s += " to " + end
		}
		t0, _ := time.Parse(schema.DateLayout, today)
		t1, _ := time.Parse(schema.DateLayout, start)
		if d := int(math.Round(t1.Sub(t0).Hours() / 24)); d > 0 {
			s += ", in " + entries(d, "day", "days")
		} else if d == 0 {
			s += ", today"
		}
		parts = append(parts, s)
	}
	head := fmt.Sprintf("You have %s planned%s: ", entries(count, "upcoming trip", "upcoming trips"), when)
	if count > len(rows) {
		parts = append(parts, fmt.Sprintf("and %d more", count-len(rows)))
	}
	return head + strings.Join(parts, "; ") + ".", nil
}

// ---------------------------------------------------------------- campsites

const defaultCampRadiusKm = 50

func (a *answerer) campsitesNear(in intent.Intent) (string, error) {
	s := in.Slots
	var lat, lon float64
	where := "you"
	if s.Place != "" {
		rows, err := a.read("camping_locations", map[string]any{"name": map[string]any{"op": "like", "value": s.Place + "%"}}, []string{"name"}, 1, 0)
		if err != nil {
			return "", err
		}
		if len(rows.Rows) == 0 {
			return fmt.Sprintf("I don't know where %s is offline (I only know places in the campsite directory). Ask for campsites near you instead.", s.Place), nil
		}
		lat, _ = rows.Rows[0].Number("latitude")
		lon, _ = rows.Rows[0].Number("longitude")
		where = s.Place
	} else {
		var ok1, ok2 bool
		lat, ok1 = a.profile().Number("current_latitude")
		lon, ok2 = a.prof.Number("current_longitude")
		if !ok1 || !ok2 {
			return "I don't know where you are: your profile has no current location. Ask for campsites near a named place.", nil
		}
	}
	radius := cmp.Or(s.RadiusKM, defaultCampRadiusKm)
	dLat := radius / 111.19
	dLon := radius / (111.19 * math.Max(0.01, math.Cos(lat*math.Pi/180)))
	filters := map[string]any{
		"latitude":  []any{map[string]any{"op": "gte", "value": lat - dLat}, map[string]any{"op": "lte", "value": lat + dLat}},
		"longitude": []any{map[string]any{"op": "gte", "value": lon - dLon}, map[string]any{"op": "lte", "value": lon + dLon}},
	}
	if s.Free {
		filters["is_free"] = true
	}
	rows, err := a.read("camping_locations", filters, nil, 1000, 0)
	if err != nil {
		return "", err
	}
	type hit struct {
		row schema.Row
		km  float64
	}
	var hits []hit
	for _, r := range rows.Rows {
		clat, _ := r.Number("latitude")
		clon, _ := r.Number("longitude")
		km := schema.HaversineKm(lat, lon, clat, clon)
		if km > radius || (where != "you" && km < 0.01) {
			continue
		}
		if s.MaxPriceCents > 0 && r["price_per_night"] != nil && r.Cents("price_per_night") > s.MaxPriceCents {
			continue
		}
		hits = append(hits, hit{r, km})
	}
	slices.SortFunc(hits, func(x, y hit) int {
		return cmp.Or(cmp.Compare(x.km, y.km), cmp.Compare(x.row.Text("id"), y.row.Text("id")))
	})
	near := "near " + where
	if where == "you" {
		near = "near you"
	}
	if len(hits) == 0 {
		return fmt.Sprintf("I found no campsites within %s %s.", a.distance(radius), near), nil
	}
	var parts []string
	for _, h := range hits[:min(5, len(hits))] {
		price := "price unknown"
		switch {
		case h.row["is_free"] == true:
			price = "free"
		case h.row["price_per_night"] != nil:
			price = a.money(h.row.Text("price_per_night")) + "/night"
		}
		parts = append(parts, fmt.Sprintf("%s (%s, %s away)", h.row.Text("name"), price, a.distance(h.km)))
	}
	return fmt.Sprintf("%s within %s %s: %s.", strings.ToUpper(entries(len(hits), "campsite", "campsites")[:1])+entries(len(hits), "campsite", "campsites")[1:],
		a.distance(radius), near, strings.Join(parts, "; ")), nil
}

// ---------------------------------------------------------------- entries

func (a *answerer) when(day string) string {
	switch day {
	case a.today():
		return "today"
	case a.call.Now.AddDate(0, 0, -1).Format(schema.DateLayout):
		return "yesterday"
	}
	return "on " + day
}

func (a *answerer) logExpense(in intent.Intent) (string, error) {
	s := in.Slots
	args := tools.ExpenseArgs{Amount: tools.Money(s.AmountCents), Category: s.Category, Description: s.Merchant}
	if !s.Date.IsZero() {
		args.Date = s.Date.Format(schema.DateLayout)
	}
	out, err := a.p.tools.LogExpense(a.ctx, a.call, args)
	if err != nil {
		return "", err
	}
	cat := strings.ReplaceAll(out.Category, "_", " ")
	at := ""
	if s.Merchant != "" {
		at = " at " + s.Merchant
	}
	msg := fmt.Sprintf("Logged %s for %s%s %s.", a.money(out.Amount), cat, at, a.when(out.Date))
	if out.Budget != nil {
		msg += " Budget: " + a.budgetLine(*out.Budget) + "."
	} else {
		msg += fmt.Sprintf(" That's %s on %s in %s.", a.money(out.CategoryMonth.Spent), cat, monthName(out.Date))
	}
	return msg, nil
}

func monthName(day string) string {
	t, err := time.Parse(schema.DateLayout, day)
	if err != nil {
		return day
	}
	return t.Format("January 2006")
}

func (a *answerer) logFuel(in intent.Intent) (string, error) {
	s := in.Slots
	litres, total := s.VolumeL, s.TotalCents
	if litres == 0 && total > 0 && s.PricePerLitreCents > 0 {
		litres = math.Round(float64(total)/s.PricePerLitreCents*1000) / 1000
	}
	if total == 0 && litres > 0 && s.PricePerLitreCents > 0 {
		total = int64(math.Round(litres * s.PricePerLitreCents))
	}
	var missing []string
	if litres == 0 {
		missing = append(missing, "how much fuel")
	}
	if total == 0 {
		missing = append(missing, "what it cost")
	}
	if len(missing) == 0 && s.OdometerKM == 0 {
		return a.logFillPurchase(s, litres, total)
	}
	if s.OdometerKM == 0 {
		missing = append(missing, "the odometer reading")
	}
	if len(missing) > 0 {
		return "To log the fill I need " + strings.Join(missing, ", ") +
			" (e.g. \"filled up 62 litres for $118 at 48,210 km\").", nil
	}
	odometer := s.OdometerKM
	args := tools.FuelArgs{Litres: &litres, TotalCost: tools.Money(total), OdometerKm: &odometer, Partial: s.Partial, Location: s.Merchant}
	if !s.Date.IsZero() {
		args.Date = s.Date.Format(schema.DateLayout)
	}
	out, err := a.p.tools.LogFuel(a.ctx, a.call, args)
	if err != nil {
		return "", err
	}
	// The units the message used win over the profile's: "15 gallons" is
	// answered in gallons, stored in litres.
	vol, _ := out.Fill.Number("volume")
	odo, _ := out.Fill.Number("odometer")
	perUnit := float64(total) / vol // cents per litre
	priceUnit := "L"
	if a.usIn(a.asked.VolumeUnit) {
		perUnit, priceUnit = perUnit*litresPerGallon, "gal"
	}
	msg := fmt.Sprintf("Logged %s for %s (%s/%s) at %s %s.", a.volume(vol), a.money(out.TotalCost),
		formatMoney(int64(math.Round(perUnit)), a.call.Currency), priceUnit, a.distance(odo), a.when(out.Fill.Text("date")))
	switch {
	case out.Consumption != nil:
		l100 := l100Of(*out.Consumption)
		if c, ok := out.Fill.Number("consumption"); ok {
			l100 = c // as stored, not rounded through the profile's unit
		}
		msg += " Since the last full fill: " + a.economy(l100)
		if out.Average != nil {
			msg += fmt.Sprintf(" (average %s over %s)", a.economy(l100Of(*out.Average)), entries(out.AverageOver, "fill", "fills"))
		}
		msg += "."
	case out.Note != "":
		msg += " No consumption figure: " + out.Note + "."
	}
	return msg, nil
}

// logFillPurchase records a fill-up given without an odometer reading
// ("gas $64.80 15 gal"): the fuel log needs one (pam_log_fuel refuses a
// fill without it), so the purchase is stored as the fuel expense
// pam_log_fuel would have written, its volume converted to litres in the
// description ("Fuel fill-up, 56.78 L"). Logging the fill later with its
// odometer, the same day and amount, finds this expense and does not count
// the purchase twice (tools: fuel counted once).
func (a *answerer) logFillPurchase(s intent.Slots, litres float64, total int64) (string, error) {
	desc := fmt.Sprintf("Fuel fill-up, %.2f L", litres)
	if s.Merchant != "" {
		desc += ", " + s.Merchant
	}
	args := tools.ExpenseArgs{Amount: tools.Money(total), Category: "fuel", Description: desc}
	if !s.Date.IsZero() {
		args.Date = s.Date.Format(schema.DateLayout)
	}
	out, err := a.p.tools.LogExpense(a.ctx, a.call, args)
	if err != nil {
		return "", err
	}
	perUnit, priceUnit := float64(total)/litres, "L"
	if a.usIn(a.asked.VolumeUnit) {
		perUnit, priceUnit = perUnit*litresPerGallon, "gal"
	}
	msg := fmt.Sprintf("Logged %s of fuel for %s (%s/%s) %s as a fuel expense.", a.volume(litres), a.money(out.Amount),
		formatMoney(int64(math.Round(perUnit)), a.call.Currency), priceUnit, a.when(out.Date))
	if out.Budget != nil {
		msg += " Budget: " + a.budgetLine(*out.Budget) + "."
	}
	return msg + " Without an odometer reading it is not in the fuel log and gives no economy figure: " +
		"say the fill again with the odometer (e.g. \"at 48,210 km\") and it is added there, counted once.", nil
}

// l100Of is a consumption a tool answered (mpg or L/100km) in L/100km.
func l100Of(q tools.Quantity) float64 {
	if q.Unit == "mpg" && q.Value > 0 {
		return 100 * litresPerGallon / kmPerMile / q.Value
	}
	return q.Value
}

// roundPrice rounds a price of scale 3 to cents for display.
func roundPrice(dec string) string {
	m, err := schema.ParseDecimal(dec, 3)
	if err != nil {
		return dec
	}
	return schema.FormatDecimal((m+5)/10, 2)
}
