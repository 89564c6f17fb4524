package intent

import "slices"

// Confidence shaping.
const (
	floorScore       = 0.3  // below this the message is Unknown
	perUnexplained   = 0.1  // lost per word nothing accounts for
	perFix           = 0.02 // lost per corrected typo
	negativeCap      = 0.5  // the most a message with a "poem", "weather", "why" can get
	ambiguityPenalty = 0.8  // two intents both fit
)

// decide scores every intent, fills the best one's slots and sets its
// confidence.
func (a *analysis) decide() Intent {
	// In this order; on a tie the earlier wins.
	scores := [...]struct {
		name Name
		s    float64
	}{
		{LogFuel, a.scoreLogFuel()},
		{LogExpense, a.scoreLogExpense()},
		{SpendingTotal, a.scoreSpending()},
		{BudgetLeft, a.scoreBudget()},
		{FuelEconomy, a.scoreEconomy()},
		{TripFuelCost, a.scoreTripCost()},
		{NextMaintenance, a.scoreNextMaintenance()},
		{MaintenanceForecast, a.scoreForecast()},
		{UpcomingTrips, a.scoreTrips()},
		{CampsitesNear, a.scoreCampsites()},
		{IncomeTotal, a.scoreIncome()},
		{BestHustle, a.scoreHustle()},
	}
	best, second := 0, -1
	for k := 1; k < len(scores); k++ {
		if scores[k].s > scores[best].s {
			second, best = best, k
		} else if second < 0 || scores[k].s > scores[second].s {
			second = k
		}
	}
	top := scores[best].s
	if top < floorScore {
		return Intent{}
	}
	name := scores[best].name
	slots, factor, ceiling := a.fill(name)
	conf := min(top*factor, ceiling)
	conf *= max(0.3, 1-perUnexplained*float64(a.unexplained()))
	conf -= perFix * float64(a.fixes)
	if second >= 0 && scores[second].s >= 0.7 && scores[second].s > top-0.1 {
		conf *= ambiguityPenalty
	}
	if a.periods > 1 {
		conf *= 0.85 // "March versus April": a comparison, not one figure
	}
	if n := a.words(); n > 25 {
		conf *= 0.8
	}
	if a.live()&cNeg != 0 { // a "world" inside "Camping World" does not count
		conf = min(conf, negativeCap)
	}
	conf = min(max(conf, 0), 1)
	if conf < floorScore/2 {
		return Intent{}
	}
	return Intent{Name: name, Confidence: conf, Slots: slots}
}

// live returns the concepts of the words no slot took.
func (a *analysis) live() concept {
	var c concept
	for i := range a.toks {
		if !a.toks[i].used {
			c |= a.toks[i].sense.c
		}
	}
	return c
}

// spentMoney reports whether the message holds an amount that is not a
// ceiling: an entry rather than a question.
func (a *analysis) spentMoney() bool {
	for _, m := range a.money {
		if !m.max {
			return true
		}
	}
	return false
}

// ceiling returns the first price ceiling ("under $20").
func (a *analysis) ceiling() (int64, bool) {
	for _, m := range a.money {
		if m.max {
			return m.cents, true
		}
	}
	return 0, false
}

// past reports a question about what happened ("did", "spent").
func (a *analysis) past() bool { return a.has(cPast) }

// fut reports a question about what is ahead ("will", "next 6 months").
func (a *analysis) fut() bool { return a.has(cFuture) || a.future }

// entry reports whether the message reads as an entry to record rather
// than a question.
func (a *analysis) entry() bool { return !a.q || a.has(cLog) }

