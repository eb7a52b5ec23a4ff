/**
 * Benchmark of `DbStore.increment` against the stores people pick instead: on Redis, rate-limit-redis
 * (express-rate-limit's `RedisStore`) and rate-limiter-flexible's `RateLimiterRedis`; on PostgreSQL,
 * rate-limiter-flexible's `RateLimiterPostgres` and Better Auth's own database rate limiter (a real `betterAuth`
 * instance with `rateLimit: { storage: "database" }`, called through `auth.handler`); with `SELECT 1`, Redis
 * `PING` and the Better Auth handler with a storage that does nothing as floors.
 *
 *   npm run bench                      # DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
 *   BENCH_OPS=40000 npm run bench      # operations per subject and scenario (default 20000)
 *   BENCH_ROUNDS=2 npm run bench       # rounds they are split into (default 4)
 *   npm run bench -- --variants        # also DbStore with maxInFlight 1/2/8 and on UNLOGGED tables
 *   npm run bench -- --no-million      # without the 1,000,000-key scenario (its prefill takes ~60 s)
 *
 * Every subject makes the same number of calls from the same 50 concurrent callers on the same sequence of
 * keys. The calls of a scenario are split into rounds; each round runs every subject once, in the opposite order
 * of the round before, so that a change of machine load falls on all subjects alike. Redis is the server at
 * REDIS_URL, else redis://127.0.0.1:6379; when none answers the Redis subjects are skipped and the run says so.
 *
 * After each scenario it checks every subject's counts against the calls it made: the hits the store holds must
 * equal the calls counted (every call, or for Better Auth the allowed calls), and the calls allowed must equal
 * what a fixed window allows for the known sequence of keys. It exits with status 1 when one is off.
 */
import { randomBytes } from "node:crypto";
import { cpus, loadavg } from "node:os";
import { betterAuth } from "better-auth";
import { drizzleAdapter } from "better-auth/adapters/drizzle";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import type { Options as ExpressRateLimitOptions } from "express-rate-limit";
import { Redis } from "ioredis";
import pg from "pg";
import { RedisStore } from "rate-limit-redis";
import { RateLimiterPostgres, RateLimiterRedis, RateLimiterRes } from "rate-limiter-flexible";
import { migrate } from "../src/migrate/index.js";
import { DbStore } from "../src/rate-limit/index.js";
import { authSchema } from "../src/schema/index.js";

const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const redisUrl = process.env.REDIS_URL ?? "redis://127.0.0.1:6379";
const OPS = Number(process.env.BENCH_OPS ?? 20_000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 4);
const variants = process.argv.includes("--variants");
const million = !process.argv.includes("--no-million");
/** Only the subjects / scenarios whose label matches (regular expressions), for a quicker look. */
const only = process.env.BENCH_ONLY ? new RegExp(process.env.BENCH_ONLY) : undefined;
const scenarioFilter = process.env.BENCH_SCENARIOS ? new RegExp(process.env.BENCH_SCENARIOS) : undefined;
const POOL = 10;
const CALLERS = 50;
const WINDOW_S = 3600;
const WINDOW_MS = WINDOW_S * 1000;
/** The limit of the attack scenario (per key and window). */
const ATTACK_LIMIT = 100;
const UNLIMITED = 1_000_000_000;
const run = randomBytes(3).toString("hex");

type Group = "floor" | "redis" | "postgres" | "dbstore";

/** One thing measured in one scenario. */
interface Subject {
  label: string;
  group: Group;
  /** One call for key number `index`; answers whether the call is allowed under the scenario's limit. */
  call: (index: number) => Promise<boolean>;
  /** The hits the store holds for the scenario's keys (floors have none). */
  stored?: (indexes: number[]) => Promise<number>;
  /** What the store holds: every call (a counter), or only the allowed calls (Better Auth). */
  counts?: "every call" | "allowed calls";
}

interface Scenario {
  label: string;
  /** Distinguishes this scenario's keys from the others'. */
  tag: string;
  limit: number;
  keyIndex: (i: number) => number;
  /** The groups measured; all when absent. */
  groups?: Group[];
  prepare?: () => Promise<void>;
  after?: () => Promise<void>;
}

interface Result {
  ops: number;
  seconds: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
  allowed: number;
  firstError?: unknown;
}

