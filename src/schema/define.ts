import { type BuildColumns, type Many, type One, type Relations, relations } from "drizzle-orm";
import {
  type PgColumn,
  type PgColumnBuilderBase,
  type PgTableExtraConfigValue,
  type PgTableWithColumns,
  pgSchema as pgSchemaOf,
  pgTable,
} from "drizzle-orm/pg-core";
import { type BuildSchema, createInsertSchema, createSelectSchema, createUpdateSchema } from "drizzle-zod";
import { checkOptionNames } from "../shared/options.js";
import {
  accountColumns,
  accountIndexes,
  adminSessionColumns,
  adminUserColumns,
  anonymousUserColumns,
  apikeyColumns,
  apikeyIndexes,
  deviceCodeColumns,
  deviceCodeIndexes,
  invitationColumns,
  invitationIndexes,
  jwksColumns,
  jwksIndexes,
  lastLoginMethodUserColumns,
  memberColumns,
  memberIndexes,
  organizationColumns,
  organizationIndexes,
  organizationRoleColumns,
  organizationRoleIndexes,
  organizationSessionColumns,
  passkeyColumns,
  passkeyIndexes,
  phoneNumberUserColumns,
  type Ref,
  rateLimitColumns,
  rateLimitIndexes,
  sessionColumns,
  sessionIndexes,
  teamColumns,
  teamIndexes,
  teamMemberColumns,
  teamMemberIndexes,
  twoFactorColumns,
  twoFactorIndexes,
  twoFactorUserColumns,
  userColumns,
  usernameUserColumns,
  verificationColumns,
  verificationIndexes,
} from "./models.js";

type Empty = Record<never, never>;
type Refs = { user: Ref; organization: Ref; team: Ref };
type ColumnsFn = (refs: Refs) => Record<string, PgColumnBuilderBase>;
type IndexesFn = (table: string, columns: Record<string, PgColumn>) => PgTableExtraConfigValue[];

/**
 * Every model `defineAuthSchema()` can define, keyed by Better Auth's model name: its table name (snake_case),
 * its columns and its indexes.
 */
const MODELS = {
  user: { table: "user", columns: () => userColumns(), indexes: (() => []) as IndexesFn },
  session: { table: "session", columns: (r: Refs) => sessionColumns(r.user), indexes: sessionIndexes },
  account: { table: "account", columns: (r: Refs) => accountColumns(r.user), indexes: accountIndexes },
  verification: { table: "verification", columns: () => verificationColumns(), indexes: verificationIndexes },
  rateLimit: { table: "rate_limit", columns: () => rateLimitColumns(), indexes: rateLimitIndexes },
  twoFactor: { table: "two_factor", columns: (r: Refs) => twoFactorColumns(r.user), indexes: twoFactorIndexes },
  organization: { table: "organization", columns: () => organizationColumns(), indexes: organizationIndexes },
  member: {
    table: "member",
    columns: (r: Refs) => memberColumns(r.organization, r.user),
    indexes: memberIndexes,
  },
  invitation: {
    table: "invitation",
    columns: (r: Refs) => invitationColumns(r.organization, r.user),
    indexes: invitationIndexes,
  },
  team: { table: "team", columns: (r: Refs) => teamColumns(r.organization), indexes: teamIndexes },
  teamMember: {
    table: "team_member",
    columns: (r: Refs) => teamMemberColumns(r.team, r.user),
    indexes: teamMemberIndexes,
  },
  organizationRole: {
    table: "organization_role",
    columns: (r: Refs) => organizationRoleColumns(r.organization),
    indexes: organizationRoleIndexes,
  },
  jwks: { table: "jwks", columns: () => jwksColumns(), indexes: jwksIndexes },
  apikey: { table: "apikey", columns: () => apikeyColumns(), indexes: apikeyIndexes },
  passkey: { table: "passkey", columns: (r: Refs) => passkeyColumns(r.user), indexes: passkeyIndexes },
  deviceCode: { table: "device_code", columns: () => deviceCodeColumns(), indexes: deviceCodeIndexes },
} as const satisfies Record<string, { table: string; columns: ColumnsFn; indexes: IndexesFn }>;

/** A Better Auth model name `defineAuthSchema()` knows (`user`, `session`, …, `organization`, `twoFactor`, …). */
export type AuthModelName = keyof typeof MODELS;
type TableName<M extends AuthModelName> = (typeof MODELS)[M]["table"];
type CoreModel = "user" | "session" | "account" | "verification" | "rateLimit";
const CORE_MODELS: readonly CoreModel[] = ["user", "session", "account", "verification", "rateLimit"];

