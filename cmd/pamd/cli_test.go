package main_test

import (
	"bytes"
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
)

// TestCLIFailuresSayWhy runs the binary for each command-line mistake: the
// exit status is 2 for a mistake, 0 for -h, and stderr names the problem
// and the flag to fix. A refused command leaves nothing behind.
func TestCLIFailuresSayWhy(t *testing.T) {
	bin := mustBuild(t)
	tests := []struct {
		name       string
		args       []string // --data-dir <a new directory> is added
		code       int
		stderr     []string // each must appear on stderr
		stdout     string   // must appear on stdout
		leavesNone bool     // the data directory must not exist after
	}{
		{"SyncWithoutCentral", []string{"sync", "--once"}, 2, []string{"--central-url", "required"}, "", true},
		{"TokenBadUser", []string{"token", "--user", "not-a-uuid"}, 2, []string{"--user", "not-a-uuid", "not a user id"}, "", true},
		{"TokenNoDatabase", []string{"token"}, 2, []string{"no database", "--user"}, "", true},
		{"DemoScaleZero", []string{"demo", "--scale", "0"}, 2, []string{"--scale", "out of range"}, "", true},
		{"ServeExtraArg", []string{"serve", "extra-arg"}, 2, []string{`unexpected argument "extra-arg"`}, "", true},
		{"ServeBadFlag", []string{"serve", "--bogus"}, 2, []string{"-bogus", "Usage of pamd serve"}, "", true},
		{"ServeBadLogFormat", []string{"serve", "--log-format", "xml"}, 2, []string{"--log-format", "xml"}, "", true},
		{"CentralHelp", []string{"central", "-h"}, 0, nil, "pamd central init", true},
		{"CentralNoCommand", []string{"central"}, 2, []string{"plan, init, add-device or remove-device"}, "", true},
		{"CentralInitNoURL", []string{"central", "init"}, 2, []string{"--central-url", "required"}, "", true},
		{"CentralInitHelp", []string{"central", "init", "-h"}, 0, nil, "-central-url", true},
		{"ServeHelp", []string{"serve", "-h"}, 0, nil, "-listen", true},
		{"TokenHelp", []string{"token", "-h"}, 0, nil, "-user", true},
		{"DemoHelp", []string{"demo", "--help"}, 0, nil, "-scale", true},
		{"SyncHelp", []string{"sync", "-h"}, 0, nil, "-central-url", true},
		{"UnknownCommand", []string{"bogus"}, 2, []string{`unknown command "bogus"`}, "", true},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			dir := filepath.Join(t.TempDir(), "data")
			args := tc.args
			if tc.args[0] != "central" && tc.args[0] != "bogus" {
				args = append(append([]string{}, args...), "--data-dir", dir)
			}
			code, stdout, stderr := runExit(t, bin, nil, args...)
			if code != tc.code {
				t.Errorf("exit %d, want %d; stderr:\n%s", code, tc.code, stderr)
			}
			for _, w := range tc.stderr {
				if !strings.Contains(stderr, w) {
					t.Errorf("stderr does not say %q:\n%s", w, stderr)
				}
			}
			if tc.code == 2 && len(strings.TrimSpace(stderr)) == 0 {
				t.Error("a usage mistake printed nothing")
			}
			if !strings.Contains(stdout, tc.stdout) {
				t.Errorf("stdout does not show %q:\n%s", tc.stdout, stdout)
			}
			if _, err := os.Stat(dir); tc.leavesNone && !errors.Is(err, os.ErrNotExist) {
				t.Errorf("the refused command left %s behind (%v)", dir, err)
			}
		})
	}
}

// TestReadOnlyDataDir: a data directory this user cannot write says
// "permission" and names the directory, for the daemon and the one-shot
// commands alike. As root, the binary runs as nobody.
func TestReadOnlyDataDir(t *testing.T) {
	bin := mustBuild(t)
	var cred *syscall.Credential
	if os.Geteuid() == 0 {
		cred = &syscall.Credential{Uid: 65534, Gid: 65534}
		if err := os.Chmod(filepath.Dir(bin), 0o755); err != nil { // let nobody run it
			t.Fatal(err)
		}
	}
	root, err := os.MkdirTemp("", "pamd-ro")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { os.Chmod(root, 0o755); os.RemoveAll(root) })
	readOnly := filepath.Join(root, "ro") // exists, not writable
	if err := os.Mkdir(readOnly, 0o555); err != nil {
		t.Fatal(err)
	}
	roFile := filepath.Join(root, "rofile") // writable, but its database is not
	if err := os.Mkdir(roFile, 0o777); err != nil {
		t.Fatal(err)
	}
	os.Chmod(roFile, 0o777) // past the umask
	if err := os.WriteFile(filepath.Join(roFile, "pam.db"), nil, 0o444); err != nil {
		t.Fatal(err)
	}
	if err := os.Chmod(root, 0o755); err != nil {
		t.Fatal(err)
	}
	if cred == nil && (writable(readOnly) || writable(filepath.Join(roFile, "pam.db"))) {
		t.Skip("this user can write read-only files")
	}
	const user = "0190a000-0000-7000-8000-0000000000d1"
	for _, dir := range []string{readOnly, roFile} {
		for _, args := range [][]string{
			{"serve", "--listen", freePort(t)},
			{"token", "--user", user},
			{"demo"},
		} {
			t.Run(filepath.Base(dir)+"/"+args[0], func(t *testing.T) {
				code, _, stderr := runExit(t, bin, cred, append(args, "--data-dir", dir, "--log-level", "warn")...)
				if code != 1 || !strings.Contains(stderr, "permission") || !strings.Contains(stderr, dir) {
					t.Fatalf("exit %d, stderr:\n%s\nwant 1 and a message saying \"permission\" about %s", code, stderr, dir)
				}
			})
		}
	}
}

func writable(path string) bool {
	return syscall.Access(path, 2 /* W_OK */) == nil
}

// runExit runs the binary (as cred when set) and returns its exit status
// and output.
func runExit(tb testing.TB, bin string, cred *syscall.Credential, args ...string) (int, string, string) {
	tb.Helper()
	cmd := exec.Command(bin, args...)
	cmd.Env = []string{"PATH=" + os.Getenv("PATH")} // no PAM_* from the caller
	if cred != nil {
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: cred}
	}
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	var ee *exec.ExitError
	if err != nil && !errors.As(err, &ee) {
		tb.Fatalf("run pamd %v: %v", args, err)
	}
	return cmd.ProcessState.ExitCode(), stdout.String(), stderr.String()
}
