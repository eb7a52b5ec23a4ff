/** The PostgreSQL error (SQLSTATE `code`, `column`, `message`) somewhere in `error`'s `cause` chain, if any. */
export function pgError(error: unknown): { code: string; column?: string; message: string } | undefined {
  let current: unknown = error;
  for (let depth = 0; current && depth < 10; depth += 1) {
    const candidate = current as { code?: unknown; column?: string; message?: string; cause?: unknown };
    if (typeof candidate.code === "string" && /^[0-9A-Z]{5}$/.test(candidate.code)) {
      return { code: candidate.code, column: candidate.column, message: candidate.message ?? "" };
    }
    current = candidate.cause;
  }
  return undefined;
}

/** Awaits `promise`, expecting it to reject, and returns the PostgreSQL error inside the rejection. */
export async function rejectionPgError(promise: Promise<unknown>) {
  try {
    await promise;
  } catch (error) {
    return pgError(error) ?? { code: "none", message: String(error) };
  }
  throw new Error("expected the promise to reject, but it resolved");
}
