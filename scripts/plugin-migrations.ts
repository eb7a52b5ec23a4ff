/**
 * Generates each plugin's migrations (`npm run db:generate:plugins`): for every supported plugin, drizzle-kit
 * compares `defineAuthSchema({ plugins: [plugin] })` with the core's newest snapshot plus the plugin's own newest
 * one, and writes what changed as the next migration of `migrations/plugins/<plugin>/` (its own drizzle-kit folder,
 * journal and snapshots). So a plugin's migrations only ever add its tables and columns on top of the core's.
 *
 * `node_modules/.bin/drizzle-kit` does the diffing; this script only prepares its `out` folder: a copy of the
 * plugin's folder whose newest snapshot is merged with the core's newest (`mergeSnapshots`), or, for a plugin
 * without migrations yet, the core's newest snapshot alone.
 */
import { execFile } from "node:child_process";
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { readMigrationFolder } from "../src/migrate/journal.js";
import { mergeSnapshots, pluginMigrationsFolder } from "../src/migrate/plugins.js";
import { readSnapshot } from "../src/migrate/snapshot.js";
import { modelsOf, type PluginName, pluginNames } from "../src/schema/define.js";

const root = fileURLToPath(new URL("..", import.meta.url));

interface Journal {
  version: string;
  dialect: string;
  entries: { idx: number; when: number; tag: string }[];
}

/**
 * Runs drizzle-kit for one plugin against `migrations` (the core's folder; default the repository's). Returns the
 * tags of the migrations it generated (empty when the plugin's folder is up to date). With `write: false`, nothing
 * is written to `migrations` (the drift test's check).
 */
export async function generatePluginMigration(
  plugin: PluginName,
  { migrations = join(root, "migrations"), write = true }: { migrations?: string; write?: boolean } = {},
): Promise<string[]> {
  const target = pluginMigrationsFolder(plugin, migrations);
  const core = readMigrationFolder(migrations).at(-1);
  if (!core) throw new Error(`no core migration in ${migrations}`);
  const coreSnapshot = readSnapshot(migrations, core.idx);
  // drizzle-kit resolves `out` and `schema` from its working directory, so the temporary folder is inside root.
  const temp = mkdtempSync(join(root, "node_modules", ".be-db-plugin-"));
  try {
    const out = join(temp, "out");
    if (existsSync(join(target, "meta", "_journal.json"))) cpSync(target, out, { recursive: true });
    mkdirSync(join(out, "meta"), { recursive: true });
    const journalPath = join(out, "meta", "_journal.json");
    if (!existsSync(journalPath)) {
      writeFileSync(journalPath, JSON.stringify({ version: "7", dialect: "postgresql", entries: [] }));
    }
    const journal = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
    const last = journal.entries.at(-1);
    if (last) {
      const own = readSnapshot(out, last.idx);
      const merged = { ...mergeSnapshots(coreSnapshot, own), id: (own as { id?: string }).id };
      const file = join(out, "meta", `${String(last.idx).padStart(4, "0")}_snapshot.json`);
      writeFileSync(file, JSON.stringify({ ...merged, prevId: (own as { prevId?: string }).prevId }, null, 2));
    } else {
      // drizzle-kit diffs against the newest snapshot in meta/; the new migration (idx 0) then replaces this one.
      writeFileSync(join(out, "meta", "0000_snapshot.json"), JSON.stringify(coreSnapshot, null, 2));
    }
    const schemaFile = join(temp, "schema.ts");
    const define = join(root, "src", "schema", "define.ts");
    writeFileSync(
      schemaFile,
      `import { defineAuthSchema } from ${JSON.stringify(define)};\n` +
        `const s = defineAuthSchema({ plugins: [${JSON.stringify(plugin)}] });\n` +
        modelsOf([plugin])
          .map((model) => `export const ${model}Table = s.${model}Table;\n`)
          .join(""),
    );
    const config = join(temp, "drizzle.config.ts");
    writeFileSync(
      config,
      `export default ${JSON.stringify({
        dialect: "postgresql",
        schema: relative(root, schemaFile),
        out: relative(root, out),
        migrations: { schema: "drizzle", table: "__be_db_migrations" },
      })};\n`,
    );
    const drizzleKit = join(root, "node_modules", ".bin", "drizzle-kit");
    await promisify(execFile)(drizzleKit, ["generate", "--config", config, "--name", plugin], {
      cwd: root,
      timeout: 60_000,
    });
    const after = JSON.parse(readFileSync(journalPath, "utf8")) as Journal;
    const added = after.entries.slice(journal.entries.length);
    if (write && added.length > 0) {
      mkdirSync(join(target, "meta"), { recursive: true });
      for (const entry of added) {
        const snapshot = `${String(entry.idx).padStart(4, "0")}_snapshot.json`;
        cpSync(join(out, `${entry.tag}.sql`), join(target, `${entry.tag}.sql`));
        cpSync(join(out, "meta", snapshot), join(target, "meta", snapshot));
      }
      writeFileSync(join(target, "meta", "_journal.json"), `${JSON.stringify(after, null, 2)}\n`);
    }
    return added.map((entry) => entry.tag);
  } finally {
    rmSync(temp, { recursive: true, force: true });
  }
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const only = process.argv.slice(2) as PluginName[];
  for (const plugin of only.length > 0 ? only : pluginNames) {
    const tags = await generatePluginMigration(plugin);
    console.log(`${plugin}: ${tags.length > 0 ? tags.join(", ") : "no change"}`);
  }
}
