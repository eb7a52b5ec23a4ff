/**
 * `be-db --plugins a,b` for migrate, status and check: the plugins' migrations after the core's, in one history;
 * check compares with the core and those plugins; an unknown plugin is a usage error (exit 2) before connecting.
 */
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lines, runCli } from "../support/cli.js";
import { createTestDatabase, serverUrl, type TestDatabase } from "../support/database.js";

describe.runIf(serverUrl)("be-db --plugins on a PostgreSQL server", () => {
  let t: TestDatabase;
  beforeAll(async () => {
    t = await createTestDatabase("cli_plugins");
  });
  afterAll(() => t.close());

  it("migrates, lists and checks the core with the plugins given", async () => {
    const url = t.url as string;
    const migrate = await runCli(["migrate", "--database-url", url, "--plugins", "organization,admin"]);
    expect(migrate.code).toBe(0);
    expect(lines(migrate.stdout).filter((line) => /^applied\s+0000_(admin|organization)/.test(line))).toHaveLength(2);

    const status = await runCli(["status", "--database-url", url, "--plugins", "admin", "--plugins", "jwt"]);
    expect(status.code).toBe(0);
    expect(lines(status.stdout)).toContain("applied  0000_admin");
    expect(lines(status.stdout)).toContain("pending  0000_jwt");

    const check = await runCli(["check", "--database-url", url, "--plugins", "admin,organization"]);
    expect(check.stderr).toBe("");
    expect(check.code).toBe(0);

    const without = await runCli(["check", "--database-url", url]);
    expect(without.code).toBe(7);
    expect(without.stderr).toContain("column user.role is not expected");
  });

  it("an unknown plugin is a usage error (exit 2), before connecting", async () => {
    const run = await runCli([
      "migrate",
      "--database-url",
      "postgres://nobody@127.0.0.1:1/x",
      "--plugins",
      "admin,sso",
    ]);
    expect(run.code).toBe(2);
    expect(lines(run.stderr)).toEqual([
      expect.stringMatching(/^be-db: unknown plugin "sso" in --plugins; supported: admin, /),
    ]);
  });
});
