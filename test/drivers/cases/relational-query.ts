import { eq } from "drizzle-orm";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { ExtractTablesWithRelations } from "drizzle-orm/relations";
import { describe, expect, it } from "vitest";
import type { authSchema } from "../../../src/schema/index.js";
import type { BehaviourCase } from "./index.js";
import { insertUserWithChildren, someInstant } from "./rows.js";

type WithAuthSchema = PgDatabase<PgQueryResultHKT, typeof authSchema, ExtractTablesWithRelations<typeof authSchema>>;

/**
 * `db.query.user.findFirst({ with: { sessions: true, accounts: true } })` on a drizzle instance made with
 * `schema: authSchema`: the relations load, and the nested rows have the same types as a plain select (Dates,
 * accepted by the Zod schemas). Registers nothing for an instance made without `schema` (it has no `db.query`).
 */
export const relationalQueryCase: BehaviourCase = (context) => {
  if (!context.traits.withSchema) return;
  describe("relational query", () => {
    it("loads a user with its sessions and accounts", async () => {
      const db = context.db as unknown as WithAuthSchema;
      const { tables } = context;
      const { userTable, selectSessionTableSchema, selectAccountTableSchema } = tables;
      const { userId, sessionIds, accountId } = await insertUserWithChildren(db, tables);
      const found = await db.query.user.findFirst({
        where: eq(userTable.id, userId),
        with: { sessions: { orderBy: (session, { asc }) => [asc(session.expiresAt)] }, accounts: true },
      });
      expect(found?.id).toBe(userId);
      expect(found?.createdAt).toBeInstanceOf(Date);
      expect(found?.sessions.map((s) => s.id)).toEqual(sessionIds);
      expect(found?.sessions.map((s) => (s.expiresAt instanceof Date ? s.expiresAt.getTime() : s.expiresAt))).toEqual([
        someInstant().getTime(),
        someInstant(60_000).getTime(),
      ]);
      for (const session of found?.sessions ?? []) expect(selectSessionTableSchema.parse(session)).toEqual(session);
      expect(found?.accounts.map((a) => a.id)).toEqual([accountId]);
      expect(selectAccountTableSchema.parse(found?.accounts[0])).toEqual(found?.accounts[0]);
    });
  });
};