/**
 * The Better Auth plugins `defineAuthSchema()` supports, spelled like their functions, in the order their
 * migrations are applied. Each adds columns to core tables (`extends`) and/or tables of its own (`models`).
 */
const PLUGINS = {
  admin: { extends: { user: adminUserColumns, session: adminSessionColumns }, models: [] },
  username: { extends: { user: usernameUserColumns }, models: [] },
  twoFactor: { extends: { user: twoFactorUserColumns }, models: ["twoFactor"] },
  organization: {
    extends: { session: organizationSessionColumns },
    models: ["organization", "member", "invitation", "team", "teamMember", "organizationRole"],
  },
  jwt: { extends: {}, models: ["jwks"] },
  apiKey: { extends: {}, models: ["apikey"] },
  passkey: { extends: {}, models: ["passkey"] },
  phoneNumber: { extends: { user: phoneNumberUserColumns }, models: [] },
  anonymous: { extends: { user: anonymousUserColumns }, models: [] },
  deviceAuthorization: { extends: {}, models: ["deviceCode"] },
  lastLoginMethod: { extends: { user: lastLoginMethodUserColumns }, models: [] },
} as const satisfies Record<
  string,
  { extends: Partial<Record<CoreModel, () => Record<string, PgColumnBuilderBase>>>; models: readonly AuthModelName[] }
>;

/** A Better Auth plugin `defineAuthSchema()` supports, spelled like its function (`'admin'`, `'twoFactor'`, …). */
export type PluginName = keyof typeof PLUGINS;

/** Every supported plugin name, in the order `migrate()` applies their migrations. */
export const pluginNames: readonly PluginName[] = Object.keys(PLUGINS) as PluginName[];

/**
 * Foreign keys between models, `{ model: { field: referencedModel } }`: the relations follow them, with Better
 * Auth's join names (`one` → the referenced model's name, `many` → the referencing model's name plus `s`).
 */
const FOREIGN_KEYS = {
  session: { userId: "user" },
  account: { userId: "user" },
  twoFactor: { userId: "user" },
  member: { organizationId: "organization", userId: "user" },
  invitation: { organizationId: "organization", inviterId: "user" },
  team: { organizationId: "organization" },
  teamMember: { teamId: "team", userId: "user" },
  organizationRole: { organizationId: "organization" },
  passkey: { userId: "user" },
} as const satisfies Partial<Record<AuthModelName, Record<string, AuthModelName>>>;
type ForeignKeys = typeof FOREIGN_KEYS;

// ---- types ----------------------------------------------------------------------------------------------

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
type PluginModels<P extends PluginName> = (typeof PLUGINS)[P]["models"][number];
/** The models present with plugins `P`: the core's and the plugins' own. */
export type ModelsOf<P extends PluginName> = CoreModel | PluginModels<P>;
type BaseColumns<M extends AuthModelName> = ReturnType<(typeof MODELS)[M]["columns"]>;
type Extension<P extends PluginName, M extends AuthModelName> = P extends unknown
  ? M extends keyof (typeof PLUGINS)[P]["extends"]
    ? (typeof PLUGINS)[P]["extends"][M] extends () => infer C
      ? C
      : Empty
    : Empty
  : never;
type HostColumns<AF, M extends AuthModelName> = M extends keyof AF
  ? NonNullable<AF[M]> extends Record<string, PgColumnBuilderBase>
    ? NonNullable<AF[M]>
    : Empty
  : Empty;
/** The column builders of model `M` with plugins `P` and host columns `AF`. */
export type AuthColumns<M extends AuthModelName, P extends PluginName, AF> = BaseColumns<M> &
  UnionToIntersection<Extension<P, M> | Empty> &
  HostColumns<AF, M>;

/** The drizzle table of model `M`. */
export type AuthTable<M extends AuthModelName, P extends PluginName, AF, S extends string | undefined> =
  BuildColumns<TableName<M>, AuthColumns<M, P, AF>, "pg"> extends infer Columns extends Record<string, PgColumn>
    ? PgTableWithColumns<{ name: TableName<M>; schema: S; columns: Columns; dialect: "pg" }>
    : never;

type Targets<O> = O extends keyof ForeignKeys ? ForeignKeys[O][keyof ForeignKeys[O]] : never;
type OneRelations<M extends AuthModelName, Present extends AuthModelName> = M extends keyof ForeignKeys
  ? {
      [F in keyof ForeignKeys[M] as ForeignKeys[M][F] & Present & string]: One<
        TableName<ForeignKeys[M][F] & AuthModelName>,
        true
      >;
    }
  : Empty;
