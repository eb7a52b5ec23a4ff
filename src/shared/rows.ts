/**
 * The rows of a `db.execute()` result, whatever the driver: node-postgres and PGlite answer `{ rows }`,
 * postgres.js answers an array of rows.
 */
export function rowsOf(result: unknown): Record<string, unknown>[] {
  return (Array.isArray(result) ? result : ((result as { rows?: unknown[] }).rows ?? [])) as Record<string, unknown>[];
}
