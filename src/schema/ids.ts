import { sql } from "drizzle-orm";
import { text } from "drizzle-orm/pg-core";

/**
 * A `text` primary key named `id` that the database fills with a random UUID (`gen_random_uuid()::text`,
 * built into PostgreSQL 13 and later) when an insert leaves it out.
 *
 * Text rather than `uuid`, because Better Auth generates its own 32-character ids by default; the database
 * default covers `advanced.database.generateId: 'uuid'`, where Better Auth leaves the id to the database.
 */
export const textId = () => text("id").primaryKey().default(sql`gen_random_uuid()::text`);
