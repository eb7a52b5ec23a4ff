export * from "./migrate/index.js";
export * from "./rate-limit/index.js";
export * from "./schema/index.js";
export type { AnyPgDatabase } from "./shared/database.js";
export * from "./soft-delete/index.js";
