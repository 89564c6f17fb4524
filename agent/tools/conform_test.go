package tools_test

import (
	"github.com/pam-rv/pamd/agent/tools"
	"github.com/pam-rv/pamd/localstore"
)

// The local store is what cmd/pamd plugs into the registry.
var _ tools.Store = (*localstore.Store)(nil)
