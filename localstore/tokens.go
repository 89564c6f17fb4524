package localstore

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"database/sql"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"strings"
	"time"

	"github.com/pam-rv/pamd/schema"
)

// tokenIDLen is how many hex digits of a token's hash name it in listings
// and revocations: enough to be unique, useless for finding the token.
const tokenIDLen = 16

// lastUseEvery bounds how often a token's last use is written.
const lastUseEvery = time.Minute

// IssueToken mints a bearer token for user that does not expire, keeping
// only its hash. The user becomes one of the device's users.
func (s *Store) IssueToken(ctx context.Context, user, label string) (string, error) {
	tok, _, err := s.NewToken(ctx, user, label, time.Time{})
	return tok, err
}

// NewToken mints a bearer token for user, expiring at expires (zero: never),
// and makes the user one of the device's users.
func (s *Store) NewToken(ctx context.Context, user, label string, expires time.Time) (string, TokenInfo, error) {
	user, err := schema.ParseUUID(user)
	if err != nil {
		return "", TokenInfo{}, schema.Errorf(schema.EINVALID, "user: %v", err)
	}
	if len(label) > 200 {
		return "", TokenInfo{}, schema.Errorf(schema.EINVALID, "label: longer than 200 bytes")
	}
	if err := s.writable(ctx); err != nil {
		return "", TokenInfo{}, err
	}
	var raw [32]byte
	if _, err := rand.Read(raw[:]); err != nil {
		return "", TokenInfo{}, fmt.Errorf("token entropy: %w", err)
	}
	tok := TokenPrefix + base64.RawURLEncoding.EncodeToString(raw[:])
	h := hashToken(tok)
	now := s.Now().UTC()
	info := TokenInfo{ID: h[:tokenIDLen], UserID: user, Label: label, CreatedAt: now}
	var exp any
	if !expires.IsZero() {
		e := expires.UTC()
		info.ExpiresAt = &e
		exp = schema.FormatTimestamp(e)
	}
	tx, err := s.write.BeginTx(ctx, nil)
	if err != nil {
		return "", TokenInfo{}, fmt.Errorf("store token: %w", err)
	}
	defer tx.Rollback()
	if _, err := tx.ExecContext(ctx, `INSERT INTO _pam_tokens (hash, user_id, label, created_at, expires_at) VALUES (?, ?, ?, ?, ?)`,
		h, user, label, schema.FormatTimestamp(now), exp); err != nil {
		return "", TokenInfo{}, fmt.Errorf("store token: %w", err)
	}
	if _, err := tx.ExecContext(ctx, `INSERT OR IGNORE INTO _pam_users (user_id, added_at) VALUES (?, ?)`,
		user, schema.FormatTimestamp(now)); err != nil {
		return "", TokenInfo{}, fmt.Errorf("store token: add user: %w", err)
	}
	if err := tx.Commit(); err != nil {
		return "", TokenInfo{}, fmt.Errorf("store token: %w", err)
	}
	return tok, info, nil
}

// TokenUser returns the user a device token was issued to, if the token
// exists and has not expired. A token revoked by any process, or its row
// deleted by hand, stops working at once: the token's row is read again
// unless no commit at all has happened since it was last read (tokenCache).
func (s *Store) TokenUser(ctx context.Context, token string) (string, bool) {
	if !strings.HasPrefix(token, TokenPrefix) || len(token) > 128 {
		return "", false
	}
	h := hashToken(token)
	now := s.Now()
	u, hit, version, cacheable := s.known.lookup(ctx, h, now)
	if hit {
		s.touchToken(ctx, h, now)
		return u, true
	}
	var exp sql.NullString
	if err := s.tokenRow.QueryRowContext(ctx, h).Scan(&u, &exp); err != nil {
		return "", false
	}
	var expires time.Time
	if exp.Valid {
		t, err := time.Parse(time.RFC3339Nano, exp.String)
		if err != nil || !now.Before(t) {
			return "", false
		}
		expires = t
	}
	if cacheable {
		s.known.remember(h, version, cachedToken{user: u, expires: expires})
	}
	s.touchToken(ctx, h, now)
	return u, true
}

// touchToken records a token's use, at most once a minute per token; a
// failure only loses the record.
func (s *Store) touchToken(ctx context.Context, h string, now time.Time) {
	stamp := schema.FormatTimestamp(now)
	s.tokensMu.RLock()
	last := s.tokens[h]
	s.tokensMu.RUnlock()
	if t, err := time.Parse(time.RFC3339Nano, last); err == nil && now.Sub(t) < lastUseEvery {
		return
	}
	s.tokensMu.Lock()
	if len(s.tokens) > 10000 {
		clear(s.tokens) // only a write throttle: forgetting costs one write
	}
	s.tokens[h] = stamp
	s.tokensMu.Unlock()
	if s.Integrity().Status == IntegrityDamaged {
		return
	}
	if _, err := s.write.ExecContext(ctx, `UPDATE _pam_tokens SET last_used_at = ? WHERE hash = ?`, stamp, h); err != nil {
		s.Logger.Debug("record token use", "err", err)
	}
}

