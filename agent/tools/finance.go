package tools

import (
	"cmp"
	"context"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// Budget rules of suggest_budget_adjustment (tools.md §2.10), applied to
// the spending over the budget's own period.
const (
	// IncreaseAbovePercent: spent above this share of the budget → increase_budget.
	IncreaseAbovePercent = 100
	// ReduceBelowPercent: spent below this share of the budget → reduce_budget.
	ReduceBelowPercent = 50
)

// maxCited bounds the rows an answer lists as its sources.
const maxCited = 50

// ExpenseArgs are log_expense's arguments.
type ExpenseArgs struct {
	Amount      Money  `json:"amount" schema:"required,exclusiveMin=0" desc:"amount spent, in the user's currency, e.g. 45.10"`
	Category    string `json:"category" schema:"required,minLength=1,maxLength=64" desc:"spending category, e.g. fuel, food, camping, maintenance"`
	Description string `json:"description,omitempty" schema:"maxLength=500"`
	Date        string `json:"date,omitempty" schema:"format=date" desc:"day of the expense, YYYY-MM-DD; defaults to today"`
}

// BudgetAdjustArgs are suggest_budget_adjustment's arguments.
type BudgetAdjustArgs struct {
	Category string `json:"category,omitempty" schema:"maxLength=64" desc:"the category whose budget to review; its budget whose period covers date is used"`
	BudgetID UUID   `json:"budget_id,omitempty" desc:"a specific budget to review instead"`
	Date     string `json:"date,omitempty" schema:"format=date" desc:"pick the budget whose period covers this day, YYYY-MM-DD; defaults to today"`
}

func (a *BudgetAdjustArgs) check(Call) []schema.FieldError {
	if strings.TrimSpace(a.Category) == "" && a.BudgetID == "" {
		return []schema.FieldError{{Field: "category", Reason: "give a category or a budget_id"}}
	}
	return nil
}

// SummaryArgs are fetch_summary's arguments.
type SummaryArgs struct {
	Month string `json:"month,omitempty" schema:"pattern=^[0-9]{4}-(0[1-9]|1[0-2])$" desc:"the month to summarise, YYYY-MM; defaults to the current month"`
}

func registerFinance(r *Registry) {
	f := r.fin
	register(r, "log_expense", CategoryFinance,
		"Record an expense (amount, category, optional description and date) and answer it with the category's spending this month and the budget covering that day.",
		true, false, f.logExpense)
	register(r, "suggest_budget_adjustment", CategoryFinance,
		"Review a category's budget against what was spent over the budget's own period: increase_budget when spent exceeds it, reduce_budget when under 50 % of it, otherwise budget_on_track, with the figures and expenses.",
		false, false, f.suggestAdjustment)
	register(r, "fetch_summary", CategoryFinance,
		"Summarise a month (default this month): expenses in total and by category, income in total and by source, net, and the budgets overlapping the month with what was spent over each budget's period.",
		false, false, f.summary)
	register(r, "track_expense", CategoryExpense,
		"Track a spend (amount, category, optional description and date) as an expense, answering the category's budget status after it.",
		true, false, f.logExpense)
}

type finance struct{ s Store }

func category(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// ExpenseRef cites one expense an answer was computed from.
type ExpenseRef struct {
	ID          string `json:"id"`
	Date        string `json:"date"`
	Amount      string `json:"amount"`
	Category    string `json:"category,omitempty"`
	Description string `json:"description,omitempty"`
}

func expenseRef(row schema.Row) ExpenseRef {
	return ExpenseRef{ID: row.Text("id"), Date: row.Text("date"), Amount: row.Text("amount"),
		Category: row.Text("category"), Description: row.Text("description")}
}

// Spending is what was spent in a category over a period.
type Spending struct {
	Category string       `json:"category"`
	Period   Period       `json:"period"`
	Spent    string       `json:"spent"`
	Count    int          `json:"expense_count"`
	Expenses []ExpenseRef `json:"expenses"` // most recent first, at most 50
	cents    int64
}

// spent sums the user's expenses of exactly category dated in [start, end].
func (f *finance) spent(ctx context.Context, user, cat, start, end string) (Spending, error) {
	return f.spentIn(ctx, user, cat, start, end, nil)
}

// spentIn is spent, with the fill-ups of a "fuel" budget and their
// matches taken from fs when it covers the period.
func (f *finance) spentIn(ctx context.Context, user, cat, start, end string, fs *fuelSpan) (Spending, error) {
	if cat == "fuel" && fs.covers(start, end) {
		exp, err := fuelExpenses(ctx, f.s, user, []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)})
		return spentOf(spendingOf(exp, fs.unmatched(start, end)), cat, start, end), err
	}
	rows, err := spendingRows(ctx, f.s, user, start, end, cat) // fuel counted once
	return spentOf(rows, cat, start, end), err
}

