package localstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"
)

// Backup writes a consistent copy of the database to path with VACUUM
// INTO: one read transaction, so every write committed before it began is
// in the copy and writers go on meanwhile. The copy is written beside path
// and renamed into place, so a path never holds half a backup.
func (s *Store) Backup(ctx context.Context, path string) error {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	tmp := path + ".partial"
	os.Remove(tmp)
	// Its own connection: the readers are query-only, and the writer must
	// stay free for the dashboard while the copy is made.
	db, err := sql.Open("sqlite", "file:"+s.Path+"?_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("backup: %w", err)
	}
	defer db.Close()
	if _, err := db.ExecContext(ctx, `VACUUM INTO ?`, tmp); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup to %s: %w", path, err)
	}
	if err := os.Rename(tmp, path); err != nil {
		os.Remove(tmp)
		return fmt.Errorf("backup: %w", err)
	}
	return nil
}

// BackupPrefix and BackupSuffix frame the names of rotated backups:
// pam-20261207T030000Z.db.
const (
	BackupPrefix = "pam-"
	BackupSuffix = ".db"
	backupStamp  = "20060102T150405Z"
)

// BackupName is the file name of a rotated backup taken at t.
func BackupName(t time.Time) string {
	return BackupPrefix + t.UTC().Format(backupStamp) + BackupSuffix
}

// Rotate deletes the backups in dir that are neither among the newest
// daily ones (one a day, the last of each day, keepDaily days) nor the
// last of each of the keepWeekly weeks before them, and returns the names
// it kept, newest first.
func Rotate(dir string, keepDaily, keepWeekly int) ([]string, error) {
	entries, err := os.ReadDir(dir)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return nil, nil
		}
		return nil, fmt.Errorf("rotate backups: %w", err)
	}
	type backup struct {
		name string
		at   time.Time
	}
	var all []backup
	for _, e := range entries {
		n := e.Name()
		if !strings.HasPrefix(n, BackupPrefix) || !strings.HasSuffix(n, BackupSuffix) {
			continue
		}
		at, err := time.Parse(backupStamp, strings.TrimSuffix(strings.TrimPrefix(n, BackupPrefix), BackupSuffix))
		if err != nil {
			continue // not ours
		}
		all = append(all, backup{n, at})
	}
	sort.Slice(all, func(i, j int) bool { return all[i].at.After(all[j].at) })
	days, weeks := map[string]bool{}, map[string]bool{}
	weekly := 0
	var kept []string
	for _, b := range all {
		day := b.at.Format("2006-01-02")
		y, w := b.at.ISOWeek()
		week := fmt.Sprint(y, "-", w)
		switch {
		case len(days) < keepDaily && !days[day]:
			days[day] = true
			weeks[week] = true // a week with a daily copy needs no weekly one
			kept = append(kept, b.name)
		case len(days) >= keepDaily && weekly < keepWeekly && !weeks[week]:
			weeks[week] = true
			weekly++
			kept = append(kept, b.name)
		default:
			if err := os.Remove(filepath.Join(dir, b.name)); err != nil {
				return kept, fmt.Errorf("rotate backups: %w", err)
			}
		}
	}
	return kept, nil
}

// CheckFile runs a full integrity check on the database file at path,
// opened read-only, and says what is wrong, if anything.
func CheckFile(ctx context.Context, path string) error {
	if _, err := os.Stat(path); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	db, err := sql.Open("sqlite", "file:"+path+"?mode=ro&_pragma=busy_timeout(5000)")
	if err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	defer db.Close()
	var verdict string
	if err := db.QueryRowContext(ctx, `PRAGMA integrity_check(1)`).Scan(&verdict); err != nil {
		return fmt.Errorf("check %s: %w", path, err)
	}
	if verdict != "ok" {
		return fmt.Errorf("check %s: %s", path, verdict)
	}
	return nil
}