// Tokens lists the device tokens of user, or of everyone when user is "",
// oldest first.
func (s *Store) Tokens(ctx context.Context, user string) ([]TokenInfo, error) {
	q := `SELECT hash, user_id, label, created_at, expires_at, last_used_at FROM _pam_tokens`
	var args []any
	if user != "" {
		q += ` WHERE user_id = ?`
		args = append(args, user)
	}
	rows, err := s.read.QueryContext(ctx, q+` ORDER BY created_at, hash`, args...)
	if err != nil {
		return nil, fmt.Errorf("list tokens: %w", err)
	}
	defer rows.Close()
	out := []TokenInfo{}
	for rows.Next() {
		var t TokenInfo
		var h, created string
		var exp, used sql.NullString
		if err := rows.Scan(&h, &t.UserID, &t.Label, &created, &exp, &used); err != nil {
			return nil, fmt.Errorf("list tokens: %w", err)
		}
		t.ID = h[:min(tokenIDLen, len(h))]
		t.CreatedAt, _ = time.Parse(time.RFC3339Nano, created)
		t.ExpiresAt, t.LastUsed = parseOptTime(exp), parseOptTime(used)
		out = append(out, t)
	}
	return out, rows.Err()
}

func parseOptTime(v sql.NullString) *time.Time {
	if !v.Valid {
		return nil
	}
	t, err := time.Parse(time.RFC3339Nano, v.String)
	if err != nil {
		return nil
	}
	return &t
}

// RevokeToken deletes the token with id (as Tokens lists it); when user is
// not "", only that user's token. It stops working at once.
func (s *Store) RevokeToken(ctx context.Context, user, id string) (TokenInfo, error) {
	id = strings.ToLower(strings.TrimSpace(id))
	if len(id) != tokenIDLen || strings.Trim(id, "0123456789abcdef") != "" {
		return TokenInfo{}, schema.Errorf(schema.EINVALID, "token id %q: want the %d hex digits `pamd token list` shows", schema.Truncate(id, 40), tokenIDLen)
	}
	if err := s.writable(ctx); err != nil {
		return TokenInfo{}, err
	}
	all, err := s.Tokens(ctx, user)
	if err != nil {
		return TokenInfo{}, err
	}
	for _, t := range all {
		if t.ID != id {
			continue
		}
		if _, err := s.write.ExecContext(ctx, `DELETE FROM _pam_tokens WHERE substr(hash, 1, ?) = ?`, tokenIDLen, id); err != nil {
			return TokenInfo{}, fmt.Errorf("revoke token: %w", err)
		}
		return t, nil
	}
	return TokenInfo{}, schema.Errorf(schema.ENOTFOUND, "no token %s", id)
}

// IsDeviceUser tells whether user may use this device: its owner, or a
// user paired with it (given a device token or added by pairing).
func (s *Store) IsDeviceUser(ctx context.Context, user string) bool {
	if user == "" {
		return false
	}
	if user == s.Owner() {
		return true
	}
	var n int
	err := s.read.QueryRowContext(ctx, `SELECT count(*) FROM _pam_users WHERE user_id = ?`, user).Scan(&n)
	return err == nil && n > 0
}

// AddDeviceUser makes user one of the device's users (pairing), naming it.
func (s *Store) AddDeviceUser(ctx context.Context, user, name string) error {
	user, err := schema.ParseUUID(user)
	if err != nil {
		return schema.Errorf(schema.EINVALID, "user: %v", err)
	}
	if err := s.writable(ctx); err != nil {
		return err
	}
	if _, err := s.write.ExecContext(ctx, `INSERT INTO _pam_users (user_id, name, added_at) VALUES (?, ?, ?)
		ON CONFLICT (user_id) DO UPDATE SET name = excluded.name WHERE excluded.name != ''`,
		user, name, schema.FormatTimestamp(s.Now())); err != nil {
		return fmt.Errorf("add device user: %w", err)
	}
	return nil
}

func hashToken(tok string) string {
	sum := sha256.Sum256([]byte(tok))
	return hex.EncodeToString(sum[:])
}

// loadTokens readies the last-use throttle. Tokens themselves are not held
// in memory: each use reads the database, so revocation is immediate.
func (s *Store) loadTokens(ctx context.Context) error {
	s.tokens = make(map[string]string)
	var n int
	if err := s.write.QueryRowContext(ctx, `SELECT count(*) FROM _pam_tokens`).Scan(&n); err != nil {
		return fmt.Errorf("load tokens: %w", err)
	}
	return nil
}
