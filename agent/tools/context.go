package tools

import "context"

type callKey struct{}

// WithCall carries the authenticated call through a model round trip, for
// providers that run tools themselves (the offline answerer).
func WithCall(ctx context.Context, c Call) context.Context {
	return context.WithValue(ctx, callKey{}, c)
}

// CallFrom returns the call WithCall stored.
func CallFrom(ctx context.Context) (Call, bool) {
	c, ok := ctx.Value(callKey{}).(Call)
	return c, ok
}
