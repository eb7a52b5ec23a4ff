import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lines, runCli } from "../support/cli.js";
import { serverUrl } from "../support/database.js";
import { type PasswordServer, serverBinaries, startPasswordServer } from "../support/password-server.js";

/** One readable line on stderr, nothing on stdout, no stack trace. */
function expectOneLine(run: { stdout: string; stderr: string }, text: string | RegExp) {
  expect(run.stdout).toBe("");
  expect(lines(run.stderr)).toHaveLength(1);
  expect(run.stderr).toMatch(text);
  expect(run.stderr).not.toMatch(/\n\s+at /);
}

describe("be-db usage", () => {
  it.concurrent("prints help for the program and each command, with the exit codes", async () => {
    const [main, migrate, status, check] = await Promise.all([
      runCli(["--help"]),
      runCli(["migrate", "--help"]),
      runCli(["status", "--help"]),
      runCli(["check", "--help"]),
    ]);
    expect(main.code).toBe(0);
    for (const name of ["migrate", "status", "check"]) expect(main.stdout).toContain(name);
    for (const [run, name] of [
      [migrate, "migrate"],
      [status, "status"],
      [check, "check"],
    ] as const) {
      expect(run.code).toBe(0);
      expect(run.stdout).toContain(`Usage: be-db ${name} [options]`);
      expect(run.stdout).toContain("--database-url <url>");
      expect(run.stdout).toContain("--pglite <dir>");
      expect(run.stdout).toContain("7  the schema differs");
    }
    expect(migrate.stdout).toContain("--migrations-table <name>");
  });

  it.concurrent("stops with exit code 2 and a clear line when no database is given (it never guesses)", async () => {
    const run = await runCli(["migrate"]);
    expect(run.code).toBe(2);
    expectOneLine(run, /No database given: pass --database-url <url>, set DATABASE_URL, or pass --pglite <dir>/);
  });

  it.concurrent("refuses --database-url with --pglite, a URL that is not one, and unknown options, with exit code 2", async () => {
    const both = await runCli(["status", "--pglite", "/nonexistent", "--database-url", "postgres://x@127.0.0.1/x"]);
    expect(both.code).toBe(2);
    expectOneLine(both, /either --database-url or --pglite/);
    const notUrl = await runCli(["status"], { DATABASE_URL: "db.internal:5432" });
    expect(notUrl.code).toBe(2);
    expectOneLine(notUrl, /DATABASE_URL is not a PostgreSQL URL/);
    const unknown = await runCli(["status", "--frobnicate"]);
    expect(unknown.code).toBe(2);
    expect(unknown.stderr).toContain("unknown option '--frobnicate'");
  });

  it.concurrent("reports an unreachable server in one line with exit code 3, never echoing the password", async () => {
    const run = await runCli(["status", "--database-url", "postgres://app:hunter2@127.0.0.1:1/app"]);
    expect(run.code).toBe(3);
    expectOneLine(run, /^be-db: Cannot reach postgres:\/\/app@127\.0\.0\.1:1\/app: connect ECONNREFUSED/);
    expect(run.stderr).not.toContain("hunter2");
  });
});

describe.runIf(serverUrl)("be-db against the server's refusals (needs a PostgreSQL server)", () => {
  const url = (path: string, user = "postgres") => {
    const u = new URL(serverUrl as string);
    u.username = user;
    u.pathname = path;
    return u.toString();
  };

  it.concurrent("reports a missing database in one line with exit code 5", async () => {
    const run = await runCli(["check", "--database-url", url("/bedb_no_such_database")]);
    expect(run.code).toBe(5);
    expectOneLine(run, /database "bedb_no_such_database" does not exist/);
  });

  it.concurrent("reports a role the server does not know in one line with exit code 4", async () => {
    const run = await runCli(["status"], {
      DATABASE_URL: url(new URL(serverUrl as string).pathname, "bedb_no_such_role"),
    });
    expect(run.code).toBe(4);
    expectOneLine(run, /Login refused by .*role "bedb_no_such_role" does not exist/);
  });
});

const bin = serverBinaries();
describe.runIf(bin)("be-db against a server that checks passwords (a private scram-sha-256 cluster)", () => {
  let server: PasswordServer;
  beforeAll(async () => {
    server = await startPasswordServer(bin as string, "right-password");
  });
  afterAll(() => server?.stop());

  it("reports a wrong password in one line with exit code 4, and works with the right one", async () => {
    const wrong = server.url.replace("right-password", "wrong-password");
    const run = await runCli(["status", "--database-url", wrong]);
    expect(run.code).toBe(4);
    expectOneLine(run, /Login refused by .*password authentication failed for user "postgres"/);
    expect(run.stderr).not.toContain("wrong-password");

    const ok = await runCli(["status", "--database-url", server.url]);
    expect(ok.code).toBe(0);
    expect(ok.stdout).toMatch(/0 applied, \d+ pending\.$/m);
  });
});
