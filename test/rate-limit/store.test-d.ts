import type { BetterAuthRateLimitStorage } from "@better-auth/core";
import type { BetterAuthOptions } from "better-auth";
import type { Store as ExpressStore } from "express-rate-limit";
import type { Store as HonoStore } from "hono-rate-limiter";
import { describe, expectTypeOf, it } from "vitest";
import type {
  DbStore,
  DbStoreClientInfo,
  DbStoreError,
  DbStoreOptions,
  DbStoreTable,
} from "../../src/rate-limit/index.js";
import type { AnyPgDatabase } from "../../src/shared/database.js";

describe("DbStore types", () => {
  it("is a Store of express-rate-limit and of hono-rate-limiter", () => {
    expectTypeOf<DbStore>().toExtend<ExpressStore>();
    expectTypeOf<DbStore>().toExtend<HonoStore>();
  });

  it("is Better Auth's rate-limit customStorage", () => {
    expectTypeOf<DbStore>().toExtend<BetterAuthRateLimitStorage>();
    expectTypeOf<DbStore>().toExtend<NonNullable<NonNullable<BetterAuthOptions["rateLimit"]>["customStorage"]>>();
  });

  it("takes { db, prefix?, maxInFlight?, maxBatchSize?, maxQueueSize?, blockDurationMs?, algorithm?, blockedKeyCacheSize?, synchronousCommit?, preparedStatements? } and answers ClientRateLimitInfo", () => {
    expectTypeOf<DbStoreOptions>().toEqualTypeOf<{
      db: AnyPgDatabase;
      table?: DbStoreTable;
      prefix?: string;
      maxInFlight?: number;
      maxBatchSize?: number;
      maxQueueSize?: number;
      blockDurationMs?: number;
      algorithm?: "fixed-window" | "sliding-window" | "token-bucket";
      blockedKeyCacheSize?: number;
      synchronousCommit?: boolean;
      preparedStatements?: boolean;
      onDatabaseError?: "fail" | "allow" | "memory";
    }>();
    expectTypeOf<DbStore["shutdown"]>().parameters.toEqualTypeOf<[options?: { timeoutMs?: number }]>();
    expectTypeOf<DbStore["increment"]>().returns.resolves.toEqualTypeOf<DbStoreClientInfo>();
    expectTypeOf<DbStore["get"]>().returns.resolves.toEqualTypeOf<DbStoreClientInfo | undefined>();
    expectTypeOf<DbStore["init"]>().returns.toEqualTypeOf<void>();
    expectTypeOf<DbStore["prune"]>().returns.resolves.toEqualTypeOf<number>();
    expectTypeOf<DbStoreError>().toExtend<Error>();
    expectTypeOf<DbStoreError["operation"]>().toEqualTypeOf<string>();
  });
});
