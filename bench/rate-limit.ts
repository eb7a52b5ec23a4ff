/**
 * Benchmark of `DbStore.increment` against rate-limiter-flexible's `RateLimiterPostgres` (`consume`) and a
 * `SELECT 1` round trip (the floor), on one database and one pool of 10 connections with 50 concurrent callers.
 *
 *   npm run bench                     # DATABASE_URL, else postgres://postgres@127.0.0.1:5432/test
 *   BENCH_SECONDS=5 npm run bench     # seconds per measurement (default 3)
 *   npm run bench -- --variants       # also DbStore with maxInFlight 1/2/8 and on an UNLOGGED table
 *
 * It creates its own database (and drops it at the end), runs three scenarios (1,000 keys, one hot key,
 * 1,000,000 prefilled keys), prints ops/s and p50/p99 latency per subject, the ratios DbStore / peer and
 * DbStore / floor, and checks that every count in the tables equals the calls that succeeded: it exits with
 * status 1 when a count is off.
 */
import { randomBytes } from "node:crypto";
import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import pg from "pg";
import { RateLimiterPostgres } from "rate-limiter-flexible";
import { migrate } from "../src/migrate/index.js";
import { DbStore } from "../src/rate-limit/index.js";

const serverUrl = process.env.DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/test";
const seconds = Number(process.env.BENCH_SECONDS ?? 3);
const variants = process.argv.includes("--variants");
const POOL = 10;
const CALLERS = 50;
const WINDOW_MS = 3_600_000;

interface Result {
  ops: number;
  opsPerSec: number;
  p50: number;
  p99: number;
  errors: number;
}

/** Runs `op` from `CALLERS` concurrent loops for `seconds`; latencies in milliseconds. */
async function measure(op: (i: number) => Promise<unknown>): Promise<Result> {
  const latencies: number[] = [];
  let errors = 0;
  let i = 0;
  const start = process.hrtime.bigint();
  const deadline = start + BigInt(Math.round(seconds * 1e9));
  const loop = async () => {
    while (process.hrtime.bigint() < deadline) {
      const t0 = process.hrtime.bigint();
      try {
        await op(i++);
        latencies.push(Number(process.hrtime.bigint() - t0) / 1e6);
      } catch {
        errors++;
      }
    }
  };
  await Promise.all(Array.from({ length: CALLERS }, loop));
  const elapsed = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))] ?? 0;
  return { ops: latencies.length, opsPerSec: latencies.length / elapsed, p50: at(0.5), p99: at(0.99), errors };
}

const fmt = (r: Result) =>
  `${Math.round(r.opsPerSec).toLocaleString("en-US").padStart(8)} ops/s  p50 ${r.p50.toFixed(2).padStart(6)} ms  p99 ${r.p99.toFixed(2).padStart(6)} ms${r.errors ? `  ${r.errors} errors` : ""}`;

const rowsOf = (result: unknown) =>
  (Array.isArray(result) ? result : (result as { rows: unknown[] }).rows) as Record<string, unknown>[];

