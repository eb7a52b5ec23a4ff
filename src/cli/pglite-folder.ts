import { mkdir, stat } from "node:fs/promises";
import { ConnectionError } from "./errors.js";

/** Node's file-system error codes in words, for the reasons a folder cannot be created. */
const REASONS: Record<string, string> = {
  ENOTDIR: "a part of its path is a file",
  EACCES: "permission denied",
  EPERM: "operation not permitted",
  EROFS: "the file system is read-only",
  ENOSPC: "no space left on the device",
  ENAMETOOLONG: "the name is too long",
};

const reasonOf = (error: unknown) => {
  const code = (error as { code?: unknown }).code;
  return typeof code === "string" && REASONS[code]
    ? REASONS[code]
    : error instanceof Error
      ? error.message
      : String(error);
};

/**
 * Makes sure the `--pglite` path is a folder PGlite can open, creating it (and its parents) when missing.
 * Checked here because PGlite's own file-system errors only say `ErrnoError (errno 54)`.
 * @param dir the `--pglite` path
 * @param target what messages call the database (`PGlite at DIR`)
 * @throws {ConnectionError} `Cannot open PGlite at DIR`, whose `cause` says why in words ("DIR is a file, not a
 *   folder" or "the folder cannot be created: <reason>") and has the file system's error as its own `cause`.
 */
export async function openablePgliteFolder(dir: string, target: string): Promise<void> {
  const found = await stat(dir).catch(() => undefined);
  if (found) {
    if (!found.isDirectory()) {
      throw new ConnectionError(`Cannot open ${target}`, target, {
        cause: new Error(`${dir} is a file, not a folder`),
      });
    }
    return;
  }
  try {
    await mkdir(dir, { recursive: true });
  } catch (cause) {
    const reason = new Error(`the folder cannot be created: ${reasonOf(cause)}`, { cause });
    throw new ConnectionError(`Cannot open ${target}`, target, { cause: reason });
  }
}
