package central_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"math/big"
	"net/url"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// TestVerifyFull: a device URL with sslmode=verify-full and sslrootcert
// verifies the server's certificate against that root and its name. The
// test server's certificate is self-signed (Debian's snakeoil, its own
// CA): with it as the root the connection succeeds; with another CA it is
// refused. Supabase gives a project's CA certificate for download; the
// device URL names it the same way.
func TestVerifyFull(t *testing.T) {
	t.Parallel()
	adminURL, admin := MustInit(t)
	ctx := testContext(t)
	var ssl, certFile string
	admin.QueryRow(ctx, `SELECT current_setting('ssl'), current_setting('ssl_cert_file')`).Scan(&ssl, &certFile)
	if ssl != "on" {
		if os.Getenv("CI") == "true" {
			t.Fatalf("the test server has ssl=%s; CI needs it on", ssl)
		}
		t.Skipf("the test server has ssl=%s", ssl)
	}
	if !filepath.IsAbs(certFile) {
		var dir string
		admin.QueryRow(ctx, `SELECT current_setting('data_directory')`).Scan(&dir)
		certFile = filepath.Join(dir, certFile)
	}
	pemBytes, err := os.ReadFile(certFile)
	if err != nil {
		t.Fatalf("read the server's certificate: %v", err)
	}
	block, _ := pem.Decode(pemBytes)
	cert, err := x509.ParseCertificate(block.Bytes)
	if err != nil {
		t.Fatal(err)
	}
	name := cert.Subject.CommonName
	if len(cert.DNSNames) > 0 {
		name = cert.DNSNames[0]
	}
	dir := t.TempDir()
	root := filepath.Join(dir, "root.crt")
	if err := os.WriteFile(root, pemBytes, 0o600); err != nil {
		t.Fatal(err)
	}
	other := filepath.Join(dir, "other-ca.crt")
	if err := os.WriteFile(other, newCA(t), 0o600); err != nil {
		t.Fatal(err)
	}
	devURL, _ := MustAddDeviceURL(t, admin, adminURL, user1)
	connect := func(rootCert string) error {
		u, err := url.Parse(devURL)
		if err != nil {
			t.Fatal(err)
		}
		q := u.Query()
		q.Set("sslmode", "verify-full")
		q.Set("sslrootcert", rootCert)
		u.RawQuery = q.Encode()
		cfg, err := pgx.ParseConfig(u.String())
		if err != nil {
			t.Fatal(err)
		}
		// The server listens on 127.0.0.1; its certificate names the host
		// (localhost here): verify that name, as a device does when it
		// dials a project by its host name.
		cfg.TLSConfig.ServerName = name
		for _, fb := range cfg.Fallbacks {
			if fb.TLSConfig != nil {
				fb.TLSConfig.ServerName = name
			}
		}
		c, err := pgx.ConnectConfig(ctx, cfg)
		if err != nil {
			return err
		}
		defer c.Close(context.WithoutCancel(ctx))
		var on bool
		return c.QueryRow(ctx, `SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).Scan(&on)
	}
	if err := connect(root); err != nil {
		t.Fatalf("verify-full with the server's CA: %v", err)
	}
	if err := connect(other); err == nil {
		t.Fatal("verify-full with another CA connected")
	}
}

// newCA returns a fresh self-signed CA certificate in PEM.
func newCA(tb testing.TB) []byte {
	tb.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		tb.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber:          big.NewInt(1),
		Subject:               pkix.Name{CommonName: "not the server's CA"},
		NotBefore:             time.Now().Add(-time.Hour),
		NotAfter:              time.Now().Add(time.Hour),
		IsCA:                  true,
		BasicConstraintsValid: true,
		KeyUsage:              x509.KeyUsageCertSign,
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		tb.Fatal(err)
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
}
