import { defineConfig } from "tsup";

// One output per public entry point, flat in dist/, as ESM (.js) and CommonJS (.cjs) with their own types.
export default defineConfig({
  entry: {
    index: "src/index.ts",
    schema: "src/schema/index.ts",
    migrate: "src/migrate/index.ts",
    "rate-limit": "src/rate-limit/index.ts",
    "soft-delete": "src/soft-delete/index.ts",
    "better-auth": "src/better-auth/index.ts",
    cli: "src/cli/index.ts",
  },
  format: ["esm", "cjs"],
  dts: true,
  shims: true,
  clean: true,
  target: "node20",
  splitting: true,
  sourcemap: false,
});
