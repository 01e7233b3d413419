-- Least-privilege roles for JPS on PostgreSQL. Run as a superuser; safe to run again.
--
--   psql -v ON_ERROR_STOP=1 -d postgres -f docker/db-roles.sql \
--        [-v owner=jps_owner] [-v app=jps_app] [-v db=jps] \
--        [-v owner_password=...] [-v app_password=...]
--
-- owner: owns the database, its schema and every table; runs `manage.py migrate` (never the app).
-- app:   the application's login (web, worker, beat); owns nothing, so it cannot alter a table or
--        disable a trigger; reads and writes every table, but on the access log (jps_problemview)
--        only reads and appends: no UPDATE, DELETE or TRUNCATE. `migrate` re-grants after every
--        run (DB_APP_ROLE; jps/db_roles.py), so new tables need nothing from here.
-- With db: creates that database if missing, hands it (and, on an existing deployment, every
-- table in it) to the owner, and grants the app role what exists already.
\set ON_ERROR_STOP on
\if :{?owner}
\else
  \set owner jps_owner
\endif
\if :{?app}
\else
  \set app jps_app
\endif

SELECT EXISTS (SELECT FROM pg_roles WHERE rolname IN (:'owner', :'app') AND rolsuper) AS superuser_named
\gset
\if :superuser_named
  DO $$ BEGIN RAISE EXCEPTION 'refusing: the owner and app roles must not be superusers'; END $$;
\endif

SELECT format('CREATE ROLE %I LOGIN', :'owner') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'owner')
\gexec
SELECT format('CREATE ROLE %I LOGIN', :'app') WHERE NOT EXISTS (SELECT FROM pg_roles WHERE rolname = :'app')
\gexec
ALTER ROLE :"owner" LOGIN NOSUPERUSER NOCREATEROLE NOREPLICATION NOBYPASSRLS;
ALTER ROLE :"app" LOGIN NOSUPERUSER NOCREATEDB NOCREATEROLE NOREPLICATION NOBYPASSRLS;
\if :{?owner_password}
  ALTER ROLE :"owner" PASSWORD :'owner_password';
\endif
\if :{?app_password}
  ALTER ROLE :"app" PASSWORD :'app_password';
\endif
-- No JIT for the application's short queries: the settings ask for it at connect (`-c jit=off`),
-- which PgBouncer does not pass on, so the role says it too.
ALTER ROLE :"app" SET jit = off;
-- The owner may SET ROLE to the app role (the test suite works that way); never the reverse.
SELECT format('GRANT %I TO %I', :'app', :'owner')
WHERE NOT pg_has_role(:'owner', :'app', 'MEMBER')
\gexec

\if :{?db}
  SELECT format('CREATE DATABASE %I OWNER %I', :'db', :'owner')
  WHERE NOT EXISTS (SELECT FROM pg_database WHERE datname = :'db')
  \gexec
  ALTER DATABASE :"db" OWNER TO :"owner";
  REVOKE ALL ON DATABASE :"db" FROM PUBLIC;
  GRANT CONNECT, TEMPORARY ON DATABASE :"db" TO :"app";
  \connect :"db"
  ALTER SCHEMA public OWNER TO :"owner";
  REVOKE CREATE ON SCHEMA public FROM PUBLIC;
  GRANT USAGE ON SCHEMA public TO :"app";
  ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO :"app";
  ALTER DEFAULT PRIVILEGES FOR ROLE :"owner" IN SCHEMA public
    GRANT USAGE, SELECT ON SEQUENCES TO :"app";
  -- An existing deployment: tables made before the split belong to whoever migrated them
  -- (their sequences follow their table), and so does the access log's trigger function.
  SELECT format('ALTER TABLE public.%I OWNER TO %I', tablename, :'owner')
  FROM pg_tables WHERE schemaname = 'public' AND tableowner <> :'owner'
  \gexec
  SELECT format('ALTER FUNCTION public.%I() OWNER TO %I', p.proname, :'owner')
  FROM pg_proc p JOIN pg_namespace n ON n.oid = p.pronamespace
  WHERE n.nspname = 'public' AND p.proname LIKE 'jps\_%' AND p.pronargs = 0
    AND NOT pg_has_role(:'owner', p.proowner, 'USAGE')
  \gexec
  GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA public TO :"app";
  GRANT USAGE, SELECT ON ALL SEQUENCES IN SCHEMA public TO :"app";
  SELECT format('REVOKE UPDATE, DELETE, TRUNCATE, TRIGGER, REFERENCES ON public.jps_problemview FROM %I', :'app')
  WHERE to_regclass('public.jps_problemview') IS NOT NULL
  \gexec
  -- Partitioned by month (migration 0036): the application reaches rows through the parent only.
  SELECT format('REVOKE ALL ON public.%I FROM %I', c.relname, :'app')
  FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid
  WHERE i.inhparent = to_regclass('public.jps_problemview')
  \gexec
\endif
