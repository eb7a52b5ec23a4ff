/**
 * `defineAuthSchema()` without a database: the core tables are the static ones (same SQL), each plugin adds exactly
 * its tables and columns, `pgSchema` puts every table in that schema, host columns are added, and bad options are
 * TypeErrors naming the option.
 */
import { getTableConfig, type PgTable, text } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import {
  accountTable,
  authSchema,
  defineAuthSchema,
  pluginNames,
  rateLimitTable,
  sessionTable,
  userTable,
  verificationTable,
} from "../../src/schema/index.js";

/** A table as SQL sees it: name, schema, columns (type, nullability, default), constraints and indexes. */
function shape(table: PgTable) {
  const config = getTableConfig(table);
  return {
    name: config.name,
    schema: config.schema,
    columns: config.columns.map((c) => [c.name, c.getSQLType(), c.notNull, c.hasDefault, c.isUnique, c.primary]),
    foreignKeys: config.foreignKeys.map((fk) => {
      const ref = fk.reference();
      return [fk.getName(), ref.columns.map((c) => c.name), getTableConfig(ref.foreignTable).name, fk.onDelete];
    }),
    indexes: config.indexes.map((i) => [i.config.name, i.config.columns.map((c) => (c as { name: string }).name)]),
    uniques: config.uniqueConstraints.map((u) => u.getName()),
  };
}

