/**
 * The columns of every table the package defines, core and plugins, as functions returning fresh drizzle column
 * builders. `src/schema/auth.ts` (the static tables) and `defineAuthSchema()` both build their tables from here.
 *
 * Conventions: explicit snake_case column names (so any drizzle `casing` gives the same SQL), text ids filled by
 * the database (`textId()`), `timestamptz` read as `Date`, an index on every foreign key and on every column
 * Better Auth marks `index: true`, `ON DELETE` as Better Auth declares it (its default is `cascade`). Field keys
 * are Better Auth's field names, which is how its drizzle adapter finds the columns.
 */
import {
  type AnyPgColumn,
  bigint,
  boolean,
  index,
  integer,
  type PgColumn,
  type PgTableExtraConfigValue,
  text,
  timestamp,
} from "drizzle-orm/pg-core";
import { timestamps } from "./columns.js";
import { textId } from "./ids.js";

/** A `timestamptz` column read and written as a JavaScript `Date`. */
const instant = (name: string) => timestamp(name, { withTimezone: true, mode: "date" });
/** `created_at timestamptz NOT NULL DEFAULT now()`. */
const createdAt = () => instant("created_at").defaultNow().notNull();
/** `updated_at timestamptz`, set by drizzle on every insert and update that leaves it out (like the core's). */
const updatedAt = () => instant("updated_at").$onUpdate(() => new Date());
/** A reference to a table's `id`, for `.references()`. */
export type Ref = () => AnyPgColumn;
const cascade = { onDelete: "cascade" } as const;
type Columns = Record<string, PgColumn>;
const indexOn = (table: string, field: string, columns: Columns) => {
  const column = columns[field] as PgColumn;
  return index(`${table}_${column.name}_idx`).on(column);
};
/** One index per named field, named `<table>_<column>_idx`. */
const indexes =
  (...fields: string[]) =>
  (table: string, columns: Columns): PgTableExtraConfigValue[] =>
    fields.map((field) => indexOn(table, field, columns));

// ---- core -------------------------------------------------------------------------------------------------

export const userColumns = () => ({
  id: textId(),
  name: text("name").notNull(),
  email: text("email").notNull().unique(),
  emailVerified: boolean("email_verified").default(false).notNull(),
  image: text("image"),
  ...timestamps,
});

export const sessionColumns = (user: Ref) => ({
  id: textId(),
  expiresAt: instant("expires_at").notNull(),
  token: text("token").notNull().unique(),
  ipAddress: text("ip_address"),
  userAgent: text("user_agent"),
  userId: text("user_id").notNull().references(user, { onDelete: "cascade" }),
  ...timestamps,
});
export const sessionIndexes = indexes("userId");

export const accountColumns = (user: Ref) => ({
  id: textId(),
  accountId: text("account_id").notNull(),
  providerId: text("provider_id").notNull(),
  userId: text("user_id").notNull().references(user, { onDelete: "cascade" }),
  accessToken: text("access_token"),
  refreshToken: text("refresh_token"),
  idToken: text("id_token"),
  accessTokenExpiresAt: instant("access_token_expires_at"),
  refreshTokenExpiresAt: instant("refresh_token_expires_at"),
  scope: text("scope"),
  password: text("password"),
  ...timestamps,
});
export const accountIndexes = indexes("userId");

export const verificationColumns = () => ({
  id: textId(),
  identifier: text("identifier").notNull(),
  value: text("value").notNull(),
  expiresAt: instant("expires_at").notNull(),
  ...timestamps,
});
export const verificationIndexes = indexes("identifier");

export const rateLimitColumns = () => ({
  id: textId(),
  key: text("key").notNull().unique(),
  count: integer("count").default(0).notNull(),
  lastRequest: bigint("last_request", { mode: "number" }).notNull(),
  windowStart: bigint("window_start", { mode: "number" }),
  previousCount: integer("previous_count"),
  blockedUntil: bigint("blocked_until", { mode: "number" }),
});
export const rateLimitIndexes = indexes("lastRequest");

