-- The outbox's op check was written `op IN ('create', 'update', 'delete')`.
-- SQLite evaluates an IN list of three or more values through a temporary
-- b-tree built for each row inserted, which made the change record cost as
-- much as the row it records. Same rule, as comparisons; SQLite changes a
-- CHECK only by rebuilding the table.
CREATE TABLE _pam_changes_new (
  seq        INTEGER PRIMARY KEY,
  tx         INTEGER NOT NULL,
  hlc        INTEGER NOT NULL,
  tbl        TEXT    NOT NULL,
  row_id     TEXT    NOT NULL,
  user_id    TEXT,
  op         TEXT    NOT NULL CHECK (op = 'create' OR op = 'update' OR op = 'delete'),
  cl         INTEGER NOT NULL,
  data       TEXT    NOT NULL DEFAULT '{}',
  created_at TEXT    NOT NULL
) STRICT;
INSERT INTO _pam_changes_new (seq, tx, hlc, tbl, row_id, user_id, op, cl, data, created_at)
  SELECT seq, tx, hlc, tbl, row_id, user_id, op, cl, data, created_at FROM _pam_changes;
DROP TABLE _pam_changes;
ALTER TABLE _pam_changes_new RENAME TO _pam_changes;
