import { execFileSync } from "node:child_process";
import { chmodSync, chownSync, existsSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { join } from "node:path";
import { tempDir } from "./temp.js";

/**
 * A private, throw-away PostgreSQL cluster that demands a password (scram-sha-256), for testing what a wrong
 * password does: the shared test server uses trust authentication, where any password is accepted.
 * Needs PostgreSQL's server binaries (Debian: /usr/lib/postgresql/<n>/bin); as root, runs them as `postgres`.
 */
export interface PasswordServer {
  /** URL with the right password. */
  url: string;
  port: number;
  stop(): void;
}

/** The folder with `initdb` and `pg_ctl`, or `undefined` when this machine has none. */
export function serverBinaries(): string | undefined {
  try {
    const dir = execFileSync("pg_config", ["--bindir"], { encoding: "utf8" }).trim();
    if (existsSync(join(dir, "initdb"))) return dir;
  } catch {}
  const root = "/usr/lib/postgresql";
  if (!existsSync(root)) return undefined;
  for (const version of readdirSync(root).sort().reverse()) {
    if (existsSync(join(root, version, "bin", "initdb"))) return join(root, version, "bin");
  }
  return undefined;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() => resolve(typeof address === "object" && address ? address.port : 0));
    });
  });
}

function postgresUid(): number | undefined {
  try {
    return Number(execFileSync("id", ["-u", "postgres"], { encoding: "utf8" }).trim());
  } catch {
    return undefined;
  }
}

/** Starts the cluster (about 1.5 s). */
export async function startPasswordServer(bin: string, password: string): Promise<PasswordServer> {
  const dir = tempDir("pw");
  chmodSync(dir, 0o755);
  writeFileSync(join(dir, "pw"), `${password}\n`);
  const asRoot = process.getuid?.() === 0;
  const uid = asRoot ? postgresUid() : undefined;
  if (asRoot) {
    if (uid === undefined) throw new Error("running as root, but there is no postgres user to run the server as");
    chownSync(dir, uid, uid);
    chownSync(join(dir, "pw"), uid, uid);
  }
  const exec = (file: string, args: string[]) =>
    asRoot
      ? execFileSync("runuser", ["-u", "postgres", "--", join(bin, file), ...args], { stdio: "ignore" })
      : execFileSync(join(bin, file), args, { stdio: "ignore" });
  const port = await freePort();
  const data = join(dir, "data");
  exec("initdb", ["-D", data, "-U", "postgres", "--auth=scram-sha-256", `--pwfile=${join(dir, "pw")}`, "--no-sync"]);
  exec("pg_ctl", [
    "-D",
    data,
    "-o",
    `-p ${port} -k ${dir} -c listen_addresses=127.0.0.1 -c fsync=off`,
    "-w",
    "-l",
    join(dir, "log"),
    "start",
  ]);
  return {
    url: `postgres://postgres:${encodeURIComponent(password)}@127.0.0.1:${port}/postgres`,
    port,
    stop: () => {
      try {
        exec("pg_ctl", ["-D", data, "-m", "immediate", "stop"]);
      } finally {
        rmSync(dir, { recursive: true, force: true });
      }
    },
  };
}
