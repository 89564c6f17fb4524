-- The daemon's scheduled jobs: when each last started and finished, so a
-- restart catches up a missed run and resumes one killed mid-run, and
-- never runs a period's job twice.
CREATE TABLE IF NOT EXISTS _pam_jobs (
  name        TEXT PRIMARY KEY,
  period      TEXT NOT NULL DEFAULT '',  -- the period of the last start
  started_at  TEXT,
  finished_at TEXT,                      -- NULL while running or if killed
  duration_ms INTEGER,
  result      TEXT NOT NULL DEFAULT '',
  error       TEXT NOT NULL DEFAULT ''
) STRICT;
