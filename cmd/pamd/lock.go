package main

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"time"
)

// LockFile is the file in the data directory on which a process that
// writes the database holds an exclusive flock: `pamd serve` for as long as
// it runs, a one-shot command (token, demo, sync --once) for as long as it
// works. One writer process per data directory means one device identity,
// one clock and one cache, never two that disagree. The file holds the
// holder's PID and command; the kernel drops the lock when the process
// ends, however it ends, so a stale file locks nothing.
const LockFile = "pamd.lock"

// LockedError says who holds a data directory.
type LockedError struct {
	Dir     string
	PID     int    // 0 when the holder has not written it yet
	Command string // "serve", "token", ...
}

func (e *LockedError) Error() string {
	who := "another pamd process"
	if e.Command != "" {
		who = "pamd " + e.Command
	}
	if e.PID > 0 {
		who += fmt.Sprintf(" (PID %d)", e.PID)
	}
	return fmt.Sprintf("data directory %s is in use by %s", e.Dir, who)
}

// lockDataDirWaiting is lockDataDir for the daemon: a one-shot command
// holding the directory (a `pamd token` run as the unit starts) is waited
// for, up to wait; another daemon is refused at once.
func lockDataDirWaiting(ctx context.Context, dir, command string, wait time.Duration) (*dirLock, error) {
	deadline := time.Now().Add(wait)
	for {
		l, err := lockDataDir(dir, command)
		var locked *LockedError
		if !errors.As(err, &locked) || locked.Command == "serve" || time.Now().After(deadline) {
			return l, err
		}
		select {
		case <-ctx.Done():
			return nil, err
		case <-time.After(100 * time.Millisecond):
		}
	}
}

// dirLock is a held lock on a data directory.
type dirLock struct{ f *os.File }

// lockDataDir creates dir if needed and takes its lock for command, or
// returns a *LockedError naming the holder.
func lockDataDir(dir, command string) (*dirLock, error) {
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return nil, dataDirError(dir, err)
	}
	f, err := os.OpenFile(filepath.Join(dir, LockFile), os.O_RDWR|os.O_CREATE, 0o640)
	if err != nil {
		return nil, dataDirError(dir, err)
	}
	if err := syscall.Flock(int(f.Fd()), syscall.LOCK_EX|syscall.LOCK_NB); err != nil {
		defer f.Close()
		if errors.Is(err, syscall.EWOULDBLOCK) {
			return nil, holder(f, dir)
		}
		return nil, fmt.Errorf("lock data directory %s: %w", dir, err)
	}
	if err := f.Truncate(0); err == nil {
		_, err = f.WriteAt([]byte(fmt.Sprintf("%d %s\n", os.Getpid(), command)), 0)
	}
	if err != nil {
		f.Close()
		return nil, dataDirError(dir, err)
	}
	return &dirLock{f: f}, nil
}

// holder reads who holds the lock. A holder writes its PID just after it
// takes the lock, so an empty file is read again for a moment.
func holder(f *os.File, dir string) *LockedError {
	e := &LockedError{Dir: dir}
	for range 20 {
		b := make([]byte, 128)
		n, _ := f.ReadAt(b, 0)
		if fields := strings.Fields(string(b[:n])); len(fields) > 0 {
			e.PID, _ = strconv.Atoi(fields[0])
			if len(fields) > 1 {
				e.Command = fields[1]
			}
			return e
		}
		time.Sleep(25 * time.Millisecond)
	}
	return e
}

// Close releases the lock. The file stays: removing it would let a
// process that opened it a moment ago lock an unlinked inode.
func (l *dirLock) Close() error {
	if l == nil || l.f == nil {
		return nil
	}
	_ = l.f.Truncate(0)
	err := l.f.Close()
	l.f = nil
	return err
}

// dataDirError says "permission" plainly when the directory is not ours.
func dataDirError(dir string, err error) error {
	if errors.Is(err, fs.ErrPermission) || errors.Is(err, syscall.EROFS) {
		return fmt.Errorf("data directory %s: permission denied: this user (uid %d) cannot write it; fix its owner or mode, or pass another --data-dir: %w",
			dir, os.Getuid(), err)
	}
	return fmt.Errorf("data directory %s: %w", dir, err)
}
