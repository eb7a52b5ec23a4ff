/**
 * How a caller's key becomes the text stored in `rate_limit.key`, and the rules for `prefix`.
 *
 * The stored key is `prefix + key` when that is at most `MAX_KEY_BYTES` UTF-8 bytes and the key does not start
 * with `DIGEST_MARKER`; otherwise it is `prefix + DIGEST_MARKER + sha256(key)` (64 lowercase hex digits). So
 * every string key is counted, however long (an attacker's 10 KB `x-forwarded-for` is still limited), and no
 * stored key ever comes near PostgreSQL's btree limit for an index entry (2704 bytes). A key that itself starts
 * with the marker is digested too, so no key stored verbatim can take the place of another key's digest.
 */
import { createHash } from "node:crypto";

const PACKAGE = "@be-monorepo/db";

/** Longest stored key (`prefix + key`) kept verbatim, in UTF-8 bytes; longer keys are stored as a digest. */
export const MAX_KEY_BYTES = 1024;
/** Longest `prefix`, in UTF-8 bytes. */
export const MAX_PREFIX_BYTES = 64;
/** Put between the prefix and a key's SHA-256 digest (hex) when the key is stored as a digest. */
export const DIGEST_MARKER = "#sha256:";

/**
 * A key shorter than this (in UTF-16 code units, prefix included) fits in `MAX_KEY_BYTES` without measuring:
 * a code unit takes at most 3 UTF-8 bytes (a surrogate pair, two units, takes 4).
 */
const SURELY_SHORT = Math.floor(MAX_KEY_BYTES / 3);

/**
 * Checks that `text` can be stored in a PostgreSQL `text` column: PostgreSQL rejects the NUL character
 * (U+0000), and a lone UTF-16 surrogate has no UTF-8 form (the driver would store U+FFFD instead). Throws a
 * `TypeError` naming the package and `what`.
 */
export function checkKeyText(text: string, what = "key"): void {
  if (text.includes("\u0000")) {
    throw new TypeError(
      `${PACKAGE}: DbStore ${what} contains a NUL character (U+0000), which PostgreSQL text cannot store`,
    );
  }
  if (!(text as string & { isWellFormed(): boolean }).isWellFormed()) {
    throw new TypeError(
      `${PACKAGE}: DbStore ${what} contains a lone UTF-16 surrogate, which PostgreSQL text cannot store verbatim`,
    );
  }
}

/**
 * Checks the `prefix` option: a string of 1 to `MAX_PREFIX_BYTES` UTF-8 bytes that ends with ":" and has no
 * other ":" (`"rl:"`, `"rl-login:"`). Then no stored key of one store can start with another store's prefix,
 * so two stores never share a counter and `resetAll()` of one never deletes another's keys. Throws a
 * `TypeError` naming the package.
 */
export function checkPrefix(prefix: unknown): asserts prefix is string {
  if (typeof prefix !== "string") {
    throw new TypeError(`${PACKAGE}: DbStore option \`prefix\` must be a string (got ${typeof prefix})`);
  }
  checkKeyText(prefix, "prefix");
  if (!prefix.endsWith(":") || prefix.indexOf(":") !== prefix.length - 1) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`prefix\` must be non-empty, end with ":" and contain no other ":" (for example "rl:" or "rl-login:"), got ${JSON.stringify(prefix)}. Stores share the rate_limit table: with this rule no key of one store can begin with another store's prefix, so stores never share a counter and resetAll() of one never deletes another's keys`,
    );
  }
  if (Buffer.byteLength(prefix, "utf8") > MAX_PREFIX_BYTES) {
    throw new TypeError(
      `${PACKAGE}: DbStore option \`prefix\` is ${Buffer.byteLength(prefix, "utf8")} UTF-8 bytes long; at most ${MAX_PREFIX_BYTES} are allowed`,
    );
  }
}

/**
 * The text stored in `rate_limit.key` for `key` under `prefix` (already checked): `prefix + key`, or
 * `prefix + DIGEST_MARKER + sha256(key)` when that is longer than `MAX_KEY_BYTES` UTF-8 bytes or the key starts
 * with the marker.
 * @throws {TypeError} naming the package when `key` is not a string, or holds a NUL or a lone surrogate.
 */
export function storedKey(prefix: string, key: string): string {
  if (typeof key !== "string") {
    throw new TypeError(`${PACKAGE}: DbStore keys must be strings (got ${typeof key})`);
  }
  checkKeyText(key);
  const full = prefix + key;
  if (
    (full.length <= SURELY_SHORT || Buffer.byteLength(full, "utf8") <= MAX_KEY_BYTES) &&
    !key.startsWith(DIGEST_MARKER)
  ) {
    return full;
  }
  return prefix + DIGEST_MARKER + createHash("sha256").update(key, "utf8").digest("hex");
}
