package localstore

import (
	"context"
	"embed"
	"fmt"
	"io/fs"
	"slices"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// migrationFS holds the ordered migrations. 0001_tables.sql is generated
// from the schema catalog (TestMigrationMatchesSchema keeps the two equal;
// run `go test ./localstore -run TestMigrationMatchesSchema -update` after
// changing a table); later files are written by hand.
//
//go:embed migrations/*.sql
var migrationFS embed.FS

// migrate applies, in name order, every migration not yet recorded, each in
// its own transaction together with its record.
func (s *Store) migrate(ctx context.Context) error {
	if _, err := s.write.ExecContext(ctx, `CREATE TABLE IF NOT EXISTS _pam_migrations (
		name TEXT PRIMARY KEY, applied_at TEXT NOT NULL) STRICT`); err != nil {
		return fmt.Errorf("create migrations table: %w", err)
	}
	names, err := fs.Glob(migrationFS, "migrations/*.sql")
	if err != nil {
		return err
	}
	slices.Sort(names)
	for _, name := range names {
		if err := s.migrateFile(ctx, name); err != nil {
			return fmt.Errorf("migration %s: %w", name, err)
		}
	}
	return nil
}

func (s *Store) migrateFile(ctx context.Context, name string) error {
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer tx.Rollback()
	var n int
	if err := tx.QueryRowContext(ctx, `SELECT count(*) FROM _pam_migrations WHERE name = ?`, name).Scan(&n); err != nil {
		return err
	} else if n > 0 {
		return nil
	}
	body, err := fs.ReadFile(migrationFS, name)
	if err != nil {
		return err
	}
	if _, err := tx.ExecContext(ctx, string(body)); err != nil {
		return err
	}
	// The wall clock, not the store's: when a file was migrated is a fact
	// about the file, and a test store's ticking clock would otherwise
	// shift every later timestamp with each new migration.
	if _, err := tx.ExecContext(ctx, `INSERT INTO _pam_migrations (name, applied_at) VALUES (?, ?)`,
		name, schema.FormatTimestamp(time.Now())); err != nil {
		return err
	}
	return tx.Commit()
}

// TablesSQL renders the SQLite DDL of every table of cat, the body of
// migration 0001.
func TablesSQL(cat *schema.Catalog) string {
	var b strings.Builder
	b.WriteString("-- Code generated from package schema by TestMigrationMatchesSchema -update. DO NOT EDIT.\n")
	for _, t := range cat.Tables {
		fmt.Fprintf(&b, "\n-- %s: %s\n", t.Name, t.Doc)
		for _, stmt := range t.DDL(schema.SQLite) {
			b.WriteString(stmt + ";\n")
		}
	}
	return b.String()
}
