-- A conflict the user has looked at (kept the winner or put the loser
-- back) is marked reviewed here, so every screen of the RV stops asking
-- about it; the record itself is kept.
ALTER TABLE _pam_conflicts ADD COLUMN reviewed_at TEXT;
