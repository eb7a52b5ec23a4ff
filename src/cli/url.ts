import { UsageError } from "./errors.js";

/** Accepts any value. */
const anyValue = () => true;
/** A whole number of milliseconds (node-postgres reads these with `parseInt`, so `5s` would silently mean 5 ms). */
const milliseconds = (value: string) => /^\d+$/.test(value);
const oneOf = (...values: string[]) => Object.assign((value: string) => values.includes(value), { values });

/**
 * The query parameters node-postgres 8 takes from a connection URL, with the values it understands. Read from
 * pg-connection-string 2.x `parse()` (which copies every query parameter into the config, then interprets `ssl`,
 * `sslmode`, `sslcert`, `sslkey`, `sslrootcert`, `sslnegotiation` and `uselibpqcompat`) and from pg's
 * `ConnectionParameters` / `Client` (which read `user`, `password`, `host`, `port`, `options`, `client_encoding`,
 * `application_name`, `fallback_application_name` and the timeouts from that config). Everything else in the query
 * string is ignored by node-postgres (`database`, `binary`, `connect_timeout`, libpq's `target_session_attrs`, …),
 * so `be-db` refuses it rather than let a setting look applied when it is not. `replication` is honoured by
 * node-postgres but left out on purpose: migrations cannot run over a replication connection.
 */
const PARAMETERS: Record<string, ((value: string) => boolean) & { values?: string[] }> = {
  user: anyValue,
  password: anyValue,
  host: anyValue,
  port: (value) => /^\d+$/.test(value) && Number(value) >= 1 && Number(value) <= 65_535,
  options: anyValue,
  client_encoding: anyValue,
  application_name: anyValue,
  fallback_application_name: anyValue,
  statement_timeout: milliseconds,
  lock_timeout: milliseconds,
  idle_in_transaction_session_timeout: milliseconds,
  query_timeout: milliseconds,
  // `ssl=false` is kept as the string "false" by pg-connection-string, which node-postgres takes as SSL on.
  ssl: oneOf("true", "1", "0", "no-verify"),
  sslmode: oneOf("disable", "prefer", "require", "verify-ca", "verify-full", "no-verify"),
  sslcert: anyValue,
  sslkey: anyValue,
  sslrootcert: anyValue,
  sslnegotiation: oneOf("postgres", "direct"),
  uselibpqcompat: oneOf("true", "false"),
};

/** The query parameter names `be-db` accepts in a database URL, in the order docs/cli.md lists them. */
export const urlParameters = Object.keys(PARAMETERS);

/**
 * Checks the query parameters of a database URL and returns the connection string to give node-postgres.
 * Each parameter must be one node-postgres honours (see {@link urlParameters}) with a value it understands.
 *
 * `sslmode=prefer|require|verify-ca` (without `uselibpqcompat=true`) is passed on as `sslmode=verify-full`:
 * pg-connection-string 2.x already treats those three as `verify-full`, and says so with a multi-line
 * "SECURITY WARNING" through `process.emitWarning`, which would break the CLI's one-line errors. Passing the mode
 * its own warning recommends keeps node-postgres's behaviour and drops the warning.
 * @param url a URL that `new URL()` accepts (checked by the caller)
 * @param source where the URL came from, for the message: `--database-url` or `DATABASE_URL`
 * @returns the URL to connect with (the input unchanged unless `sslmode` was mapped)
 * @throws {UsageError} naming the first unknown parameter (its value is not shown), or the parameter whose value
 *   is not understood (only parameters with a fixed form can fail, so a password is never shown).
 */
export function connectionStringOf(url: string, source: string): string {
  const parsed = new URL(url);
  for (const [name, value] of parsed.searchParams) {
    const valid = Object.hasOwn(PARAMETERS, name) ? PARAMETERS[name] : undefined;
    if (!valid) {
      throw new UsageError(
        `${source} has the query parameter "${name}", which node-postgres does not use; accepted: ${urlParameters.join(", ")}.`,
      );
    }
    if (!valid(value)) {
      const expected = valid.values
        ? `one of ${valid.values.join(", ")}`
        : name === "port"
          ? "a port number (1 to 65535)"
          : "a whole number of milliseconds";
      throw new UsageError(`${source} has ${name}=${value}, which is not ${expected}.`);
    }
  }
  const mode = parsed.searchParams.get("sslmode");
  if (
    (mode === "prefer" || mode === "require" || mode === "verify-ca") &&
    parsed.searchParams.get("uselibpqcompat") !== "true"
  ) {
    parsed.searchParams.set("sslmode", "verify-full");
    return parsed.toString();
  }
  return url;
}

/**
 * The URL with every password removed, for messages: the userinfo password and a `password` query parameter.
 * A password never reaches the terminal or a CI log.
 * @returns the URL without passwords, or `the database URL` when it cannot be parsed
 */
export function describeUrl(url: string): string {
  try {
    const parsed = new URL(url);
    parsed.password = "";
    if (parsed.searchParams.has("password")) parsed.searchParams.delete("password");
    return parsed.toString();
  } catch {
    return "the database URL";
  }
}
