package api

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rsa"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math/big"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"
)

// JWKS holds the project's JSON Web Key Set (Supabase publishes it at
// <project>/auth/v1/.well-known/jwks.json) to verify ES256/RS256 access
// tokens. Keys are fetched with a timeout when a token names a key not yet
// known (at most once per MinRefresh) and kept in a file in the data
// directory, so tokens still verify after a restart in a dead zone.
type JWKS struct {
	URL       string
	CachePath string // "" keeps the keys in memory only
	Client    *http.Client
	// MinRefresh is the least time between two fetches.
	MinRefresh time.Duration
	// MaxAge is how old the set may grow before a use fetches it again in
	// the background (a key the project withdrew stops working); offline,
	// the old set goes on answering.
	MaxAge time.Duration
	Now    func() time.Time

	mu         sync.Mutex
	loaded     bool // the cache file has been read
	keys       map[string]jwk
	attempted  time.Time // the last fetch attempt
	fetched    time.Time // when the set in memory was fetched (or cached)
	refreshing bool      // a background refresh runs
}

type jwk struct {
	alg string // ES256 or RS256
	key any    // *ecdsa.PublicKey or *rsa.PublicKey
}

// NewJWKS returns a key set fetched from url and cached at cachePath.
func NewJWKS(url, cachePath string) *JWKS {
	return &JWKS{
		URL:        url,
		CachePath:  cachePath,
		Client:     &http.Client{Timeout: 10 * time.Second},
		MinRefresh: time.Minute,
		MaxAge:     time.Hour,
		Now:        time.Now,
	}
}

// Key returns the public key with id kid for alg. An unknown kid fetches
// the set again (rate limited); offline, the cached set answers.
func (k *JWKS) Key(ctx context.Context, kid, alg string) (any, error) {
	k.mu.Lock()
	if !k.loaded {
		k.loaded = true
		if err := k.loadCache(); err != nil && !errors.Is(err, os.ErrNotExist) {
			k.mu.Unlock()
			return nil, fmt.Errorf("jwks cache: %w", err)
		}
	}
	key, ok := k.find(kid, alg)
	now := k.Now()
	mayFetch := k.URL != "" && now.Sub(k.attempted) >= k.MinRefresh
	fetch := !ok && mayFetch
	stale := ok && mayFetch && !k.refreshing && k.MaxAge > 0 && now.Sub(k.fetched) >= k.MaxAge
	if fetch || stale {
		k.attempted = now
	}
	if stale {
		k.refreshing = true
		go func() {
			ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
			defer cancel()
			k.Refresh(ctx) // a failure keeps the set we have
			k.mu.Lock()
			k.refreshing = false
			k.mu.Unlock()
		}()
	}
	k.mu.Unlock()
	if ok {
		return key, nil
	}
	if !fetch {
		return nil, fmt.Errorf("no %s key %q in the project's key set", alg, kid)
	}
	if err := k.Refresh(ctx); err != nil {
		return nil, err
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	if key, ok := k.find(kid, alg); ok {
		return key, nil
	}
	return nil, fmt.Errorf("no %s key %q in the project's key set", alg, kid)
}

// find looks kid up; a token without kid matches the only key of its alg.
func (k *JWKS) find(kid, alg string) (any, bool) {
	if kid != "" {
		j, ok := k.keys[kid]
		return j.key, ok && j.alg == alg
	}
	var found any
	n := 0
	for _, j := range k.keys {
		if j.alg == alg {
			found, n = j.key, n+1
		}
	}
	return found, n == 1
}

// Refresh fetches the key set and, when it parses, keeps it in memory and
// on disk.
func (k *JWKS) Refresh(ctx context.Context) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.URL, nil)
	if err != nil {
		return fmt.Errorf("jwks: %w", err)
	}
	resp, err := k.Client.Do(req)
	if err != nil {
		return fmt.Errorf("jwks fetch: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return fmt.Errorf("jwks fetch %s: status %d", k.URL, resp.StatusCode)
	}
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("jwks fetch: %w", err)
	}
	keys, err := parseJWKS(raw)
	if err != nil {
		return err
	}
	k.mu.Lock()
	k.keys, k.loaded, k.fetched = keys, true, k.Now()
	k.mu.Unlock()
	if k.CachePath != "" {
		if err := writeFileAtomic(k.CachePath, raw); err != nil {
			return fmt.Errorf("jwks cache: %w", err)
		}
	}
	return nil
}

func (k *JWKS) loadCache() error {
	if k.CachePath == "" {
		return nil
	}
	raw, err := os.ReadFile(k.CachePath)
	if err != nil {
		return err
	}
	fi, err := os.Stat(k.CachePath)
	if err != nil {
		return err
	}
	keys, err := parseJWKS(raw)
	if err != nil {
		return err
	}
	k.keys, k.fetched = keys, fi.ModTime()
	return nil
}

func writeFileAtomic(path string, data []byte) error {
	f, err := os.CreateTemp(filepath.Dir(path), ".jwks-*")
	if err != nil {
		return err
	}
	defer os.Remove(f.Name())
	if _, err := f.Write(data); err != nil {
		f.Close()
		return err
	}
	if err := f.Sync(); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	return os.Rename(f.Name(), path)
}

// parseJWKS reads the signing keys of a key set: EC P-256 (ES256) and RSA
// of at least 2048 bits (RS256). Others are skipped.
func parseJWKS(raw []byte) (map[string]jwk, error) {
	var set struct {
		Keys []struct {
			Kty, Kid, Alg, Use, Crv string
			X, Y, N, E              string
		} `json:"keys"`
	}
	if err := json.Unmarshal(raw, &set); err != nil {
		return nil, fmt.Errorf("jwks: %w", err)
	}
	keys := make(map[string]jwk)
	for _, j := range set.Keys {
		if j.Use != "" && j.Use != "sig" {
			continue
		}
		switch {
		case j.Kty == "EC" && j.Crv == "P-256" && (j.Alg == "" || j.Alg == "ES256"):
			x, errX := base64.RawURLEncoding.DecodeString(j.X)
			y, errY := base64.RawURLEncoding.DecodeString(j.Y)
			if errX != nil || errY != nil || len(x) != 32 || len(y) != 32 {
				continue
			}
			pub, err := ecdsa.ParseUncompressedPublicKey(elliptic.P256(), append(append([]byte{4}, x...), y...))
			if err != nil {
				continue
			}
			keys[j.Kid] = jwk{alg: "ES256", key: pub}
		case j.Kty == "RSA" && (j.Alg == "" || j.Alg == "RS256"):
			n, errN := base64.RawURLEncoding.DecodeString(j.N)
			e, errE := base64.RawURLEncoding.DecodeString(j.E)
			if errN != nil || errE != nil || len(e) == 0 || len(e) > 4 {
				continue
			}
			pub := &rsa.PublicKey{N: new(big.Int).SetBytes(n), E: int(new(big.Int).SetBytes(e).Int64())}
			if pub.N.BitLen() < 2048 || pub.E < 3 {
				continue
			}
			keys[j.Kid] = jwk{alg: "RS256", key: pub}
		}
	}
	return keys, nil
}
