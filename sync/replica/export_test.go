package replica

// SetKnownKeys replaces the key columns a replica believes central uses,
// as if central had changed them since its last push.
func (r *Replica) SetKnownKeys(k map[string]string) {
	ks := keys{}
	for t, c := range k {
		ks[t] = tableKey{col: c}
	}
	r.rememberKeys(ks)
}
