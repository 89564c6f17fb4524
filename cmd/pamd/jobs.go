package main

import (
	"context"
	"fmt"
	"net/http"
	"time"

	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/agent/jobs"
	"github.com/pam-rv/pamd/schema"
)

// trackKeep is how long the travel log of the location socket is kept.
const trackKeep = 366 * 24 * time.Hour

// openJobs builds the scheduler and the store's jobs (the assistant adds
// its own); Open starts it once every job is added. Health shows each
// job's last run.
func (m *Main) openJobs() error {
	m.Jobs = jobs.New(m.Store, m.Logger.With("component", "jobs"))
	if spec := m.Config.BackupSchedule; spec != "" && spec != "off" {
		if err := m.Jobs.Add(jobs.Job{Name: "backup", Schedule: spec, Run: backupJob(m.Store, backupDir(m.Config.DataDir))}); err != nil {
			return &ConfigError{"--backup-schedule / PAM_BACKUP_SCHEDULE", err}
		}
	}
	for _, j := range []jobs.Job{
		{Name: "expired_sessions", Schedule: "@hourly", Run: m.dropExpiredSessions},
		{Name: "track_retention", Schedule: "@daily", Run: m.pruneTracks},
	} {
		if err := m.Jobs.Add(j); err != nil {
			return err
		}
	}
	m.API.AddProbe(api.Probe{Name: "jobs", Check: func(*http.Request) (bool, any) {
		st := m.Jobs.Status()
		ok := true
		for _, s := range st {
			ok = ok && s.OK
		}
		return ok, st
	}})
	return nil
}

// dropExpiredSessions deletes the login sessions of this device whose
// expiry has passed.
func (m *Main) dropExpiredSessions(ctx context.Context) (string, error) {
	users, err := m.Store.Users(ctx)
	if err != nil {
		return "", err
	}
	now := schema.FormatTimestamp(m.Store.Now())
	n := 0
	for _, u := range users {
		res, err := m.Store.Find(ctx, u, "user_active_sessions", schema.Query{
			Conditions: []schema.Condition{{Column: "expires_at", Op: schema.OpLt, Value: now}}, Limit: 1000})
		if err != nil {
			return "", fmt.Errorf("expired sessions of %s: %w", u, err)
		}
		for _, r := range res.Rows {
			if err := m.Store.Delete(ctx, u, "user_active_sessions", r["id"].(string)); err != nil {
				return "", fmt.Errorf("delete session: %w", err)
			}
			n++
		}
	}
	return fmt.Sprintf("%d expired sessions removed", n), nil
}

// pruneTracks forgets travel-log points older than a year.
func (m *Main) pruneTracks(ctx context.Context) (string, error) {
	users, err := m.Store.Users(ctx)
	if err != nil {
		return "", err
	}
	var n int64
	for _, u := range users {
		k, err := m.Store.PruneTrack(ctx, u, m.Store.Now().Add(-trackKeep))
		if err != nil {
			return "", err
		}
		n += k
	}
	return fmt.Sprintf("%d track points older than a year removed", n), nil
}
