import type { BehaviourContext } from "../behaviour.js";
import { cascadeCase } from "./cascade.js";
import { dbStoreCase } from "./db-store.js";
import { migrateCase } from "./migrate.js";
import { relationalQueryCase } from "./relational-query.js";
import { roundTripCase } from "./round-trip.js";
import { softDeleteCase } from "./soft-delete.js";
import { transactionCase } from "./transaction.js";

/**
 * One behaviour of the package, proven on every driver and host setting: a function that registers its
 * `describe`/`it` blocks for the context it is given (it may register nothing when a trait rules it out, for
 * example relational queries on a drizzle instance made without `schema`).
 */
export type BehaviourCase = (context: BehaviourContext) => void;

/**
 * Every case `runBehaviourSuite` runs by default. To add one: write
 * `cases/<name>.ts` exporting a `BehaviourCase`, and list it here.
 */
export const behaviourCases: readonly BehaviourCase[] = [
  migrateCase,
  roundTripCase,
  relationalQueryCase,
  cascadeCase,
  transactionCase,
  softDeleteCase,
  dbStoreCase,
];