/** A 32-bit integer hash (murmur3's finaliser): the same pseudo-random key sequence for every subject. */
function mix(i: number): number {
  let x = (i + 0x9e3779b9) | 0;
  x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
  x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
  return (x ^ (x >>> 16)) >>> 0;
}

/** Calls `op` for i in [from, to) from `CALLERS` concurrent loops; latencies in milliseconds. */
async function runCalls(
  op: (i: number) => Promise<boolean>,
  from: number,
  to: number,
  into: { latencies: number[]; seconds: number; errors: number; allowed: number; firstError?: unknown },
): Promise<void> {
  let next = from;
  const start = process.hrtime.bigint();
  const loop = async () => {
    while (next < to) {
      const i = next++;
      const t0 = process.hrtime.bigint();
      try {
        if (await op(i)) into.allowed++;
        into.latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch (error) {
        into.errors++;
        into.firstError ??= error;
      }
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, loop));
  into.seconds += Number(process.hrtime.bigint() - start) / 1e9;
}

function summarise(acc: {
  latencies: number[];
  seconds: number;
  errors: number;
  allowed: number;
  firstError?: unknown;
}): Result {
  const latencies = acc.latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return {
    ops: latencies.length,
    seconds: acc.seconds,
    opsPerSec: latencies.length / acc.seconds,
    p50: at(0.5),
    p99: at(0.99),
    errors: acc.errors,
    allowed: acc.allowed,
    firstError: acc.firstError,
  };
}

const thousands = (n: number) => Math.round(n).toLocaleString("en-US");
const fmt = (r: Result) =>
  `${thousands(r.opsPerSec).padStart(8)} ops/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms${r.errors ? `  ${r.errors} errors (first: ${String(r.firstError)})` : ""}`;
const load = () =>
  loadavg()
    .map((l) => l.toFixed(2))
    .join(", ");

const rowsOf = (result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];

/** Connects to Redis, or answers why not (then the Redis subjects are skipped). */
async function connectRedis(): Promise<Redis | string> {
  const redis = new Redis(redisUrl, {
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
    connectTimeout: 2000,
  });
  redis.on("error", () => {});
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    return `${(error as Error).message}`;
  }
}