// spentOf is spent over the rows spendingRows gave for cat in [start, end].
func spentOf(rows []schema.Row, cat, start, end string) Spending {
	sp := Spending{Category: cat, Period: period(start, end), Expenses: []ExpenseRef{}}
	for i := len(rows) - 1; i >= 0; i-- { // most recent first
		row := rows[i]
		sp.cents += row.Cents("amount")
		sp.Count++
		if len(sp.Expenses) < maxCited {
			sp.Expenses = append(sp.Expenses, expenseRef(row))
		}
	}
	sp.Spent = money(sp.cents)
	return sp
}

// budgets reads the user's budgets in a category (compared without case),
// latest start first.
func (f *finance) budgets(ctx context.Context, user, cat string) ([]schema.Row, error) {
	var out []schema.Row
	// LIKE narrows in SQLite (case-insensitive, as wanted); the exact
	// comparison below decides, so a wildcard in a name cannot over-match.
	q := schema.Query{
		Conditions: []schema.Condition{{Column: "category", Op: schema.OpLike, Value: cat}},
		Order:      []schema.Order{{Column: "start_date", Desc: true}, {Column: "end_date"}},
	}
	err := f.s.Each(ctx, user, "budgets", q, func(row schema.Row) error {
		if strings.EqualFold(strings.TrimSpace(row.Text("category")), cat) {
			out = append(out, row)
		}
		return nil
	})
	return out, err
}

// covering picks the budget whose period covers day (the latest starting
// if several); else the latest that started before day; else the earliest
// ahead. budgets are sorted latest start first.
func covering(budgets []schema.Row, day string) schema.Row {
	for _, b := range budgets {
		if b.Text("start_date") <= day && day <= b.Text("end_date") {
			return b
		}
	}
	for _, b := range budgets {
		if b.Text("start_date") <= day {
			return b
		}
	}
	if len(budgets) > 0 {
		return budgets[len(budgets)-1]
	}
	return nil
}

// BudgetStatus is a budget with what was spent over its own period.
type BudgetStatus struct {
	ID             string   `json:"id"`
	Name           string   `json:"name"`
	Category       string   `json:"category"`
	Period         Period   `json:"period"`
	Budgeted       string   `json:"budgeted"`
	Spent          string   `json:"spent"`
	Remaining      string   `json:"remaining"` // negative when over
	PercentUsed    *float64 `json:"percent_used"`
	AlertThreshold *float64 `json:"alert_threshold_percent,omitempty"`
	// Status: over_budget (spent > budgeted), alert (percent used at or
	// over the budget's alert threshold) or within_budget.
	Status       string `json:"status"`
	ExpenseCount int    `json:"expense_count"`
}

func budgetStatus(b schema.Row, sp Spending) BudgetStatus {
	budgeted := b.Cents("budgeted_amount")
	st := BudgetStatus{ID: b.Text("id"), Name: b.Text("name"), Category: b.Text("category"),
		Period: sp.Period, Budgeted: money(budgeted), Spent: sp.Spent, Remaining: money(budgeted - sp.cents),
		PercentUsed: percent(sp.cents, budgeted), ExpenseCount: sp.Count, Status: "within_budget"}
	if th, ok := b.Number("alert_threshold"); ok {
		st.AlertThreshold = &th
	}
	switch {
	case sp.cents > budgeted:
		st.Status = "over_budget"
	case st.AlertThreshold != nil && st.PercentUsed != nil && *st.PercentUsed >= *st.AlertThreshold:
		st.Status = "alert"
	}
	return st
}

