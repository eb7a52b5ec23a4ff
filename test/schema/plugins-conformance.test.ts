/**
 * Conformance with Better Auth's own schema: for each supported plugin, and for all of them together, the tables
 * the installed Better Auth declares (`getAuthTables(options)` from `@better-auth/core`, for that plugin
 * configuration) are compared with `defineAuthSchema({ plugins })`. Every model is in `authSchema` under its model
 * name; every field is a column under its field name, with a compatible type; `required` is NOT NULL or a default;
 * `unique` a unique constraint; `references` a foreign key to the right table with the declared `ON DELETE`
 * (Better Auth's default is `cascade`); `index: true` an index. The other way round, every column the package adds
 * is one Better Auth declares, or one of the package's own (`id`, `deleted_at` on the core tables, `DbStore`'s `window_start`, `previous_count`, `blocked_until`).
 * A Better Auth release that changes a plugin's schema makes this test fail.
 */
import { apiKey } from "@better-auth/api-key";
import { getAuthTables } from "@better-auth/core/db";
import { passkey } from "@better-auth/passkey";
import type { BetterAuthOptions } from "better-auth";
import {
  admin,
  anonymous,
  deviceAuthorization,
  jwt,
  lastLoginMethod,
  organization,
  phoneNumber,
  twoFactor,
  username,
} from "better-auth/plugins";
import { getTableConfig, type PgColumn, type PgTable } from "drizzle-orm/pg-core";
import { describe, expect, it } from "vitest";
import { defineAuthSchema, type PluginName, pluginNames } from "../../src/schema/index.js";

/** Each supported plugin as a host enables it, with every option that adds tables or columns. */
const BETTER_AUTH_PLUGINS: Record<PluginName, () => NonNullable<BetterAuthOptions["plugins"]>[number]> = {
  admin: () => admin(),
  username: () => username(),
  twoFactor: () => twoFactor(),
  organization: () => organization({ teams: { enabled: true }, dynamicAccessControl: { enabled: true } }),
  jwt: () => jwt(),
  apiKey: () => apiKey(),
  passkey: () => passkey(),
  phoneNumber: () => phoneNumber(),
  anonymous: () => anonymous(),
  deviceAuthorization: () => deviceAuthorization(),
  lastLoginMethod: () => lastLoginMethod({ storeInDatabase: true }),
};

/** Columns the package has that Better Auth does not declare. */
const PACKAGE_COLUMNS: Record<string, string[]> = {
  user: ["id", "deletedAt"],
  session: ["id", "deletedAt"],
  account: ["id", "deletedAt"],
  verification: ["id", "deletedAt"],
  rateLimit: ["id", "windowStart", "previousCount", "blockedUntil"],
};

const COMPATIBLE: Record<string, string[]> = {
  string: ["text"],
  number: ["integer", "bigint"],
  boolean: ["boolean"],
  date: ["timestamp with time zone"],
  json: ["jsonb", "text"],
};

const nameOf = (column: unknown) => (column as { name?: string } | undefined)?.name;