async function main() {
  const name = `bedb_bench_${randomBytes(4).toString("hex")}`;
  const admin = new pg.Client({ connectionString: serverUrl });
  await admin.connect();
  await admin.query(`create database "${name}"`);
  const url = new URL(serverUrl);
  url.pathname = `/${name}`;
  const pool = new pg.Pool({ connectionString: url.toString(), max: POOL });
  pool.on("error", () => {}); // idle connections closed by the final drop database
  const db = drizzle(pool);
  let failed = false;
  const check = (label: string, expected: number, actual: number) => {
    const ok = expected === actual;
    if (!ok) failed = true;
    console.log(`  count check ${label}: expected ${expected}, table has ${actual} ${ok ? "ok" : "MISMATCH"}`);
  };
  const scalar = async (query: ReturnType<typeof sql>) =>
    Number(Object.values(rowsOf(await db.execute(query))[0] ?? {})[0]);

  try {
    await migrate(db);
    const peer = await new Promise<RateLimiterPostgres>((resolve, reject) => {
      const limiter: RateLimiterPostgres = new RateLimiterPostgres(
        {
          storeClient: pool,
          storeType: "pool",
          tableName: "rlflx_bench",
          points: 1_000_000_000,
          duration: WINDOW_MS / 1000,
          clearExpiredByTimeout: false,
        },
        (error?: Error) => (error ? reject(error) : resolve(limiter)),
      );
    });

    const subjects: { label: string; store?: DbStore; prefix: string; setup?: () => Promise<void> }[] = [
      { label: "DbStore.increment", store: new DbStore({ db, prefix: "s:" }), prefix: "s:" },
    ];
    if (variants) {
      for (const maxInFlight of [1, 2, 8]) {
        const prefix = `v${maxInFlight}:`;
        subjects.push({
          label: `DbStore maxInFlight=${maxInFlight}`,
          store: new DbStore({ db, prefix, maxInFlight }),
          prefix,
        });
      }
    }
    for (const s of subjects) s.store?.init({ windowMs: WINDOW_MS });

    const scenarios: {
      label: string;
      keyOf: (i: number) => string;
      prepare?: () => Promise<void>;
      after?: () => Promise<void>;
    }[] = [
      { label: "1,000 keys", keyOf: () => `k${Math.floor(Math.random() * 1000)}` },
      { label: "one hot key", keyOf: () => "hot" },
      ...(variants
        ? [
            {
              label: "1,000 keys, both tables UNLOGGED (variant)",
              keyOf: () => `u${Math.floor(Math.random() * 1000)}`,
              prepare: async () => {
                await db.execute(sql`alter table rate_limit set unlogged`);
                await db.execute(sql`alter table rlflx_bench set unlogged`);
              },
              after: async () => {
                await db.execute(sql`alter table rate_limit set logged`);
                await db.execute(sql`alter table rlflx_bench set logged`);
              },
            },
          ]
        : []),
      {
        label: "1,000,000 keys",
        keyOf: () => `m${Math.floor(Math.random() * 1_000_000)}`,
        prepare: async () => {
          const t0 = Date.now();
          // Only the main subject's keys: the variants then run on a 1,000,000-row table with keys of their own.
          // The variants' keys are not prefilled: they then insert new rows into a 1,000,000-row table.
          await Promise.all([
            db.execute(sql`insert into rate_limit (key, count, window_start, last_request)
              select ${subjects[0]?.prefix} || 'm' || g, 0, (extract(epoch from now()) * 1000)::bigint,
                     (extract(epoch from now()) * 1000)::bigint + ${WINDOW_MS}::bigint
              from generate_series(0, 999999) as g`),
            db.execute(sql`insert into rlflx_bench (key, points, expire)
              select 'rlflx_bench:m' || g, 0, (extract(epoch from now()) * 1000)::bigint + ${WINDOW_MS}::bigint
              from generate_series(0, 999999) as g`),
          ]);
          await Promise.all([db.execute(sql`vacuum analyze rate_limit`), db.execute(sql`vacuum analyze rlflx_bench`)]);
          await db.execute(sql`checkpoint`).catch(() => {}); // needs superuser or pg_checkpoint; optional
          const total = await scalar(sql`select count(*) from rate_limit`);
          console.log(
            `  prefilled ${total.toLocaleString("en-US")} rate_limit rows and 1,000,000 peer rows in ${Date.now() - t0} ms`,
          );
        },
      },
    ];

    const summary: string[] = [];
    // The issue's goals, judged on this run's own figures.
    const goals: string[] = [];
    const mainOps = new Map<string, number>();
    for (const scenario of scenarios) {
      console.log(`\n${scenario.label} (${POOL} connections, ${CALLERS} callers, ${seconds} s each)`);
      await scenario.prepare?.();
      const floor = await measure(() => db.execute(sql`select 1`));
      console.log(`  SELECT 1 (floor)          ${fmt(floor)}`);
      const peerBefore = await scalar(sql`select coalesce(sum(points), 0) from rlflx_bench`);
      const peerResult = await measure((i) => peer.consume(scenario.keyOf(i)));
      console.log(`  RateLimiterPostgres       ${fmt(peerResult)}`);
      const peerAfter = await scalar(sql`select coalesce(sum(points), 0) from rlflx_bench`);
      check("RateLimiterPostgres", peerResult.ops, peerAfter - peerBefore);
      for (const subject of subjects) {
        const store = subject.store as DbStore;
        const before = await scalar(
          sql`select coalesce(sum(count), 0) from rate_limit where starts_with(key, ${subject.prefix})`,
        );
        let maxHot = 0;
        const result = await measure(async (i) => {
          const hit = await store.increment(scenario.keyOf(i));
          if (hit.totalHits > maxHot) maxHot = hit.totalHits;
        });
        console.log(`  ${subject.label.padEnd(25)} ${fmt(result)}`);
        const after = await scalar(
          sql`select coalesce(sum(count), 0) from rate_limit where starts_with(key, ${subject.prefix})`,
        );
        check(subject.label, result.ops, after - before);
        if (scenario.label === "one hot key") {
          const hot = await scalar(sql`select count from rate_limit where key = ${`${subject.prefix}hot`}`);
          check(`${subject.label} highest total answered = hot row`, hot, maxHot);
        }
        if (subject === subjects[0]) {
          const line = `  ratios: DbStore / RateLimiterPostgres ${(result.opsPerSec / peerResult.opsPerSec).toFixed(2)}x, DbStore / SELECT 1 ${(result.opsPerSec / floor.opsPerSec).toFixed(2)}x`;
          console.log(line);
          summary.push(`${scenario.label}: DbStore ${Math.round(result.opsPerSec)} ops/s;${line.trim().slice(7)}`);
          mainOps.set(scenario.label, result.opsPerSec);
          goals.push(
            `${scenario.label}: >= 2x RateLimiterPostgres ${result.opsPerSec >= 2 * peerResult.opsPerSec ? "met" : "NOT met"}, >= 0.5x SELECT 1 ${result.opsPerSec >= 0.5 * floor.opsPerSec ? "met" : "NOT met"}`,
          );
          mainOps.set(`${scenario.label} / floor`, result.opsPerSec / floor.opsPerSec);
        }
      }
      await scenario.after?.();
    }
    const small = mainOps.get("1,000 keys");
    const large = mainOps.get("1,000,000 keys");
    const smallVsFloor = mainOps.get("1,000 keys / floor");
    const largeVsFloor = mainOps.get("1,000,000 keys / floor");
    if (small && large && smallVsFloor && largeVsFloor) {
      // The machine's load can change between scenarios; the second figure divides each by its own floor.
      summary.push(
        `1,000,000 keys / 1,000 keys (DbStore): ${(large / small).toFixed(2)}x in ops/s, ${(largeVsFloor / smallVsFloor).toFixed(2)}x relative to each run's floor`,
      );
      goals.push(
        `1,000,000 keys within 20% of 1,000 keys (at least 0.8x its ops/s): ${large >= 0.8 * small ? "met" : "NOT met"}`,
      );
    }
    console.log(`\nsummary\n${summary.map((s) => `  ${s}`).join("\n")}`);
    console.log(`\ngoals\n${goals.map((g) => `  ${g}`).join("\n")}`);
  } finally {
    await pool.end();
    await admin.query(`drop database if exists "${name}" with (force)`);
    await admin.end();
  }
  if (failed) {
    console.error("\nA count did not match the calls made: FAIL");
    process.exit(1);
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
