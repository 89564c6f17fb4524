package demo_test

import (
	"context"
	"path/filepath"
	"testing"
	"time"

	"github.com/pam-rv/pamd/localstore"
	"github.com/pam-rv/pamd/localstore/demo"
	"github.com/pam-rv/pamd/schema"
)

func TestSmoke(t *testing.T) {
	s := localstore.New(filepath.Join(t.TempDir(), localstore.FileName), schema.Default())
	now := time.Date(2026, 3, 15, 12, 0, 0, 0, time.UTC)
	s.Now = func() time.Time { return now }
	if err := s.Open(context.Background()); err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	start := time.Now()
	sum, err := demo.Fill(context.Background(), s, demo.Options{Scale: 1, Now: now})
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("%v %v", time.Since(start), sum.Rows)
}
