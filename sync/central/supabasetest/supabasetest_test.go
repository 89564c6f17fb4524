package supabasetest_test

import (
	"testing"

	"github.com/pam-rv/pamd/sync/central/pgtest"
	"github.com/pam-rv/pamd/sync/central/supabasetest"
)

func TestInstall(t *testing.T) {
	t.Parallel()
	supabasetest.Install(t, pgtest.NewDB(t))
}
