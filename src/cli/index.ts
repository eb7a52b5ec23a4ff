#!/usr/bin/env node
// The `be-db` command (package.json `bin`). Everything is in program.ts; this file only runs it.
import { run } from "./program.js";

run(process.argv).then((code) => {
  process.exitCode = code;
});