/** Every difference between Better Auth's tables for `plugins` and `defineAuthSchema({ plugins })`, as sentences. */
function differences(plugins: PluginName[], ours: PluginName[] = plugins): string[] {
  const expected = getAuthTables({
    plugins: plugins.map((name) => BETTER_AUTH_PLUGINS[name]()),
    rateLimit: { storage: "database" },
  } as BetterAuthOptions);
  const s = defineAuthSchema({ plugins: ours });
  const schema = s.authSchema as unknown as Record<string, PgTable>;
  const found: string[] = [];
  const tableOfModel = (model: string) => schema[expected[model]?.modelName ?? model];
  for (const [key, model] of Object.entries(expected)) {
    const table = schema[model.modelName];
    if (!table) {
      found.push(`model ${model.modelName} is not in authSchema`);
      continue;
    }
    const config = getTableConfig(table);
    const columns = table as unknown as Record<string, PgColumn>;
    for (const [field, attribute] of Object.entries(model.fields)) {
      const name = attribute.fieldName ?? field;
      const column = columns[name];
      if (!column) {
        found.push(`${key}.${name} is not a column`);
        continue;
      }
      const type = String(attribute.type);
      if (!(COMPATIBLE[type] ?? []).includes(column.getSQLType())) {
        found.push(`${key}.${name} is ${column.getSQLType()}, Better Auth's type is ${type}`);
      }
      const hasDefault = column.hasDefault || column.defaultFn !== undefined || column.onUpdateFn !== undefined;
      if (attribute.required && !column.notNull && !hasDefault) {
        found.push(`${key}.${name} is required but nullable without a default`);
      }
      const unique =
        column.isUnique ||
        config.uniqueConstraints.some((u) => u.columns.length === 1 && u.columns[0]?.name === column.name) ||
        config.indexes.some(
          (i) => i.config.unique && i.config.columns.length === 1 && nameOf(i.config.columns[0]) === column.name,
        );
      if (attribute.unique && !unique) found.push(`${key}.${name} is unique but has no unique constraint`);
      if (attribute.unique === false && unique) found.push(`${key}.${name} is not unique but has a unique constraint`);
      const indexed = unique || config.indexes.some((i) => nameOf(i.config.columns[0]) === column.name);
      if ((attribute.index || attribute.references) && !indexed) found.push(`${key}.${name} has no index`);
      if (attribute.references) {
        const target = tableOfModel(attribute.references.model);
        const fk = config.foreignKeys.find((f) => f.reference().columns[0] === column);
        if (!fk) {
          found.push(`${key}.${name} has no foreign key`);
        } else {
          const reference = fk.reference();
          const onDelete = attribute.references.onDelete ?? "cascade";
          if (reference.foreignTable !== target) found.push(`${key}.${name} references the wrong table`);
          if (reference.foreignColumns[0]?.name !== (attribute.references.field === "id" ? "id" : undefined)) {
            found.push(`${key}.${name} references ${reference.foreignColumns[0]?.name}`);
          }
          if ((fk.onDelete ?? "no action") !== onDelete) {
            found.push(`${key}.${name} has ON DELETE ${fk.onDelete}, Better Auth declares ${onDelete}`);
          }
        }
      } else if (config.foreignKeys.some((f) => f.reference().columns[0] === column)) {
        found.push(`${key}.${name} has a foreign key Better Auth does not declare`);
      }
    }
    const declared = new Set(Object.entries(model.fields).map(([field, a]) => a.fieldName ?? field));
    for (const field of Object.keys(columns)) {
      if (!(columns[field] as unknown as { name?: unknown })?.name || typeof columns[field] !== "object") continue;
      if (!config.columns.includes(columns[field] as PgColumn)) continue;
      if (!declared.has(field) && !(PACKAGE_COLUMNS[key] ?? ["id"]).includes(field)) {
        found.push(`${key}.${field} is not a field Better Auth declares`);
      }
    }
  }
  for (const model of Object.keys(schema)) {
    if (!model.endsWith("Relations") && !Object.values(expected).some((m) => m.modelName === model)) {
      found.push(`authSchema.${model} is not a model Better Auth declares`);
    }
  }
  return found;
}

describe("defineAuthSchema() matches Better Auth's getAuthTables()", () => {
  it("with no plugin", () => {
    expect(differences([])).toEqual([]);
  });
  it.each(pluginNames.map((name) => [name]))("with %s", (name) => {
    expect(differences([name])).toEqual([]);
  });
  it("with every supported plugin together", () => {
    expect(differences([...pluginNames])).toEqual([]);
  });
  it("notices differences: Better Auth with admin and jwt, the package's schema without them", () => {
    expect(differences(["admin", "jwt"], [])).toEqual([
      "user.role is not a column",
      "user.banned is not a column",
      "user.banReason is not a column",
      "user.banExpires is not a column",
      "session.impersonatedBy is not a column",
      "model jwks is not in authSchema",
    ]);
    expect(differences([], ["jwt"])).toEqual(["authSchema.jwks is not a model Better Auth declares"]);
  });
});
