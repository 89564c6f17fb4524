package llm_test

import (
	"context"
	"errors"
	"fmt"
	"testing"

	"github.com/pam-rv/pamd/llm"
)

// TestStatusError: each HTTP status an adapter meets maps to one sentinel,
// keeping the original error in the chain.
func TestStatusError(t *testing.T) {
	orig := errors.New("provider said no")
	for _, tt := range []struct {
		code int
		want error
	}{
		{429, llm.ErrRateLimited},
		{404, llm.ErrModelNotFound},
		{401, llm.ErrUnauthorized},
		{403, llm.ErrUnauthorized},
		{408, llm.ErrUnavailable},
		{500, llm.ErrUnavailable},
		{503, llm.ErrUnavailable},
		{400, llm.ErrBadRequest},
		{422, llm.ErrBadRequest},
	} {
		err := llm.StatusError(tt.code, orig)
		if !errors.Is(err, tt.want) || !errors.Is(err, orig) {
			t.Errorf("StatusError(%d) = %v, want %v wrapping the original", tt.code, err, tt.want)
		}
	}
}

func TestTransportError(t *testing.T) {
	refused := errors.New("connection refused")
	if err := llm.TransportError(refused); !errors.Is(err, llm.ErrUnavailable) || !errors.Is(err, refused) {
		t.Errorf("TransportError(refused) = %v, want ErrUnavailable", err)
	}
	for _, ctxErr := range []error{context.Canceled, context.DeadlineExceeded} {
		wrapped := fmt.Errorf("read: %w", ctxErr)
		if err := llm.TransportError(wrapped); err != wrapped {
			t.Errorf("TransportError(%v) = %v, want it unchanged", wrapped, err)
		}
	}
}