// ExpenseLogged is the answer of log_expense and track_expense.
type ExpenseLogged struct {
	Expense  schema.Row `json:"expense"`
	Amount   string     `json:"amount"`
	Currency string     `json:"currency"`
	Category string     `json:"category"`
	Date     string     `json:"date"`
	// CategoryMonth is the category's spending over the expense's month,
	// this expense included.
	CategoryMonth Spending `json:"category_month"`
	// Budget is the category's budget covering the expense's day, after it.
	Budget *BudgetStatus `json:"budget,omitempty"`
}

func (f *finance) logExpense(ctx context.Context, c Call, a ExpenseArgs) (*ExpenseLogged, error) {
	day := a.Date
	if day == "" {
		day = c.today()
	}
	cat := category(a.Category)
	data := schema.Row{"amount": money(int64(a.Amount)), "category": cat, "date": day}
	if d := strings.TrimSpace(a.Description); d != "" {
		data["description"] = d
	}
	row, err := f.s.Create(ctx, c.User, "expenses", data)
	if err != nil {
		return nil, err
	}
	out := ExpenseLogged{Expense: row, Amount: money(int64(a.Amount)), Currency: c.Currency, Category: cat, Date: day}
	start, end := monthOf(day)
	if out.CategoryMonth, err = f.spent(ctx, c.User, cat, start, end); err != nil {
		return nil, err
	}
	budgets, err := f.budgets(ctx, c.User, cat)
	if err != nil {
		return nil, err
	}
	for _, b := range budgets {
		if b.Text("start_date") <= day && day <= b.Text("end_date") {
			sp, err := f.spent(ctx, c.User, b.Text("category"), b.Text("start_date"), b.Text("end_date"))
			if err != nil {
				return nil, err
			}
			st := budgetStatus(b, sp)
			out.Budget = &st
			break
		}
	}
	return &out, nil
}

// monthOf returns the first and last day of day's month.
func monthOf(day string) (string, string) {
	t, ok := parseDay(day)
	if !ok {
		return day, day
	}
	first := time.Date(t.Year(), t.Month(), 1, 0, 0, 0, 0, time.UTC)
	return first.Format(schema.DateLayout), first.AddDate(0, 1, -1).Format(schema.DateLayout)
}

// BudgetAdjustment is suggest_budget_adjustment's answer.
type BudgetAdjustment struct {
	// Recommendation is increase_budget, reduce_budget or budget_on_track.
	Recommendation string       `json:"recommendation"`
	Reason         string       `json:"reason"`
	Budget         BudgetStatus `json:"budget"`
	Currency       string       `json:"currency"`
	// PeriodStatus says whether the period is past, current or future on
	// the day of the call; ElapsedDays counts its days up to today.
	PeriodStatus string       `json:"period_status"`
	ElapsedDays  int          `json:"elapsed_days"`
	Expenses     []ExpenseRef `json:"expenses"` // the period's expenses, most recent first, at most 50
	Thresholds   struct {
		IncreaseAbovePercent int `json:"increase_above_percent"`
		ReduceBelowPercent   int `json:"reduce_below_percent"`
	} `json:"thresholds"`
}