// scoreLogFuel: a fill-up with figures ("filled up 62 L for $118").
func (a *analysis) scoreLogFuel() float64 {
	if !a.entry() {
		return 0
	}
	f := a.fuelFigures()
	if !f.any() {
		return 0
	}
	fill, fuel := a.has(cFill), a.has(cFuel)
	var s float64
	switch {
	case fill && (f.vol > 0 || f.total > 0 || f.price > 0 || f.odo > 0):
		s = 0.85
	case f.vol > 0 && (f.total > 0 || f.odo > 0 || f.price > 0):
		s = 0.85
	case fuel && f.vol > 0:
		s = 0.85
	case fuel && f.odo > 0 && f.total > 0:
		s = 0.8
	default:
		return 0
	}
	for _, v := range []bool{f.vol > 0, f.total > 0, f.odo > 0} {
		if v {
			s += 0.04
		}
	}
	if a.has(cNotFuel) {
		s *= 0.5
	}
	if c := a.firstCategory(-1, -1); c != "" && c != "fuel" {
		s *= 0.5
	}
	return s
}

// scoreLogExpense: an amount spent, as an entry ("spent $45 on groceries").
func (a *analysis) scoreLogExpense() float64 {
	if !a.entry() {
		return 0
	}
	amt, _ := a.expenseAmount()
	if amt <= 0 {
		return 0
	}
	s := 0.6
	// A figure with a currency needs less: "groceries cost $45" is an
	// entry, "fuel cost for 300" is not.
	if a.has(cSpend|cPay|cBuy|cLog) || a.has(cCost) && a.spentMoney() {
		s += 0.2
	}
	if a.firstCategory(-1, -1) != "" {
		s += 0.17
	}
	if a.has(cIncome) || a.has(cMake) && !a.has(cSpend|cPay|cBuy) {
		return 0.2 // "earned $200": income entries are not ours
	}
	if c := a.firstCategory(-1, -1); (len(a.vols) > 0 || a.has(cFill)) && (c == "" || c == "fuel") {
		s *= 0.6 // a fill-up
	}
	if a.has(cBudget) {
		s *= 0.5 // "set my grocery budget to $500"
	}
	return s
}

// scoreSpending: a question about money spent ("what did I spend on gas").
func (a *analysis) scoreSpending() float64 {
	started := a.startedPeriod()
	spend := a.has(cSpend) ||
		a.has(cCost|cPay|cBuy) && (a.q && a.past() || started && !a.has(cFuture)) ||
		a.has(cTotal) && a.firstCategory(-1, -1) != "" ||
		started && a.firstCategory(-1, -1) != "" && len(a.money) == 0 && !a.has(fragmentElse)
	if !spend {
		return 0
	}
	if amt, _ := a.expenseAmount(); amt > 0 && a.entry() {
		return 0.1 // "log expense 200 for insurance"
	}
	s := 0.6 // "I spend too much on food" is talk, not a question
	switch {
	case a.q || a.has(cTotal) || a.period != nil || a.soFar:
		s = 0.88
	case a.spendNoun():
		s = 0.85 // "grocery spending"
	}
	if a.period != nil || a.soFar {
		s += 0.05
	}
	if a.firstCategory(-1, -1) != "" || a.word(a.after("at")) != "" {
		s += 0.04
	}
	if a.has(cBudget | cLeft | cStill) {
		s -= 0.35
	}
	if a.has(cMaint) && a.fut() && !a.past() {
		s -= 0.3
	}
	if a.has(cEconomy) || a.econ {
		s -= 0.3
	}
	if a.has(cIncome) && !a.has(cSpend) {
		s -= 0.3
	}
	if a.has(cFuel) && (len(a.dists) > 0 || a.has(cTrip|cDrive)) && !a.past() {
		s -= 0.3
	}
	return s
}

// fragmentElse are the concepts that make "<category> <period>" another
// question than what was spent ("maintenance due this month", "fuel
// economy this year", "camping near here this weekend").
const fragmentElse = cDue | cWhen | cLeft | cBudget | cStill | cStatus | cEconomy | cAvg | cTrip | cDrive |
	cFind | cNear | cWhere | cFree | cCheap | cIncome | cMake | cHustle | cBest | cForecast | cPlan | cFuture |
	cFill | cNeg | cLog

// startedPeriod reports whether the message names a period that has begun
// ("this month", "last week", "in January"), not one ahead.
func (a *analysis) startedPeriod() bool {
	return a.period != nil && !a.future && !a.period.From.After(a.now)
}

