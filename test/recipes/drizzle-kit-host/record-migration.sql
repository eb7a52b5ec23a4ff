-- Moving from way A to way B (docs/recipes.md): records the host's migration that creates the package's tables as
-- applied, without running it. test/recipes/drizzle-kit-host.test.ts runs it with the placeholders filled in.
-- #region record
CREATE SCHEMA IF NOT EXISTS drizzle;
CREATE TABLE IF NOT EXISTS drizzle.__drizzle_migrations (id serial PRIMARY KEY, hash text NOT NULL, created_at bigint);
-- hash: `sha256sum drizzle/0001_<name>.sql`; created_at: that migration's "when" in drizzle/meta/_journal.json
INSERT INTO drizzle.__drizzle_migrations (hash, created_at) VALUES ('<sha256 hex>', <when>);
-- #endregion record
