// Package insights is the proactive job: on its schedule (package jobs) it asks the
// intelligence tools what needs the user's attention (maintenance due, a
// budget over its threshold, ...), which records each finding once in
// active_recommendations, and pushes the new ones to the user's
// notification socket. A restart does not repeat a finding: the record of
// it is in the database, not in memory.
package insights

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	"github.com/pam-rv/pamd/agent/notify"
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/schema"
)

// RecommendationsTool is the tool that records findings once per condition.
const RecommendationsTool = "pam_generate_intelligent_recommendations"

// Tools runs a tool for a user.
type Tools interface {
	Execute(ctx context.Context, call tools.Call, name string, args json.RawMessage) (tools.Result, error)
}

// Job is the insight pass. Set the fields; the scheduler calls Run.
type Job struct {
	Tools  Tools
	Users  func(ctx context.Context) ([]string, error)
	Hub    *notify.Hub
	Logger *slog.Logger
	Now    func() time.Time

	runMu sync.Mutex // one run at a time
}

// Run is the scheduled pass (see package jobs): it reports how many
// notifications went out.
func (j *Job) Run(ctx context.Context) (string, error) {
	users, sent, err := j.pass(ctx)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("%d users checked, %d new findings", users, sent), nil
}

// RunOnce checks every user and returns how many notifications went out.
func (j *Job) RunOnce(ctx context.Context) int {
	_, sent, err := j.pass(ctx)
	if err != nil {
		j.logger().Warn("insights: list users", "err", err)
	}
	return sent
}

// pass asks the recommendations tool about every user; a user whose check
// fails is logged and skipped.
func (j *Job) pass(ctx context.Context) (users, sent int, err error) {
	j.runMu.Lock()
	defer j.runMu.Unlock()
	list, err := j.Users(ctx)
	if err != nil {
		return 0, 0, fmt.Errorf("insights: list users: %w", err)
	}
	for _, u := range list {
		if ctx.Err() != nil {
			return users, sent, ctx.Err()
		}
		now := time.Now()
		if j.Now != nil {
			now = j.Now()
		}
		users++
		res, err := j.Tools.Execute(ctx, tools.Call{User: u, Now: now}, RecommendationsTool, json.RawMessage("{}"))
		if err != nil {
			j.logger().Warn("insights: recommendations", "user", u, "err", err)
			continue
		}
		for _, rec := range newFindings(res.Output) {
			j.Hub.Publish(u, rec)
			sent++
		}
	}
	return users, sent, nil
}

func (j *Job) logger() *slog.Logger {
	if j.Logger == nil {
		return slog.Default()
	}
	return j.Logger
}

// newFindings reads the recommendations the tool recorded in this run.
func newFindings(out any) []notify.Notification {
	raw, _ := json.Marshal(out)
	var body struct {
		New []schema.Row `json:"new"`
	}
	if json.Unmarshal(raw, &body) != nil {
		return nil
	}
	var list []notify.Notification
	for _, r := range body.New {
		title, text, kind := r.Text("title"), r.Text("description"), r.Text("category")
		if kind == "" {
			kind = r.Text("recommendation_type")
		}
		list = append(list, notify.Notification{Type: kind, Title: title, Body: text, TS: time.Now().UTC(), Data: r})
	}
	return list
}
