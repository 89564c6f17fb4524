package central_test

import (
	"context"
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
)

func TestScratchKeep(t *testing.T) {
	ctx := context.Background()
	admin := pgtest.AdminURL(t)
	c0 := pgtest.Connect(t, admin)
	c0.Exec(ctx, `DROP DATABASE IF EXISTS scratch WITH (FORCE)`)
	c0.Exec(ctx, `CREATE DATABASE scratch`)
	conn := pgtest.Connect(t, "postgres://postgres@127.0.0.1:5432/scratch")
	if err := central.Init(ctx, conn, schema.Default()); err != nil {
		t.Fatal(err)
	}
}