func (f *finance) suggestAdjustment(ctx context.Context, c Call, a BudgetAdjustArgs) (*BudgetAdjustment, error) {
	day := a.Date
	if day == "" {
		day = c.today()
	}
	var b schema.Row
	if a.BudgetID != "" {
		var err error
		if b, err = f.s.Get(ctx, c.User, "budgets", string(a.BudgetID)); err != nil {
			return nil, err
		}
	} else {
		cat := category(a.Category)
		budgets, err := f.budgets(ctx, c.User, cat)
		if err != nil {
			return nil, err
		}
		if b = covering(budgets, day); b == nil {
			return nil, f.noBudget(ctx, c, cat)
		}
	}
	start, end := b.Text("start_date"), b.Text("end_date")
	sp, err := f.spent(ctx, c.User, b.Text("category"), start, end)
	if err != nil {
		return nil, err
	}
	st := budgetStatus(b, sp)
	budgeted := b.Cents("budgeted_amount")
	out := BudgetAdjustment{Budget: st, Currency: c.Currency, Expenses: sp.Expenses}
	out.Thresholds.IncreaseAbovePercent = IncreaseAbovePercent
	out.Thresholds.ReduceBelowPercent = ReduceBelowPercent
	pct := "n/a"
	if st.PercentUsed != nil {
		pct = strconv.FormatFloat(*st.PercentUsed, 'f', -1, 64) + " %"
	}
	what := "spent " + sp.Spent + " " + c.Currency + " of " + st.Budgeted + " (" + pct + ") from " + start + " to " + end
	switch {
	case sp.cents*100 > budgeted*IncreaseAbovePercent:
		out.Recommendation = "increase_budget"
		out.Reason = what + ": over the budget by " + money(sp.cents-budgeted)
	case sp.cents*100 < budgeted*ReduceBelowPercent:
		out.Recommendation = "reduce_budget"
		out.Reason = what + ": under 50 % of the budget"
	default:
		out.Recommendation = "budget_on_track"
		out.Reason = what + ": between 50 % and 100 % of the budget"
	}
	today := c.today()
	switch {
	case today < start:
		out.PeriodStatus = "future"
	case today > end:
		out.PeriodStatus, out.ElapsedDays = "past", sp.Period.Days
	default:
		out.PeriodStatus, out.ElapsedDays = "current", daysBetween(start, today)+1
	}
	return &out, nil
}

// noBudget explains that a category has no budget, naming those that do.
func (f *finance) noBudget(ctx context.Context, c Call, cat string) error {
	var cats []string
	err := f.s.Each(ctx, c.User, "budgets", schema.Query{}, func(row schema.Row) error {
		if k := row.Text("category"); !slices.Contains(cats, k) {
			cats = append(cats, k)
		}
		return nil
	})
	if err != nil {
		return err
	}
	slices.Sort(cats)
	known := "the user has no budgets"
	if len(cats) > 0 {
		known = "budgets exist for: " + strings.Join(cats, ", ")
	}
	return schema.Errorf(schema.ENOTFOUND, "no budget in category %q; %s", schema.Truncate(cat, 64), known)
}

// CategoryTotal is one category's or source's total over a period.
type CategoryTotal struct {
	Name  string   `json:"name"`
	Total string   `json:"total"`
	Count int      `json:"count"`
	Share *float64 `json:"share_percent"`
	cents int64
}

// Cents is the total in cents.
func (ct CategoryTotal) Cents() int64 { return ct.cents }

// Summary is fetch_summary's answer.
type Summary struct {
	Period   Period `json:"period"`
	Currency string `json:"currency"`
	Expenses struct {
		Total      string          `json:"total"`
		Count      int             `json:"count"`
		ByCategory []CategoryTotal `json:"by_category"`
	} `json:"expenses"`
	Income struct {
		Total    string          `json:"total"`
		Count    int             `json:"count"`
		BySource []CategoryTotal `json:"by_source"`
	} `json:"income"`
	Net     string         `json:"net"` // income − expenses
	Budgets []BudgetStatus `json:"budgets"`
}

