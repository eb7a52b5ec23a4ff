/**
 * `be-db` accepts only the URL query parameters node-postgres uses (src/cli/url.ts). This checks that list against
 * node-postgres itself, with the pg-connection-string it installs: a parameter is "used" when giving it changes
 * what a `pg.Client` would do (where it connects, the password, the startup packet sent to the server, TLS,
 * the encoding, the client-side query timeout). Every accepted parameter must be used, and every other parameter
 * of libpq or of node-postgres's config that someone may put in a URL must change nothing.
 */
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { dirname, join } from "node:path";
import pg from "pg";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { urlParameters } from "../../src/cli/url.js";
import { tempDir } from "../support/temp.js";

const BASE = "postgres://app@db.internal:5432/app";

/** Every libpq connection keyword (PostgreSQL 17's list) and node-postgres config names a URL might carry. */
const CANDIDATES = [
  ...["host", "hostaddr", "port", "dbname", "user", "password", "passfile", "require_auth", "channel_binding"],
  ...["connect_timeout", "client_encoding", "options", "application_name", "fallback_application_name"],
  ...["keepalives", "keepalives_idle", "keepalives_interval", "keepalives_count", "tcp_user_timeout"],
  ...["replication", "gssencmode", "sslmode", "requiressl", "sslnegotiation", "sslcompression", "sslcert"],
  ...["sslkey", "sslpassword", "sslcertmode", "sslrootcert", "sslcrl", "sslcrldir", "sslsni", "requirepeer"],
  ...["ssl_min_protocol_version", "ssl_max_protocol_version", "krbsrvname", "gsslib", "gssdelegation"],
  ...["service", "target_session_attrs", "load_balance_hosts"],
  ...["database", "binary", "ssl", "sslca", "connectionTimeoutMillis", "keepAlive", "keepAliveInitialDelayMillis"],
  ...["idleTimeoutMillis", "max", "statement_timeout", "lock_timeout", "idle_in_transaction_session_timeout"],
  ...["query_timeout", "pipeline", "enableChannelBinding", "scramMaxIterations", "encoding", "db", "uselibpqcompat"],
  ...["search_path", "schema", "currentSchema", "timezone", "TimeZone", "sslservername"],
];

let dir: string;
let file: string;
beforeAll(() => {
  dir = tempDir("url");
  file = join(dir, "pem");
  writeFileSync(file, "not really a certificate");
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** A value that has an effect if node-postgres reads the parameter at all. */
function sampleValue(name: string): string {
  if (name === "port") return "5433";
  if (name === "sslmode") return "no-verify";
  if (name === "sslnegotiation") return "direct";
  if (name === "sslcert" || name === "sslkey" || name === "sslrootcert") return file;
  if (name.endsWith("timeout") || name.endsWith("Millis") || name === "max" || name === "scramMaxIterations") {
    return "100";
  }
  if (["ssl", "binary", "keepAlive", "pipeline", "enableChannelBinding", "replication"].includes(name)) return "true";
  return "some-value";
}

/** What a `pg.Client` made from this connection string would do, as one comparable string. */
function behaviour(connectionString: string): string {
  const client = new pg.Client({ connectionString });
  const params = (client as unknown as { connectionParameters: Record<string, unknown> }).connectionParameters;
  const ssl = client.ssl as unknown;
  const sslShape =
    typeof ssl === "object" && ssl !== null
      ? Object.fromEntries(
          [...Object.getOwnPropertyNames(ssl)].map((key) => {
            const value = (ssl as Record<string, unknown>)[key];
            return [key, typeof value === "function" ? "(function)" : value];
          }),
        )
      : ssl;
  return JSON.stringify({
    host: client.host,
    port: client.port,
    password: client.password,
    startup: (client as unknown as { getStartupConf(): unknown }).getStartupConf(),
    ssl: sslShape,
    sslNegotiation: (client as unknown as { sslNegotiation: unknown }).sslNegotiation,
    encoding: params.client_encoding,
    queryTimeout: params.query_timeout,
    binary: (client as unknown as { binary: unknown }).binary,
  });
}

const withParameter = (name: string, value = sampleValue(name)) => `${BASE}?${new URLSearchParams({ [name]: value })}`;

describe("be-db's URL query parameters against node-postgres and its pg-connection-string", () => {
  it("checks the pg-connection-string node-postgres installs", () => {
    const entry = createRequire(createRequire(import.meta.url).resolve("pg")).resolve("pg-connection-string");
    const { version } = JSON.parse(readFileSync(join(dirname(entry), "package.json"), "utf8")) as { version: string };
    // url.ts was written against pg-connection-string 2.x; a new major needs the list read again.
    expect(version).toMatch(/^2\./);
  });

  it("accepts exactly the parameters that change what node-postgres does (replication left out on purpose)", () => {
    const base = behaviour(BASE);
    const names = [...new Set([...CANDIDATES, ...urlParameters])];
    const used = names.filter((name) =>
      name === "uselibpqcompat"
        ? // Only changes how sslmode is read (libpq's meanings: no-verify is not one of them).
          behaviour(`${BASE}?sslmode=no-verify&uselibpqcompat=true`) !== behaviour(`${BASE}?sslmode=no-verify`)
        : behaviour(withParameter(name)) !== base,
    );
    expect(used.sort()).toEqual([...urlParameters, "replication"].sort());
  });

  it("reads values as url.ts says: ssl=false turns TLS on, timeouts and ports go through parseInt", () => {
    expect(JSON.parse(behaviour(withParameter("ssl", "false"))).ssl).toBe("false");
    expect(new pg.Client({ connectionString: withParameter("ssl", "false") }).ssl).toBeTruthy();
    expect(JSON.parse(behaviour(withParameter("statement_timeout", "5s"))).startup.statement_timeout).toBe("5");
    expect(JSON.parse(behaviour(withParameter("port", "5433x"))).port).toBe(5433);
  });
});
