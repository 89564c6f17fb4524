-- Who may use this device: its owner and the users paired with it. A JWT
-- for anyone else is refused, however well signed. Users who already hold
-- a device token, and the owner, are the device's users from the start.
CREATE TABLE IF NOT EXISTS _pam_users (
  user_id  TEXT PRIMARY KEY,
  name     TEXT NOT NULL DEFAULT '',
  added_at TEXT NOT NULL
) STRICT;

INSERT OR IGNORE INTO _pam_users (user_id, added_at)
  SELECT user_id, min(created_at) FROM _pam_tokens GROUP BY user_id;
INSERT OR IGNORE INTO _pam_users (user_id, added_at)
  SELECT value, strftime('%Y-%m-%dT%H:%M:%fZ', 'now') FROM _pam_meta WHERE key = 'owner';

-- Device tokens that can be taken back: an optional expiry, and when each
-- was last used (written at most once a minute per token).
ALTER TABLE _pam_tokens ADD COLUMN expires_at TEXT;
ALTER TABLE _pam_tokens ADD COLUMN last_used_at TEXT;
