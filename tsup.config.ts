import { chmodSync, readFileSync } from "node:fs";
import { defineConfig } from "tsup";

const cliEntry = "src/cli/index.ts";
// The `be-db` bin needs a shebang to run from `node_modules/.bin`. The build adds it unless the source already has
// one (esbuild keeps an entry's own hashbang, and two of them would not parse).
const cliHasShebang = readFileSync(cliEntry, "utf8").startsWith("#!");

export default defineConfig([
  // The library: one output per public entry point, flat in dist/, as ESM (.js) and CommonJS (.cjs), each with
  // its own declarations (.d.ts, .d.cts). package.json `exports` lists exactly these files.
  {
    entry: {
      index: "src/index.ts",
      schema: "src/schema/index.ts",
      migrate: "src/migrate/index.ts",
      "rate-limit": "src/rate-limit/index.ts",
      "soft-delete": "src/soft-delete/index.ts",
      "better-auth": "src/better-auth/index.ts",
    },
    format: ["esm", "cjs"],
    dts: true,
    shims: true,
    // Both builds below write into dist/ at the same time: this one must not remove the CLI's file.
    clean: ["!cli.js"],
    target: "node20",
    splitting: true,
    sourcemap: false,
  },
  // The `be-db` CLI: package.json `bin` runs it with Node, so only ESM, no declarations (nothing imports it).
  {
    entry: { cli: cliEntry },
    format: ["esm"],
    dts: false,
    shims: true,
    clean: false,
    target: "node20",
    sourcemap: false,
    banner: cliHasShebang ? undefined : { js: "#!/usr/bin/env node" },
    // tsup marks a new shebang file executable but keeps the mode of one it overwrites (this build does not
    // clean dist/, see above), so set it here: npm links the bin as is on Unix.
    onSuccess: async () => chmodSync("dist/cli.js", 0o755),
  },
]);
