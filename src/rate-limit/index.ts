export { DbStoreError } from "./errors.js";
export type { DbStoreAlgorithm, DbStoreOptions, DbStoreTable } from "./options.js";
export type { OnDatabaseError } from "./outage.js";
export { type ConsumeResult, type ConsumeRule, DbStore, type DbStoreClientInfo } from "./store.js";