// budgetAsCheap reports whether "budget" qualifies a campground ("budget
// campgrounds") rather than naming the user's budget.
func (a *analysis) budgetAsCheap() bool {
	for i := range a.toks {
		if a.word(i) == "budget" && !a.is(i+1, cCamp|cStay) {
			return false
		}
	}
	return true
}

// spendNoun reports whether spending is named as a noun: "grocery
// spending", "expenses".
func (a *analysis) spendNoun() bool {
	for i := range a.toks {
		switch a.word(i) {
		case "spending", "spendings", "expenses", "expense", "expenditure", "expenditures", "outgoings":
			return true
		}
	}
	return false
}

// scoreBudget: what is left of a budget, or where it stands.
func (a *analysis) scoreBudget() float64 {
	b := a.has(cBudget)
	left := a.has(cLeft | cStill)
	status := a.has(cStatus)
	var s float64
	switch {
	case b && (left || status):
		s = 0.93
	case b && a.q:
		s = 0.82
	case b:
		s = 0.7
	case left && a.q && (a.firstCategory(-1, -1) != "" || a.has(cSpend)):
		s = 0.85 // "how much is left for groceries"
	case status && a.q && a.firstCategory(-1, -1) != "" && !a.has(cSpend|cCamp|cFind) && len(a.money) == 0:
		s = 0.85 // "are we over on dining"
	default:
		return 0
	}
	if a.spentMoney() {
		s *= 0.5
	}
	if a.has(cMaint) && a.fut() {
		s *= 0.6
	}
	if a.has(cCamp) && !left && !status {
		s *= 0.5 // "budget campgrounds"
	}
	if a.has(cFuel) && (len(a.dists) > 0 || a.has(cTrip)) {
		s *= 0.6
	}
	return s
}

// scoreEconomy: mpg, l/100km, mileage, consumption.
func (a *analysis) scoreEconomy() float64 {
	if !a.has(cEconomy) && !a.econ && !(a.has(cAvg) && a.has(cFuel) && !a.has(cCost)) {
		return 0 // "average gas price" is not an economy
	}
	s := 0.85
	if a.q || a.has(cFuel) || a.econ {
		s = 0.93
	}
	if len(a.dists) > 0 || a.has(cCost) && a.has(cTrip|cDrive) {
		s *= 0.6
	}
	if a.spentMoney() {
		s *= 0.5
	}
	return s
}

// scoreTripCost: the fuel a drive will take or cost.
func (a *analysis) scoreTripCost() float64 {
	fuel := a.has(cFuel)
	cost := a.has(cCost|cMoney|cBudget) || a.howMuch
	origin, dest := a.tripEnds()
	places := origin != "" || dest != ""
	dist := a.tripDistance() > 0
	var s float64
	switch {
	case fuel && cost && (dist || places):
		s = 0.95
	case fuel && cost && a.has(cTrip|cDrive):
		s = 0.85
	case fuel && (dist || places):
		s = 0.85
	case a.has(cCost) && a.has(cDrive|cTrip) && (dist || places):
		s = 0.85
	case fuel && a.has(cTrip) && a.q && !a.past():
		s = 0.82 // "fuel for the next trip?"
	default:
		return 0
	}
	if a.past() && a.has(cSpend|cPay) {
		s *= 0.4
	}
	if (a.has(cEconomy) || a.econ) && !dist && !places {
		s *= 0.7
	}
	if a.has(cFill) || len(a.vols) > 0 {
		s *= 0.5
	}
	return s
}

// scoreNextMaintenance: when a service is due.
func (a *analysis) scoreNextMaintenance() float64 {
	if !a.has(cMaint) {
		return 0
	}
	s := 0.62
	if a.has(cDue|cWhen) || a.q && a.fut() {
		s = 0.92
	}
	if a.has(cCost|cSpend|cBudget|cMoney) || a.spentMoney() || a.howMuch {
		s *= 0.5
	}
	if a.has(cLast) && a.past() {
		s *= 0.5 // "when did I last change the oil"
	}
	if a.has(cForecast) {
		s *= 0.6
	}
	return s
}

