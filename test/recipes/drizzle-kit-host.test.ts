/**
 * README recipe "Your own drizzle-kit schema": a host project with its own drizzle-kit config, run through the real
 * drizzle-kit CLI on the real PostgreSQL, in the two ways a host can have the package's tables.
 *
 * A. The package's migrations make its tables (`migrate(db)`); the host's schema file only imports them (for
 *    foreign keys) and `tablesFilter` keeps `drizzle-kit push` off them.
 * B. The host re-exports the tables from its own schema file and makes them with its own drizzle-kit migrations.
 *
 * The throw-away host projects live under the repository's `.tmp/` (gitignored), so that they resolve
 * `drizzle-orm` and `drizzle-kit` from the repository's node_modules like an installed host would.
 */
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { checkSchema, migrate, migrationsFolder } from "../../src/migrate/index.js";
import { authSchema, userTable } from "../../src/schema/index.js";
import { closablePool, createServerDatabase, serverOnly, serverUrl } from "../support/database.js";

const run = promisify(execFile);
// Each test runs the drizzle-kit CLI (a new Node process) once or more: seconds each, far more on a loaded machine.
vi.setConfig({ testTimeout: 90_000 });
const repoRoot = fileURLToPath(new URL("../..", import.meta.url));
const drizzleKitBin = join(repoRoot, "node_modules", ".bin", "drizzle-kit");
const workRoot = join(repoRoot, ".tmp", `drizzle-kit-host-${randomBytes(4).toString("hex")}`);
const hostA = join(workRoot, "own-migrations-a");
const hostB = join(workRoot, "owns-tables-b");
const hostAB = join(workRoot, "moving-a-to-b");
const hostBA = join(workRoot, "moving-b-to-a");
const ourTables = ["user", "session", "account", "verification", "rate_limit"];

