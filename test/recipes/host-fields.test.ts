/**
 * Recipe "The host's own fields" (DOCS-h-plugins.md), run for real: a throw-away host project (under the repository's
 * `.tmp/`) with the recipe's schema file and drizzle-kit config; `prepareHostMigrations()` then the real
 * `drizzle-kit generate` write a migration holding only the host's columns; at boot the package's migrations
 * (`migrate(db, { plugins: ['admin'] })`) and then the host's (drizzle's migrator, its own history) run on a database
 * that already has a user; `checkSchema(db, { schema })` finds nothing; Better Auth writes and reads the fields.
 */
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { admin } from "better-auth/plugins";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { migrate as migrateHost } from "drizzle-orm/node-postgres/migrator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { checkSchema, migrate, prepareHostMigrations } from "../../src/migrate/index.js";
import { quickPassword } from "../better-auth/soft-delete-auth.js";
import { closablePool, createServerDatabase, serverOnly, serverUrl } from "../support/database.js";

const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const host = join(repoRoot, ".tmp", `host-fields-${randomBytes(4).toString("hex")}`);
const recipe = (name: string) => readFileSync(join(import.meta.dirname, "host-fields", name), "utf8");
/** The region of a recipe file, without its markers: the host's file. */
const region = (text: string) =>
  text.slice(text.indexOf("\n", text.search(/^\/\/ #region /m)) + 1).replace(/^\/\/ #endregion .*\n/m, "");

describe.runIf(serverUrl)(serverOnly("recipe: the host's own fields beside the package's migrations"), () => {
  let database: Awaited<ReturnType<typeof createServerDatabase>>;
  let closable: ReturnType<typeof closablePool>;
  beforeAll(async () => {
    mkdirSync(join(host, "src"), { recursive: true });
    const schemaImport = relative(join(host, "src"), join(repoRoot, "src", "schema", "index.js"));
    writeFileSync(
      join(host, "src", "auth-schema.ts"),
      region(recipe("auth-schema.ts")).replace('"@be-monorepo/db/schema"', JSON.stringify(schemaImport)),
    );
    writeFileSync(join(host, "drizzle.config.ts"), region(recipe("drizzle.config.ts")));
    database = await createServerDatabase("recipe_host_fields");
    closable = closablePool({ connectionString: database.url, max: 4 });
  });
  afterAll(async () => {
    await closable?.end();
    await database?.drop();
    rmSync(host, { recursive: true, force: true });
  });

  it("generates only the host's columns, migrates them after the package's, and Better Auth uses them", async () => {
    const out = join(host, "drizzle", "auth");
    prepareHostMigrations(out, { plugins: ["admin"] });
    await promisify(execFile)(join(repoRoot, "node_modules", ".bin", "drizzle-kit"), ["generate"], {
      cwd: host,
      timeout: 60_000,
    });
    const files = readdirSync(out).filter((name) => name.endsWith(".sql"));
    expect(files).toHaveLength(1);
    const statements = readFileSync(join(out, files[0] as string), "utf8")
      .split("--> statement-breakpoint")
      .map((s) => s.trim());
    expect(statements).toEqual([
      `ALTER TABLE "user" ADD COLUMN "plan" text DEFAULT 'free' NOT NULL;`,
      `ALTER TABLE "user" ADD COLUMN "seats" integer;`,
    ]);
    // Run again with nothing changed: nothing to generate.
    prepareHostMigrations(out, { plugins: ["admin"] });
    await promisify(execFile)(join(repoRoot, "node_modules", ".bin", "drizzle-kit"), ["generate"], { cwd: host });
    expect(readdirSync(out).filter((name) => name.endsWith(".sql"))).toEqual(files);

    // Boot: the package's tables (with a user already there), then the host's columns.
    const { auth: schema } = (await import(
      join(host, "src", "auth-schema.ts")
    )) as typeof import("./host-fields/auth-schema.js");
    const db = drizzle(closable.pool, { schema: schema.authSchema });
    await migrate(db, { plugins: ["admin"] });
    await db.execute(sql`insert into "user" (id, name, email) values ('old', 'Old', 'old@example.test')`);
    expect(await checkSchema(db, { schema })).toEqual([
      "column user.plan is missing (expected text NOT NULL)",
      "column user.seats is missing (expected integer)",
    ]);
    await migrateHost(db, {
      migrationsFolder: out,
      migrationsSchema: "drizzle",
      migrationsTable: "__host_auth_migrations",
    });
    expect(await checkSchema(db, { schema })).toEqual([]);
    expect((await db.select().from(schema.userTable).where(eq(schema.userTable.id, "old")))[0]).toMatchObject({
      plan: "free",
      seats: null,
    });

    const auth = betterAuth({
      secret: "test-secret-test-secret-test-secret-0123456789",
      baseURL: "http://localhost:3000",
      database: drizzleAdapter(db, { provider: "pg", schema: schema.authSchema }),
      emailAndPassword: { enabled: true, password: quickPassword },
      user: {
        additionalFields: {
          plan: { type: "string", required: false, defaultValue: "free" },
          seats: { type: "number", required: false },
        },
      },
      plugins: [admin()],
    });
    const signedUp = await auth.api.signUpEmail({
      body: { email: "new@example.test", password: "correct horse battery staple", name: "New", plan: "pro", seats: 3 },
      returnHeaders: true,
    });
    expect(signedUp.response.user).toMatchObject({ plan: "pro", seats: 3 });
    const [row] = await db.select().from(schema.userTable).where(eq(schema.userTable.id, signedUp.response.user.id));
    expect(row).toMatchObject({ plan: "pro", seats: 3, role: "user" });
    const cookie = new Headers({
      cookie: signedUp.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; "),
    });
    expect((await auth.api.getSession({ headers: cookie }))?.user).toMatchObject({ plan: "pro", seats: 3 });
  });
});
