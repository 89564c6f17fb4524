package schema

import "time"

// JobRun is the record of a scheduled job's last run.
type JobRun struct {
	Name string `json:"name"`
	// Period names the schedule period the run belongs to (a day, an
	// hour): one finished run per period.
	Period     string        `json:"period"`
	StartedAt  time.Time     `json:"started_at"`
	FinishedAt time.Time     `json:"finished_at"` // zero while running, or if the run was killed
	Duration   time.Duration `json:"-"`
	Result     string        `json:"result,omitempty"`
	Error      string        `json:"error,omitempty"`
}

// Finished reports whether the run ended (well or not).
func (r JobRun) Finished() bool { return !r.FinishedAt.IsZero() }
