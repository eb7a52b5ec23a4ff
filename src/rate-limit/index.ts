export { DbStoreError } from "./errors.js";
export type { DbStoreOptions, DbStoreTable } from "./options.js";
export { DbStore, type DbStoreClientInfo } from "./store.js";
