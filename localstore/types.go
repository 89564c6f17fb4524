package localstore

import "github.com/pam-rv/pamd/schema"

// The store's result types live in schema, so the store's consumers speak
// schema alone. These aliases keep the adapter's own callers (sync,
// cmd/pamd, tests) reading unchanged.
type (
	Operation      = schema.Operation
	Result         = schema.Result
	Integrity      = schema.Integrity
	Health         = schema.Health
	Stats          = schema.Stats
	CacheStats     = schema.CacheStats
	Rejection      = schema.Rejection
	ConflictRecord = schema.ConflictRecord
	TokenInfo      = schema.TokenInfo
)

// Constants of the store's vocabulary, defined in schema.
const (
	MaxBulkOps       = schema.MaxBulkOps
	OpRead           = schema.OpRead
	TokenPrefix      = schema.TokenPrefix
	IntegrityUnknown = schema.IntegrityUnknown
	IntegrityOK      = schema.IntegrityOK
	IntegrityDamaged = schema.IntegrityDamaged
)
