// Package packaging holds the Debian packaging of pamd (build-deb, the
// systemd unit, the maintainer scripts) and only tests: they build the
// package, install, upgrade, remove and purge it in an empty root with dpkg.
package packaging

import (
	"archive/tar"
	"bytes"
	"errors"
	"io"
	"io/fs"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"testing"
)

// maxExposure is the highest systemd-analyze security exposure that it
// still rates "OK".
const maxExposure = 2.5

// TestDeb builds the amd64 package with packaging/build-deb at the version
// packaging/version prints, and a later one, then takes them through
// dpkg --root in an empty directory: install, upgrade over an edited config
// and a database, remove, purge. The maintainer scripts run chrootless
// (DPKG_ROOT) with a fake systemd that records what they ask of it.
func TestDeb(t *testing.T) {
	requireTools(t, "go", "git", "dpkg", "dpkg-deb", "dpkg-query", "deb-systemd-helper", "systemd-analyze")
	repo, err := filepath.Abs("..")
	if err != nil {
		t.Fatal(err)
	}
	tmp := t.TempDir()

	version := strings.TrimSpace(run(t, repo, nil, "packaging/version"))
	next := version + ".1"
	oldDeb := buildDeb(t, repo, filepath.Join(tmp, "old"), "")
	newDeb := buildDeb(t, repo, filepath.Join(tmp, "new"), next)

	t.Run("versions", func(t *testing.T) {
		if got := debField(t, oldDeb, "Version"); got != "1:"+version {
			t.Errorf("package version %q, want 1:%s", got, version)
		}
		if got := debField(t, oldDeb, "Architecture"); got != "amd64" {
			t.Errorf("architecture %q, want amd64", got)
		}
		// Later than the next build, and than what the packages built from
		// bare commit hashes called themselves (issue 12 saw 3930364).
		for _, older := range []string{"3930364", "0.0.0+f00dfeed", "99999999"} {
			requireNewer(t, "1:"+version, older)
		}
		requireNewer(t, debField(t, newDeb, "Version"), debField(t, oldDeb, "Version"))
	})

	t.Run("contents", func(t *testing.T) {
		want := map[string]int64{
			"./usr/bin/pamd":                    0o755,
			"./etc/default/pamd":                0o600,
			"./lib/systemd/system/pamd.service": 0o644,
		}
		for _, h := range debFiles(t, oldDeb) {
			if h.Uid != 0 || h.Gid != 0 {
				t.Errorf("%s owned by %d:%d, want root", h.Name, h.Uid, h.Gid)
			}
			if m, ok := want[h.Name]; ok {
				if h.Mode&0o7777 != m {
					t.Errorf("%s mode %04o, want %04o", h.Name, h.Mode&0o7777, m)
				}
				delete(want, h.Name)
			}
		}
		for name := range want {
			t.Errorf("%s missing from the package", name)
		}
		if got := run(t, tmp, nil, "dpkg-deb", "-f", oldDeb, "Package"); strings.TrimSpace(got) != "pamd" {
			t.Errorf("package name %q", got)
		}
		if got := run(t, tmp, nil, "dpkg-deb", "--ctrl-tarfile", oldDeb); !strings.Contains(got, "conffiles") {
			t.Error("no conffiles in the control archive")
		}
	})

	r := newRoot(t, filepath.Join(tmp, "root"))

	// Install.
	r.dpkg(t, "-i", oldDeb)
	r.wantStatus(t, "1:"+version, "install ok installed")
	r.wantSystemd(t, "systemctl --system daemon-reload", "deb-systemd-invoke start pamd.service")
	r.wantMode(t, "etc/default/pamd", 0o600)
	r.wantMode(t, "usr/bin/pamd", 0o755)
	r.wantMode(t, "lib/systemd/system/pamd.service", 0o644)
	r.wantExists(t, "etc/systemd/system/multi-user.target.wants/pamd.service", true)
	unit, err := os.ReadFile(filepath.Join(r.dir, "lib/systemd/system/pamd.service"))
	if err != nil {
		t.Fatal(err)
	}
	src, err := os.ReadFile(filepath.Join(repo, "packaging/pamd.service"))
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.Equal(unit, src) {
		t.Error("installed unit differs from packaging/pamd.service")
	}
	for _, line := range []string{
		"ExecStart=/usr/bin/pamd serve --data-dir /var/lib/pamd",
		"EnvironmentFile=-/etc/default/pamd",
		"StateDirectory=pamd",
		"DynamicUser=yes",
		"LoadCredential=jwt-secret:pamd.jwt-secret",
		"WantedBy=multi-user.target",
	} {
		if !bytes.Contains(unit, []byte(line+"\n")) {
			t.Errorf("unit lacks %q", line)
		}
	}
	if exposure := securityExposure(t, filepath.Join(r.dir, "lib/systemd/system/pamd.service")); exposure > maxExposure {
		t.Errorf("systemd-analyze security exposure %.1f, want at most %.1f", exposure, maxExposure)
	} else {
		t.Logf("systemd-analyze security exposure %.1f", exposure)
	}
	r.wantBinaryVersion(t, version)

	// What an operator and the daemon leave behind: an edited config whose
	// mode the packages before this one left 0644, and a database in the
	// state directory (DynamicUser= keeps it in /var/lib/private).
	conf := filepath.Join(r.dir, "etc/default/pamd")
	appendFile(t, conf, "PAM_LISTEN=0.0.0.0:8000\n")
	if err := os.Chmod(conf, 0o644); err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(r.dir, "var/lib/private/pamd/pamd.db"), "the only copy\n")
	if err := os.Symlink("private/pamd", filepath.Join(r.dir, "var/lib/pamd")); err != nil {
		t.Fatal(err)
	}

	// Upgrade: the daemon is restarted, not left running the old binary,
	// and never stopped before that; config and data stay.
	r.dpkg(t, "--force-confold", "-i", newDeb)
	r.wantStatus(t, "1:"+next, "install ok installed")
	r.wantSystemd(t, "systemctl --system daemon-reload", "deb-systemd-invoke restart pamd.service")
	r.wantBinaryVersion(t, next)
	r.wantMode(t, "etc/default/pamd", 0o600)
	if b, err := os.ReadFile(conf); err != nil || !strings.Contains(string(b), "\nPAM_LISTEN=0.0.0.0:8000\n") {
		t.Errorf("the operator's setting is gone after the upgrade (%v)", err)
	}
	r.wantData(t)

	// Remove: stopped; config and data stay.
	r.dpkg(t, "-r", "pamd")
	r.wantStatus(t, "1:"+next, "deinstall ok config-files")
	r.wantSystemd(t, "deb-systemd-invoke stop pamd.service", "systemctl --system daemon-reload")
	r.wantExists(t, "usr/bin/pamd", false)
	r.wantExists(t, "etc/default/pamd", true)
	r.wantData(t)

	// Purge: config, state and the unit's enablement go.
	r.dpkg(t, "-P", "pamd")
	r.wantSystemd(t)
	for _, p := range []string{
		"etc/default/pamd",
		"var/lib/pamd",
		"var/lib/private/pamd",
		"etc/systemd/system/multi-user.target.wants/pamd.service",
		"etc/systemd/system/pamd.service",
		"var/lib/systemd/deb-systemd-helper-enabled/pamd.service.dsh-also",
	} {
		r.wantExists(t, p, false)
	}
	if out, err := r.query("-W", "pamd"); err == nil {
		t.Errorf("pamd still known to dpkg after purge: %s", out)
	}
}

