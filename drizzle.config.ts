import { defineConfig } from "drizzle-kit";

// Generates migrations/ from the table definitions: `npm run db:generate -- --name <what_changed>`.
// Column names are explicit in src/schema, so no `casing` is needed here.
export default defineConfig({
  dialect: "postgresql",
  schema: ["./src/schema/auth.ts", "./src/schema/rate-limit.ts"],
  out: "./migrations",
  migrations: { schema: "drizzle", table: "__be_db_migrations" },
});
