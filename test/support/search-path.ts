import { PGlite } from "@electric-sql/pglite";
import { drizzle as drizzlePg } from "drizzle-orm/node-postgres";
import { drizzle as drizzlePglite } from "drizzle-orm/pglite";
import type { AnyPgDatabase } from "../../src/shared/database.js";
import { adminQuery, closablePool, createServerDatabase, serverUrl } from "./database.js";

/** A fresh database whose every session has `search_path` set to `searchPath` (schema `other` exists). */
export interface PlacedDatabase {
  db: AnyPgDatabase;
  kind: "postgres" | "pglite";
  url: string | undefined;
  close(): Promise<void>;
}

/**
 * A fresh database (on the server when there is one, else a new PGlite) where every session starts with
 * `search_path = searchPath`: libpq's `options=-c search_path=…` on the server, `SET search_path` on PGlite's one
 * session. An empty schema `other` is there to point it at.
 */
export async function databaseWithSearchPath(label: string, searchPath: string): Promise<PlacedDatabase> {
  if (serverUrl) {
    const database = await createServerDatabase(label);
    await adminQuery("create schema other", database.url);
    const { pool, end } = closablePool({
      connectionString: database.url,
      max: 5,
      options: `-c search_path=${searchPath.replaceAll(" ", "\\ ")}`,
    });
    return {
      db: drizzlePg(pool),
      kind: "postgres",
      url: database.url,
      close: async () => {
        await end();
        await database.drop();
      },
    };
  }
  const client = new PGlite();
  await client.exec(`create schema other; set search_path to ${searchPath}`);
  return { db: drizzlePglite(client), kind: "pglite", url: undefined, close: () => client.close() };
}