async function main() {
  const name = `bedb_bench_${run}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: POOL });
  pool.on("error", () => {}); // idle connections closed by the final drop database
  const db = drizzle(pool);
  const redis = await connectRedis();
  const redisKeys: string[] = [];
  let failed = false;
  const check = (label: string, expected: number, actual: number) => {
    const ok = expected === actual;
    if (!ok) failed = true;
    console.log(`    ${label}: expected ${thousands(expected)}, got ${thousands(actual)} ${ok ? "ok" : "MISMATCH"}`);
  };
  const scalar = async (query: ReturnType<typeof sql>) =>
    Number(Object.values(rowsOf(await db.execute(query))[0] ?? {})[0]);

  try {
    await migrate(db);
    const pgVersion = rowsOf(await pool.query("show server_version"))[0]?.server_version;
    const redisVersion =
      typeof redis === "string" ? undefined : /redis_version:(\S+)/.exec(await redis.info("server"))?.[1];
    console.log(
      `machine: ${cpus().length} × ${cpus()[0]?.model.trim()}, Node.js ${process.version}, PostgreSQL ${pgVersion}, ${
        redisVersion ? `Redis ${redisVersion} (ioredis, one connection)` : "no Redis"
      }`,
    );
    console.log(`load average at start (1, 5, 15 min): ${load()}`);
    console.log(
      `${thousands(OPS)} calls per subject and scenario in ${ROUNDS} rounds, ${CALLERS} callers, node-postgres pool of ${POOL}`,
    );
    if (typeof redis === "string") {
      console.log(
        `\nNo Redis answered at ${redisUrl} (${redis}): the Redis stores are SKIPPED. Start one with\n  redis-server --daemonize yes --bind 127.0.0.1 -::1 --port 6379 --save "" --appendonly no`,
      );
    }

    const pgLimiter = (keyPrefix: string, points: number) =>
      new Promise<RateLimiterPostgres>((resolve, reject) => {
        const limiter: RateLimiterPostgres = new RateLimiterPostgres(
          {
            storeClient: pool,
            storeType: "pool",
            tableName: "rlflx_bench",
            keyPrefix,
            points,
            duration: WINDOW_S,
            clearExpiredByTimeout: false,
          },
          (error?: Error) => (error ? reject(error) : resolve(limiter)),
        );
      });
    const baseUrl = "http://localhost:3000";
    const authWith = (rateLimit: Parameters<typeof betterAuth>[0]["rateLimit"]) =>
      betterAuth({
        baseURL: baseUrl,
        secret: "a-bench-secret-that-is-long-enough-0123456789",
        database: drizzleAdapter(db, { provider: "pg", schema: authSchema }),
        rateLimit,
        logger: { disabled: true },
        telemetry: { enabled: false },
      });
    /** Better Auth's key for key number `index` of a scenario: an IPv4 address in the scenario's own /16. */
    const ipOf = (octet: number, index: number) => `10.${octet}.${(index >>> 8) & 255}.${index & 255}`;
    const okRequest = (ip: string) => new Request(`${baseUrl}/api/auth/ok`, { headers: { "x-forwarded-for": ip } });
    const viaHandler = (auth: ReturnType<typeof authWith>) => async (ip: string) => {
      const response = await auth.handler(okRequest(ip));
      await response.arrayBuffer();
      if (response.status === 200) return true;
      if (response.status === 429) return false;
      throw new Error(`Better Auth answered ${response.status}`);
    };
    const consumeOf = (store: DbStore) =>
      (store as unknown as { consume?: (key: string, rule: { window: number; max: number }) => Promise<unknown> })
        .consume;

    const redisSum = async (keys: string[]) => {
      if (typeof redis === "string" || keys.length === 0) return 0;
      let total = 0;
      for (let i = 0; i < keys.length; i += 1000) {
        for (const value of await redis.mget(...keys.slice(i, i + 1000))) total += Number(value ?? 0);
      }
      return total;
    };

    /** The subjects of one scenario, each with keys of its own. */
    const subjectsFor = async (scenario: Scenario): Promise<Subject[]> => {
      const { tag, limit } = scenario;
      const key = (index: number) => `${tag}${index}`;
      const octet = tag.charCodeAt(0);
      const list: Subject[] = [];
      list.push({
        label: "SELECT 1 (floor)",
        group: "floor",
        call: async () => {
          await pool.query("select 1");
          return true;
        },
      });
      if (typeof redis !== "string") {
        list.push({
          label: "Redis PING (floor)",
          group: "floor",
          call: async () => {
            await redis.ping();
            return true;
          },
        });
        const redisStore = new RedisStore({
          prefix: `rlr${run}:`,
          sendCommand: (command: string, ...args: string[]) => redis.call(command, ...args) as Promise<string | number>,
        });
        await redisStore.init({ windowMs: WINDOW_MS } as ExpressRateLimitOptions);
        list.push({
          label: "rate-limit-redis",
          group: "redis",
          call: async (index) => (await redisStore.increment(key(index))).totalHits <= limit,
          stored: (indexes) => {
            const keys = indexes.map((index) => `rlr${run}:${key(index)}`);
            redisKeys.push(...keys);
            return redisSum(keys);
          },
          counts: "every call",
        });
        const flexible = new RateLimiterRedis({
          storeClient: redis,
          keyPrefix: `rlflx${run}`,
          points: Number.isFinite(limit) ? limit : UNLIMITED,
          duration: WINDOW_S,
        });
        list.push({
          label: "RateLimiterRedis",
          group: "redis",
          call: (index) => consumed(flexible.consume(key(index))),
          stored: (indexes) => {
            const keys = indexes.map((index) => `rlflx${run}:${key(index)}`);
            redisKeys.push(...keys);
            return redisSum(keys);
          },
          counts: "every call",
        });
      }
      const pgPrefix = `rlflx_${tag}`;
      const flexiblePg = await pgLimiter(pgPrefix, Number.isFinite(limit) ? limit : UNLIMITED);
      list.push({
        label: "RateLimiterPostgres",
        group: "postgres",
        call: (index) => consumed(flexiblePg.consume(key(index))),
        stored: () =>
          scalar(sql`select coalesce(sum(points), 0) from rlflx_bench where starts_with(key, ${`${pgPrefix}:`})`),
        counts: "every call",
      });
      if (!scenario.groups || scenario.groups.includes("postgres")) {
        // Better Auth's own limiter through its public path, the handler (its /ok endpoint answers 200).
        const rule = { enabled: true, window: WINDOW_S, max: Number.isFinite(limit) ? limit : UNLIMITED };
        const noop = viaHandler(
          authWith({ ...rule, customStorage: { consume: async () => ({ allowed: true, retryAfter: null }) } }),
        );
        list.push({
          label: "Better Auth handler, no storage (floor)",
          group: "floor",
          call: (index) => noop(ipOf(octet, index)),
        });
        const database = viaHandler(authWith({ ...rule, storage: "database" }));
        list.push({
          label: "Better Auth storage: 'database'",
          group: "postgres",
          call: (index) => database(ipOf(octet, index)),
          stored: () =>
            scalar(
              sql`select coalesce(sum(count), 0) from rate_limit where window_start is null and starts_with(key, ${`10.${octet}.`})`,
            ),
          counts: "allowed calls",
        });
        const store = new DbStore({ db, prefix: `ba-${tag}:` });
        if (consumeOf(store)) {
          const custom = viaHandler(
            authWith({
              ...rule,
              customStorage: store as unknown as NonNullable<
                NonNullable<Parameters<typeof betterAuth>[0]["rateLimit"]>["customStorage"]
              >,
            }),
          );
          list.push({
            label: "Better Auth customStorage: DbStore",
            group: "dbstore",
            call: (index) => custom(ipOf(octet, index)),
            stored: () =>
              scalar(sql`select coalesce(sum(count), 0) from rate_limit where starts_with(key, ${`ba-${tag}:`})`),
            counts: "allowed calls",
          });
        }
      }
      const dbStore = (label: string, prefix: string, options: { maxInFlight?: number } = {}) => {
        const store = new DbStore({ db, prefix, ...options });
        store.init({ windowMs: WINDOW_MS });
        list.push({
          label,
          group: "dbstore",
          call: async (index) => (await store.increment(key(index))).totalHits <= limit,
          stored: () =>
            scalar(sql`select coalesce(sum(count), 0) from rate_limit where starts_with(key, ${`${prefix}${tag}`})`),
          counts: "every call",
        });
      };
      dbStore("DbStore.increment", "s:");
      if (variants) for (const n of [1, 2, 8]) dbStore(`DbStore maxInFlight=${n}`, `v${n}:`, { maxInFlight: n });
      return list
        .filter((s) => !only || only.test(s.label))
        .filter((s) => !scenario.groups || s.group === "floor" || scenario.groups.includes(s.group));
    };

    const scenarios: Scenario[] = [
      { label: "1,000 keys", tag: "k", limit: Number.POSITIVE_INFINITY, keyIndex: (i) => mix(i) % 1000 },
      { label: "one hot key", tag: "h", limit: Number.POSITIVE_INFINITY, keyIndex: () => 0 },
      {
        label: `attack: 5 keys send half the calls, 1,000 normal keys the rest; limit ${ATTACK_LIMIT} per window`,
        tag: "a",
        limit: ATTACK_LIMIT,
        keyIndex: (i) => {
          const h = mix(i);
          return h & 1 ? 1000 + ((h >>> 1) % 5) : (h >>> 1) % 1000;
        },
      },
    ];
    if (variants) {
      scenarios.push({
        label: "1,000 keys, rate_limit and rlflx_bench UNLOGGED (variant)",
        tag: "u",
        limit: Number.POSITIVE_INFINITY,
        keyIndex: (i) => mix(i) % 1000,
        groups: ["postgres", "dbstore"],
        prepare: async () => {
          await db.execute(sql`alter table rate_limit set unlogged`);
          await db.execute(sql`alter table rlflx_bench set unlogged`);
        },
        after: async () => {
          await db.execute(sql`alter table rate_limit set logged`);
          await db.execute(sql`alter table rlflx_bench set logged`);
        },
      });
    }
    if (million) {
      scenarios.push({
        label: "1,000,000 keys (PostgreSQL stores only)",
        tag: "m",
        limit: Number.POSITIVE_INFINITY,
        keyIndex: (i) => mix(i) % 1_000_000,
        groups: ["dbstore"],
        prepare: async () => {
          const t0 = Date.now();
          await Promise.all([
            db.execute(sql`insert into rate_limit (key, count, window_start, last_request)
              select 's:m' || g, 0, (extract(epoch from now()) * 1000)::bigint,
                     (extract(epoch from now()) * 1000)::bigint + ${WINDOW_MS}::bigint
              from generate_series(0, 999999) as g`),
            db.execute(sql`insert into rlflx_bench (key, points, expire)
              select 'rlflx_m:m' || g, 0, (extract(epoch from now()) * 1000)::bigint + ${WINDOW_MS}::bigint
              from generate_series(0, 999999) as g`),
          ]);
          await Promise.all([db.execute(sql`vacuum analyze rate_limit`), db.execute(sql`vacuum analyze rlflx_bench`)]);
          await db.execute(sql`checkpoint`).catch(() => {}); // needs superuser or pg_checkpoint; optional
          console.log(`  prefilled 1,000,000 rate_limit rows and 1,000,000 peer rows in ${Date.now() - t0} ms`);
        },
      });
    }

    // Warm-up: every kind of call once in a while before anything is measured (JIT, connections, prepared scripts).
    {
      const warm = await subjectsFor({ label: "warm-up", tag: "w", limit: Number.POSITIVE_INFINITY, keyIndex: mix });
      for (const subject of warm) {
        await runCalls((i) => subject.call(mix(i) % 100), 0, 2000, newAcc());
        await subject.stored?.(Array.from({ length: 100 }, (_, i) => i));
      }
    }

    const table: { scenario: string; results: Map<string, { subject: Subject; result: Result }> }[] = [];
    for (const scenario of scenarios) {
      if (scenarioFilter && !scenarioFilter.test(scenario.label)) continue;
      console.log(`\n${scenario.label}`);
      await scenario.prepare?.();
      const subjects = await subjectsFor(scenario);
      const accs = new Map(subjects.map((s) => [s, newAcc()]));
      const perRound = Math.ceil(OPS / ROUNDS);
      for (let round = 0; round < ROUNDS; round++) {
        const from = round * perRound;
        const to = Math.min(OPS, from + perRound);
        const order = round % 2 === 0 ? subjects : [...subjects].reverse();
        for (const subject of order) {
          await runCalls((i) => subject.call(scenario.keyIndex(i)), from, to, accs.get(subject) ?? newAcc());
        }
      }
      const results = new Map<string, { subject: Subject; result: Result }>();
      for (const subject of subjects) {
        const result = summarise(accs.get(subject) ?? newAcc());
        results.set(subject.label, { subject, result });
        console.log(`  ${subject.label.padEnd(40)} ${fmt(result)}`);
      }
      console.log(`  load average (1, 5, 15 min): ${load()}`);

      // The exact counts: calls per key are known, so what a fixed window of `limit` allows is known.
      const perKey = new Map<number, number>();
      for (let i = 0; i < OPS; i++) {
        const index = scenario.keyIndex(i);
        perKey.set(index, (perKey.get(index) ?? 0) + 1);
      }
      let expectedAllowed = 0;
      for (const calls of perKey.values()) expectedAllowed += Math.min(calls, scenario.limit);
      console.log("  counts");
      for (const { subject, result } of results.values()) {
        if (result.errors > 0) {
          failed = true;
          console.log(`    ${subject.label}: ${result.errors} calls failed: MISMATCH`);
        }
        if (!subject.stored) continue;
        check(`${subject.label}, calls allowed`, expectedAllowed, result.allowed);
        const held = await subject.stored([...perKey.keys()]);
        check(
          `${subject.label}, hits held (${subject.counts})`,
          subject.counts === "allowed calls" ? result.allowed : result.ops,
          held,
        );
      }
      await scenario.after?.();
      table.push({ scenario: scenario.label, results });
    }

    // Ratios and goals, last.
    const lines: string[] = [];
    const goals: string[] = [];
    const x = (n: number) => `${n.toFixed(2)}x`;
    for (const { scenario, results } of table) {
      const main = results.get("DbStore.increment")?.result;
      if (!main) continue;
      const best = (group: Group) =>
        [...results.values()]
          .filter((r) => r.subject.group === group)
          .sort((a, b) => b.result.opsPerSec - a.result.opsPerSec)[0];
      const redisBest = best("redis");
      const pgBest = best("postgres");
      const floor = results.get("SELECT 1 (floor)")?.result;
      const parts: string[] = [];
      const short = scenario.split(":")[0];
      if (redisBest) {
        const ops = main.opsPerSec / redisBest.result.opsPerSec;
        const p99 = main.p99 / redisBest.result.p99;
        parts.push(`${x(ops)} ops/s and ${x(p99)} p99 of the best Redis store (${redisBest.subject.label})`);
        if (scenario === "1,000 keys" || scenario === "one hot key") {
          goals.push(
            `${short}: ops/s >= 0.6x the best Redis store: ${ops >= 0.6 ? "met" : "NOT met"} (${x(ops)}); p99 <= 3x its p99: ${p99 <= 3 ? "met" : "NOT met"} (${x(p99)})`,
          );
        }
        if (scenario.startsWith("attack")) {
          const redisAll = [...results.values()].filter((r) => r.subject.group === "redis");
          const worst = Math.min(...redisAll.map((r) => main.opsPerSec / r.result.opsPerSec));
          goals.push(
            `${short}: ops/s >= 1x each Redis store: ${worst >= 1 ? "met" : "NOT met"} (${redisAll.map((r) => `${x(main.opsPerSec / r.result.opsPerSec)} ${r.subject.label}`).join(", ")})`,
          );
        }
      }
      if (pgBest)
        parts.push(`${x(main.opsPerSec / pgBest.result.opsPerSec)} the best PostgreSQL peer (${pgBest.subject.label})`);
      if (floor) parts.push(`${x(main.opsPerSec / floor.opsPerSec)} SELECT 1`);
      lines.push(
        `${short}: DbStore.increment ${thousands(main.opsPerSec)} ops/s, p99 ${main.p99.toFixed(2)} ms = ${parts.join("; ")}`,
      );
      const rlp = results.get("RateLimiterPostgres")?.result;
      if (rlp && floor && (scenario === "1,000 keys" || scenario === "one hot key")) {
        goals.push(
          `${short}: >= 2x RateLimiterPostgres ${main.opsPerSec >= 2 * rlp.opsPerSec ? "met" : "NOT met"}, >= 0.5x SELECT 1 ${main.opsPerSec >= 0.5 * floor.opsPerSec ? "met" : "NOT met"}`,
        );
      }
    }
    const small = table.find((t) => t.scenario === "1,000 keys")?.results.get("DbStore.increment")?.result;
    const large = table.find((t) => t.scenario.startsWith("1,000,000"))?.results.get("DbStore.increment")?.result;
    if (small && large) {
      goals.push(
        `1,000,000 keys within 20% of 1,000 keys (>= 0.8x its ops/s): ${large.opsPerSec >= 0.8 * small.opsPerSec ? "met" : "NOT met"} (${x(large.opsPerSec / small.opsPerSec)})`,
      );
    }
    console.log(`\nload average at end (1, 5, 15 min): ${load()}`);
    console.log(`\nratios (DbStore.increment / subject, ops/s unless said)\n${lines.map((l) => `  ${l}`).join("\n")}`);
    if (typeof redis === "string") console.log("  (no Redis: the Redis ratios and goals are missing)");
    console.log(`\ngoals\n${goals.map((g) => `  ${g}`).join("\n")}`);
  } finally {
    if (typeof redis !== "string") {
      for (let i = 0; i < redisKeys.length; i += 1000) await redis.del(...redisKeys.slice(i, i + 1000));
      redis.disconnect();
    }
    await pool.end();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
  if (failed) {
    console.error("\nA count did not match the calls made: FAIL");
    process.exit(1);
  }
}

function newAcc() {
  return { latencies: [] as number[], seconds: 0, errors: 0, allowed: 0, firstError: undefined as unknown };
}

/** rate-limiter-flexible's `consume`: resolves when allowed, rejects with a `RateLimiterRes` when over the limit. */
async function consumed(promise: Promise<unknown>): Promise<boolean> {
  try {
    await promise;
    return true;
  } catch (error) {
    if (error instanceof RateLimiterRes) return false;
    throw error;
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
