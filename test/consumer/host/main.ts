/**
 * A host service using the installed `@be-monorepo/db` tarball, the way an app would. The consumer test copies
 * this file into a throw-away ESM project and a throw-away CommonJS project, type-checks it there (its
 * `@ts-expect-error` lines fail the check if the package's types degrade to `any`), compiles it, runs it
 * against a fresh PostgreSQL database (`DATABASE_URL`), or, when `DATABASE_URL` is not set, against an embedded
 * in-memory PGlite (a peer the host installs), and reads the JSON it prints.
 *
 * Not part of the repository's own type check (tsconfig.json excludes it): here `@be-monorepo/db` would resolve
 * to this repository, not to an installed copy.
 */
import * as root from "@be-monorepo/db";
import { authSchema, migrate, selectUserTableSchema, type UserTable, userTable } from "@be-monorepo/db";
import * as betterAuthEntry from "@be-monorepo/db/better-auth";
import * as migrateEntry from "@be-monorepo/db/migrate";
import { MigrationError, migrationStatus, migrationsFolder } from "@be-monorepo/db/migrate";
import * as rateLimitEntry from "@be-monorepo/db/rate-limit";
import * as schemaEntry from "@be-monorepo/db/schema";
import { type InsertUserTable, sessionTable } from "@be-monorepo/db/schema";
import * as softDeleteEntry from "@be-monorepo/db/soft-delete";
import { PGlite } from "@electric-sql/pglite";
import { eq } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
// Static, not import(): in the CommonJS host import() would resolve drizzle-orm's ESM types, which do not
// match the CommonJS ones the rest of this file sees.
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import pg from "pg";

/** The host's database: node-postgres on `DATABASE_URL` when set, else an in-memory PGlite. */
async function open(): Promise<{
  db: PgDatabase<PgQueryResultHKT, typeof authSchema>;
  driver: "node-postgres" | "pglite";
  close: () => Promise<void>;
}> {
  const url = process.env.DATABASE_URL;
  if (url) {
    const pool = new pg.Pool({ connectionString: url, max: 4 });
    return { db: drizzle(pool, { schema: authSchema }), driver: "node-postgres", close: () => pool.end() };
  }
  const client = new PGlite();
  return { db: drizzlePglite(client, { schema: authSchema }), driver: "pglite", close: () => client.close() };
}

async function main(): Promise<void> {
  const { db, driver, close } = await open();
  try {
    // The shipped migrations, read from the installed copy.
    const migrated = await migrate(db);
    const status = await migrationStatus(db);

    // A MigrationError from one entry point is the same class as the one exported by another.
    let folderError: { name: string; sameClass: boolean; isError: boolean } | undefined;
    try {
      await migrate(db, { migrationsFolder: `${migrationsFolder}-missing` });
    } catch (error) {
      folderError = {
        name: (error as Error).name,
        sameClass: error instanceof MigrationError && error instanceof root.MigrationError,
        isError: error instanceof Error,
      };
    }

    // Better Auth on the package's tables. better-auth ships ESM only, so a CommonJS host loads it with import().
    const { betterAuth } = await import("better-auth");
    const { drizzleAdapter } = await import("better-auth/adapters/drizzle");
    const auth = betterAuth({
      baseURL: "http://localhost:3000",
      secret: "consumer-test-secret-that-is-long-enough-0123456789",
      database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
      emailAndPassword: { enabled: true },
      logger: { disabled: true },
    });
    const email = `host-${process.pid}@example.com`;
    const signedUp = await auth.api.signUpEmail({ body: { email, password: "correct horse battery", name: "Host" } });

    // The host's own typed queries on the package's tables.
    const rows = await db
      .select({ id: userTable.id, email: userTable.email, createdAt: userTable.createdAt })
      .from(userTable)
      .where(eq(userTable.email, email));
    const found = rows[0];
    if (!found) throw new Error("the signed-up user is not in the user table");
    const createdAt: Date = found.createdAt;
    // @ts-expect-error `email` is a string column: its type is not any.
    const notANumber: number = found.email;
    // @ts-expect-error the user table has no such column.
    userTable.notAColumn;
    const sessions = await db.select().from(sessionTable).where(eq(sessionTable.userId, found.id));
    const withSessions = await db.query.user.findFirst({ where: eq(userTable.id, found.id), with: { sessions: true } });

    // The Zod schemas validate a row as read back; the inferred types are the host's to use.
    const [full] = await db.select().from(userTable).where(eq(userTable.id, found.id));
    const parsed: UserTable = selectUserTableSchema.parse(full);
    const draft: InsertUserTable = { name: "Draft", email: "draft@example.com" };
    // @ts-expect-error `name` is required when inserting a user.
    const incomplete: InsertUserTable = { email: "draft@example.com" };

    const exportsOf = (entry: object) => Object.keys(entry).sort();
    console.log(
      JSON.stringify({
        driver,
        migrationsFolder,
        applied: migrated.applied.map((m) => m.tag),
        pending: status.pending.map((m) => m.tag),
        folderError,
        signedUpEmail: signedUp.user.email,
        userId: found.id,
        createdAtIsDate: createdAt instanceof Date,
        sessionCount: sessions.length,
        relationalSessionCount: withSessions?.sessions.length,
        parsedEmail: parsed.email,
        unused: [notANumber, incomplete, draft].length,
        exports: {
          ".": exportsOf(root),
          "./schema": exportsOf(schemaEntry),
          "./migrate": exportsOf(migrateEntry),
          "./rate-limit": exportsOf(rateLimitEntry),
          "./soft-delete": exportsOf(softDeleteEntry),
          "./better-auth": exportsOf(betterAuthEntry),
        },
      }),
    );
  } finally {
    await close();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exitCode = 1;
});