// scoreForecast: what maintenance will cost ahead.
func (a *analysis) scoreForecast() float64 {
	if !a.has(cMaint) {
		return 0
	}
	money := a.has(cCost|cSpend|cBudget|cMoney) || a.howMuch
	fut := a.fut() || a.months > 0
	var s float64
	switch {
	case money && fut:
		s = 0.93
	case a.has(cForecast):
		s = 0.88
	case money && a.q:
		s = 0.6
	default:
		return 0
	}
	if a.past() && !fut {
		s *= 0.4
	}
	if a.spentMoney() && !a.q {
		s *= 0.3
	}
	return s
}

// scoreTrips: the trips planned.
func (a *analysis) scoreTrips() float64 {
	if !a.has(cTrip) {
		return 0
	}
	s := 0.7
	switch {
	case a.fut() || a.has(cDue|cPlan):
		s = 0.92
	case a.q:
		s = 0.8
	}
	if a.has(cFuel | cCost | cMoney | cEconomy) {
		s *= 0.4
	}
	if a.has(cLast) || a.past() && !a.fut() {
		s *= 0.5
	}
	if a.has(cCamp) {
		s *= 0.7
	}
	if len(a.dists) > 0 || len(a.bare) > 0 {
		s *= 0.6
	}
	return s
}

// scoreCampsites: a search for a place to camp or stay.
func (a *analysis) scoreCampsites() float64 {
	camp := a.has(cCamp)
	stay := a.has(cStay) && a.has(cWhere|cFind)
	if !camp && !stay {
		return 0
	}
	s := 0.6
	_, ceil := a.ceiling()
	if a.has(cNear|cFind|cWhere|cFree|cCheap|cWithin) || ceil || a.campPlace() != "" {
		s = 0.92
	}
	if a.has(cSpend|cPay|cLeft) || a.has(cBudget) && !a.budgetAsCheap() || a.spentMoney() {
		s *= 0.3
	}
	if a.past() {
		s *= 0.6
	}
	if a.has(cCost) && !ceil {
		s *= 0.7
	}
	return s
}

// scoreIncome: a question about money earned.
func (a *analysis) scoreIncome() float64 {
	// "make" is income only when it is the user's: "how much did I make",
	// not "how much does a campground host make".
	if !a.has(cIncome) && !(a.has(cMake) && (a.howMuch || a.q) && a.has(cMe)) {
		return 0
	}
	s := 0.7
	if a.q || a.period != nil || a.soFar || a.has(cTotal) {
		s = 0.9
	}
	if a.period != nil || a.soFar {
		s += 0.04
	}
	if a.has(cBest) && a.has(cHustle) {
		s *= 0.5
	}
	if a.spentMoney() && !a.q {
		s *= 0.3
	}
	if a.has(cSpend) || a.has(cPay|cBuy) && !a.has(cIncome) {
		s *= 0.6
	}
	return s
}

// scoreHustle: which side hustle does best.
func (a *analysis) scoreHustle() float64 {
	if !a.has(cHustle) || !a.has(cBest) {
		return 0
	}
	return 0.93
}

// after returns the index of the token after the first word w, or -1.
func (a *analysis) after(w string) int {
	for i := range a.toks {
		if a.toks[i].kind == kWord && a.toks[i].text == w && !a.toks[i].used {
			return i + 1
		}
	}
	return -1
}

// firstCategory returns the first expense category named outside tokens
// [skipFrom, skipTo), or inside them if none is named elsewhere.
func (a *analysis) firstCategory(skipFrom, skipTo int) string {
	inside := ""
	for i := range a.toks {
		t := &a.toks[i]
		if t.kind != kWord || t.sense.category == "" {
			continue
		}
		if i >= skipFrom && i < skipTo {
			if inside == "" {
				inside = t.sense.category
			}
			continue
		}
		return t.sense.category
	}
	return inside
}

// categories counts the distinct categories named outside slots.
func (a *analysis) categories() int {
	var seen []string
	for i := range a.toks {
		if c := a.toks[i].sense.category; c != "" && a.toks[i].kind == kWord && !a.toks[i].used &&
			!slices.Contains(seen, c) {
			seen = append(seen, c)
		}
	}
	return len(seen)
}
