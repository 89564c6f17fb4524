package replica

// SetKnownKeys replaces the key columns a replica believes central uses,
// as if central had changed them since its last push.
func (r *Replica) SetKnownKeys(k map[string]string) {
	r.rememberKeys(keys(k))
}
