-- Supabase base of one project database, run by the administrator (who plays
-- supabase_admin) after the cluster-wide roles exist. {{installer}} is the
-- installing role, the project's "postgres".
--
-- Facts, restated (no code copied):
--   supabase/postgres migrations/db/init-scripts/00000000000000-initial-schema.sql
--     publication supabase_realtime (empty); usage on public for postgres and
--     the API roles (default privileges: 05_default_grants.sql); anon and
--     authenticated statement timeouts 3s and 8s.
--   supabase/postgres migrations/db/init-scripts/00000000000001-auth-schema.sql
--     schema auth, auth.users (id uuid pk, email ...), usage on auth for the
--     API roles, supabase_auth_admin owns the auth tables.
--   supabase/auth migrations/20220224000811_update_auth_functions.up.sql
--     auth.uid()/auth.role()/auth.email() read request.jwt.claim.* or the
--     request.jwt.claims JSON; migrations/20220531120530 adds auth.jwt().
--   supabase/postgres migrations/db/migrations/10000000000000_demote-postgres.sql
--     postgres: all on the database, on the auth tables and routines;
--     20250421084701_revoke_admin_roles_from_postgres.sql: no CREATE on auth.

-- ------------------------------------------------------------------ database
GRANT ALL ON DATABASE {{database}} TO {{installer}};
ALTER ROLE anon IN DATABASE {{database}} SET statement_timeout = '3s';
ALTER ROLE authenticated IN DATABASE {{database}} SET statement_timeout = '8s';

-- ------------------------------------------------------------------ auth
CREATE SCHEMA auth;

CREATE TABLE auth.users (
    instance_id uuid,
    id uuid NOT NULL PRIMARY KEY,
    aud varchar(255),
    role varchar(255),
    email varchar(255) UNIQUE,
    encrypted_password varchar(255),
    email_confirmed_at timestamptz,
    last_sign_in_at timestamptz,
    raw_app_meta_data jsonb,
    raw_user_meta_data jsonb,
    is_super_admin boolean,
    created_at timestamptz,
    updated_at timestamptz,
    phone text UNIQUE,
    is_anonymous boolean NOT NULL DEFAULT false,
    deleted_at timestamptz
);

CREATE FUNCTION auth.uid() RETURNS uuid LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.sub', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'sub')
  )::uuid
$$;

CREATE FUNCTION auth.role() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.role', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'role')
  )::text
$$;

CREATE FUNCTION auth.email() RETURNS text LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim.email', true), ''),
    (nullif(current_setting('request.jwt.claims', true), '')::jsonb ->> 'email')
  )::text
$$;

CREATE FUNCTION auth.jwt() RETURNS jsonb LANGUAGE sql STABLE AS $$
  SELECT coalesce(
    nullif(current_setting('request.jwt.claim', true), ''),
    nullif(current_setting('request.jwt.claims', true), '')
  )::jsonb
$$;

GRANT USAGE ON SCHEMA auth TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA auth TO supabase_auth_admin;
GRANT USAGE ON SCHEMA auth TO {{installer}};
ALTER TABLE auth.users OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.uid() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.role() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.email() OWNER TO supabase_auth_admin;
ALTER FUNCTION auth.jwt() OWNER TO supabase_auth_admin;
GRANT ALL ON ALL TABLES IN SCHEMA auth TO {{installer}};
GRANT ALL ON ALL ROUTINES IN SCHEMA auth TO {{installer}};

-- ------------------------------------------------------------------ public
GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;
GRANT ALL ON SCHEMA public TO {{installer}};

-- ------------------------------------------------------------------ realtime
CREATE PUBLICATION supabase_realtime;
ALTER PUBLICATION supabase_realtime OWNER TO {{installer}};
