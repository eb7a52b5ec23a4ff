import {
  accountRelations,
  accountTable,
  sessionRelations,
  sessionTable,
  userRelations,
  userTable,
  verificationTable,
} from "./auth.js";
import { rateLimitTable } from "./rate-limit.js";

export {
  accountRelations,
  accountTable,
  sessionRelations,
  sessionTable,
  userRelations,
  userTable,
  verificationTable,
} from "./auth.js";
export { timestamps } from "./columns.js";
export type {
  AdditionalFields,
  AuthColumns,
  AuthModelName,
  AuthRelationsConfig,
  AuthSchemaDefinition,
  AuthTable,
  DefineAuthSchemaOptions,
  ModelsOf,
  PluginName,
} from "./define.js";
export { defineAuthSchema, pluginNames } from "./define.js";
export { rateLimitTable } from "./rate-limit.js";
export * from "./zod.js";

/**
 * Every table and relation of the package, keyed by Better Auth's model names, so that
 * `drizzleAdapter(db, { provider: 'pg', schema: authSchema })` needs no other option.
 *
 * Also the `schema` to give `drizzle(client, { schema: authSchema })` when the host wants `db.query.*`
 * (which Better Auth uses when `advanced.database.joins` is on): the relations make `db.query.user.findFirst({
 * with: { sessions: true } })` work.
 */
export const authSchema = {
  user: userTable,
  session: sessionTable,
  account: accountTable,
  verification: verificationTable,
  rateLimit: rateLimitTable,
  userRelations,
  sessionRelations,
  accountRelations,
};
