export { notDeleted, onlyDeleted } from "./conditions.js";
export { MissingWhereError, SoftDeleteError, type SoftDeleteOperation, UserNotFoundError } from "./errors.js";
export { type PurgeDeletedOptions, purgeDeleted } from "./purge.js";
export { restore, softDelete } from "./soft-delete.js";
export type { DeletedAtColumn, SoftDeletableTable, SoftDeleteWhere, WholeTable } from "./types.js";
export {
  type SoftDeleteSessionTable,
  type SoftDeleteUserOptions,
  type SoftDeleteUserResult,
  type SoftDeleteUserTable,
  softDeleteUser,
} from "./user.js";
