import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { chmodSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import pg from "pg";
import { tempDir } from "./temp.js";

/** A PgBouncer process of the test run's own, in transaction-pooling mode, in front of one PostgreSQL server. */
export interface PgBouncer {
  /** TCP port it listens on (127.0.0.1). */
  port: number;
  /** Server connections PgBouncer keeps per database and user (`default_pool_size`). */
  poolSize: number;
  /** `url` (a URL of the PostgreSQL server) rewritten to reach the same database through PgBouncer. */
  through(url: string): string;
  /** Stops the process (SIGINT, then waits for it to exit) and removes its temporary folder. */
  stop(): Promise<void>;
}

/** Where PgBouncer is: `PGBOUNCER` when set, else the first `pgbouncer` on `PATH` or in `/usr/sbin`. */
export function findPgBouncer(): string | undefined {
  const candidates = [process.env.PGBOUNCER, "pgbouncer", "/usr/sbin/pgbouncer"].filter(Boolean) as string[];
  return candidates.find((bin) => spawnSync(bin, ["--version"], { stdio: "ignore" }).status === 0);
}

/** Why the PgBouncer tests do not run on this machine, and how to make them run. */
export const pgBouncerMissing =
  "NOT RUN, pgbouncer is not installed (Debian/Ubuntu: `apt-get install pgbouncer`; elsewhere set PGBOUNCER to its path)";

/**
 * Title for a `describe.runIf(findPgBouncer())` block: the name alone when PgBouncer is installed, else the name
 * and `pgBouncerMissing` (also printed as a warning, as `serverOnly` does).
 */
export function pgBouncerOnly(name: string, bin: string | undefined): string {
  if (bin) return name;
  const title = `${name}: ${pgBouncerMissing}`;
  console.warn(`[@be-monorepo/db tests] ${title}`);
  return title;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

/** Resolves once PgBouncer logs that it is up; rejects with its log if it exits first. */
function waitUntilUp(child: ChildProcess): Promise<void> {
  return new Promise((resolve, reject) => {
    let log = "";
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      if (log.includes("process up")) {
        child.off("exit", onExit);
        child.stderr?.off("data", onData);
        resolve();
      }
    };
    const onExit = (code: number | null) =>
      reject(new Error(`pgbouncer exited (code ${code}) before it was up:\n${log}`));
    child.stderr?.on("data", onData);
    child.once("exit", onExit);
  });
}

/**
 * Starts PgBouncer in transaction-pooling mode in front of the server of `serverUrl`, with a generated ini in a
 * temporary folder (not the system service):
 *
 * - listens on 127.0.0.1, on a free port; no Unix socket;
 * - `[databases] * = host=… port=…`: every database of the server, by the name the client asks for;
 * - `auth_type = trust` with an `auth_file` listing the URL's user (and its password, if the URL has one, which
 *   PgBouncer then uses to log in to the server);
 * - `pool_mode = transaction`, `default_pool_size` = `poolSize` (default 3), so that several clients share
 *   fewer server connections, as with many app instances in production.
 *
 * PgBouncer refuses to run as root; when the tests run as root it is started with `-u postgres`
 * (`PGBOUNCER_USER` overrides the user), so the folder is made readable for that user.
 * Resolves once PgBouncer answers a query through it (no fixed sleep).
 */
export async function startPgBouncer(serverUrl: string, { poolSize = 3 } = {}): Promise<PgBouncer> {
  const bin = findPgBouncer();
  if (!bin) throw new Error(`pgbouncer: ${pgBouncerMissing}`);
  const server = new URL(serverUrl);
  const user = decodeURIComponent(server.username || "postgres");
  const port = await freePort();
  const dir = tempDir("pgbouncer");
  chmodSync(dir, 0o755);
  const authFile = join(dir, "userlist.txt");
  // With auth_type = trust PgBouncer lets clients in unchecked, and logs in to the server with this password
  // (needed when the server asks for one, as the testcontainers server does).
  const quote = (value: string) => `"${value.replaceAll('"', '""')}"`;
  writeFileSync(authFile, `${quote(user)} ${quote(decodeURIComponent(server.password))}\n`, { mode: 0o644 });
  const ini = join(dir, "pgbouncer.ini");
  writeFileSync(
    ini,
    [
      "[databases]",
      `* = host=${server.hostname} port=${server.port || 5432}`,
      "[pgbouncer]",
      "listen_addr = 127.0.0.1",
      `listen_port = ${port}`,
      "unix_socket_dir =",
      "auth_type = trust",
      `auth_file = ${authFile}`,
      `admin_users = ${user}`,
      "pool_mode = transaction",
      `default_pool_size = ${poolSize}`,
      "max_client_conn = 200",
      "log_connections = 0",
      "log_disconnections = 0",
      "",
    ].join("\n"),
    { mode: 0o644 },
  );
  const args = process.getuid?.() === 0 ? ["-u", process.env.PGBOUNCER_USER ?? "postgres", ini] : [ini];
  const child = spawn(bin, args, { stdio: ["ignore", "ignore", "pipe"] });
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) child.kill("SIGINT");
    await exited;
    rmSync(dir, { recursive: true, force: true });
  };
  const through = (url: string) => {
    const target = new URL(url);
    target.hostname = "127.0.0.1";
    target.port = String(port);
    return target.toString();
  };
  try {
    await waitUntilUp(child);
    const client = new pg.Client({ connectionString: through(serverUrl) });
    await client.connect();
    try {
      await client.query("select 1");
    } finally {
      await client.end();
    }
  } catch (error) {
    await stop();
    throw error;
  }
  child.stderr?.resume();
  return { port, poolSize, through, stop };
}
