// Package insights runs the proactive jobs: on a schedule it asks the
// intelligence tools what needs the user's attention (maintenance due, a
// budget over its threshold, ...), which records each finding once in
// active_recommendations, and pushes the new ones to the user's
// notification socket. A restart does not repeat a finding: the record of
// it is in the database, not in memory.
package insights

import (
	"context"
	"encoding/json"
	"log/slog"
	"sync"
	"time"

	"github.com/robfig/cron/v3"

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

// Job is the scheduled insight run. Set the fields, then Open; Close stops it.
type Job struct {
	Tools    Tools
	Users    func(ctx context.Context) ([]string, error)
	Hub      *notify.Hub
	Schedule string // cron spec; default hourly
	Logger   *slog.Logger
	Now      func() time.Time

	cron   *cron.Cron
	cancel context.CancelFunc
	ctx    context.Context
	runMu  sync.Mutex // one run at a time
}

// Open starts the schedule and a first run.
func (j *Job) Open() error {
	if j.Schedule == "" {
		j.Schedule = "@every 1h"
	}
	if j.Now == nil {
		j.Now = time.Now
	}
	if j.Logger == nil {
		j.Logger = slog.Default()
	}
	j.ctx, j.cancel = context.WithCancel(context.Background())
	j.cron = cron.New()
	if _, err := j.cron.AddFunc(j.Schedule, func() { j.RunOnce(j.ctx) }); err != nil {
		j.cancel()
		return err
	}
	j.cron.Start()
	go j.RunOnce(j.ctx)
	return nil
}

// Close stops the schedule and waits for a running pass.
func (j *Job) Close() {
	if j.cron == nil {
		return
	}
	j.cancel()
	<-j.cron.Stop().Done()
	j.runMu.Lock() // wait for a pass in flight
	j.runMu.Unlock()
}

// RunOnce checks every user and returns how many notifications went out.
func (j *Job) RunOnce(ctx context.Context) int {
	j.runMu.Lock()
	defer j.runMu.Unlock()
	if j.Logger == nil {
		j.Logger = slog.Default()
	}
	users, err := j.Users(ctx)
	if err != nil {
		j.Logger.Warn("insights: list users", "err", err)
		return 0
	}
	sent := 0
	for _, u := range users {
		if ctx.Err() != nil {
			return sent
		}
		now := time.Now()
		if j.Now != nil {
			now = j.Now()
		}
		res, err := j.Tools.Execute(ctx, tools.Call{User: u, Now: now}, RecommendationsTool, json.RawMessage("{}"))
		if err != nil {
			j.Logger.Warn("insights: recommendations", "user", u, "err", err)
			continue
		}
		for _, rec := range newFindings(res.Output) {
			j.Hub.Publish(u, rec)
			sent++
		}
	}
	return sent
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
