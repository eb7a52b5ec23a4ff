/**
 * Type tests of defineAuthSchema(): the row types hold exactly the core's fields plus the chosen plugins' plus the
 * host's own, and the tables of plugins not chosen are absent.
 */
import { boolean, integer, text } from "drizzle-orm/pg-core";
import { describe, expectTypeOf, it } from "vitest";
import type { z } from "zod";
import { defineAuthSchema, type UserTable } from "../../src/schema/index.js";

type Row<T> = { [K in keyof T]: T[K] };

describe("defineAuthSchema() types", () => {
  it("without plugins, the user row is the static UserTable", () => {
    const s = defineAuthSchema();
    expectTypeOf<Row<typeof s.userTable.$inferSelect>>().toEqualTypeOf<UserTable>();
    expectTypeOf(s).not.toHaveProperty("memberTable");
    expectTypeOf(s.authSchema).toHaveProperty("rateLimit");
    expectTypeOf(s.authSchema).not.toHaveProperty("organization");
  });

  it("admin adds role, banned, banReason, banExpires to user and impersonatedBy to session, nothing else", () => {
    const s = defineAuthSchema({ plugins: ["admin"] });
    expectTypeOf<Row<typeof s.userTable.$inferSelect>>().toEqualTypeOf<
      UserTable & {
        role: string | null;
        banned: boolean | null;
        banReason: string | null;
        banExpires: Date | null;
      } extends infer T
        ? Row<T>
        : never
    >();
    expectTypeOf<(typeof s.sessionTable.$inferSelect)["impersonatedBy"]>().toEqualTypeOf<string | null>();
    expectTypeOf(s).not.toHaveProperty("twoFactorTable");
  });

  it("the plugins' own tables and columns follow the choice", () => {
    const s = defineAuthSchema({ plugins: ["organization", "twoFactor", "apiKey", "passkey", "jwt", "username"] });
    expectTypeOf(s.authSchema).toHaveProperty("member");
    expectTypeOf(s.authSchema).toHaveProperty("teamMember");
    expectTypeOf(s.authSchema).toHaveProperty("organizationRole");
    expectTypeOf(s.authSchema).toHaveProperty("organizationRelations");
    expectTypeOf<(typeof s.memberTable.$inferSelect)["role"]>().toEqualTypeOf<string>();
    expectTypeOf<(typeof s.memberTable.$inferInsert)["role"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<(typeof s.sessionTable.$inferSelect)["activeOrganizationId"]>().toEqualTypeOf<string | null>();
    expectTypeOf<(typeof s.userTable.$inferSelect)["twoFactorEnabled"]>().toEqualTypeOf<boolean | null>();
    expectTypeOf<(typeof s.userTable.$inferSelect)["username"]>().toEqualTypeOf<string | null>();
    expectTypeOf<(typeof s.apikeyTable.$inferSelect)["rateLimitTimeWindow"]>().toEqualTypeOf<number | null>();
    expectTypeOf<(typeof s.passkeyTable.$inferSelect)["credentialID"]>().toEqualTypeOf<string>();
    expectTypeOf<(typeof s.jwksTable.$inferSelect)["createdAt"]>().toEqualTypeOf<Date>();
    expectTypeOf<z.infer<typeof s.selectTwoFactorTableSchema>>().toEqualTypeOf<typeof s.twoFactorTable.$inferSelect>();
    expectTypeOf(s.userTable.$inferSelect).not.toHaveProperty("role");
    expectTypeOf(s.userTable.$inferSelect).not.toHaveProperty("phoneNumber");
  });

  it("additionalFields are typed columns of their model", () => {
    const s = defineAuthSchema({
      plugins: ["organization"],
      additionalFields: {
        user: { plan: text("plan").default("free").notNull(), seats: integer("seats") },
        organization: { verified: boolean("verified").notNull() },
      },
    });
    expectTypeOf<(typeof s.userTable.$inferSelect)["plan"]>().toEqualTypeOf<string>();
    expectTypeOf<(typeof s.userTable.$inferInsert)["plan"]>().toEqualTypeOf<string | undefined>();
    expectTypeOf<(typeof s.userTable.$inferSelect)["seats"]>().toEqualTypeOf<number | null>();
    expectTypeOf<(typeof s.organizationTable.$inferInsert)["verified"]>().toEqualTypeOf<boolean>();
    expectTypeOf(s.sessionTable.$inferSelect).not.toHaveProperty("plan");
  });

  it("pgSchema types the table's schema", () => {
    const s = defineAuthSchema({ pgSchema: "auth" });
    expectTypeOf(s.userTable._.schema).toEqualTypeOf<"auth">();
    expectTypeOf(defineAuthSchema().userTable._.schema).toEqualTypeOf<undefined>();
  });
});