describe("defineAuthSchema()", () => {
  it("a misspelt option is a TypeError naming it", () => {
    expect(() => defineAuthSchema({ plugin: ["admin"] } as never)).toThrow(
      new TypeError(
        '@be-monorepo/db: defineAuthSchema() has no option "plugin"; its options are `plugins`, `additionalFields`, `pgSchema`',
      ),
    );
  });

  it("without options, its tables are the static ones", () => {
    const s = defineAuthSchema();
    expect(shape(s.userTable)).toEqual(shape(userTable));
    expect(shape(s.sessionTable)).toEqual(shape(sessionTable));
    expect(shape(s.accountTable)).toEqual(shape(accountTable));
    expect(shape(s.verificationTable)).toEqual(shape(verificationTable));
    expect(shape(s.rateLimitTable)).toEqual(shape(rateLimitTable));
    expect(Object.keys(s.authSchema).sort()).toEqual(Object.keys(authSchema).sort());
  });

  it("each plugin adds its own models and columns only", () => {
    const core = defineAuthSchema();
    const coreColumns = (t: PgTable) => getTableConfig(t).columns.map((c) => c.name);
    const added: Record<string, unknown> = {};
    for (const plugin of pluginNames) {
      const s = defineAuthSchema({ plugins: [plugin] });
      added[plugin] = {
        models: Object.keys(s.authSchema).filter((k) => !k.endsWith("Relations") && !(k in core.authSchema)),
        user: coreColumns(s.userTable).filter((c) => !coreColumns(core.userTable).includes(c)),
        session: coreColumns(s.sessionTable).filter((c) => !coreColumns(core.sessionTable).includes(c)),
      };
    }
    expect(added).toEqual({
      admin: { models: [], user: ["role", "banned", "ban_reason", "ban_expires"], session: ["impersonated_by"] },
      username: { models: [], user: ["username", "display_username"], session: [] },
      twoFactor: { models: ["twoFactor"], user: ["two_factor_enabled"], session: [] },
      organization: {
        models: ["organization", "member", "invitation", "team", "teamMember", "organizationRole"],
        user: [],
        session: ["active_organization_id", "active_team_id"],
      },
      jwt: { models: ["jwks"], user: [], session: [] },
      apiKey: { models: ["apikey"], user: [], session: [] },
      passkey: { models: ["passkey"], user: [], session: [] },
      phoneNumber: { models: [], user: ["phone_number", "phone_number_verified"], session: [] },
      anonymous: { models: [], user: ["is_anonymous"], session: [] },
      deviceAuthorization: { models: ["deviceCode"], user: [], session: [] },
      lastLoginMethod: { models: [], user: ["last_login_method"], session: [] },
    });
  });

  it("plugin order and repeats do not matter; `plugins` comes back in migration order", () => {
    const a = defineAuthSchema({ plugins: ["organization", "admin", "admin"] });
    const b = defineAuthSchema({ plugins: ["admin", "organization"] });
    expect(a.plugins).toEqual(["admin", "organization"]);
    expect(shape(a.userTable)).toEqual(shape(b.userTable));
    expect(shape(a.sessionTable)).toEqual(shape(b.sessionTable));
  });

  it("plugin tables: snake_case names, foreign keys with ON DELETE cascade and an index on each", () => {
    const s = defineAuthSchema({ plugins: ["organization"] });
    expect(shape(s.teamMemberTable)).toMatchObject({
      name: "team_member",
      foreignKeys: [
        [expect.any(String), ["team_id"], "team", "cascade"],
        [expect.any(String), ["user_id"], "user", "cascade"],
      ],
      indexes: [
        ["team_member_team_id_idx", ["team_id"]],
        ["team_member_user_id_idx", ["user_id"]],
      ],
    });
  });

  it("pgSchema puts every table in that schema; 'public' is the default", () => {
    const s = defineAuthSchema({ plugins: ["admin", "jwt"], pgSchema: "auth" });
    for (const table of [s.userTable, s.sessionTable, s.rateLimitTable, s.jwksTable]) {
      expect(getTableConfig(table).schema).toBe("auth");
    }
    expect(getTableConfig(defineAuthSchema({ pgSchema: "public" }).userTable).schema).toBeUndefined();
  });

  it("additionalFields adds the host's columns, listed in hostColumns", () => {
    const s = defineAuthSchema({
      plugins: ["organization"],
      additionalFields: {
        user: { plan: text("plan").default("free").notNull() },
        organization: { tier: text("tier") },
      },
    });
    expect(getTableConfig(s.userTable).columns.map((c) => c.name)).toContain("plan");
    expect(getTableConfig(s.organizationTable).columns.map((c) => c.name)).toContain("tier");
    expect(s.hostColumns).toEqual({ user: ["plan"], organization: ["tier"] });
    expect(s.insertUserTableSchema.safeParse({ name: "a", email: "a@example.com" }).success).toBe(true);
  });

  it.each([
    [{ plugins: ["sso"] }, /unknown plugin "sso" in `plugins`/],
    [{ plugins: "admin" }, /`plugins` must be an array/],
    [{ pgSchema: "" }, /`pgSchema` must be a plain PostgreSQL identifier/],
    [{ pgSchema: "a".repeat(64) }, /`pgSchema` must be a plain PostgreSQL identifier/],
    [{ pgSchema: "my-schema" }, /`pgSchema` must be a plain PostgreSQL identifier/],
    [{ pgSchema: 'a"b' }, /`pgSchema` must be a plain PostgreSQL identifier/],
    [{ additionalFields: { member: { x: text("x") } } }, /`additionalFields.member`: no model "member"/],
    [{ additionalFields: { user: { plan: "text" } } }, /`additionalFields.user.plan` is not a drizzle column builder/],
    [{ additionalFields: { user: { email: text("mail") } } }, /user already has email/],
    [{ additionalFields: { user: { mail: text("email") } } }, /explicit column name the user table does not have/],
    [{ additionalFields: { user: { plan: text() } } }, /explicit column name/],
    [null, /options must be an object/],
  ])("TypeError for %j", (options, message) => {
    expect(() => defineAuthSchema(options as never)).toThrow(TypeError);
    expect(() => defineAuthSchema(options as never)).toThrow(message);
    expect(() => defineAuthSchema(options as never)).toThrow(/^@be-monorepo\/db: defineAuthSchema\(\): /);
  });
});
