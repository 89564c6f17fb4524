// Package rowid mints row ids: UUIDv7, so keys sort by creation time. It is
// the one place that owns github.com/google/uuid for minting, so the store,
// the assistant and the test helpers agree on what a new id looks like.
package rowid

import "github.com/google/uuid"

// New mints a UUIDv7.
func New() string { return uuid.Must(uuid.NewV7()).String() }