// ---- plugins: columns added to core tables ----------------------------------------------------------------

/** `admin()`: roles, bans and impersonation. */
export const adminUserColumns = () => ({
  role: text("role"),
  banned: boolean("banned").default(false),
  banReason: text("ban_reason"),
  banExpires: instant("ban_expires"),
});
export const adminSessionColumns = () => ({ impersonatedBy: text("impersonated_by") });

/** `username()`: `username` is unique (Better Auth stores it normalized, lower case by default). */
export const usernameUserColumns = () => ({
  username: text("username").unique(),
  displayUsername: text("display_username"),
});

/** `twoFactor()`. */
export const twoFactorUserColumns = () => ({ twoFactorEnabled: boolean("two_factor_enabled").default(false) });

/** `phoneNumber()`: `phone_number` is unique. */
export const phoneNumberUserColumns = () => ({
  phoneNumber: text("phone_number").unique(),
  phoneNumberVerified: boolean("phone_number_verified"),
});

/** `anonymous()`. */
export const anonymousUserColumns = () => ({ isAnonymous: boolean("is_anonymous").default(false) });

/** `organization()`: the active organization and team of a session (no foreign key, as Better Auth declares). */
export const organizationSessionColumns = () => ({
  activeOrganizationId: text("active_organization_id"),
  activeTeamId: text("active_team_id"),
});

/** `lastLoginMethod({ storeInDatabase: true })`. */
export const lastLoginMethodUserColumns = () => ({ lastLoginMethod: text("last_login_method") });

// ---- plugins: tables of their own -------------------------------------------------------------------------

/** `twoFactor()`: model `twoFactor`, table `two_factor`. */
export const twoFactorColumns = (user: Ref) => ({
  id: textId(),
  secret: text("secret").notNull(),
  backupCodes: text("backup_codes").notNull(),
  userId: text("user_id").notNull().references(user, cascade),
  verified: boolean("verified").default(true),
  failedVerificationCount: integer("failed_verification_count").default(0),
  lockedUntil: instant("locked_until"),
});
export const twoFactorIndexes = indexes("secret", "userId");

/** `organization()`: model `organization`. */
export const organizationColumns = () => ({
  id: textId(),
  name: text("name").notNull(),
  slug: text("slug").notNull().unique(),
  logo: text("logo"),
  createdAt: createdAt(),
  metadata: text("metadata"),
});
export const organizationIndexes = indexes();

/** `organization()`: model `member`, a user's membership of an organization with its role(s). */
export const memberColumns = (organization: Ref, user: Ref) => ({
  id: textId(),
  organizationId: text("organization_id").notNull().references(organization, cascade),
  userId: text("user_id").notNull().references(user, cascade),
  role: text("role").default("member").notNull(),
  createdAt: createdAt(),
});
export const memberIndexes = indexes("organizationId", "userId");

/** `organization()`: model `invitation`. `team_id` has no foreign key, as Better Auth declares. */
export const invitationColumns = (organization: Ref, user: Ref) => ({
  id: textId(),
  organizationId: text("organization_id").notNull().references(organization, cascade),
  email: text("email").notNull(),
  role: text("role"),
  teamId: text("team_id"),
  status: text("status").default("pending").notNull(),
  expiresAt: instant("expires_at").notNull(),
  createdAt: createdAt(),
  inviterId: text("inviter_id").notNull().references(user, cascade),
});
export const invitationIndexes = indexes("organizationId", "email", "inviterId");