type ManyRelations<M extends AuthModelName, Present extends AuthModelName> = {
  [O in Present as M extends Targets<O> ? `${O}s` : never]: Many<TableName<O>>;
};
/** The relations of model `M` among the models `Present`, keyed as Better Auth's drizzle adapter joins them. */
export type AuthRelationsConfig<M extends AuthModelName, Present extends AuthModelName> = OneRelations<M, Present> &
  ManyRelations<M, Present>;
type RelatedModels<Present extends AuthModelName> = {
  [M in Present]: keyof AuthRelationsConfig<M, Present> extends never ? never : M;
}[Present];

/** The host's own columns per model, as drizzle column builders (`{ user: { plan: text('plan') } }`). */
export type AdditionalFields = { readonly [M in AuthModelName]?: Record<string, PgColumnBuilderBase> };

/** The options of {@link defineAuthSchema}. */
export interface DefineAuthSchemaOptions<
  P extends PluginName = never,
  AF extends AdditionalFields = Empty,
  S extends string | undefined = undefined,
> {
  /** The Better Auth plugins whose tables and columns to include, spelled like their functions. Default: none. */
  plugins?: readonly P[];
  /**
   * The host's own columns per Better Auth model, as drizzle column builders with explicit column names. Give
   * Better Auth the same fields in its `additionalFields` (`user.additionalFields`, `session.additionalFields`,
   * or the plugin's `schema.<model>.additionalFields`). Default: none.
   */
  additionalFields?: AF;
  /**
   * The PostgreSQL schema the tables are in (drizzle's `pgSchema(name).table(…)`). Default: none, which is
   * `public` (or whatever the connection's `search_path` finds); `'public'` is the same as none.
   */
  pgSchema?: S;
}

type Tables<P extends PluginName, AF, S extends string | undefined> = {
  [M in ModelsOf<P> as `${M}Table`]: AuthTable<M, P, AF, S>;
};
type RelationsOf<P extends PluginName> = {
  [M in RelatedModels<ModelsOf<P>> as `${M}Relations`]: Relations<TableName<M>, AuthRelationsConfig<M, ModelsOf<P>>>;
};
type ZodSchemas<P extends PluginName, AF, S extends string | undefined> = {
  [M in ModelsOf<P> as `select${Capitalize<M>}TableSchema`]: BuildSchema<
    "select",
    AuthTable<M, P, AF, S>["_"]["columns"],
    undefined,
    undefined
  >;
} & {
  [M in ModelsOf<P> as `insert${Capitalize<M>}TableSchema`]: BuildSchema<
    "insert",
    AuthTable<M, P, AF, S>["_"]["columns"],
    undefined,
    undefined
  >;
} & {
  [M in ModelsOf<P> as `update${Capitalize<M>}TableSchema`]: BuildSchema<
    "update",
    AuthTable<M, P, AF, S>["_"]["columns"],
    undefined,
    undefined
  >;
};

/** What {@link defineAuthSchema} returns. */
export type AuthSchemaDefinition<
  P extends PluginName = never,
  AF extends AdditionalFields = Empty,
  S extends string | undefined = undefined,
> = Tables<P, AF, S> &
  RelationsOf<P> &
  ZodSchemas<P, AF, S> & {
    /** Every table keyed by Better Auth's model name, and the relations: the adapter's and drizzle's `schema`. */
    authSchema: { [M in ModelsOf<P>]: AuthTable<M, P, AF, S> } & RelationsOf<P>;
    /** The plugins chosen, in the order of {@link pluginNames} (`migrate()`'s order), without repeats. */
    plugins: readonly P[];
    /** The PostgreSQL schema of the tables, `undefined` for the default. */
    pgSchema: S extends string ? string | undefined : undefined;
    /** The host's own column names (SQL names) per model, as given in `additionalFields`. */
    hostColumns: { readonly [M in AuthModelName]?: readonly string[] };
  };

// ---- runtime --------------------------------------------------------------------------------------------

function fail(message: string): never {
  throw new TypeError(`@be-monorepo/db: defineAuthSchema(): ${message}`);
}
const isObject = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value);
const IDENTIFIER = /^[A-Za-z_][A-Za-z0-9_$]*$/;