// TestVersionOrder runs packaging/version in a scratch repository through
// a history of commits and tags: each version must match its pattern and
// sort after the one before in dpkg.
func TestVersionOrder(t *testing.T) {
	requireTools(t, "git", "dpkg")
	repo := t.TempDir()
	script, err := os.ReadFile("version")
	if err != nil {
		t.Fatal(err)
	}
	writeFile(t, filepath.Join(repo, "packaging/version"), string(script))
	if err := os.Chmod(filepath.Join(repo, "packaging/version"), 0o755); err != nil {
		t.Fatal(err)
	}
	gitEnv := []string{
		"GIT_CONFIG_GLOBAL=/dev/null", "GIT_CONFIG_NOSYSTEM=1",
		"GIT_AUTHOR_NAME=t", "GIT_AUTHOR_EMAIL=t@pam.invalid",
		"GIT_COMMITTER_NAME=t", "GIT_COMMITTER_EMAIL=t@pam.invalid",
	}
	git := func(args ...string) { t.Helper(); run(t, repo, gitEnv, "git", args...) }
	commit := func() { t.Helper(); git("commit", "-q", "--allow-empty", "-m", "c") }
	git("init", "-q")
	git("add", ".")
	git("commit", "-q", "-m", "first")

	steps := []struct {
		name string
		do   func()
		want string // a regexp for the whole version
	}{
		{"no tag", func() {}, `0\.0\.0\+git1\.[0-9a-f]{7}`},
		{"no tag, a commit later", commit, `0\.0\.0\+git2\.[0-9a-f]{7}`},
		{"on a tag", func() { git("tag", "v0.2.0") }, `0\.2\.0`},
		{"after a tag", func() {
			for range 9 {
				commit()
			}
		}, `0\.2\.0\+git9\.[0-9a-f]{7}`},
		{"ten after a tag", commit, `0\.2\.0\+git10\.[0-9a-f]{7}`},
		{"on a release candidate", func() { git("tag", "v0.3.0-rc1") }, `0\.3\.0~rc1`},
		{"after a release candidate", commit, `0\.3\.0~rc1\+git1\.[0-9a-f]{7}`},
		{"on the release", func() { git("tag", "v0.3.0") }, `0\.3\.0`},
		{"uncommitted changes", func() {
			writeFile(t, filepath.Join(repo, "f"), "x")
			git("add", "f")
		}, `0\.3\.0\+git0\.[0-9a-f]{7}\.dirty`},
	}
	prev := ""
	for _, s := range steps {
		s.do()
		got := strings.TrimSpace(run(t, repo, gitEnv, "packaging/version"))
		if !regexp.MustCompile(`^` + s.want + `$`).MatchString(got) {
			t.Errorf("%s: version %q, want %s", s.name, got, s.want)
		}
		if prev != "" {
			requireNewer(t, got, prev)
		}
		prev = got
	}
}

