import { sql } from "drizzle-orm";
import { drizzle as drizzleNodePostgres } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePostgresJs } from "drizzle-orm/postgres-js";
import pg from "pg";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
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
