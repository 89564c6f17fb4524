package localstore

import (
	"context"
	"database/sql"
	"fmt"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// JobStarted records that a job's run for period began. A damaged file
// takes no record (the job itself decides whether it can run).
func (s *Store) JobStarted(ctx context.Context, name, period string, at time.Time) error {
	if s.Damaged() {
		return nil
	}
	_, err := s.write.ExecContext(ctx, `INSERT INTO _pam_jobs (name, period, started_at, finished_at, duration_ms, result, error)
		VALUES (?, ?, ?, NULL, NULL, '', '')
		ON CONFLICT (name) DO UPDATE SET period = excluded.period, started_at = excluded.started_at,
			finished_at = NULL, duration_ms = NULL, result = '', error = ''`,
		name, period, schema.FormatTimestamp(at))
	if err != nil {
		return fmt.Errorf("record job start: %w", err)
	}
	return nil
}

// JobFinished records the end of a job's run.
func (s *Store) JobFinished(ctx context.Context, r schema.JobRun) error {
	if s.Damaged() {
		return nil
	}
	_, err := s.write.ExecContext(ctx, `UPDATE _pam_jobs SET finished_at = ?, duration_ms = ?, result = ?, error = ? WHERE name = ?`,
		schema.FormatTimestamp(r.FinishedAt), r.Duration.Milliseconds(), r.Result, r.Error, r.Name)
	if err != nil {
		return fmt.Errorf("record job end: %w", err)
	}
	return nil
}

// JobRuns returns the last run of every job that has run.
func (s *Store) JobRuns(ctx context.Context) (map[string]schema.JobRun, error) {
	rows, err := s.read.QueryContext(ctx, `SELECT name, period, started_at, finished_at, duration_ms, result, error FROM _pam_jobs`)
	if err != nil {
		return nil, fmt.Errorf("read jobs: %w", err)
	}
	defer rows.Close()
	out := map[string]schema.JobRun{}
	for rows.Next() {
		var (
			r                 schema.JobRun
			started, finished sql.NullString
			ms                sql.NullInt64
		)
		if err := rows.Scan(&r.Name, &r.Period, &started, &finished, &ms, &r.Result, &r.Error); err != nil {
			return nil, fmt.Errorf("read jobs: %w", err)
		}
		r.StartedAt, _ = time.Parse(time.RFC3339Nano, started.String)
		r.FinishedAt, _ = time.Parse(time.RFC3339Nano, finished.String)
		r.Duration = time.Duration(ms.Int64) * time.Millisecond
		out[r.Name] = r
	}
	return out, rows.Err()
}
