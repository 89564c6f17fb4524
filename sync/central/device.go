package central

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/jackc/pgx/v5"

	"github.com/pam-rv/pamd/schema"
)

// DeviceRolePrefix starts the name of every device login role.
const DeviceRolePrefix = "pam_dev_"

// Device role limits.
const (
	deviceConnLimit        = 8
	deviceStatementTimeout = "60s"
	deviceIdleTimeout      = "120s"
)

// Errors of AddDevice and RemoveDevice, for callers that branch on them.
var (
	ErrNoUsers     = errors.New("central: a device needs at least one user")
	ErrInvalidUser = errors.New("central: user id is not a UUID")
	ErrInvalidURL  = errors.New("central: central URL must be a postgres:// or postgresql:// URL")
	ErrNotDevice   = errors.New("central: not a device role")
)

// AddDevice creates a login role for one device, bound to users (user ids,
// at least one), and returns the URL the device connects with: centralURL
// with the user and password replaced by the new role's (keeping a Supabase
// pooler's ".projectref" suffix), host, port, database and query
// parameters kept. The role is a member of pam_device,
// holds no other right, may open at most 8 connections and runs statements
// for at most 60 s. conn must be connected to the database Init installed,
// as a role that may create roles.
func AddDevice(ctx context.Context, conn *pgx.Conn, centralURL string, users []string) (deviceURL, role string, err error) {
	u, err := url.Parse(centralURL)
	if err != nil || (u.Scheme != "postgres" && u.Scheme != "postgresql") || u.Host == "" {
		return "", "", ErrInvalidURL
	}
	if len(users) == 0 {
		return "", "", ErrNoUsers
	}
	ids := make([]string, 0, len(users))
	for _, s := range users {
		id, err := schema.ParseUUID(strings.TrimSpace(s))
		if err != nil || id == SharedScope {
			return "", "", fmt.Errorf("%w: %q", ErrInvalidUser, s)
		}
		ids = append(ids, id)
	}
	role = DeviceRolePrefix + randomHex(6)
	password := randomHex(16)

	tx, err := conn.Begin(ctx)
	if err != nil {
		return "", "", fmt.Errorf("add device: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	ident := pgx.Identifier{role}.Sanitize()
	stmts := []string{
		fmt.Sprintf(`CREATE ROLE %s WITH LOGIN PASSWORD %s NOSUPERUSER NOCREATEDB NOCREATEROLE NOBYPASSRLS NOREPLICATION CONNECTION LIMIT %d IN ROLE %s`,
			ident, quoteLiteral(password), deviceConnLimit, pgx.Identifier{DeviceGroup}.Sanitize()),
		fmt.Sprintf(`ALTER ROLE %s SET statement_timeout = %s`, ident, quoteLiteral(deviceStatementTimeout)),
		fmt.Sprintf(`ALTER ROLE %s SET idle_in_transaction_session_timeout = %s`, ident, quoteLiteral(deviceIdleTimeout)),
	}
	for _, s := range stmts {
		if _, err := tx.Exec(ctx, s); err != nil {
			return "", "", fmt.Errorf("add device: %w", err)
		}
	}
	if _, err := tx.Exec(ctx, `INSERT INTO pam_sync.device_users (role_name, user_id)
		SELECT $1, u FROM unnest($2::uuid[]) AS u ON CONFLICT DO NOTHING`, role, ids); err != nil {
		return "", "", fmt.Errorf("add device: bind users: %w", err)
	}
	if err := tx.Commit(ctx); err != nil {
		return "", "", fmt.Errorf("add device: commit: %w", err)
	}
	u.User = url.UserPassword(role+poolerSuffix(u), password)
	return u.String(), role, nil
}

// RemoveDevice revokes a device: its user bindings are deleted and its
// role loses LOGIN (one transaction, so from then on it sees no user's
// rows), its open sessions are terminated and its role dropped. Its
// pam_sync.devices rows and push history stay for the record. role must be
// a device role (a pam_dev_ member of pam_device); removing one that no
// longer exists only clears stale bindings.
func RemoveDevice(ctx context.Context, conn *pgx.Conn, role string) error {
	if !strings.HasPrefix(role, DeviceRolePrefix) || len(role) == len(DeviceRolePrefix) {
		return fmt.Errorf("%w: %q", ErrNotDevice, role)
	}
	ident := pgx.Identifier{role}.Sanitize()
	tx, err := conn.Begin(ctx)
	if err != nil {
		return fmt.Errorf("remove device: begin: %w", err)
	}
	defer tx.Rollback(context.WithoutCancel(ctx))
	var isDevice bool
	err = tx.QueryRow(ctx, `SELECT pg_has_role(r.oid, $2, 'MEMBER') AND NOT r.rolsuper
		FROM pg_catalog.pg_roles r WHERE r.rolname = $1`, role, DeviceGroup).Scan(&isDevice)
	exists := err == nil
	if err != nil && !errors.Is(err, pgx.ErrNoRows) {
		return fmt.Errorf("remove device: %w", err)
	}
	if exists && !isDevice {
		return fmt.Errorf("%w: %q is not a member of %s", ErrNotDevice, role, DeviceGroup)
	}
	if _, err := tx.Exec(ctx, `DELETE FROM pam_sync.device_users WHERE role_name = $1`, role); err != nil {
		return fmt.Errorf("remove device: unbind users: %w", err)
	}
	if exists {
		if _, err := tx.Exec(ctx, `ALTER ROLE `+ident+` NOLOGIN`); err != nil {
			return fmt.Errorf("remove device: %w", err)
		}
	}
	if err := tx.Commit(ctx); err != nil {
		return fmt.Errorf("remove device: commit: %w", err)
	}
	if !exists {
		return nil
	}
	if _, err := conn.Exec(ctx, `SELECT pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity WHERE usename = $1`, role); err != nil {
		return fmt.Errorf("remove device: terminate sessions: %w", err)
	}
	if _, err := conn.Exec(ctx, `DROP ROLE IF EXISTS `+ident); err != nil {
		return fmt.Errorf("remove device: %w", err)
	}
	return nil
}

// poolerSuffix returns the ".projectref" part of a Supabase pooler
// (Supavisor) user name, "postgres.abcdefgh", or "": the pooler routes a
// login by that suffix and strips it, so a device logs in through the
// pooler as "pam_dev_x.abcdefgh" for the role pam_dev_x.
func poolerSuffix(u *url.URL) string {
	name := u.User.Username()
	if i := strings.IndexByte(name, '.'); i > 0 {
		return name[i:]
	}
	return ""
}

func randomHex(n int) string {
	b := make([]byte, n)
	if _, err := rand.Read(b); err != nil {
		panic(err) // crypto/rand never fails on supported platforms
	}
	return hex.EncodeToString(b)
}

// TransactionPoolerPort is the port of Supabase's transaction-mode pooler.
const TransactionPoolerPort = 6543

// ForPooler prepares a connection configuration for a transaction-mode
// pooler (Supavisor on port 6543, PgBouncer with pool_mode=transaction),
// where a session's named prepared statements do not survive its
// transaction: statements then run as unnamed ones, described each time.
// A URL that sets default_query_exec_mode itself keeps its choice; any
// other port is taken as a direct connection, which keeps pgx's statement
// cache.
func ForPooler(cfg *pgx.ConnConfig, rawURL string) {
	if strings.Contains(rawURL, "default_query_exec_mode=") {
		return
	}
	if cfg.Port == TransactionPoolerPort {
		cfg.DefaultQueryExecMode = pgx.QueryExecModeExec
	}
}
