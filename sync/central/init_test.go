package central_test

import (
	"context"
	"testing"

	"github.com/pam-rv/pamd/schema"
	"github.com/pam-rv/pamd/sync/central"
	"github.com/pam-rv/pamd/sync/central/pgtest"
)

func TestSmoke(t *testing.T) {
	url := pgtest.NewDB(t)
	conn := pgtest.Connect(t, url)
	if err := central.Init(context.Background(), conn, schema.Default()); err != nil {
		t.Fatal(err)
	}
	if err := central.Init(context.Background(), conn, schema.Default()); err != nil {
		t.Fatal(err)
	}
}
