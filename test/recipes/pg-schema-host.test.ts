/**
 * Recipe "Your tables beside the package's in another schema" (docs/recipes.md): a host project
 * whose own drizzle-kit (`schemaFilter: ["public"]`) manages its tables in `public`, while the package's tables live
 * in `auth`, made by `migrate(db, { pgSchema: "auth" })`, and Better Auth is wired to them. Run through the real
 * drizzle-kit CLI on the real PostgreSQL.
 *
 * The throw-away host project lives under the repository's `.tmp/` (gitignored), so that it resolves
 * `drizzle-orm` and `drizzle-kit` from the repository's node_modules like an installed host would.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSchema, migrate, migrationStatus } from "../../src/migrate/index.js";
import { closablePool, createServerDatabase, serverOnly, serverUrl } from "../support/database.js";
import { auth, noteTable } from "./pg-schema-host/schema.js";

const run = promisify(execFile);
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const drizzleKitBin = join(repoRoot, "node_modules", ".bin", "drizzle-kit");
const host = join(repoRoot, ".tmp", `pg-schema-host-${randomBytes(4).toString("hex")}`);

/** A recipe file as the host has it: the header comment (up to its `#region` line) and region markers dropped. */
const hostFile = (name: string) => {
  const text = readFileSync(join(import.meta.dirname, "pg-schema-host", name), "utf8");
  return text.slice(text.indexOf("\n", text.search(/^\/\/ #region /m)) + 1).replace(/^\/\/ #endregion .*\n/m, "");
};

async function drizzleKit(args: string[], databaseUrl = ""): Promise<string> {
  try {
    const { stdout, stderr } = await run(drizzleKitBin, args, {
      cwd: host,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      timeout: 20_000,
    });
    return stdout + stderr;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`drizzle-kit ${args.join(" ")} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

const generatedSql = () =>
  readdirSync(join(host, "drizzle"))
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => readFileSync(join(host, "drizzle", name), "utf8"))
    .join("\n");

beforeAll(async () => {
  mkdirSync(join(host, "src", "db"), { recursive: true });
  // `@be-monorepo/db/schema` in the docs; the package's source here.
  const schemaImport = relative(join(host, "src", "db"), join(repoRoot, "src", "schema", "index.js"));
  writeFileSync(
    join(host, "src", "db", "schema.ts"),
    hostFile("schema.ts").replaceAll('"@be-monorepo/db/schema"', JSON.stringify(schemaImport)),
  );
  writeFileSync(join(host, "drizzle.config.ts"), hostFile("drizzle.config.ts"));
  await drizzleKit(["generate"]);
});
afterAll(() => rmSync(host, { recursive: true, force: true }));

describe("the host's drizzle-kit next to the package's tables in auth", () => {
  it("drizzle-kit generate emits only the host's table, its foreign key pointing at auth.user", () => {
    const text = generatedSql();
    expect([...text.matchAll(/CREATE TABLE "([^"]+)"/g)].map((match) => match[1])).toEqual(["note"]);
    expect(text).toContain(`FOREIGN KEY ("user_id") REFERENCES "auth"."user"("id") ON DELETE cascade`);
    expect(text).not.toMatch(/CREATE SCHEMA/);
  });

  describe.runIf(serverUrl)(serverOnly("on PostgreSQL"), () => {
    it("migrate into auth, the host's drizzle-kit migrate and push, Better Auth signing up: each on its own tables", async () => {
      const { url, drop } = await createServerDatabase("recipe_pg_schema");
      const { pool, end } = closablePool({ connectionString: url, max: 3 });
      // #region wiring
      // The package's tables first (they are what the host's foreign keys point at), then the host's own.
      const db = drizzle(pool, { schema: auth.authSchema });
      await migrate(db, { pgSchema: "auth" });
      // $ npx drizzle-kit migrate
      // #endregion wiring
      try {
        await drizzleKit(["migrate"], url);
        await drizzleKit(["push", "--force"], url);
        expect(await checkSchema(db, { schema: auth })).toEqual([]);
        expect((await migrationStatus(db, { pgSchema: "auth" })).pending).toEqual([]);

        // #region better-auth
        const betterAuthOnAuth = betterAuth({
          baseURL: "http://localhost:3000",
          secret: process.env.BETTER_AUTH_SECRET ?? "a-test-secret-of-at-least-thirty-two-characters",
          database: drizzleAdapter(db, { provider: "pg", schema: auth.authSchema }),
          emailAndPassword: { enabled: true },
        });
        // #endregion better-auth
        const { user } = await betterAuthOnAuth.api.signUpEmail({
          body: { name: "Ada", email: "ada@example.com", password: "correct horse battery staple" },
        });
        await db.insert(noteTable).values({ userId: user.id, body: "hello" });
        const where = await db.execute<{ schema: string; table: string }>(
          sql`select table_schema as schema, table_name as table from information_schema.tables
            where table_schema in ('public', 'auth') order by 1, 2`,
        );
        expect(where.rows).toEqual([
          ...["account", "rate_limit", "session", "user", "verification"].map((table) => ({ schema: "auth", table })),
          { schema: "public", table: "note" },
        ]);
        // The host's foreign key into auth cascades.
        await db.delete(auth.userTable).where(eq(auth.userTable.id, user.id));
        expect(await db.$count(noteTable)).toBe(0);
        // The host's next drizzle-kit push still leaves auth alone, and the next deploy's migrate() has nothing to do.
        await drizzleKit(["push", "--force"], url);
        expect(await checkSchema(db, { schema: auth })).toEqual([]);
        expect(await migrate(db, { pgSchema: "auth" })).toEqual({ applied: [], adopted: [] });
      } finally {
        await end();
        await drop();
      }
      // Three drizzle-kit runs (each a process of its own, a few seconds on a loaded machine).
    }, 120_000);
  });
});