/** Checks `pgSchema`: a plain PostgreSQL identifier of 1 to 63 bytes; `undefined` for none or `'public'`. */
function schemaNameOf(value: unknown): string | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "string" || value === "" || Buffer.byteLength(value) > 63 || !IDENTIFIER.test(value)) {
    fail(
      `\`pgSchema\` must be a plain PostgreSQL identifier of 1 to 63 bytes (letters, digits, _ and $, not starting with a digit) (got ${typeof value === "string" ? JSON.stringify(value.length > 80 ? `${value.slice(0, 80)}…` : value) : typeof value})`,
    );
  }
  return value === "public" ? undefined : (value as string);
}

/** Checks `plugins`: known names; returns them in {@link pluginNames} order without repeats. */
function pluginsOf(value: unknown): PluginName[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) fail(`\`plugins\` must be an array of plugin names (got ${typeof value})`);
  for (const name of value as unknown[]) {
    if (typeof name !== "string" || !Object.hasOwn(PLUGINS, name)) {
      fail(`unknown plugin ${JSON.stringify(name)} in \`plugins\`; supported: ${pluginNames.join(", ")}`);
    }
  }
  return pluginNames.filter((name) => (value as string[]).includes(name));
}

/** The models present with these plugins, core first. */
export function modelsOf(plugins: readonly PluginName[]): AuthModelName[] {
  return [...CORE_MODELS, ...plugins.flatMap((plugin) => PLUGINS[plugin].models)];
}

const capitalize = (name: string) => `${name.charAt(0).toUpperCase()}${name.slice(1)}`;

/**
 * Defines the auth tables for a Better Auth configuration: the core tables (`user`, `session`, `account`,
 * `verification`, `rate_limit`, the same columns as the static `userTable`, …) plus the tables and columns of the
 * chosen plugins, plus the host's own columns.
 *
 * - `options.plugins`: Better Auth plugins, spelled like their functions: `'admin'`, `'username'`, `'twoFactor'`,
 *   `'organization'` (with its `team`, `teamMember` and `organizationRole` tables, for `teams` and
 *   `dynamicAccessControl`), `'jwt'`, `'apiKey'` (`@better-auth/api-key`), `'passkey'` (`@better-auth/passkey`),
 *   `'phoneNumber'`, `'anonymous'`, `'deviceAuthorization'`, `'lastLoginMethod'` (with `storeInDatabase: true`).
 *   Order and repeats do not matter.
 * - `options.additionalFields`: `{ [model]: { field: columnBuilder } }`, the host's own columns, keyed by Better
 *   Auth's field names, with explicit SQL names (`text('plan')`). The package's migrations never create them: the
 *   host migrates them (see the docs' recipe), and `checkSchema(db, { schema })` expects them.
 * - `options.pgSchema`: the PostgreSQL schema of every table (drizzle's `pgSchema(name).table()`).
 *
 * @returns `<model>Table` for every model present (`userTable`, `sessionTable`, …, `organizationTable`,
 *   `memberTable`, `twoFactorTable`, `apikeyTable`, …); `<model>Relations` for every model with a relation;
 *   `select<Model>TableSchema` / `insert…` / `update…` drizzle-zod schemas; `authSchema`, the tables keyed by
 *   Better Auth's model names plus the relations, for `drizzleAdapter(db, { provider: 'pg', schema: authSchema })`
 *   and `drizzle(client, { schema: authSchema })` (joins); and `plugins`, `pgSchema`, `hostColumns` as resolved.
 *   Row types: `typeof s.userTable.$inferSelect`, or `z.infer<typeof s.selectUserTableSchema>`.
 * @throws {TypeError} for an unknown plugin, a `pgSchema` that is not a plain identifier of 1 to 63 bytes, an
 *   `additionalFields` model that is not present with these plugins, a value that is not a drizzle column
 *   builder, or a field or SQL column name the table already has.
 */
export function defineAuthSchema<
  const P extends PluginName = never,
  const AF extends AdditionalFields = Empty,
  const S extends string | undefined = undefined,
