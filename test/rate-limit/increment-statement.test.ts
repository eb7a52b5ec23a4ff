import { sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/node-postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate } from "../../src/migrate/index.js";
import { DbStore, type DbStoreOptions } from "../../src/rate-limit/index.js";
import { rowsOf as rows } from "../../src/shared/rows.js";
import { closablePool, createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";

/** The two options that choose how increments are sent: synchronousCommit and preparedStatements. */
let t: TestDatabase;
let n = 0;
const prefix = () => `inc${n++}:`;

beforeAll(async () => {
  t = await createTestDatabase("rate_limit_increment_statement");
  await migrate(t.db);
  // Records, for every row an increment proposes, the synchronous_commit its transaction runs with.
  await t.db.execute(sql`create table sc_log (key text not null, setting text not null)`);
  await t.db.execute(sql`create function sc_record() returns trigger language plpgsql as $$
    begin
      insert into sc_log values (new.key, current_setting('synchronous_commit'));
      return new;
    end $$`);
  await t.db.execute(
    sql`create trigger sc_record before insert on rate_limit for each row execute function sc_record()`,
  );
});
afterAll(() => t.close());

const settingsOf = async (p: string) =>
  rows(await t.db.execute(sql`select distinct setting from sc_log where starts_with(key, ${p})`)).map((r) => r.setting);

describe("DbStore options synchronousCommit and preparedStatements", () => {
  it("rejects values that are not booleans with a TypeError naming the option", () => {
    for (const name of ["synchronousCommit", "preparedStatements"] as const) {
      for (const bad of ["false", 0, null]) {
        expect(() => new DbStore({ db: t.db, [name]: bad } as unknown as DbStoreOptions)).toThrow(TypeError);
        expect(() => new DbStore({ db: t.db, [name]: bad } as unknown as DbStoreOptions)).toThrow(
          new RegExp(`^@be-monorepo/db: DbStore option \`${name}\` must be a boolean`),
        );
      }
    }
  });

  it("by default commits each increment without waiting for the WAL flush (its own transaction only)", async () => {
    const p = prefix();
    const store = new DbStore({ db: t.db, prefix: p });
    store.init({ windowMs: 60_000 });
    const hits = await Promise.all(Array.from({ length: 30 }, (_, i) => store.increment(`k${i % 3}`)));
    expect(hits.map((h) => h.totalHits).sort((a, b) => a - b)).toEqual(
      [...Array(10).keys()].flatMap((i) => [i + 1, i + 1, i + 1]),
    );
    expect(await settingsOf(p)).toEqual(["off"]);
    // The setting was local to the increment's transaction: the next statements see the server's default.
    const after = rows(await t.db.execute(sql`select current_setting('synchronous_commit') as s`));
    expect(after[0]?.s).toBe("on");
  });

  it("with synchronousCommit: true, increments commit as the server's synchronous_commit says", async () => {
    const p = prefix();
    const store = new DbStore({ db: t.db, prefix: p, synchronousCommit: true });
    store.init({ windowMs: 60_000 });
    await Promise.all([store.increment("a"), store.increment("b"), store.increment("a")]);
    expect((await store.get("a"))?.totalHits).toBe(2);
    expect(await settingsOf(p)).toEqual(["on"]);
  });

  it("never changes synchronous_commit of the host's transaction when db is a drizzle transaction", async () => {
    const p = prefix();
    const inside = await t.db.transaction(async (tx) => {
      const store = new DbStore({ db: tx, prefix: p });
      store.init({ windowMs: 60_000 });
      const hit = await store.increment("a");
      const setting = rows(await tx.execute(sql`select current_setting('synchronous_commit') as s`))[0]?.s;
      return { hit: hit.totalHits, setting };
    });
    expect(inside).toEqual({ hit: 1, setting: "on" });
    expect(await settingsOf(p)).toEqual(["on"]);
  });

  it.runIf(serverUrl)(
    "on node-postgres sends increments as one named prepared statement per connection; preparedStatements: false sends none (needs a PostgreSQL server)",
    async () => {
      const prepared = async (options: Partial<DbStoreOptions>) => {
        // One connection: the statements this store prepared are the ones pg_prepared_statements shows there.
        const { pool, end } = closablePool({ connectionString: t.url, max: 1 });
        try {
          const store = new DbStore({ db: drizzle(pool), prefix: prefix(), ...options });
          store.init({ windowMs: 60_000 });
          for (let round = 0; round < 3; round++) {
            const hits = await Promise.all(Array.from({ length: 20 }, () => store.increment("hot")));
            expect(Math.max(...hits.map((h) => h.totalHits))).toBe(20 * (round + 1));
          }
          return rows(await pool.query("select name from pg_prepared_statements")).map((r) => r.name);
        } finally {
          await end();
        }
      };
      expect(await prepared({})).toEqual(["be_db_rate_limit_increment_v1_a"]);
      expect(await prepared({ synchronousCommit: true })).toEqual(["be_db_rate_limit_increment_v1_s"]);
      expect(await prepared({ preparedStatements: false })).toEqual([]);
    },
  );
});