/** `organization({ teams: { enabled: true } })`: model `team`. */
export const teamColumns = (organization: Ref) => ({
  id: textId(),
  name: text("name").notNull(),
  memberCount: integer("member_count").default(0).notNull(),
  organizationId: text("organization_id").notNull().references(organization, cascade),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
export const teamIndexes = indexes("organizationId");

/** `organization({ teams: { enabled: true } })`: model `teamMember`, table `team_member`. */
export const teamMemberColumns = (team: Ref, user: Ref) => ({
  id: textId(),
  teamId: text("team_id").notNull().references(team, cascade),
  userId: text("user_id").notNull().references(user, cascade),
  membershipKey: text("membership_key").unique(),
  createdAt: instant("created_at").defaultNow(),
});
export const teamMemberIndexes = indexes("teamId", "userId");

/** `organization({ dynamicAccessControl: { enabled: true } })`: model `organizationRole`, table `organization_role`. */
export const organizationRoleColumns = (organization: Ref) => ({
  id: textId(),
  organizationId: text("organization_id").notNull().references(organization, cascade),
  role: text("role").notNull(),
  permission: text("permission").notNull(),
  createdAt: createdAt(),
  updatedAt: updatedAt(),
});
export const organizationRoleIndexes = indexes("organizationId", "role");

/** `jwt()`: model `jwks`, the signing keys (private keys encrypted by Better Auth unless told otherwise). */
export const jwksColumns = () => ({
  id: textId(),
  publicKey: text("public_key").notNull(),
  privateKey: text("private_key").notNull(),
  createdAt: createdAt(),
  expiresAt: instant("expires_at"),
  alg: text("alg"),
  crv: text("crv"),
});
export const jwksIndexes = indexes();

/**
 * `apiKey()` from `@better-auth/api-key`: model `apikey`. `reference_id` is the owner (a user, or an organization
 * with `references: 'organization'`), without a foreign key, as Better Auth declares. The two intervals are
 * milliseconds in `bigint` (read as numbers), since a month is more than `integer` holds.
 */
export const apikeyColumns = () => ({
  id: textId(),
  configId: text("config_id").default("default").notNull(),
  name: text("name"),
  start: text("start"),
  referenceId: text("reference_id").notNull(),
  prefix: text("prefix"),
  key: text("key").notNull(),
  refillInterval: bigint("refill_interval", { mode: "number" }),
  refillAmount: integer("refill_amount"),
  lastRefillAt: instant("last_refill_at"),
  enabled: boolean("enabled").default(true),
  rateLimitEnabled: boolean("rate_limit_enabled").default(true),
  rateLimitTimeWindow: bigint("rate_limit_time_window", { mode: "number" }).default(86_400_000),
  rateLimitMax: integer("rate_limit_max").default(10),
  requestCount: integer("request_count").default(0),
  remaining: integer("remaining"),
  lastRequest: instant("last_request"),
  expiresAt: instant("expires_at"),
  createdAt: createdAt(),
  updatedAt: instant("updated_at")
    .defaultNow()
    .notNull()
    .$onUpdate(() => new Date()),
  permissions: text("permissions"),
  metadata: text("metadata"),
});
export const apikeyIndexes = indexes("configId", "referenceId", "key");

/** `passkey()` from `@better-auth/passkey`: model `passkey`. Field `credentialID` is column `credential_id`. */
export const passkeyColumns = (user: Ref) => ({
  id: textId(),
  name: text("name"),
  publicKey: text("public_key").notNull(),
  userId: text("user_id").notNull().references(user, cascade),
  credentialID: text("credential_id").notNull(),
  counter: integer("counter").notNull(),
  deviceType: text("device_type").notNull(),
  backedUp: boolean("backed_up").notNull(),
  transports: text("transports"),
  createdAt: instant("created_at").defaultNow(),
  aaguid: text("aaguid"),
});
export const passkeyIndexes = indexes("userId", "credentialID");

/** `deviceAuthorization()`: model `deviceCode`, table `device_code`. Looked up by device code and user code. */
export const deviceCodeColumns = () => ({
  id: textId(),
  deviceCode: text("device_code").notNull(),
  userCode: text("user_code").notNull(),
  userId: text("user_id"),
  expiresAt: instant("expires_at").notNull(),
  status: text("status").notNull(),
  lastPolledAt: instant("last_polled_at"),
  pollingInterval: bigint("polling_interval", { mode: "number" }),
  clientId: text("client_id"),
  scope: text("scope"),
});
export const deviceCodeIndexes = indexes("deviceCode", "userCode");