func (f *finance) summary(ctx context.Context, c Call, a SummaryArgs) (*Summary, error) {
	month := a.Month
	if month == "" {
		month = c.today()[:7]
	}
	start, end := monthOf(month + "-01")
	var out Summary
	out.Period, out.Currency = period(start, end), c.Currency
	inPeriod := []schema.Condition{cond("date", schema.OpGte, start), cond("date", schema.OpLte, end)}

	// What the month's spending is, read once: for the totals and for the
	// budgets below (a budget of this same month takes its rows from it; a
	// fuel budget within the month matches the month's fill-ups).
	spending, fs, err := spendingSpan(ctx, f.s, c.User, start, end)
	if err != nil {
		return nil, err
	}
	exp, expTotal, expCount, err := f.totalsOf(eachRow(spending), "category")
	if err != nil {
		return nil, err
	}
	inc, incTotal, incCount, err := f.totals(ctx, c.User, "income_entries", "source", inPeriod)
	if err != nil {
		return nil, err
	}
	out.Expenses.Total, out.Expenses.Count, out.Expenses.ByCategory = money(expTotal), expCount, exp
	out.Income.Total, out.Income.Count, out.Income.BySource = money(incTotal), incCount, inc
	out.Net = money(incTotal - expTotal)

	out.Budgets = []BudgetStatus{}
	q := schema.Query{
		Conditions: []schema.Condition{cond("start_date", schema.OpLte, end), cond("end_date", schema.OpGte, start)},
		Order:      []schema.Order{{Column: "start_date"}, {Column: "category"}},
	}
	// Read the budgets first: spent reads the store too, and a read inside
	// an Each callback would wait for a second reader while holding one.
	budgets, err := collect(ctx, f.s, c.User, "budgets", q)
	if err != nil {
		return nil, err
	}
	for _, b := range budgets {
		cat, from, to := b.Text("category"), b.Text("start_date"), b.Text("end_date")
		var sp Spending
		if from == start && to == end {
			sp = spentOf(ofCategory(spending, cat), cat, from, to) // what spent would read
		} else if sp, err = f.spentIn(ctx, c.User, cat, from, to, fs); err != nil {
			return nil, err
		}
		out.Budgets = append(out.Budgets, budgetStatus(b, sp))
	}
	return &out, nil
}

// totals sums amount by key over the user's rows of table matching conds,
// largest first.
func (f *finance) totals(ctx context.Context, user, table, key string, conds []schema.Condition) ([]CategoryTotal, int64, int, error) {
	return f.totalsOf(func(fn func(schema.Row) error) error {
		return f.s.Each(ctx, user, table, schema.Query{Conditions: conds}, fn)
	}, key)
}

// ofCategory is spendingRows of cat from the rows spendingRows gave for
// "" over the same period: the rows of exactly that category ("" for all),
// in the same order. An unmatched fill-up is a "fuel" row, as spendingRows
// answers for "fuel".
func ofCategory(rows []schema.Row, cat string) []schema.Row {
	if cat == "" {
		return rows
	}
	var out []schema.Row
	for _, r := range rows {
		if r.Text("category") == cat {
			out = append(out, r)
		}
	}
	return out
}

// spendingTotals sums what was spent dated in [start, end] by category:
// expenses plus the fill-ups no fuel expense stands for (spendingRows).
func (f *finance) spendingTotals(ctx context.Context, user, start, end string) ([]CategoryTotal, int64, int, error) {
	rows, err := spendingRows(ctx, f.s, user, start, end, "")
	if err != nil {
		return nil, 0, 0, err
	}
	return f.totalsOf(eachRow(rows), "category")
}

// eachRow yields rows in order.
func eachRow(rows []schema.Row) func(func(schema.Row) error) error {
	return func(fn func(schema.Row) error) error {
		for _, r := range rows {
			if err := fn(r); err != nil {
				return err
			}
		}
		return nil
	}
}

// totalsOf sums amount by key over the rows each yields.
func (f *finance) totalsOf(each func(func(schema.Row) error) error, key string) ([]CategoryTotal, int64, int, error) {
	byKey := map[string]*CategoryTotal{}
	var total int64
	n := 0
	err := each(func(row schema.Row) error {
		k := row.Text(key)
		ct := byKey[k]
		if ct == nil {
			ct = &CategoryTotal{Name: k}
			byKey[k] = ct
		}
		a := row.Cents("amount")
		ct.cents += a
		ct.Count++
		total += a
		n++
		return nil
	})
	if err != nil {
		return nil, 0, 0, err
	}
	out := make([]CategoryTotal, 0, len(byKey))
	for _, ct := range byKey {
		ct.Total, ct.Share = money(ct.cents), percent(ct.cents, total)
		out = append(out, *ct)
	}
	slices.SortFunc(out, func(a, b CategoryTotal) int {
		return cmp.Or(cmp.Compare(b.cents, a.cents), cmp.Compare(a.Name, b.Name))
	})
	return out, total, n, nil
}
