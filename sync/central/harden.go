package central

import (
	"context"
	"fmt"
	"strings"

	"github.com/jackc/pgx/v5"
)

// Harden applies the cluster-level hardening that device roles need and
// that Init leaves alone, because it reaches beyond PAM's tables:
//
//   - TEMPORARY on this database is taken from PUBLIC (every role holds it
//     by default, device roles included) and given back explicitly to the
//     roles that are not devices: the installing role and the Supabase
//     roles that exist.
//   - The cluster's other databases that PUBLIC may connect to are listed
//     for the operator with the statement to run: other applications may
//     rely on that CONNECT, so it is not taken away from here.
//
// What Postgres cannot bound for a device session is reported too: any
// session may change its own statement_timeout and
// idle_in_transaction_session_timeout, so the role's settings are
// defaults, not limits. What does bound a device is its connection limit
// (8), its rows (RLS), and on Supabase the pooler's own timeouts.
//
// Harden returns the report, one line per step.
func Harden(ctx context.Context, conn *pgx.Conn) (string, error) {
	var report strings.Builder
	var db, me string
	if err := conn.QueryRow(ctx, `SELECT current_database(), current_user`).Scan(&db, &me); err != nil {
		return "", fmt.Errorf("harden: %w", err)
	}
	dbIdent := pgx.Identifier{db}.Sanitize()
	keep := []string{pgx.Identifier{me}.Sanitize()}
	for _, r := range []string{roleAuthenticated, roleAnon, "service_role", "authenticator", "supabase_admin", "supabase_auth_admin", "postgres"} {
		var ok bool
		if err := conn.QueryRow(ctx, `SELECT EXISTS (SELECT 1 FROM pg_catalog.pg_roles WHERE rolname = $1)`, r).Scan(&ok); err != nil {
			return "", fmt.Errorf("harden: %w", err)
		}
		if ok && r != me {
			keep = append(keep, pgx.Identifier{r}.Sanitize())
		}
	}
	steps := []string{
		fmt.Sprintf(`GRANT TEMPORARY ON DATABASE %s TO %s`, dbIdent, strings.Join(keep, ", ")),
		fmt.Sprintf(`REVOKE TEMPORARY ON DATABASE %s FROM PUBLIC`, dbIdent),
	}
	for _, s := range steps {
		if _, err := conn.Exec(ctx, s); err != nil {
			fmt.Fprintf(&report, "not applied (%v): %s\n", err, s)
			continue
		}
		fmt.Fprintf(&report, "applied: %s\n", s)
	}
	rows, err := conn.Query(ctx, `SELECT d.datname, pg_catalog.pg_has_role(d.datdba, 'USAGE')
		FROM pg_catalog.pg_database d
		WHERE d.datname <> current_database() AND d.datallowconn
		  AND pg_catalog.has_database_privilege('public', d.oid, 'CONNECT')
		ORDER BY 1`)
	if err != nil {
		return report.String(), fmt.Errorf("harden: list databases: %w", err)
	}
	type other struct {
		name  string
		owned bool
	}
	others, err := pgx.CollectRows(rows, func(r pgx.CollectableRow) (other, error) {
		var o other
		return o, r.Scan(&o.name, &o.owned)
	})
	if err != nil {
		return report.String(), fmt.Errorf("harden: list databases: %w", err)
	}
	for _, o := range others {
		s := fmt.Sprintf(`REVOKE CONNECT ON DATABASE %s FROM PUBLIC`, pgx.Identifier{o.name}.Sanitize())
		who := "its owner"
		if o.owned {
			who = "this role (it owns it)"
		}
		fmt.Fprintf(&report, "for the operator: device roles may connect to database %s; as %s, once no other application needs PUBLIC's CONNECT: %s\n", o.name, who, s)
	}
	report.WriteString("cannot be bounded by Postgres: a device session may raise its own statement_timeout and idle_in_transaction_session_timeout (the role's settings are defaults); its connection limit (8) and row-level security hold, and on Supabase the pooler's timeouts apply\n")
	return report.String(), nil
}

// HardeningAdvice reports, without changing anything, the cluster-level
// hardening an operator should apply for device roles: TEMPORARY held by
// PUBLIC on this database (init --harden takes it) and the other databases
// PUBLIC may connect to. It returns one line per finding, or none.
func HardeningAdvice(ctx context.Context, conn *pgx.Conn) ([]string, error) {
	var out []string
	var temp bool
	if err := conn.QueryRow(ctx, `SELECT has_database_privilege('public', current_database(), 'TEMPORARY')`).Scan(&temp); err != nil {
		return nil, fmt.Errorf("hardening advice: %w", err)
	}
	if temp {
		out = append(out, "PUBLIC may create temporary tables in this database, device roles included: init --harden revokes it")
	}
	rows, err := conn.Query(ctx, `SELECT d.datname FROM pg_catalog.pg_database d
		WHERE d.datname <> current_database() AND d.datallowconn AND NOT d.datistemplate
		  AND pg_catalog.has_database_privilege('public', d.oid, 'CONNECT') ORDER BY 1`)
	if err != nil {
		return nil, fmt.Errorf("hardening advice: %w", err)
	}
	names, err := pgx.CollectRows(rows, pgx.RowTo[string])
	if err != nil {
		return nil, fmt.Errorf("hardening advice: %w", err)
	}
	for _, n := range names {
		out = append(out, fmt.Sprintf("device roles may connect to database %s: REVOKE CONNECT ON DATABASE %s FROM PUBLIC (as its owner, once no other application needs it)", n, pgx.Identifier{n}.Sanitize()))
	}
	return out, nil
}
