export { SOFT_DELETE_ERROR_CODES } from "./error-codes.js";
export { softDeletePlugin } from "./plugin.js";
