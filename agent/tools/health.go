package tools

import (
	"context"
	"fmt"
	"math"

	"github.com/pam-rv/pamd/schema"
)

// One health score. pam_get_user_360_view and
// pam_generate_intelligent_recommendations (and the intelligence endpoints
// user-360 and recommendations, which run them) and the offline answerer
// all show the scores computed here, with one set of thresholds:
//
//   - financial: the budgets covering today, each over its own period
//     (spending with fuel counted once), give the utilization u; the net
//     income over the last HealthWindowDays days (today included) gives
//     the net part clamp(net / HealthNetFullCents × 100). The score is
//     (max(0, 100 − u) + net part) / 2, or the net part alone when no
//     budget covers today;
//   - vehicle: 100 − HealthOverduePenalty per overdue service (the latest
//     record of a task and vehicle whose next_due_date is before today);
//   - hustle: the share of the user's hustle ideas that are approved, × 100;
//     not scored (null) without ideas;
//   - overall: the mean of the scores that exist.
//
// Every score is clamped to 0–100 and rounded to one decimal.
const (
	// HealthWindowDays is the window of the net income part.
	HealthWindowDays = 30
	// HealthNetFullCents: a net income over the window at or above this
	// (in the user's currency, cents) scores 100 on the net part.
	HealthNetFullCents = 100000
	// HealthOverduePenalty is what each overdue service takes off the
	// vehicle score.
	HealthOverduePenalty = 20
)

// HealthScore is a computed score with how it was computed.
type HealthScore struct {
	Score   *float64 `json:"score"` // nil when there is nothing to score
	Formula string   `json:"formula"`
}

// HealthScores are the user's health scores.
type HealthScores struct {
	Financial HealthScore `json:"financial"`
	Vehicle   HealthScore `json:"vehicle"`
	Hustle    HealthScore `json:"hustle"`
	Overall   HealthScore `json:"overall"`
}

// clamp100 clamps x to the 0–100 range of a score.
func clamp100(x float64) float64 { return math.Max(0, math.Min(100, x)) }

// healthScore clamps x to 0–100 and rounds it to one decimal.
func healthScore(x float64) *float64 {
	s := round(clamp100(x), 1)
	return &s
}

// healthKnown is what a caller of health has read already, so that
// health does not read it again: the 360 view and the recommendations
// read the budgets, their spending, the maintenance records or the
// hustle ideas for their own answers. A nil field is read by health.
type healthKnown struct {
	// budgets covering today and, in the same order, what was spent over
	// each one's own period on category(its category), in cents.
	budgets []schema.Row
	spent   []int64
	// maint is every maintenance record of the user, as
	// collect(maintenance_records, no query) reads them.
	maint []schema.Row
	// ideas are the user's own hustle ideas.
	ideas []schema.Row
}

// nonNil is rows, or an empty slice for none: known, and empty.
func nonNil(rows []schema.Row) []schema.Row {
	if rows == nil {
		return []schema.Row{}
	}
	return rows
}

// health computes the user's health scores at c.Now.
func health(ctx context.Context, s Store, c Call) (HealthScores, error) {
	return healthWith(ctx, s, c, healthKnown{})
}

// healthWith computes the user's health scores at c.Now from what known
// holds, reading the rest.
func healthWith(ctx context.Context, s Store, c Call, known healthKnown) (HealthScores, error) {
	var out HealthScores
	today := c.today()
	f := &finance{s: s}
	var budgeted, spent int64
	if known.budgets != nil {
		for i, b := range known.budgets {
			budgeted += b.Cents("budgeted_amount")
			spent += known.spent[i]
		}
	} else {
		budgets, err := collect(ctx, s, c.User, "budgets", schema.Query{
			Conditions: []schema.Condition{cond("start_date", schema.OpLte, today), cond("end_date", schema.OpGte, today)}})
		if err != nil {
			return out, err
		}
		for _, b := range budgets {
			sp, err := f.spent(ctx, c.User, category(b.Text("category")), b.Text("start_date"), b.Text("end_date"))
			if err != nil {
				return out, err
			}
			budgeted += b.Cents("budgeted_amount")
			spent += sp.cents
		}
	}
	from := addDays(today, 1-HealthWindowDays)
	inc, err := sumAmount(ctx, s, c.User, "income_entries", from, today)
	if err != nil {
		return out, err
	}
	exp, err := sumAmount(ctx, s, c.User, "expenses", from, today)
	if err != nil {
		return out, err
	}
	net := inc - exp
	netPart := clamp100(float64(net) * 100 / HealthNetFullCents)
	if budgeted > 0 {
		util := float64(spent) * 100 / float64(budgeted)
		out.Financial = HealthScore{healthScore((math.Max(0, 100-util) + netPart) / 2), fmt.Sprintf(
			"(max(0, 100 − %.2f %% of the budgets covering %s used) + clamp(net %s from %s to %s / %s × 100) = %.2f) / 2",
			util, today, money(net), from, today, money(HealthNetFullCents), netPart)}
	} else {
		out.Financial = HealthScore{healthScore(netPart), fmt.Sprintf("no budget covers %s: clamp(net %s from %s to %s / %s × 100)",
			today, money(net), from, today, money(HealthNetFullCents))}
	}

	maint := known.maint
	if maint == nil {
		if maint, err = collect(ctx, s, c.User, "maintenance_records", schema.Query{}); err != nil {
			return out, err
		}
	}
	overdue := len(overdueMaintenance(maint, today))
	out.Vehicle = HealthScore{healthScore(100 - float64(HealthOverduePenalty*overdue)),
		fmt.Sprintf("100 − %d × %d overdue service(s)", HealthOverduePenalty, overdue)}

	ideas := known.ideas
	if ideas == nil {
		if ideas, err = collect(ctx, s, c.User, "hustle_ideas", schema.Query{Conditions: []schema.Condition{eq("user_id", c.User)}}); err != nil {
			return out, err
		}
	}
	approved := 0
	for _, h := range ideas {
		if h.Text("status") == "approved" {
			approved++
		}
	}
	out.Hustle = HealthScore{Formula: "no hustle ideas: not scored"}
	if len(ideas) > 0 {
		out.Hustle = HealthScore{healthScore(float64(approved) * 100 / float64(len(ideas))),
			fmt.Sprintf("%d approved / %d ideas × 100", approved, len(ideas))}
	}

	var sum float64
	n := 0
	for _, h := range []HealthScore{out.Financial, out.Vehicle, out.Hustle} {
		if h.Score != nil {
			sum += *h.Score
			n++
		}
	}
	out.Overall = HealthScore{healthScore(sum / float64(n)), fmt.Sprintf("mean of the %d scores above", n)}
	return out, nil
}