// root is an empty system dpkg installs into, with a fake systemd.
type root struct {
	dir, log string
	env      []string
}

func newRoot(t *testing.T, dir string) *root {
	t.Helper()
	r := &root{dir: dir, log: filepath.Join(filepath.Dir(dir), "systemd.log")}
	for _, d := range []string{"var/lib/dpkg/info", "var/lib/dpkg/updates", "run/systemd/system"} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	writeFile(t, filepath.Join(dir, "var/lib/dpkg/status"), "")
	// run/systemd/system makes the scripts believe systemd runs the root;
	// these stand-ins record what they would have asked of it.
	bin := filepath.Join(filepath.Dir(dir), "fakebin")
	for _, name := range []string{"systemctl", "deb-systemd-invoke"} {
		writeFile(t, filepath.Join(bin, name), "#!/bin/sh\necho \""+name+" $*\" >> \"$PAMD_TEST_SYSTEMD_LOG\"\n")
		if err := os.Chmod(filepath.Join(bin, name), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r.env = []string{"PATH=" + bin + ":" + os.Getenv("PATH"), "PAMD_TEST_SYSTEMD_LOG=" + r.log}
	return r
}

func (r *root) dpkg(t *testing.T, args ...string) {
	t.Helper()
	args = append([]string{"--root=" + r.dir, "--force-script-chrootless", "--force-not-root", "--log=/dev/null"}, args...)
	run(t, r.dir, r.env, "dpkg", args...)
}

func (r *root) query(args ...string) (string, error) {
	cmd := exec.Command("dpkg-query", append([]string{"--admindir=" + filepath.Join(r.dir, "var/lib/dpkg")}, args...)...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func (r *root) wantStatus(t *testing.T, version, status string) {
	t.Helper()
	out, err := r.query("-W", "-f", "${Version}|${Status}", "pamd")
	if err != nil {
		t.Fatalf("dpkg-query: %v: %s", err, out)
	}
	if want := version + "|" + status; out != want {
		t.Errorf("dpkg-query: %q, want %q", out, want)
	}
}

// wantSystemd checks what the maintainer scripts asked of systemd since the
// last call, in order, and forgets it.
func (r *root) wantSystemd(t *testing.T, calls ...string) {
	t.Helper()
	b, err := os.ReadFile(r.log)
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
	var got []string
	if s := strings.TrimSpace(string(b)); s != "" {
		got = strings.Split(s, "\n")
	}
	if strings.Join(got, "\n") != strings.Join(calls, "\n") {
		t.Errorf("systemd calls:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(calls, "\n"))
	}
	if err := os.Remove(r.log); err != nil && !errors.Is(err, fs.ErrNotExist) {
		t.Fatal(err)
	}
}

func (r *root) wantMode(t *testing.T, path string, mode fs.FileMode) {
	t.Helper()
	fi, err := os.Stat(filepath.Join(r.dir, path))
	if err != nil {
		t.Fatal(err)
	}
	if fi.Mode().Perm() != mode || !fi.Mode().IsRegular() {
		t.Errorf("/%s mode %v, want %v", path, fi.Mode(), mode)
	}
}

func (r *root) wantExists(t *testing.T, path string, exists bool) {
	t.Helper()
	_, err := os.Lstat(filepath.Join(r.dir, path))
	switch {
	case err != nil && !errors.Is(err, fs.ErrNotExist):
		t.Fatal(err)
	case exists && err != nil:
		t.Errorf("/%s is missing", path)
	case !exists && err == nil:
		t.Errorf("/%s is still there", path)
	}
}

func (r *root) wantData(t *testing.T) {
	t.Helper()
	b, err := os.ReadFile(filepath.Join(r.dir, "var/lib/pamd/pamd.db"))
	if err != nil || string(b) != "the only copy\n" {
		t.Errorf("the database is gone: %q, %v", b, err)
	}
}

// wantBinaryVersion runs the installed binary when this machine can.
func (r *root) wantBinaryVersion(t *testing.T, version string) {
	t.Helper()
	if runtime.GOOS != "linux" || runtime.GOARCH != "amd64" {
		t.Logf("not running the amd64 binary on %s/%s", runtime.GOOS, runtime.GOARCH)
		return
	}
	if got := run(t, r.dir, nil, filepath.Join(r.dir, "usr/bin/pamd"), "version"); got != "pamd "+version+"\n" {
		t.Errorf("pamd version: %q, want %q", got, "pamd "+version)
	}
}

// buildDeb runs packaging/build-deb amd64 into outdir; version "" lets it
// ask packaging/version.
func buildDeb(t *testing.T, repo, outdir, version string) string {
	t.Helper()
	env := []string{"OUTDIR=" + outdir, "VERSION=" + version}
	path := strings.TrimSpace(run(t, repo, env, "packaging/build-deb", "amd64"))
	if _, err := os.Stat(path); err != nil {
		t.Fatalf("build-deb printed %q: %v", path, err)
	}
	return path
}

func debField(t *testing.T, deb, field string) string {
	t.Helper()
	return strings.TrimSpace(run(t, filepath.Dir(deb), nil, "dpkg-deb", "-f", deb, field))
}

// debFiles lists the headers of the package's data archive.
func debFiles(t *testing.T, deb string) []*tar.Header {
	t.Helper()
	out := run(t, filepath.Dir(deb), nil, "dpkg-deb", "--fsys-tarfile", deb)
	tr := tar.NewReader(strings.NewReader(out))
	var hs []*tar.Header
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return hs
		}
		if err != nil {
			t.Fatal(err)
		}
		hs = append(hs, h)
	}
}

func requireNewer(t *testing.T, newer, older string) {
	t.Helper()
	if err := exec.Command("dpkg", "--compare-versions", newer, "gt", older).Run(); err != nil {
		t.Errorf("dpkg does not sort %s after %s", newer, older)
	}
}

var exposureRe = regexp.MustCompile(`Overall exposure level for \S+: ([0-9.]+)`)

func securityExposure(t *testing.T, unit string) float64 {
	t.Helper()
	cmd := exec.Command("systemd-analyze", "security", "--offline=true", "--no-pager", unit)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("systemd-analyze security: %v: %s", err, out)
	}
	m := exposureRe.FindSubmatch(out)
	if m == nil {
		t.Fatalf("no exposure level in:\n%s", out)
	}
	f, err := strconv.ParseFloat(string(m[1]), 64)
	if err != nil {
		t.Fatal(err)
	}
	return f
}

// run runs a command in dir with env added, failing the test with its
// output if it fails; it returns stdout.
func run(t *testing.T, dir string, env []string, name string, args ...string) string {
	t.Helper()
	cmd := exec.Command(name, args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err != nil {
		t.Fatalf("%s %s: %v\n%s%s", name, strings.Join(args, " "), err, stdout.String(), stderr.String())
	}
	return stdout.String()
}

// requireTools skips the test where a tool is missing, except in CI
// (CI set, as .ci/run does), where it fails.
func requireTools(t *testing.T, names ...string) {
	t.Helper()
	for _, n := range names {
		if _, err := exec.LookPath(n); err != nil {
			if os.Getenv("CI") != "" {
				t.Fatalf("%s is needed (apt-get install dpkg init-system-helpers systemd git): %v", n, err)
			}
			t.Skipf("%s not installed: %v", n, err)
		}
	}
}

func writeFile(t *testing.T, path, body string) {
	t.Helper()
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

func appendFile(t *testing.T, path, body string) {
	t.Helper()
	f, err := os.OpenFile(path, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := f.WriteString(body); err != nil {
		f.Close()
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
}
