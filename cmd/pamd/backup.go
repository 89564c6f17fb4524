package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"time"

	"github.com/pam-rv/pamd/localstore"
)

// Backups kept by the scheduled job: the newest of each of the last seven
// days, then one for each of the four weeks before them.
const (
	keepDailyBackups  = 7
	keepWeeklyBackups = 4
)

// backupDir is where the scheduled backups of a data directory go.
func backupDir(dataDir string) string { return filepath.Join(dataDir, "backups") }

// backupJob copies the database (VACUUM INTO, while writes go on) and
// rotates the copies in dir.
func backupJob(store *localstore.Store, dir string) func(context.Context) (string, error) {
	return func(ctx context.Context) (string, error) {
		path := filepath.Join(dir, localstore.BackupName(time.Now()))
		if err := store.Backup(ctx, path); err != nil {
			return "", err
		}
		kept, err := localstore.Rotate(dir, keepDailyBackups, keepWeeklyBackups)
		if err != nil {
			return "", fmt.Errorf("backup written to %s, but rotating: %w", path, err)
		}
		return fmt.Sprintf("%s written, %d kept", filepath.Base(path), len(kept)), nil
	}
}

// runRestore puts a backup in place of the data directory's database. It
// refuses while pamd serves (or any one-shot command holds) the directory,
// checks the backup's integrity first, and keeps the database it replaces
// beside it.
func runRestore(ctx context.Context, args []string, stdout, stderr io.Writer, getenv func(string) string) error {
	cfg := DefaultConfig()
	fs := newFlagSet("restore", stderr)
	cfg.bindCommon(fs, env(getenv))
	pos, err := cfg.parseArgs(fs, args, stdout)
	if err != nil {
		return usageError(stderr, err)
	}
	if len(pos) != 1 {
		return fmt.Errorf("%w: usage: pamd restore [--data-dir D] BACKUP.db (backups are in %s)", errUsage, backupDir(cfg.DataDir))
	}
	src := pos[0]
	if err := localstore.CheckFile(ctx, src); err != nil {
		return fmt.Errorf("restore: the backup is not usable: %w", err)
	}
	lock, err := lockDataDir(cfg.DataDir, "restore")
	if err != nil {
		return fmt.Errorf("restore: %w (stop the daemon first: systemctl stop pamd)", err)
	}
	defer lock.Close()
	db := filepath.Join(cfg.DataDir, localstore.FileName)
	aside := ""
	if _, err := os.Stat(db); err == nil {
		aside = db + ".before-restore-" + time.Now().UTC().Format("20060102T150405Z")
		if err := os.Rename(db, aside); err != nil {
			return fmt.Errorf("restore: keep the current database: %w", err)
		}
	}
	for _, ext := range []string{"-wal", "-shm"} {
		if aside != "" {
			os.Rename(db+ext, aside+ext)
		} else {
			os.Remove(db + ext)
		}
	}
	if err := copyFile(src, db); err != nil {
		if aside != "" {
			os.Rename(aside, db) // put it back
		}
		return fmt.Errorf("restore: %w", err)
	}
	fmt.Fprintf(stdout, "restored %s from %s\n", db, src)
	if aside != "" {
		fmt.Fprintf(stdout, "the database it replaced is kept as %s\n", aside)
	}
	return nil
}

// copyFile copies src to dst (0600) and syncs it before returning.
func copyFile(src, dst string) error {
	in, err := os.Open(src)
	if err != nil {
		return err
	}
	defer in.Close()
	tmp := dst + ".restoring"
	out, err := os.OpenFile(tmp, os.O_WRONLY|os.O_CREATE|os.O_TRUNC, 0o600)
	if err != nil {
		return err
	}
	if _, err := io.Copy(out, in); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Sync(); err != nil {
		out.Close()
		os.Remove(tmp)
		return err
	}
	if err := out.Close(); err != nil {
		os.Remove(tmp)
		return err
	}
	return os.Rename(tmp, dst)
}
