/**
 * Plugin migrations: `migrate(db, { plugins })` applies the core's migrations and then each plugin's, in one
 * history; enabling plugins later on a database with rows keeps every row; leaving them out later drops nothing;
 * `migrationStatus` and `checkSchema` take the same option, and `checkSchema(db, { schema })` knows the host's own
 * columns. The shipped plugin migrations only add (no DROP, no column rewrite, NOT NULL only with a default).
 */
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { boolean, integer, text } from "drizzle-orm/pg-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  checkSchema,
  migrate,
  migrationStatus,
  migrationsFolder,
  pluginMigrationsFolder,
} from "../../src/migrate/index.js";
import { defineAuthSchema, pluginNames } from "../../src/schema/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

const tagsOf = (folder: string) =>
  (
    JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: { tag: string }[] }
  ).entries.map((entry) => entry.tag);
const coreTags = tagsOf(migrationsFolder);
const pluginTags = (names: readonly string[]) =>
  pluginNames.filter((p) => names.includes(p)).flatMap((p) => tagsOf(pluginMigrationsFolder(p)));

describe("the shipped plugin migrations", () => {
  it.each(pluginNames.map((p) => [p]))("%s: its own drizzle-kit folder, additive only", (plugin) => {
    const folder = pluginMigrationsFolder(plugin);
    const journal = JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8"));
    expect(journal).toMatchObject({ version: "7", dialect: "postgresql" });
    expect(journal.entries.length).toBeGreaterThan(0);
    for (const file of readdirSync(folder).filter((name) => name.endsWith(".sql"))) {
      const text = readFileSync(join(folder, file), "utf8");
      expect(text).not.toMatch(/\bdrop\b/i);
      expect(text).not.toMatch(/\balter\s+column\b/i);
      expect(text).not.toMatch(/\brename\b/i);
      // A NOT NULL column added to an existing table needs a default for the rows already there.
      for (const statement of text.split("--> statement-breakpoint")) {
        if (/add column/i.test(statement) && /not null/i.test(statement)) expect(statement).toMatch(/default/i);
      }
    }
  });

  it("no two migrations, core or plugin, share a journal `when` (the history's key)", () => {
    const whens = [migrationsFolder, ...pluginNames.map((p) => pluginMigrationsFolder(p))].flatMap((folder) =>
      (
        JSON.parse(readFileSync(join(folder, "meta", "_journal.json"), "utf8")) as { entries: { when: number }[] }
      ).entries.map((entry) => entry.when),
    );
    expect(new Set(whens).size).toBe(whens.length);
  });
});

