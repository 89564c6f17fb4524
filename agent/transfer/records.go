package transfer

import (
	"fmt"
	"math"
	"sort"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// lubeServiceRequired is LubeLogger's service record export header.
const lubeServiceRequired = "date,description,odometer"

// parseLubeService reads LubeLogger service records into
// maintenance_records: a date after today is a scheduled service.
func parseLubeService(user string, data []byte, opt Options, now time.Time) (*plan, error) {
	_, recs, err := readCSV(data, strings.Split(lubeServiceRequired, ",")...)
	if err != nil {
		return nil, err
	}
	distF := kmPerMile
	if opt.Units == UnitsMetric {
		distF = 1
	}
	today := now.Format("2006-01-02")
	p := &plan{lines: len(recs)}
	ids := newIDer(user, KindLubeLoggerService)
	for _, r := range recs {
		ok := true
		fail := func(format string, args ...any) { p.bad(r.line, format, args...); ok = false }
		day, err := parseDate(r.get("date"), opt.DayFirst)
		if err != nil {
			fail("Date: %v", err)
		}
		task := r.get("description")
		if task == "" {
			fail("Description: empty")
		}
		odo, err := parseNumber(r.get("odometer"))
		if err != nil || odo < 0 {
			fail("Odometer: not a distance: %q", r.get("odometer"))
		}
		row := schema.Row{"task": task, "date": day, "mileage": int64(math.Round(odo * distF)), "status": "completed"}
		if day > today {
			row["status"] = "scheduled"
		}
		if s := r.get("cost"); s != "" {
			x, err := parseNumber(s)
			if err != nil || x < 0 {
				fail("Cost: not an amount: %q", s)
			}
			row["cost"] = schema.FormatDecimal(cents(x), 2)
		}
		if n := joinNotes(r.get("notes"), r.get("tags"), ""); n != "" {
			row["notes"] = n
		}
		if opt.VehicleID != "" {
			row["vehicle_id"] = opt.VehicleID
		}
		if ok {
			row["id"] = ids.id(r.content())
			p.items = append(p.items, item{table: "maintenance_records", line: r.line, row: row})
		}
	}
	return p, nil
}

// expenseFields are the PAM fields an expenses-csv mapping names.
var expenseFields = []string{"date", "amount", "description", "category"}

// ParseMap reads a column mapping "date=Posted,amount=Amount,...".
func ParseMap(s string) (map[string]string, error) {
	m := map[string]string{}
	if strings.TrimSpace(s) == "" {
		return m, nil
	}
	for _, kv := range strings.Split(s, ",") {
		k, v, ok := strings.Cut(kv, "=")
		k, v = strings.ToLower(clean(k)), clean(v)
		if !ok || v == "" {
			return nil, fmt.Errorf("mapping %q: want field=Column", kv)
		}
		known := false
		for _, f := range expenseFields {
			known = known || f == k
		}
		if !known {
			return nil, fmt.Errorf("mapping %q: field must be one of %s", kv, strings.Join(expenseFields, ", "))
		}
		m[k] = v
	}
	return m, nil
}

// parseExpenses reads a bank-style CSV into expenses. opt.Map names the
// columns (defaults: Date, Amount, Description, Category). Amounts may
// be signed: when a file holds both signs, the negative ones are money
// spent and the positive ones are credits, skipped and listed; when all
// have one sign, every line is an expense. A missing category is "other".
func parseExpenses(user string, data []byte, opt Options) (*plan, error) {
	col := map[string]string{}  // field -> lower-cased header name
	disp := map[string]string{} // field -> header name as given
	for _, f := range expenseFields {
		col[f], disp[f] = f, f
	}
	for k, v := range opt.Map {
		col[k], disp[k] = strings.ToLower(v), v
	}
	_, recs, err := readCSV(data, col["date"], col["amount"])
	if err != nil {
		return nil, err
	}
	p := &plan{lines: len(recs)}
	type line struct {
		r      record
		amount float64
	}
	var lines []line
	neg, pos := 0, 0
	for _, r := range recs {
		x, err := parseNumber(r.get(col["amount"]))
		if err != nil {
			p.bad(r.line, "%s: not an amount: %q", disp["amount"], r.get(col["amount"]))
			continue
		}
		switch {
		case x < 0:
			neg++
		case x > 0:
			pos++
		}
		lines = append(lines, line{r, x})
	}
	mixed := neg > 0 && pos > 0
	ids := newIDer(user, KindExpensesCSV)
	for _, l := range lines {
		r := l.r
		if mixed && l.amount > 0 {
			p.skipped = append(p.skipped, Problem{Line: r.line, Message: fmt.Sprintf("credit of %.2f (money in, not an expense)", l.amount)})
			continue
		}
		day, err := parseDate(r.get(col["date"]), opt.DayFirst)
		if err != nil {
			p.bad(r.line, "%s: %v", disp["date"], err)
			continue
		}
		cat := r.get(col["category"])
		if cat == "" {
			cat = "other"
		}
		row := schema.Row{"id": ids.id(r.content()), "date": day, "amount": schema.FormatDecimal(cents(math.Abs(l.amount)), 2),
			"category": strings.ToLower(cat)}
		if d := r.get(col["description"]); d != "" {
			row["description"] = d
		}
		p.items = append(p.items, item{table: "expenses", line: r.line, row: row})
	}
	sort.SliceStable(p.skipped, func(i, j int) bool { return p.skipped[i].Line < p.skipped[j].Line })
	return p, nil
}
