package api_test

import (
	"io"
	"log/slog"
	"testing"

	"github.com/golang-jwt/jwt/v5"
)

func discardLogger() *slog.Logger { return slog.New(slog.NewTextHandler(io.Discard, nil)) }

// signJWT makes a Supabase-style HS256 access token.
func signJWT(tb testing.TB, claims map[string]any) string {
	tb.Helper()
	tok, err := jwt.NewWithClaims(jwt.SigningMethodHS256, jwt.MapClaims(claims)).SignedString(jwtSecret)
	if err != nil {
		tb.Fatal(err)
	}
	return tok
}
