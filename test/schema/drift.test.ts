/**
 * The shipped migrations match the table definitions: `drizzle-kit generate`, run with the repository's
 * drizzle.config.ts on a temporary copy of migrations/, finds nothing to generate. (When this fails, run
 * `npx drizzle-kit generate --name <what_changed>` and commit the new migration.) Each plugin's folder
 * (migrations/plugins/<plugin>/) likewise matches `defineAuthSchema({ plugins: [plugin] })` (when this fails, run
 * `npm run db:generate:plugins`).
 */
import { execFile } from "node:child_process";
import { cpSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";
import { generatePluginMigration } from "../../scripts/plugin-migrations.js";
import { type PluginName, pluginNames } from "../../src/schema/index.js";
import { tempDir } from "../support/temp.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const drizzleKit = join(root, "node_modules", ".bin", "drizzle-kit");

const listing = (folder: string) => [
  ...readdirSync(folder).filter((name) => name.endsWith(".sql")),
  ...readdirSync(join(folder, "meta")).map((name) => `meta/${name}`),
];

/**
 * Copies migrations/ to a temporary folder (optionally without its last `drop` migrations), runs
 * `drizzle-kit generate` there with the repository's config, and returns the files it added.
 */
async function generateAgainstCopy(drop = 0): Promise<string[]> {
  const folder = tempDir("drift");
  try {
    cpSync(join(root, "migrations"), folder, { recursive: true });
    if (drop > 0) {
      const journalPath = join(folder, "meta", "_journal.json");
      const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number; tag: string }[] };
      for (const entry of journal.entries.splice(-drop)) {
        rmSync(join(folder, `${entry.tag}.sql`));
        rmSync(join(folder, "meta", `${String(entry.idx).padStart(4, "0")}_snapshot.json`));
      }
      writeFileSync(journalPath, JSON.stringify(journal));
    }
    const before = listing(folder);
    // drizzle-kit takes no --out together with --config, and reads `out` relative to the working directory.
    const config = join(folder, "drift.config.ts");
    writeFileSync(
      config,
      `import base from ${JSON.stringify(join(root, "drizzle.config.ts"))};\n` +
        `export default { ...base, out: ${JSON.stringify(relative(root, folder))} };\n`,
    );
    await promisify(execFile)(drizzleKit, ["generate", "--config", config], { cwd: root, timeout: 60_000 });
    return listing(folder).filter((name) => !before.includes(name));
  } finally {
    rmSync(folder, { recursive: true, force: true });
  }
}

it("drizzle-kit generate finds no change between src/schema and migrations/", async () => {
  expect(await generateAgainstCopy()).toEqual([]);
});

it("the check notices drift: without the last migration, drizzle-kit would generate one", async () => {
  const added = await generateAgainstCopy(1);
  expect(added.some((name) => name.endsWith(".sql"))).toBe(true);
});

describe("each plugin's migrations match defineAuthSchema({ plugins: [plugin] })", () => {
  /** Runs the plugin generator (scripts/plugin-migrations.ts) on a temporary copy of migrations/. */
  async function generatePluginAgainstCopy(plugin: PluginName, drop = 0): Promise<string[]> {
    const folder = tempDir("plugin-drift");
    try {
      cpSync(join(root, "migrations"), folder, { recursive: true });
      if (drop > 0) {
        const pluginFolder = join(folder, "plugins", plugin);
        const journalPath = join(pluginFolder, "meta", "_journal.json");
        const journal = JSON.parse(readFileSync(journalPath, "utf8")) as { entries: { idx: number; tag: string }[] };
        for (const entry of journal.entries.splice(-drop)) {
          rmSync(join(pluginFolder, `${entry.tag}.sql`));
          rmSync(join(pluginFolder, "meta", `${String(entry.idx).padStart(4, "0")}_snapshot.json`));
        }
        writeFileSync(journalPath, JSON.stringify(journal));
      }
      return await generatePluginMigration(plugin, { migrations: folder, write: false });
    } finally {
      rmSync(folder, { recursive: true, force: true });
    }
  }

  it("drizzle-kit generates nothing for any plugin", { timeout: 180_000 }, async () => {
    const generated: Record<string, string[]> = {};
    // Two drizzle-kit runs at a time: each takes a few seconds.
    const queue = [...pluginNames];
    await Promise.all(
      [0, 1].map(async () => {
        for (let plugin = queue.shift(); plugin; plugin = queue.shift()) {
          generated[plugin] = await generatePluginAgainstCopy(plugin);
        }
      }),
    );
    expect(generated).toEqual(Object.fromEntries(pluginNames.map((p) => [p, []])));
  });

  it("the check notices drift: without its last migration, a plugin's would be generated again", {
    timeout: 60_000,
  }, async () => {
    expect(await generatePluginAgainstCopy("organization", 1)).toEqual(["0000_organization"]);
  });
});
