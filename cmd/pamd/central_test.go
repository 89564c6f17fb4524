package main_test

import (
	"strings"
	"testing"

	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

// TestCentralAdoptCLI: on the Wheels & Wins database, `central plan` shows
// the plan, `central init` without --adopt refuses (non-zero, plan
// printed), `central init --adopt` installs, and a device added then can be
// removed again.
func TestCentralAdoptCLI(t *testing.T) {
	bin := mustBuild(t)
	f := supabasetest.Install(t, pgtest.NewDB(t))
	out, err := runPamd(t, bin, nil, "central", "plan", "--central-url", f.OwnerURL)
	if err != nil || !strings.Contains(out, "expenses") || !strings.Contains(out, "adopt-alter (device row id: pam_id)") || !strings.Contains(out, "hardening: PUBLIC may create temporary tables") {
		t.Fatalf("central plan: %v\n%s", err, out)
	}
	out, err = runPamd(t, bin, nil, "central", "init", "--central-url", f.OwnerURL)
	if err == nil || !strings.Contains(out, "adopt-alter") || !strings.Contains(err.Error(), "--adopt") {
		t.Fatalf("central init without --adopt: %v\n%s", err, out)
	}
	if out, err = runPamd(t, bin, nil, "central", "init", "--adopt", "--realtime", "--central-url", f.OwnerURL); err != nil {
		t.Fatalf("central init --adopt: %v\n%s", err, out)
	}
	devURL, err := runPamd(t, bin, nil, "central", "add-device", "--central-url", f.OwnerURL, "--user", f.U)
	if err != nil {
		t.Fatal(err)
	}
	role := strings.SplitN(strings.TrimPrefix(devURL, "postgres://"), ":", 2)[0]
	if _, err := runPamd(t, bin, nil, "central", "remove-device", "--central-url", f.OwnerURL, "--role", role); err != nil {
		t.Fatalf("central remove-device %s: %v", role, err)
	}
	if out, err := runPamd(t, bin, nil, "central", "plan", "--central-url", f.OwnerURL); err != nil || !strings.Contains(out, "adopted by an earlier init") {
		t.Fatalf("plan after adoption: %v\n%s", err, out)
	}
}
