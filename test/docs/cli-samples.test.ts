/**
 * The `be-db` output shown in docs/cli.md (test/docs/samples/cli-*.txt) is what the CLI prints: each sample is
 * produced here by the real command, in process (`run()`), on a fresh database, and compared line by line after
 * putting the sample's URL in place of the test database's and any time in milliseconds in place of the one
 * measured. A sample line ending in `…` only has to start the real line.
 */
import { cpSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { migrate, migrationsFolder } from "../../src/migrate/index.js";
import { lines as linesOf, runCli } from "../support/cli.js";
import { createTestDatabase, serverOnly, serverUrl, type TestDatabase } from "../support/database.js";
import { root } from "./blocks.js";

const SAMPLE_URL = "postgres://app@db.internal:5432/app";

const sample = (name: string) =>
  readFileSync(join(root, "test", "docs", "samples", name), "utf8")
    .split("\n")
    .filter(Boolean);

/** `be-db` in process, with its output as lines (test/support/cli.ts). */
async function cli(args: string[], env: Record<string, string> = {}) {
  const { code, stdout, stderr } = await runCli(args, env);
  return { code, out: linesOf(stdout), err: linesOf(stderr) };
}

/** The lines as the sample shows them: the sample's URL for `url`, the sample's times for the measured ones. */
function likeSample(lines: string[], url: string, expected: string[]): string[] {
  const shownUrl = url.replace(/\/\/[^@/]*@/, (userinfo) => userinfo.replace(/:[^@]*@/, "@"));
  return lines.map((line, i) => {
    const want = expected[i] ?? "";
    const times = [...want.matchAll(/\d+(?:\.\d+)? ms/g)].map((m) => m[0]);
    let k = 0;
    const text = (shownUrl ? line.replaceAll(shownUrl, SAMPLE_URL) : line).replace(
      /\d+(?:\.\d+)? ms/g,
      (time) => times[k++] ?? time,
    );
    return want.endsWith("…") && text.startsWith(want.slice(0, -1)) ? want : text;
  });
}

describe.runIf(serverUrl)(serverOnly("docs/cli.md's sample output"), () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("docs_cli");
  });
  afterAll(() => t.close());

  it("be-db status after the first two migrations (cli-status.txt)", async () => {
    // A copy of the shipped folder whose journal lists only 0000 and 0001: the database is then two behind.
    const folder = join(root, ".tmp", `docs-cli-${process.pid}`);
    cpSync(migrationsFolder, folder, { recursive: true });
    try {
      const journalFile = join(folder, "meta", "_journal.json");
      const journal = JSON.parse(readFileSync(journalFile, "utf8")) as { entries: unknown[] };
      writeFileSync(journalFile, JSON.stringify({ ...journal, entries: journal.entries.slice(0, 2) }));
      await migrate(t.db, { migrationsFolder: folder });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
    const expected = sample("cli-status.txt");
    const { code, out } = await cli(["status", "--database-url", t.url as string]);
    expect(code).toBe(0);
    expect(likeSample(out, t.url as string, expected)).toEqual(expected);
  });

  it("be-db migrate on an empty database, then be-db check with an index missing (cli-migrate.txt, cli-check.txt)", async () => {
    const fresh = await createTestDatabase("docs_cli_migrate");
    try {
      const url = fresh.url as string;
      const applied = sample("cli-migrate.txt");
      const migrated = await cli(["migrate", "--database-url", url]);
      expect(migrated.code).toBe(0);
      expect(likeSample(migrated.out, url, applied)).toEqual(applied);

      await fresh.db.execute(sql`drop index session_user_id_idx`);
      const differences = sample("cli-check.txt");
      const checked = await cli(["check", "--database-url", url]);
      expect(checked.code).toBe(7);
      expect(likeSample(checked.err, url, differences)).toEqual(differences);
    } finally {
      await fresh.close();
    }
  });

  it("the error lines (cli-errors.txt)", async () => {
    const server = new URL(serverUrl as string);
    const missing = new URL(serverUrl as string);
    missing.pathname = "/app";
    const expected = sample("cli-errors.txt");
    const runs = [
      await cli(["status", "--database-url", `${serverUrl}?foo=bar`]),
      await cli(["status", "--database-url", `${serverUrl}?sslmode=bogus`]),
      await cli(["status", "--database-url", "postgres://app@127.0.0.1:1/app"]),
      await cli(["status", "--database-url", missing.toString()]),
      await cli(["status", "--pglite", join(root, "package.json", "data")]),
    ];
    const lines = runs.map((r) => r.err.join("\n"));
    const shown = lines.map(
      (line, i) =>
        likeSample(
          [
            line
              .replaceAll(`${server.username || "postgres"}@${server.host}`, "app@127.0.0.1:5432")
              .replaceAll(join(root, "package.json"), "./a-file"),
          ],
          "",
          [expected[i] ?? ""],
        )[0],
    );
    expect(shown).toEqual(expected);
    expect(runs.map((r) => r.code)).toEqual([2, 2, 3, 5, 3]);
  });
});

describe("docs/cli.md's usage errors (cli-usage.txt)", () => {
  it("prints each as one be-db line with exit code 2", async () => {
    const runs = [
      await cli(["status", "--frobnicate"]),
      await cli(["nope"]),
      await cli(["status", "--database-url"]),
      await cli([]),
    ];
    expect(runs.map((r) => r.err.join("\n"))).toEqual(sample("cli-usage.txt"));
    expect(runs.map((r) => r.code)).toEqual([2, 2, 2, 2]);
  });
});
