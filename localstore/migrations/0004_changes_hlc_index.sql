-- The clock's high-water mark is read at every start with
-- `SELECT max(hlc) FROM _pam_changes`; without an index that scanned the
-- whole change log, so start time grew with it. Changes are numbered in
-- clock order, so the index grows at its right edge only.
CREATE INDEX IF NOT EXISTS _pam_changes_hlc_idx ON _pam_changes (hlc);
