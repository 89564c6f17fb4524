-- The default privileges of a Supabase project on schema public, run by the
-- administrator after 00_base.sql; left out by Options.NoDefaultGrants (projects
-- created without the old default grants to the Data API roles).
--
-- Facts: supabase/postgres migrations/db/init-scripts/00000000000000-initial-schema.sql
-- ("alter default privileges in schema public grant all on tables/functions/
-- sequences to postgres, anon, authenticated, service_role", run by
-- supabase_admin, and the same "for user supabase_admin").

-- Objects the administrator (supabase_admin) creates in public ...
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON TABLES TO {{installer}}, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO {{installer}}, anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES IN SCHEMA public
    GRANT ALL ON SEQUENCES TO {{installer}}, anon, authenticated, service_role;
-- ... and those the project's postgres creates (hosted projects list both in
-- \ddp; this is what makes every new public table reachable through the API).
ALTER DEFAULT PRIVILEGES FOR ROLE {{installer}} IN SCHEMA public
    GRANT ALL ON TABLES TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE {{installer}} IN SCHEMA public
    GRANT ALL ON FUNCTIONS TO anon, authenticated, service_role;
ALTER DEFAULT PRIVILEGES FOR ROLE {{installer}} IN SCHEMA public
    GRANT ALL ON SEQUENCES TO anon, authenticated, service_role;
