import { afterAll } from "vitest";
import { removeTempDirs } from "./support/temp.js";

// Runs in every test file (vitest.config.ts `setupFiles`): the file's temporary folders go when the file ends.
afterAll(removeTempDirs);
