export type { CheckSchemaOptions, HostSchema } from "./check.js";
export { checkSchema } from "./check.js";
export { MigrationError, SchemaMismatchError } from "./errors.js";
export { migrationsFolder } from "./folder.js";
export type { MigrateOptions, MigrateResult, MigrationInfo, MigrationStatus } from "./migrate.js";
export { migrate, migrationStatus } from "./migrate.js";
export { pluginMigrationsFolder, prepareHostMigrations } from "./plugins.js";
