package main

import (
	"errors"
	"io"
	"os"
	"path/filepath"
	"testing"
)

func TestSecretsFromFiles(t *testing.T) {
	dir := t.TempDir()
	write := func(t *testing.T, name, body string) string {
		t.Helper()
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(body), 0o600); err != nil {
			t.Fatal(err)
		}
		return p
	}
	secretFile := write(t, "jwt", "from-file\n")
	creds := filepath.Join(dir, "creds")
	if err := os.Mkdir(creds, 0o700); err != nil {
		t.Fatal(err)
	}
	write(t, "creds/jwt-secret", "from-credential\r\n")
	write(t, "creds/central-url", "postgres://dev:pw@central/pam")

	tests := []struct {
		name        string
		args        []string
		env         map[string]string
		wantJWT     string
		wantCentral string
		wantErr     string // the ConfigError's setting, "" for none
	}{
		{name: "nothing set", wantJWT: ""},
		{name: "file", env: map[string]string{"PAM_JWT_SECRET_FILE": secretFile}, wantJWT: "from-file"},
		{name: "variable wins over file", env: map[string]string{"PAM_JWT_SECRET": "env", "PAM_JWT_SECRET_FILE": secretFile}, wantJWT: "env"},
		{name: "flag wins over file", args: []string{"--jwt-secret", "flag"}, env: map[string]string{"PAM_JWT_SECRET_FILE": secretFile}, wantJWT: "flag"},
		{name: "systemd credentials", env: map[string]string{"CREDENTIALS_DIRECTORY": creds}, wantJWT: "from-credential", wantCentral: "postgres://dev:pw@central/pam"},
		{name: "file wins over credential", env: map[string]string{"CREDENTIALS_DIRECTORY": creds, "PAM_JWT_SECRET_FILE": secretFile}, wantJWT: "from-file", wantCentral: "postgres://dev:pw@central/pam"},
		{name: "missing credential is no secret", env: map[string]string{"CREDENTIALS_DIRECTORY": filepath.Join(dir, "none")}},
		{name: "missing file is an error", env: map[string]string{"PAM_JWT_SECRET_FILE": filepath.Join(dir, "missing")}, wantErr: "PAM_JWT_SECRET_FILE"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := DefaultConfig()
			fs := newFlagSet("serve", io.Discard)
			c.bindServe(fs, env(func(k string) string { return tt.env[k] }))
			err := c.parse(fs, tt.args, io.Discard)
			if tt.wantErr != "" {
				var ce *ConfigError
				if !errors.As(err, &ce) || ce.Setting != tt.wantErr {
					t.Fatalf("parse: %v, want a ConfigError for %s", err, tt.wantErr)
				}
				return
			}
			if err != nil {
				t.Fatalf("parse: %v", err)
			}
			if c.JWTSecret != tt.wantJWT || c.CentralURL != tt.wantCentral {
				t.Errorf("JWT secret %q, central URL %q; want %q, %q", c.JWTSecret, c.CentralURL, tt.wantJWT, tt.wantCentral)
			}
		})
	}
}
