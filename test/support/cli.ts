import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** What one run of `be-db` did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `be-db` from the sources as a real child process (`tsx src/cli/index.ts …`), without colours and,
 * unless `env` sets it, without `DATABASE_URL`, so the test decides where it connects.
 */
export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const { DATABASE_URL: _ignored, ...inherited } = process.env;
  return new Promise((resolve) => {
    execFile(
      "node_modules/.bin/tsx",
      ["src/cli/index.ts", ...args],
      { cwd: root, env: { ...inherited, NO_COLOR: "1", ...env }, timeout: 60_000 },
      (error, stdout, stderr) => {
        const code = error ? (typeof error.code === "number" ? error.code : -1) : 0;
        resolve({ code, stdout, stderr });
      },
    );
  });
}

/** Non-empty lines of an output. */
export const lines = (text: string) => text.split("\n").filter((line) => line.trim() !== "");
