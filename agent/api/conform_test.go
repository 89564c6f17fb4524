package api_test

import (
	"github.com/pam-rv/pamd/agent/api"
	"github.com/pam-rv/pamd/localstore"
)

// The local store is what cmd/pamd plugs into these interfaces.
var (
	_ api.DataStore  = (*localstore.Store)(nil)
	_ api.TokenStore = (*localstore.Store)(nil)
	_ api.SyncLedger = (*localstore.Store)(nil)
)
