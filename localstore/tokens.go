package localstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/pam-rv/pamd/schema"
)

// TokenPrefix marks device tokens, so they are told apart from JWTs at a glance.
const TokenPrefix = "pam_"

// IssueToken mints a bearer token for user, keeping only its hash.
func (s *Store) IssueToken(ctx context.Context, user, label string) (string, error) {
	user, err := schema.ParseUUID(user)
	if err != nil {
		return "", schema.Errorf(schema.EINVALID, "user: %v", err)
	}
	if err := s.writable(ctx); err != nil {
		return "", err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", fmt.Errorf("token entropy: %w", err)
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := hashToken(tok)
	if _, err := s.write.ExecContext(ctx, `INSERT INTO _pam_tokens (hash, user_id, label, created_at) VALUES (?, ?, ?, ?)`,
		h, user, label, schema.FormatTimestamp(s.Now())); err != nil {
		return "", fmt.Errorf("store token: %w", err)
	}
	s.tokensMu.Lock()
	s.tokens[h] = user
	s.tokensMu.Unlock()
	return tok, nil
}

// TokenUser returns the user a device token was issued to. Tokens are held
// in memory; one issued by another process (`pamd token` beside a running
// daemon) is found in the database and remembered.
func (s *Store) TokenUser(ctx context.Context, token string) (string, bool) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return "", false
	}
	h := hashToken(token)
	s.tokensMu.RLock()
	u, ok := s.tokens[h]
	s.tokensMu.RUnlock()
	if ok {
		return u, true
	}
	if err := s.read.QueryRowContext(ctx, `SELECT user_id FROM _pam_tokens WHERE hash = ?`, h).Scan(&u); err != nil {
		return "", false
	}
	s.tokensMu.Lock()
	s.tokens[h] = u
	s.tokensMu.Unlock()
	return u, true
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

func (s *Store) loadTokens(ctx context.Context) error {
	rows, err := s.write.QueryContext(ctx, `SELECT hash, user_id FROM _pam_tokens`)
	if err != nil {
		return fmt.Errorf("load tokens: %w", err)
	}
	defer rows.Close()
	s.tokens = make(map[string]string)
	for rows.Next() {
		var h, u string
		if err := rows.Scan(&h, &u); err != nil {
			return fmt.Errorf("load tokens: %w", err)
		}
		s.tokens[h] = u
	}
	return rows.Err()
}
