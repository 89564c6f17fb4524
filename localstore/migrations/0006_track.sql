-- Where the RV has been: positions from the location socket, thinned
-- before they get here. Local only: a travel log stays on the RV unless
-- the user exports it; the current position reaches central through the
-- profile.
CREATE TABLE IF NOT EXISTS _pam_track (
  user_id TEXT    NOT NULL,
  at_ms   INTEGER NOT NULL,
  lat     REAL    NOT NULL,
  lon     REAL    NOT NULL,
  speed   REAL,
  heading REAL,
  PRIMARY KEY (user_id, at_ms)
) STRICT, WITHOUT ROWID;