>(options: DefineAuthSchemaOptions<P, AF, S> = {}): AuthSchemaDefinition<P, AF, S> {
  if (!isObject(options)) fail(`options must be an object (got ${options === null ? "null" : typeof options})`);
  checkOptionNames(options, ["plugins", "additionalFields", "pgSchema"], "defineAuthSchema()");
  const plugins = pluginsOf(options.plugins);
  const schemaName = schemaNameOf(options.pgSchema);
  const models = modelsOf(plugins);
  const additional: unknown = options.additionalFields ?? {};
  if (!isObject(additional)) fail("`additionalFields` must be an object keyed by model name");
  for (const model of Object.keys(additional)) {
    if (!models.includes(model as AuthModelName)) {
      fail(
        `\`additionalFields.${model}\`: no model ${JSON.stringify(model)} with these plugins (models: ${models.join(", ")})`,
      );
    }
  }

  const table = (schemaName === undefined ? pgTable : pgSchemaOf(schemaName).table) as typeof pgTable;
  const tables: Record<string, PgTableWithColumns<never>> = {};
  const refs: Refs = {
    user: () => (tables.user as unknown as Record<string, PgColumn>).id as PgColumn,
    organization: () => (tables.organization as unknown as Record<string, PgColumn>).id as PgColumn,
    team: () => (tables.team as unknown as Record<string, PgColumn>).id as PgColumn,
  };
  const hostColumns: Record<string, string[]> = {};
  for (const model of models) {
    const spec = MODELS[model];
    const columns: Record<string, PgColumnBuilderBase> = { ...spec.columns(refs) };
    for (const plugin of plugins) {
      const extend = (PLUGINS[plugin].extends as Partial<Record<AuthModelName, () => object>>)[model];
      if (extend) Object.assign(columns, extend());
    }
    const sqlNames = new Set(Object.values(columns).map((builder) => sqlNameOf(builder)));
    const own = additional[model];
    if (own !== undefined) {
      if (!isObject(own)) fail(`\`additionalFields.${model}\` must be an object of drizzle column builders`);
      hostColumns[model] = [];
      for (const [field, builder] of Object.entries(own)) {
        const name = isObject(builder) && isObject(builder.config) ? sqlNameOf(builder as never) : undefined;
        if (name === undefined) fail(`\`additionalFields.${model}.${field}\` is not a drizzle column builder`);
        if (Object.hasOwn(columns, field))
          fail(`\`additionalFields.${model}.${field}\`: ${model} already has ${field}`);
        if (name === "" || sqlNames.has(name as string)) {
          fail(
            `\`additionalFields.${model}.${field}\`: give it an explicit column name the ${spec.table} table does not have (got ${JSON.stringify(name)})`,
          );
        }
        sqlNames.add(name as string);
        hostColumns[model]?.push(name as string);
        columns[field] = builder as PgColumnBuilderBase;
      }
    }
    tables[model] = table(spec.table, columns, (built) =>
      spec.indexes(spec.table, built as unknown as Record<string, PgColumn>),
    ) as unknown as PgTableWithColumns<never>;
  }

  const result: Record<string, unknown> = {};
  const authSchema: Record<string, unknown> = {};
  for (const model of models) {
    const t = tables[model] as PgTableWithColumns<never>;
    result[`${model}Table`] = t;
    authSchema[model] = t;
    result[`select${capitalize(model)}TableSchema`] = createSelectSchema(t);
    result[`insert${capitalize(model)}TableSchema`] = createInsertSchema(t);
    result[`update${capitalize(model)}TableSchema`] = createUpdateSchema(t);
  }
  for (const model of models) {
    const own = Object.entries((FOREIGN_KEYS as Record<string, Record<string, AuthModelName>>)[model] ?? {});
    const referencing = models.filter((other) =>
      Object.values((FOREIGN_KEYS as Record<string, Record<string, string>>)[other] ?? {}).includes(model),
    );
    if (own.length === 0 && referencing.length === 0) continue;
    const t = tables[model] as unknown as Record<string, PgColumn>;
    const r = relations(tables[model] as PgTableWithColumns<never>, ({ one, many }) => {
      const config: Record<string, ReturnType<typeof one> | ReturnType<typeof many>> = {};
      for (const [field, target] of own) {
        const referenced = tables[target] as unknown as Record<string, PgColumn>;
        config[target] = one(tables[target] as PgTableWithColumns<never>, {
          fields: [t[field] as never],
          references: [referenced.id as never],
        });
      }
      for (const other of referencing) config[`${other}s`] = many(tables[other] as PgTableWithColumns<never>);
      return config;
    });
    result[`${model}Relations`] = r;
    authSchema[`${model}Relations`] = r;
  }
  result.authSchema = authSchema;
  result.plugins = plugins;
  result.pgSchema = schemaName;
  result.hostColumns = hostColumns;
  return result as AuthSchemaDefinition<P, AF, S>;
}

/** The SQL name a column builder was given (drizzle keeps it in the builder's `config.name`). */
function sqlNameOf(builder: PgColumnBuilderBase): string {
  return (builder as unknown as { config: { name: string } }).config.name;
}