describe("migrate(db, { plugins })", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("migrate_plugins");
  });
  afterAll(() => t.close());

  it("enabling plugins later keeps every row; leaving them out later drops nothing", async () => {
    expect((await migrate(t.db)).applied.map((m) => m.tag)).toEqual(coreTags);
    await t.db.execute(sql`insert into "user" (id, name, email) values ('u1', 'Ada', 'ada@example.com'),
      ('u2', 'Grace', 'grace@example.com')`);
    await t.db.execute(sql`insert into session (id, token, user_id, expires_at)
      values ('s1', 'tok1', 'u1', now() + interval '1 day')`);
    const before = rows(await t.db.execute(sql`select * from "user" order by id`));

    const status = await migrationStatus(t.db, { plugins: ["organization", "admin"] });
    expect(status.pending.map((m) => m.tag)).toEqual(pluginTags(["admin", "organization"]));
    const applied = await migrate(t.db, { plugins: ["organization", "admin"] });
    expect(applied.applied.map((m) => m.tag)).toEqual(pluginTags(["admin", "organization"]));

    const after = rows(await t.db.execute(sql`select * from "user" order by id`));
    expect(after.map(({ id, name, email, created_at }) => ({ id, name, email, created_at }))).toEqual(
      before.map(({ id, name, email, created_at }) => ({ id, name, email, created_at })),
    );
    expect(after.map((row) => [row.role, row.banned])).toEqual([
      [null, false],
      [null, false],
    ]);
    expect(rows(await t.db.execute(sql`select token, active_organization_id from session`))).toEqual([
      { token: "tok1", active_organization_id: null },
    ]);
    expect(await checkSchema(t.db, { plugins: ["admin", "organization"] })).toEqual([]);

    // All the others on top.
    const rest = pluginNames.filter((p) => p !== "admin" && p !== "organization");
    expect((await migrate(t.db, { plugins: [...pluginNames] })).applied.map((m) => m.tag)).toEqual(pluginTags(rest));
    expect(await checkSchema(t.db, { plugins: [...pluginNames] })).toEqual([]);
    expect(rows(await t.db.execute(sql`select count(*)::int as n from "user"`))[0]?.n).toBe(2);

    // A host that later drops a plugin from its list: nothing to apply, nothing dropped.
    await t.db.execute(sql`insert into organization (id, name, slug) values ('o1', 'Acme', 'acme')`);
    expect(await migrate(t.db, { plugins: ["jwt"] })).toEqual({ applied: [], adopted: [] });
    expect(await migrate(t.db)).toEqual({ applied: [], adopted: [] });
    expect(rows(await t.db.execute(sql`select slug from organization`))).toEqual([{ slug: "acme" }]);
    expect(rows(await t.db.execute(sql`select role from "user" where id = 'u1'`))).toEqual([{ role: null }]);
    const history = rows(await t.db.execute(sql`select count(*)::int as n from drizzle.__be_db_migrations`));
    expect(history[0]?.n).toBe(coreTags.length + pluginTags(pluginNames).length);
    // Without the plugins, checkSchema lists their columns as unexpected (it compares what it is told to expect).
    expect(await checkSchema(t.db)).toContain("column user.role is not expected (found text)");
  });
});

describe("checkSchema(db, { schema })", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("check_host_columns");
    await migrate(t.db, { plugins: ["admin"] });
  });
  afterAll(() => t.close());

  const s = defineAuthSchema({
    plugins: ["admin"],
    additionalFields: {
      user: {
        plan: text("plan").default("free").notNull(),
        seats: integer("seats"),
        referral: text("referral_code").unique(),
      },
      session: { trusted: boolean("trusted").default(false) },
    },
  });

  it("expects the schema's plugins and the host's columns", async () => {
    const missing = await checkSchema(t.db, { schema: s });
    expect(missing.sort()).toEqual([
      "column session.trusted is missing (expected boolean)",
      "column user.plan is missing (expected text NOT NULL)",
      "column user.referral_code is missing (expected text)",
      "column user.seats is missing (expected integer)",
      "unique constraint user_referral_code_unique on user (referral_code) is missing",
    ]);
    // The host's own migration (what its drizzle-kit generates for these columns).
    await t.db.execute(
      sql.raw(`ALTER TABLE "user" ADD COLUMN "plan" text DEFAULT 'free' NOT NULL;
      ALTER TABLE "user" ADD COLUMN "seats" integer;
      ALTER TABLE "user" ADD COLUMN "referral_code" text;
      ALTER TABLE "user" ADD CONSTRAINT "user_referral_code_unique" UNIQUE("referral_code");
      ALTER TABLE "session" ADD COLUMN "trusted" boolean DEFAULT false;`),
    );
    expect(await checkSchema(t.db, { schema: s })).toEqual([]);
    // Without the schema, the host's columns are unexpected.
    expect(await checkSchema(t.db, { plugins: ["admin"] })).toContain(
      "column user.plan is not expected (found text NOT NULL)",
    );
  });

  it("TypeError for an unknown plugin or a schema that is not defineAuthSchema()'s", async () => {
    await expect(checkSchema(t.db, { plugins: ["sso" as never] })).rejects.toThrow(
      /^@be-monorepo\/db: unknown plugin "sso" in `plugins`/,
    );
    await expect(migrate(t.db, { plugins: "admin" as never })).rejects.toThrow(TypeError);
    await expect(migrationStatus(t.db, { plugins: [1 as never] })).rejects.toThrow(TypeError);
    await expect(checkSchema(t.db, { schema: {} as never })).rejects.toThrow(/`schema` must be/);
  });
});
