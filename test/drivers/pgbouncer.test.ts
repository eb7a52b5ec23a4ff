import { sql } from "drizzle-orm";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePostgresJs } from "drizzle-orm/postgres-js";
import pg from "pg";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore } from "../../src/rate-limit/index.js";
import { closablePool, createServerDatabase, serverOnly, serverUrl } from "../support/database.js";
import { findPgBouncer, type PgBouncer, pgBouncerOnly, startPgBouncer } from "../support/pgbouncer.js";
import { runBehaviourSuite } from "./behaviour.js";
import { shippedTags } from "./cases/migrate.js";
import { rawRows } from "./cases/rows.js";
import { hostVariants, nodePostgresHost, postgresJsHost } from "./hosts.js";

// Needs a PostgreSQL server and the pgbouncer binary; without either, the title says NOT RUN and why.
const bin = serverUrl ? findPgBouncer() : undefined;
const title = "through PgBouncer in transaction-pooling mode";
describe.runIf(serverUrl && bin)(serverUrl ? pgBouncerOnly(title, bin) : serverOnly(title), () => {
  let bouncer: PgBouncer | undefined;
  const through = (url: string) => {
    if (!bouncer) throw new Error("PgBouncer is not running");
    return bouncer.through(url);
  };
  beforeAll(async () => {
    bouncer = await startPgBouncer(serverUrl as string, { poolSize: 3 });
  });
  afterAll(async () => {
    await bouncer?.stop();
  });

  describe("the pooler itself", () => {
    it("serves more clients than server connections (transaction pooling, not session pooling)", async () => {
      const { url, drop } = await createServerDatabase("drv_bouncer_pool");
      const clients = Array.from({ length: 5 }, () => new pg.Client({ connectionString: through(url) }));
      try {
        for (const client of clients) await client.connect();
        const pids = new Set<number>();
        // Each client stays connected while the next one queries: in session mode the fourth would wait forever.
        for (const client of clients) {
          const { rows } = await client.query<{ pid: number }>("select pg_backend_pid() as pid");
          pids.add(Number(rows[0]?.pid));
        }
        expect(pids.size).toBeGreaterThanOrEqual(1);
        expect(pids.size).toBeLessThanOrEqual(3);
      } finally {
        await Promise.all(clients.map((client) => client.end()));
        await drop();
      }
    });
  });

  describe("why postgres.js needs prepare: false here", () => {
    /**
     * Runs the same transaction twice on one postgres.js connection, steering PgBouncer so that the second run
     * gets a different server connection than the first: the other server connections are pinned by pg clients
     * holding open transactions. Resolves with the second run's error, or `undefined`.
     */
    const secondTransactionOnAnotherServerConnection = async (prepare: boolean) => {
      const { url, drop } = await createServerDatabase("drv_bouncer_prepare");
      const holders = Array.from(
        { length: bouncer?.poolSize ?? 0 },
        () => new pg.Client({ connectionString: through(url) }),
      );
      const host = postgres(through(url), { max: 1, prepare, onnotice: () => {} });
      const once = () => host.begin((tx) => tx`select ${1}::int as n`);
      try {
        for (const holder of holders) await holder.connect();
        const [first, second, ...rest] = holders as [pg.Client, pg.Client, ...pg.Client[]];
        for (const holder of [second, ...rest]) await holder.query("begin; select 1");
        await once(); // runs on the one free server connection
        await first.query("begin; select 1"); // now pins that connection
        await second.query("commit"); // frees another one for postgres.js
        return await once().then(
          () => undefined,
          (error: unknown) => error,
        );
      } finally {
        for (const holder of holders) await holder.query("rollback").catch(() => {});
        await Promise.all([...holders.map((holder) => holder.end()), host.end()]);
        await drop();
      }
    };

    it("with postgres.js's default prepare: true, the second transaction loses its prepared statement", async () => {
      const error = await secondTransactionOnAnotherServerConnection(true);
      expect((error as Error | undefined)?.message).toMatch(/prepared statement .* does not exist/);
    });

    it("with prepare: false, the same sequence succeeds", async () => {
      expect(await secondTransactionOnAnotherServerConnection(false)).toBeUndefined();
    });
  });

  describe("DbStore's prepared statements (PgBouncer 1.18 keeps none apart in transaction mode)", () => {
    it("a named statement refused by the pooler is sent again unnamed, and so are the later ones: counts stay exact", async () => {
      const { url, drop } = await createServerDatabase("drv_bouncer_prepared");
      // Pin all server connections but one, so that both client connections below land on the same one.
      const holders = Array.from(
        { length: (bouncer?.poolSize ?? 1) - 1 },
        () => new pg.Client({ connectionString: through(url) }),
      );
      const pool = new pg.Pool({ connectionString: through(url), max: 2 });
      const outcomes: string[] = [];
      const query = pool.query.bind(pool) as (...args: unknown[]) => Promise<unknown>;
      pool.query = ((...args: unknown[]) =>
        query(...args).then(
          (result) => {
            outcomes.push("ok");
            return result;
          },
          (error: unknown) => {
            outcomes.push(String((error as { code?: unknown }).code));
            throw error;
          },
        )) as typeof pool.query;
      try {
        await migrate(drizzleNodePostgres(pool));
        for (const holder of holders) {
          await holder.connect();
          await holder.query("begin; select 1");
        }
        outcomes.length = 0;
        // One key per statement and two statements at once: each client connection prepares the statement, the
        // second on the server connection where the first one already did.
        const store = new DbStore({
          db: drizzleNodePostgres(pool),
          prefix: "bouncer:",
          maxBatchSize: 1,
          maxInFlight: 2,
        });
        store.init({ windowMs: 60_000 });
        const hits: number[] = [];
        for (let round = 0; round < 5; round++) {
          const answers = await Promise.all(Array.from({ length: 40 }, (_, i) => store.increment(`k${i % 2}`)));
          hits.push(...answers.map((a) => a.totalHits));
        }
        expect(outcomes, "the pooler refused a named statement once: 42P05 on the shared server connection").toContain(
          "42P05",
        );
        expect(outcomes.filter((o) => o !== "ok")).toHaveLength(1);
        expect(hits.sort((a, b) => a - b)).toEqual([...Array(100).keys()].flatMap((i) => [i + 1, i + 1]));
        expect((await store.get("k0"))?.totalHits).toBe(100);
        expect((await store.get("k1"))?.totalHits).toBe(100);
      } finally {
        for (const holder of holders) await holder.query("rollback").catch(() => {});
        await Promise.all([...holders.map((holder) => holder.end()), pool.end()]);
        await drop();
      }
    });
  });

  describe("migrate() from several app instances at once", () => {
    it("applies each migration once; every caller (node-postgres and postgres.js) resolves", async () => {
      const { url, drop } = await createServerDatabase("drv_bouncer_race");
      const pools = Array.from({ length: 3 }, () => closablePool({ connectionString: through(url), max: 1 }));
      const sqls = Array.from({ length: 3 }, () =>
        postgres(through(url), { max: 1, prepare: false, onnotice: () => {} }),
      );
      try {
        const hosts = [...pools.map(({ pool }) => drizzleNodePostgres(pool)), ...sqls.map((c) => drizzlePostgresJs(c))];
        const results = await Promise.all(hosts.map((db) => migrate(db)));
        const counts = results.map((result) => result.applied.length).sort((a, b) => a - b);
        expect(counts).toEqual([0, 0, 0, 0, 0, shippedTags.length]);
        const [history] = await rawRows(
          hosts[0] as (typeof hosts)[0],
          sql`select count(*)::int as n, count(distinct created_at)::int as distinct_n from drizzle.__be_db_migrations`,
        );
        expect(history).toEqual({ n: shippedTags.length, distinct_n: shippedTags.length });
      } finally {
        await Promise.all([...pools.map((pool) => pool.end()), ...sqls.map((c) => c.end())]);
        await drop();
      }
    });
  });

  for (const variant of hostVariants) {
    runBehaviourSuite(`node-postgres (${variant.label})`, nodePostgresHost("drv_bouncer_pg", variant, { through }), {
      ...variant,
      driver: "node-postgres",
      pooler: "pgbouncer",
      concurrent: true,
    });
    runBehaviourSuite(
      `postgres.js, prepare: false (${variant.label})`,
      postgresJsHost("drv_bouncer_pgjs", variant, { through, prepare: false }),
      { ...variant, driver: "postgres-js", pooler: "pgbouncer", concurrent: true },
    );
  }
});
