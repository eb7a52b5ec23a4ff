import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { DbStore } from "../../src/rate-limit/index.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";

const run = promisify(execFile);
const child = fileURLToPath(new URL("./fixtures/increment-child.ts", import.meta.url));

describe.runIf(serverUrl)(
  "DbStore across processes (needs a PostgreSQL server: each process opens its own pool)",
  () => {
    let t: TestDatabase;
    beforeAll(async () => {
      t = await createTestDatabase("rate_limit_processes", { migrated: true });
    });
    afterAll(() => t.close());

    it("4 processes × 500 concurrent increments of one key give totals 1..2000, each once", async () => {
      if (!t.url) throw new Error("this test needs a PostgreSQL server (each process opens its own pool)");
      const outputs = await Promise.all(
        Array.from({ length: 4 }, () =>
          run(process.execPath, ["--import", "tsx", child, t.url as string, "proc:", "shared", "500"], {
            cwd: process.cwd(),
          }),
        ),
      );
      const totals = outputs.flatMap(({ stdout }) => JSON.parse(stdout) as number[]).sort((a, b) => a - b);
      expect(totals).toEqual(Array.from({ length: 2000 }, (_, i) => i + 1));
      const store = new DbStore({ db: t.db, prefix: "proc:" });
      store.init({ windowMs: 60_000 });
      expect((await store.get("shared"))?.totalHits).toBe(2000);
    }, 60_000);
  },
);