/** The recipe's files (shown in docs/recipes.md), copied into the throw-away host projects. */
const recipe = (name: string) => readFileSync(join(import.meta.dirname, "drizzle-kit-host", name), "utf8");
/** Drops the file's own header comment (up to its `#region` line) and the region markers: the host's file. */
const hostFile = (text: string) =>
  text.slice(text.indexOf("\n", text.search(/^(\/\/|--) #region /m)) + 1).replace(/^(\/\/|--) #endregion .*\n/m, "");

/** The package's schema as the host imports it: `@be-monorepo/db/schema` in the docs, the source file here. */
const schemaImport = (hostDir: string) =>
  relative(join(hostDir, "src", "db"), join(repoRoot, "src", "schema", "index.js"));
const withSchemaImport = (text: string, hostDir: string) =>
  text.replaceAll('"@be-monorepo/db/schema"', JSON.stringify(schemaImport(hostDir)));

/** Way A's host schema: its own `note` table, referencing the package's `user` without re-exporting it. */
const hostASchema = (hostDir: string) => withSchemaImport(hostFile(recipe("schema-a.ts")), hostDir);

/** Way B's host schema: the same `note` table, and the package's five tables re-exported (drizzle-kit owns them). */
const hostBSchema = (hostDir: string) =>
  hostASchema(hostDir) + withSchemaImport(hostFile(recipe("reexport-b.ts")), hostDir);

/** The recipe's drizzle-kit config, with its `tablesFilter` (way A) or without it. */
const config = (tablesFilter: boolean) => {
  const text = hostFile(recipe("drizzle.config.ts"));
  const filter = /\n\s*\/\/ drizzle-kit push and pull[^\n]*\n\s*tablesFilter: \[[^\]]*\],/;
  if (!filter.test(text)) throw new Error("the recipe's drizzle.config.ts has no tablesFilter to take out");
  return tablesFilter ? text : text.replace(filter, "");
};

/** Writes a host project's schema and config (the schema where the config's `schema` says: src/db/schema.ts). */
function writeHost(dir: string, schema: string, configText: string, extraConfig?: string) {
  mkdirSync(join(dir, "src", "db"), { recursive: true });
  writeFileSync(join(dir, "src", "db", "schema.ts"), schema);
  writeFileSync(join(dir, "drizzle.config.ts"), configText);
  if (extraConfig) writeFileSync(join(dir, "no-filter.config.ts"), extraConfig);
}

/**
 * Runs the repository's drizzle-kit CLI in `dir` (non-interactive: no terminal on stdin) and resolves to its
 * output; rejects with an Error whose message is the output when it exits non-zero.
 */
async function drizzleKit(dir: string, args: string[], databaseUrl = ""): Promise<string> {
  try {
    const { stdout, stderr } = await run(drizzleKitBin, args, {
      cwd: dir,
      env: { ...process.env, DATABASE_URL: databaseUrl },
      timeout: 20_000,
    });
    return stdout + stderr;
  } catch (error) {
    const { stdout = "", stderr = "" } = error as { stdout?: string; stderr?: string };
    throw new Error(`drizzle-kit ${args.join(" ")} failed:\n${stdout}${stderr}`, { cause: error });
  }
}

/** The SQL files drizzle-kit generated into `dir/drizzle`, concatenated in order. */
function generatedSql(dir: string): string {
  const out = join(dir, "drizzle");
  return readdirSync(out)
    .filter((name) => name.endsWith(".sql"))
    .sort()
    .map((name) => readFileSync(join(out, name), "utf8"))
    .join("\n");
}

const createdTables = (text: string) => [...text.matchAll(/CREATE TABLE "([^"]+)"/g)].map((match) => match[1]);

/** A fresh database on the server with a node-postgres drizzle database on it (no `schema`, like most hosts). */
async function freshDatabase(label: string) {
  const { url, drop } = await createServerDatabase(label);
  const { pool, end } = closablePool({ connectionString: url, max: 3 });
  const db = drizzle(pool);
  const scalar = async (query: ReturnType<typeof sql>) => (await db.execute<{ value: unknown }>(query)).rows[0]?.value;
  return {
    url,
    db,
    scalar,
    close: async () => {
      await end();
      await drop();
    },
  };
}

beforeAll(async () => {
  writeHost(hostA, hostASchema(hostA), config(true), config(false));
  writeHost(hostB, hostBSchema(hostB), config(false));
  // Both generations run once here: every test below reads their output.
  await Promise.all([drizzleKit(hostA, ["generate"]), drizzleKit(hostB, ["generate"])]);
  // Moving from A to B: host A's project as it stands, then the re-export added and a second migration generated.
  cpSync(hostA, hostAB, { recursive: true });
  cpSync(hostB, hostBA, { recursive: true });
  writeHost(hostAB, hostBSchema(hostAB), config(false));
  // Moving from B to A: host B's project, then the re-export removed and the filter added.
  writeHost(hostBA, hostASchema(hostBA), config(true));
  await Promise.all([drizzleKit(hostAB, ["generate"]), drizzleKit(hostBA, ["generate"])]);
});
afterAll(() => rmSync(workRoot, { recursive: true, force: true }));

describe("A: shipped migrations, host schema imports the tables without exporting them", () => {
  it("drizzle-kit generate emits only the host's table, with its foreign key to user", () => {
    const text = generatedSql(hostA);
    expect(createdTables(text)).toEqual(["note"]);
    expect(text).toContain(
      `FOREIGN KEY ("user_id") REFERENCES "public"."user"("id") ON DELETE cascade ON UPDATE no action`,
    );
    for (const table of ourTables) expect(text).not.toMatch(new RegExp(`(ALTER|DROP) TABLE "${table}"`));
  });

  describe.runIf(serverUrl)(serverOnly("on PostgreSQL"), () => {
    it("migrate(db), then the host's drizzle-kit migrate: a note cascades away with its user", async () => {
      const t = await freshDatabase("recipe_a_migrate");
      try {
        expect((await migrate(t.db)).applied.length).toBeGreaterThan(0);
        await drizzleKit(hostA, ["migrate"], t.url);

        const [user] = await t.db.insert(userTable).values({ name: "Ada", email: "ada@example.com" }).returning();
        await t.db.execute(sql`insert into note (user_id, body) values (${user?.id}, 'hello')`);
        expect(await t.scalar(sql`select count(*)::int as value from note`)).toBe(1);
        await t.db.delete(userTable);
        expect(await t.scalar(sql`select count(*)::int as value from note`)).toBe(0);

        // Two histories side by side in schema "drizzle": the package's and the host's.
        const migrations = readdirSync(migrationsFolder).filter((name) => name.endsWith(".sql")).length;
        expect(await t.scalar(sql`select count(*)::int as value from drizzle.__be_db_migrations`)).toBe(migrations);
        expect(await t.scalar(sql`select count(*)::int as value from drizzle.__drizzle_migrations`)).toBe(1);
        // The host's table disturbs neither the shape check nor the next deploy's migrate().
        expect(await checkSchema(t.db)).toEqual([]);
        expect(await migrate(t.db)).toEqual({ applied: [], adopted: [] });
      } finally {
        await t.close();
      }
    });

    it("drizzle-kit push --force with tablesFilter leaves the package's tables and rows alone; without it, drops them", async () => {
      const t = await freshDatabase("recipe_a_push");
      try {
        await migrate(t.db);
        await t.db.insert(userTable).values({ name: "Ada", email: "ada@example.com" });

        await drizzleKit(hostA, ["push", "--force"], t.url);
        expect(await t.scalar(sql`select to_regclass('public.note')::text as value`)).toBe("note");
        expect(await t.scalar(sql`select count(*)::int as value from "user"`)).toBe(1);
        expect(await checkSchema(t.db)).toEqual([]);

        // The same push without the filter treats the package's tables as stale and drops them, rows and all.
        await drizzleKit(hostA, ["push", "--force", "--config", "no-filter.config.ts"], t.url);
        for (const table of ourTables) {
          expect(await t.scalar(sql`select to_regclass(${`public.${table}`})::text as value`)).toBeNull();
        }
      } finally {
        await t.close();
      }
    });
  });
});

describe("B: the host re-exports the tables and migrates them with its own drizzle-kit", () => {
  it("drizzle-kit generate creates the five tables as the package's newest snapshot has them", () => {
    expect(createdTables(generatedSql(hostB)).sort()).toEqual([...ourTables, "note"].sort());
    const meta = join(hostB, "drizzle", "meta");
    const hostSnapshot = readdirSync(meta).find((name) => name.endsWith("_snapshot.json")) as string;
    const ours = readdirSync(join(migrationsFolder, "meta"))
      .filter((name) => name.endsWith("_snapshot.json"))
      .sort()
      .at(-1) as string;
    const tables = (file: string) => JSON.parse(readFileSync(file, "utf8")).tables;
    const { "public.note": note, ...hostTables } = tables(join(meta, hostSnapshot));
    expect(note).toBeDefined();
    expect(hostTables).toEqual(tables(join(migrationsFolder, "meta", ours)));
  });

  describe.runIf(serverUrl)(serverOnly("on PostgreSQL"), () => {
    it("the host's drizzle-kit migrate gives the expected shape, and Better Auth signs a user up", async () => {
      const t = await freshDatabase("recipe_b");
      try {
        await drizzleKit(hostB, ["migrate"], t.url);
        expect(await t.scalar(sql`select to_regclass('drizzle.__be_db_migrations')::text as value`)).toBeNull();
        expect(await checkSchema(t.db)).toEqual([]);
        // The caveat: migration 0003's hand-added storage parameter is not in drizzle-kit's output.
        expect(
          await t.scalar(sql`select reloptions::text as value from pg_class where oid = 'rate_limit'::regclass`),
        ).toBeNull();

        const auth = betterAuth({
          baseURL: "http://localhost:3000",
          secret: "a-test-secret-of-at-least-thirty-two-characters",
          database: drizzleAdapter(t.db, { provider: "pg", schema: authSchema }),
          emailAndPassword: { enabled: true },
          logger: { disabled: true },
        });
        const signedUp = await auth.api.signUpEmail({
          body: { name: "Ada", email: "ada@example.com", password: "correct horse battery staple" },
        });
        expect(signedUp.user.email).toBe("ada@example.com");
        expect(await t.scalar(sql`select provider_id as value from account where user_id = ${signedUp.user.id}`)).toBe(
          "credential",
        );
      } finally {
        await t.close();
      }
    });

    it("moving from B to A: migrate() adopts the tables, the host's generated DROP TABLEs are replaced", async () => {
      const t = await freshDatabase("recipe_b_to_a");
      try {
        // The database as way B left it, with rows.
        await drizzleKit(hostB, ["migrate"], t.url);
        const [user] = await t.db.insert(userTable).values({ name: "Ada", email: "ada@example.com" }).returning();
        await t.db.execute(sql`insert into note (user_id, body) values (${user?.id}, 'hello')`);

        // Step 1: migrate() recognises the tables by their shape and records every migration as applied, running
        // none of them (so 0003's fillfactor stays unset).
        const moved = await migrate(t.db);
        expect(moved.applied).toEqual([]);
        expect(moved.adopted.length).toBe(readdirSync(migrationsFolder).filter((n) => n.endsWith(".sql")).length);
        expect(
          await t.scalar(sql`select reloptions::text as value from pg_class where oid = 'rate_limit'::regclass`),
        ).toBeNull();

        // Step 2: with the re-export removed, drizzle-kit generates the tables' removal, CASCADE and all.
        const out = join(hostBA, "drizzle");
        const [, handOver] = readdirSync(out)
          .filter((name) => name.endsWith(".sql"))
          .sort();
        const generated = readFileSync(join(out, handOver as string), "utf8");
        for (const table of ourTables) expect(generated).toContain(`DROP TABLE "${table}" CASCADE;`);
        // The recipe: keep the file (its snapshot records the hand-over), replace its statements with a comment.
        writeFileSync(
          join(out, handOver as string),
          "-- user, session, account, verification, rate_limit: now made by migrate()\n",
        );
        await drizzleKit(hostBA, ["migrate"], t.url);
        // The hand-over is stable: the next generation finds nothing to do.
        expect(await drizzleKit(hostBA, ["generate"])).toContain("No schema changes");

        expect(await t.scalar(sql`select count(*)::int as value from drizzle.__drizzle_migrations`)).toBe(2);
        expect(await t.scalar(sql`select count(*)::int as value from "user"`)).toBe(1);
        expect(await t.scalar(sql`select count(*)::int as value from note`)).toBe(1);
        expect(await checkSchema(t.db)).toEqual([]);
        expect(await migrate(t.db)).toEqual({ applied: [], adopted: [] });
      } finally {
        await t.close();
      }
    });

    it("moving from A to B: the host's first migration with the tables is marked applied, not run", async () => {
      const t = await freshDatabase("recipe_a_to_b");
      try {
        // The database as way A left it: the package's migrations, the host's first migration, rows.
        await migrate(t.db);
        const [user] = await t.db.insert(userTable).values({ name: "Ada", email: "ada@example.com" }).returning();
        const hostFirst = readdirSync(join(hostAB, "drizzle"))
          .filter((name) => name.endsWith(".sql"))
          .sort();
        expect(hostFirst).toHaveLength(2);
        // The host's first migration (note) from host A's project, which holds only that one.
        await drizzleKit(hostA, ["migrate"], t.url);
        await t.db.execute(sql`insert into note (user_id, body) values (${user?.id}, 'hello')`);

        // The new host migration creates the package's tables, which exist: run as is, drizzle-kit exits non-zero
        // (its CREATE TABLE "user" fails; drizzle's migrator runs in one transaction, so nothing of it stays).
        const baseline = hostFirst[1] as string;
        expect(createdTables(readFileSync(join(hostAB, "drizzle", baseline), "utf8")).sort()).toEqual(
          [...ourTables].sort(),
        );
        await expect(drizzleKit(hostAB, ["migrate"], t.url)).rejects.toThrow(/drizzle-kit migrate failed/);
        expect(await t.scalar(sql`select count(*)::int as value from drizzle.__drizzle_migrations`)).toBe(1);

        // Marked as applied (drizzle's migrator runs what is newer than its history's newest created_at).
        const journal = JSON.parse(readFileSync(join(hostAB, "drizzle", "meta", "_journal.json"), "utf8"));
        const when = journal.entries[1].when as number;
        const hash = createHash("sha256")
          .update(readFileSync(join(hostAB, "drizzle", baseline), "utf8"))
          .digest("hex");
        // The recipe's SQL, with its placeholders filled in.
        const record = hostFile(recipe("record-migration.sql"))
          .replace("'<sha256 hex>'", `'${hash}'`)
          .replace("<when>", String(when));
        for (const statement of record.split(/;\s*\n/).filter((text) => text.replace(/--.*$/gm, "").trim())) {
          await t.db.execute(sql.raw(statement));
        }
        await drizzleKit(hostAB, ["migrate"], t.url);

        expect(await checkSchema(t.db)).toEqual([]);
        expect(await t.scalar(sql`select count(*)::int as value from note`)).toBe(1);
        expect(await t.scalar(sql`select count(*)::int as value from "user"`)).toBe(1);
        // Made by the package's 0003 while the database was on way A, so it stays.
        expect(
          await t.scalar(sql`select reloptions::text as value from pg_class where oid = 'rate_limit'::regclass`),
        ).toBe("{fillfactor=70}");
      } finally {
        await t.close();
      }
    });
  });
});
