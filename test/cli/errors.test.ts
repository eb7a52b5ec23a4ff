import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { lines, runCli } from "../support/cli.js";
import { serverUrl } from "../support/database.js";
import { type PasswordServer, serverBinaries, startPasswordServer } from "../support/password-server.js";
import { tempDir } from "../support/temp.js";

const HINT = "be-db --help lists the commands; be-db <command> --help their options";

/** One readable line on stderr, nothing on stdout, no stack trace. */
function expectOneLine(run: { stdout: string; stderr: string }, text: string | RegExp) {
  expect(run.stdout).toBe("");
  expect(lines(run.stderr)).toHaveLength(1);
  if (typeof text === "string") expect(run.stderr).toBe(text);
  else expect(run.stderr).toMatch(text);
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
    expectOneLine(unknown, `be-db: unknown option '--frobnicate' (${HINT})\n`);
  });

  it.concurrent("prints each usage error of the argument parser as one be-db line, with exit code 2", async () => {
    const cases: [string[], string][] = [
      [[], "no command given: migrate, status or check"],
      [["nope"], "unknown command 'nope'"],
      [["--frobnicate"], "unknown option '--frobnicate'"],
      [["status", "--database-url"], "option '--database-url <url>' argument missing"],
      [["check", "--migrations-table", "x"], "unknown option '--migrations-table'"],
      [["migrate", "now"], "too many arguments for 'migrate'. Expected 0 arguments but got 1."],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      expect(run.code).toBe(2);
      expectOneLine(run, `be-db: ${message} (${HINT})\n`);
    }
  });

  it.concurrent("refuses an invalid --migrations-schema or --migrations-table with exit code 2, before connecting", async () => {
    // Nothing listens on port 1: exit 2 rather than 3 proves the names were checked first.
    const url = "postgres://app@127.0.0.1:1/app";
    const cases: [string[], string][] = [
      [
        ["--migrations-schema", ""],
        '--migrations-schema must be a PostgreSQL identifier of 1 to 63 bytes without NUL (got "")',
      ],
      [
        ["--migrations-table", "t".repeat(64)],
        `--migrations-table must be a PostgreSQL identifier of 1 to 63 bytes without NUL (got "${"t".repeat(64)}")`,
      ],
      [
        ["--migrations-schema", "public", "--migrations-table", "user"],
        "--migrations-schema and --migrations-table name public.user, one of the package's tables; the migration history needs a table of its own (the default is drizzle.__be_db_migrations)",
      ],
      [
        ["--migrations-schema", "public", "--migrations-table", "rate_limit"],
        "--migrations-schema and --migrations-table name public.rate_limit, one of the package's tables; the migration history needs a table of its own (the default is drizzle.__be_db_migrations)",
      ],
    ];
    for (const command of ["migrate", "status"]) {
      for (const [options, message] of cases) {
        const run = await runCli([command, "--database-url", url, ...options]);
        expect(run.code).toBe(2);
        expectOneLine(run, `be-db: ${message}\n`);
      }
    }
  });

  it.concurrent("reports an unreachable server in one line with exit code 3, never echoing the password", async () => {
    const run = await runCli(["status", "--database-url", "postgres://app:hunter2@127.0.0.1:1/app"]);
    expect(run.code).toBe(3);
    expectOneLine(run, /^be-db: Cannot reach postgres:\/\/app@127\.0\.0\.1:1\/app: connect ECONNREFUSED/);
    expect(run.stderr).not.toContain("hunter2");
  });

  it.concurrent("refuses a query parameter node-postgres does not use with exit code 2, naming it but not its value", async () => {
    // Checked before connecting: this server would accept the URL, so exit 2 proves nothing ran.
    const run = await runCli(["migrate", "--database-url", "postgres://app@127.0.0.1:1/app?foo=bar&api_key=s3cr3t"]);
    expect(run.code).toBe(2);
    expectOneLine(
      run,
      /^be-db: --database-url has the query parameter "foo", which node-postgres does not use; accepted: user, password, host, port, .*sslmode.*\.\n$/,
    );
    const env = await runCli(["status"], { DATABASE_URL: "postgres://app@127.0.0.1:1/app?api_key=s3cr3t" });
    expect(env.code).toBe(2);
    expectOneLine(env, /^be-db: DATABASE_URL has the query parameter "api_key", which node-postgres does not use/);
    expect(env.stderr).not.toContain("s3cr3t");
  });

  it.concurrent("refuses values node-postgres does not understand (sslmode, ssl, port, timeouts, files) with exit code 2", async () => {
    const base = "postgres://app@127.0.0.1:1/app";
    const cases: [string, RegExp][] = [
      [
        "?sslmode=bogus",
        /^be-db: --database-url has sslmode=bogus, which is not one of disable, prefer, require, verify-ca, verify-full, no-verify\.\n$/,
      ],
      ["?ssl=false", /^be-db: --database-url has ssl=false, which is not one of true, 1, 0, no-verify\.\n$/],
      ["?port=5432x", /^be-db: --database-url has port=5432x, which is not a port number \(1 to 65535\)\.\n$/],
      [
        "?statement_timeout=5s",
        /^be-db: --database-url has statement_timeout=5s, which is not a whole number of milliseconds\.\n$/,
      ],
      [
        "?sslnegotiation=fast",
        /^be-db: --database-url has sslnegotiation=fast, which is not one of postgres, direct\.\n$/,
      ],
      [
        "?sslrootcert=/nonexistent/ca.pem",
        /^be-db: --database-url cannot be used by node-postgres: ENOENT: .*\/nonexistent\/ca\.pem/,
      ],
    ];
    const runs = await Promise.all(cases.map(([query]) => runCli(["status", "--database-url", base + query])));
    runs.forEach((run, i) => {
      expect(run.code).toBe(2);
      expectOneLine(run, (cases[i] as [string, RegExp])[1]);
    });
  });

  it.concurrent("keeps errors one line with sslmode=prefer and uselibpqcompat=true", async () => {
    // sslmode=require (pg-connection-string's SECURITY WARNING on the real stderr) is run as a process: bin.test.ts.
    const run = await runCli([
      "status",
      "--database-url",
      "postgres://app@127.0.0.1:1/app?sslmode=prefer&uselibpqcompat=true",
    ]);
    expect(run.code).toBe(3);
    expectOneLine(
      run,
      /^be-db: Cannot reach postgres:\/\/app@127\.0\.0\.1:1\/app\?sslmode=prefer&uselibpqcompat=true: connect ECONNREFUSED/,
    );
    expect(run.stderr).not.toMatch(/WARNING/i);
  });

  it.concurrent("never prints a password from the userinfo or the query string in an error line", async () => {
    const run = await runCli([
      "check",
      "--database-url",
      "postgres://app:hunter2@127.0.0.1:1/app?password=hunter3&application_name=be-db",
    ]);
    expect(run.code).toBe(3);
    expectOneLine(
      run,
      /^be-db: Cannot reach postgres:\/\/app@127\.0\.0\.1:1\/app\?application_name=be-db: connect ECONNREFUSED/,
    );
    expect(run.stderr).not.toContain("hunter");
  });

  it.concurrent("reports a --pglite path that is a file, or under a file, in one readable line with exit code 3", async () => {
    const dir = tempDir("cli-file");
    try {
      const file = join(dir, "afile");
      writeFileSync(file, "not a database");
      const [isFile, underFile] = await Promise.all([
        runCli(["status", "--pglite", file]),
        runCli(["migrate", "--pglite", join(file, "data")]),
      ]);
      expect(isFile.code).toBe(3);
      expectOneLine(isFile, `be-db: Cannot open PGlite at ${file}: ${file} is a file, not a folder\n`);
      expect(underFile.code).toBe(3);
      expectOneLine(
        underFile,
        `be-db: Cannot open PGlite at ${file}/data: the folder cannot be created: a part of its path is a file\n`,
      );
      expect(readFileSync(file, "utf8")).toBe("not a database");
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
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

  it.concurrent("never prints a password when the server refuses the database (exit 5) or the role (exit 4)", async () => {
    const secret = (u: string) => {
      const parsed = new URL(u);
      parsed.password = "hunter2";
      parsed.searchParams.set("password", "hunter3");
      return parsed.toString();
    };
    const [missing, role] = await Promise.all([
      runCli(["migrate", "--database-url", secret(url("/bedb_no_such_database"))]),
      runCli(["check"], { DATABASE_URL: secret(url(new URL(serverUrl as string).pathname, "bedb_no_such_role")) }),
    ]);
    expect(missing.code).toBe(5);
    expectOneLine(missing, /does not exist \(postgres:\/\/postgres@[^/]+\/bedb_no_such_database\)\n$/);
    expect(role.code).toBe(4);
    expectOneLine(role, /^be-db: Login refused by postgres:\/\/bedb_no_such_role@[^/]+\/[^?:]+: /);
    for (const run of [missing, role]) expect(run.stderr).not.toContain("hunter");
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

  it("reports a missing password as a refused login (exit code 4), not as an unreachable server", async () => {
    const url = new URL(server.url);
    url.password = "";
    // node-postgres would take a password from PGPASSWORD (this process's environment): none here.
    const { PGPASSWORD } = process.env;
    delete process.env.PGPASSWORD;
    const run = await runCli(["status", "--database-url", url.toString()]).finally(() => {
      if (PGPASSWORD !== undefined) process.env.PGPASSWORD = PGPASSWORD;
    });
    expect(run.code).toBe(4);
    expectOneLine(
      run,
      `be-db: Login refused by ${url.toString()}: the server asks for a password and none was given (in the URL, PGPASSWORD or ~/.pgpass)\n`,
    );
  });
});
