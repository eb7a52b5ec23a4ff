import { MemoryStore, type Options } from "express-rate-limit";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbStore } from "../../src/rate-limit/index.js";
import { createTestDatabase, type TestDatabase } from "../support/database.js";

/**
 * Drives one sequence of calls through express-rate-limit's MemoryStore and DbStore side by side and compares
 * every answer: totalHits, whether the key is known, and resetTime (the two clocks, app and database, are the
 * same machine's, so they may differ by scheduling noise only).
 *
 * The phases are placed by the time since the first hit (not by summed sleeps), each at least 500 ms from any
 * window boundary, so a slow, loaded machine shifts no call across a boundary.
 */
const WINDOW_MS = 2_000;
const CLOCK_TOLERANCE_MS = 250;

type Op = "increment" | "decrement" | "get" | "resetKey" | "resetAll";
type Answer = { totalHits: number; resetTime: number } | undefined | "void";

let t: TestDatabase;
beforeAll(async () => {
  t = await createTestDatabase("rate_limit_differential", { migrated: true });
});
afterAll(() => t.close());

const sleepUntil = (time: number) => new Promise((r) => setTimeout(r, Math.max(0, time - Date.now())));

function pair(prefix: string, windowMs = WINDOW_MS) {
  const memory = new MemoryStore();
  memory.init({ windowMs } as Options);
  const db = new DbStore({ db: t.db, prefix });
  db.init({ windowMs });
  const log: string[] = [];
  const answer = async (store: MemoryStore | DbStore, op: Op, key: string): Promise<Answer> => {
    if (op === "resetAll") {
      await store.resetAll();
      return "void";
    }
    const info = await store[op](key);
    if (info) return { totalHits: info.totalHits, resetTime: info.resetTime?.getTime() ?? Number.NaN };
    return op === "get" ? undefined : "void";
  };
  const step = async (op: Op, key = "") => {
    const fromMemory = await answer(memory, op, key);
    const fromDb = await answer(db, op, key);
    const label = `${op}(${key})`;
    log.push(label);
    if (fromMemory === undefined || fromMemory === "void" || fromDb === undefined || fromDb === "void") {
      expect(fromDb, label).toEqual(fromMemory);
    } else {
      expect(fromDb?.totalHits, label).toBe(fromMemory.totalHits);
      expect(Math.abs(fromDb.resetTime - fromMemory.resetTime), `${label} resetTime`).toBeLessThan(CLOCK_TOLERANCE_MS);
    }
    return fromDb;
  };
  return { step, memory, db, log };
}

describe("DbStore behaves like express-rate-limit's MemoryStore", () => {
  it("agrees on every answer across window starts, expiries, decrements and resets (real waits)", async () => {
    const { step, memory } = pair("diff:");
    // t = 0: a's window runs until 2000
    const t0 = Date.now();
    await step("increment", "a");
    await step("increment", "a");
    await step("get", "a");
    await step("decrement", "a");
    await step("get", "a");
    await step("decrement", "unknown");
    await step("get", "unknown");
    await step("increment", "b");
    const aFirst = await step("get", "a");
    await sleepUntil(t0 + 1_000);
    // t ≈ 1000: a and b still in their first window (until ≈ 2000); c's starts now (until ≈ 3000)
    await step("increment", "b");
    await step("get", "a");
    await step("increment", "c");
    const aSame = await step("increment", "a");
    expect(aSame).toMatchObject({ totalHits: 2 });
    expect(
      aSame !== undefined && aSame !== "void" && aFirst !== undefined && aFirst !== "void" && aSame.resetTime,
    ).toBe(aFirst !== undefined && aFirst !== "void" && aFirst.resetTime);
    await sleepUntil(t0 + 2_500);
    // t ≈ 2500: a and b expired (at ≈ 2000), c runs until ≈ 3000; a's new window runs until ≈ 4500
    await step("get", "a");
    await step("get", "b");
    await step("decrement", "b");
    await step("get", "b");
    await step("increment", "a");
    await step("get", "c");
    await step("decrement", "c");
    await step("decrement", "c");
    await step("get", "c");
    await step("increment", "c");
    await step("resetKey", "a");
    await step("get", "a");
    await step("increment", "a");
    await sleepUntil(t0 + 3_500);
    // t ≈ 3500: c expired (at ≈ 3000), a runs until ≈ 4500
    await step("get", "c");
    await step("increment", "c");
    await step("increment", "a");
    await step("resetAll");
    await step("get", "a");
    await step("get", "c");
    await step("increment", "a");
    memory.shutdown();
  });

  it("agrees on a long random sequence of calls within one window", async () => {
    const { step, memory, log } = pair("diff-random:", 60_000);
    let seed = 42;
    const random = () => {
      seed = (seed * 1103515245 + 12345) % 2 ** 31;
      return seed / 2 ** 31;
    };
    const ops = ["increment", "increment", "increment", "decrement", "get", "resetKey"] as const;
    for (let i = 0; i < 120; i++) {
      const op = ops[Math.floor(random() * ops.length)] ?? "get";
      await step(op, `k${Math.floor(random() * 4)}`);
    }
    expect(log).toHaveLength(120);
    memory.shutdown();
  });
});
