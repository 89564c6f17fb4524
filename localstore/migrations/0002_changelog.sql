-- The change log (outbox): every committed mutation of a table has one
-- row here, written in the same transaction. Entries above the meta value
-- pushed_seq are pending; sync ships them in order and moves pushed_seq.
-- Nothing else is written on the hot path: the row's versions are folded
-- into _pam_rowmeta when the push is acknowledged.
CREATE TABLE IF NOT EXISTS _pam_changes (
  seq        INTEGER PRIMARY KEY,        -- max+1: compaction always keeps the newest entry, so a number is never reused
  tx         INTEGER NOT NULL,           -- local transaction: the HLC of its first change
  hlc        INTEGER NOT NULL,           -- hybrid logical clock of this change
  tbl        TEXT    NOT NULL,
  row_id     TEXT    NOT NULL,
  user_id    TEXT,                       -- the row's owner, NULL for unowned rows
  op         TEXT    NOT NULL CHECK (op IN ('create', 'update', 'delete')),
  cl         INTEGER NOT NULL,           -- the row's causal length after this change
  data       TEXT    NOT NULL DEFAULT '{}', -- changed columns, stored form (JSON)
  created_at TEXT    NOT NULL
) STRICT;

-- Device identity and small settings: device_id, owner, hlc high-water mark.
CREATE TABLE IF NOT EXISTS _pam_meta (
  key   TEXT PRIMARY KEY,
  value TEXT NOT NULL
) STRICT;

-- Bearer tokens the daemon issued itself (owner, per-user, paired phones).
-- Only a SHA-256 of each token is kept.
CREATE TABLE IF NOT EXISTS _pam_tokens (
  hash       TEXT PRIMARY KEY,
  user_id    TEXT NOT NULL,
  label      TEXT NOT NULL,
  created_at TEXT NOT NULL
) STRICT;

-- Sync metadata, per row: its causal length (odd alive, even deleted) and
-- the version of each cell, {"col": {"t": hlc, "n": node}}, where the entry
-- "*": {"t", "n", "c": [cols]} gives one version to many columns and a
-- column's own entry overrides it. A row with an
-- even causal length is a tombstone: it keeps a deleted row deleted against
-- late updates from other replicas. Local deletes and re-creates write it at
-- once; other local writes are folded in when their push is acknowledged;
-- pulled changes write it as they are applied. No row here means CL 1.
CREATE TABLE IF NOT EXISTS _pam_rowmeta (
  tbl        TEXT    NOT NULL,
  row_id     TEXT    NOT NULL,
  cl         INTEGER NOT NULL,
  cells      TEXT    NOT NULL DEFAULT '{}',
  deleted_at TEXT,                       -- when a tombstone was made, for the retention horizon
  PRIMARY KEY (tbl, row_id)
) STRICT, WITHOUT ROWID;

-- The conflict ledger: every value a merge overwrote or refused.
CREATE TABLE IF NOT EXISTS _pam_conflicts (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  tbl         TEXT NOT NULL,
  row_id      TEXT NOT NULL,
  col         TEXT NOT NULL,
  user_id     TEXT,      -- the row's owner, NULL for shared rows
  winner      TEXT,      -- JSON cell {"v","t","n"}
  loser       TEXT,      -- JSON cell {"v","t","n"}
  reason      TEXT NOT NULL,
  detected_at TEXT NOT NULL
) STRICT;

-- Pull cursors, one per scope (a user id, or the shared scope).
CREATE TABLE IF NOT EXISTS _pam_cursors (
  scope TEXT PRIMARY KEY,
  seq   INTEGER NOT NULL
) STRICT;

-- Local transactions the central database refused, with its reason.
CREATE TABLE IF NOT EXISTS _pam_rejected (
  tx          INTEGER PRIMARY KEY,
  first_seq   INTEGER NOT NULL,
  last_seq    INTEGER NOT NULL,
  reason      TEXT    NOT NULL,
  rejected_at TEXT    NOT NULL
) STRICT;
