import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { stripVTControlCharacters } from "node:util";
import { run } from "../../src/cli/program.js";

const root = fileURLToPath(new URL("../..", import.meta.url));

/** What one run of `be-db` did. */
export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs `be-db` in this process: the CLI's own `run(argv, env, io)`, which the bin calls with `process.argv`,
 * `process.env` and the console. `stdout` and `stderr` are what the console would have printed (each line followed
 * by a newline, colours taken out as `NO_COLOR` does). `DATABASE_URL` is only what `env` sets, so the test
 * decides where it connects. node-postgres still reads `PG*` variables from `process.env`, as in a real run.
 */
export async function runCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await run(
    ["node", "be-db", ...args],
    { NO_COLOR: "1", ...env },
    { out: (line) => out.push(line), err: (line) => err.push(line) },
  );
  const text = (lines: string[]) => lines.map((line) => `${stripVTControlCharacters(line)}\n`).join("");
  return { code, stdout: text(out), stderr: text(err) };
}

/**
 * Runs `be-db` from the sources as a real child process (`tsx src/cli/index.ts …`), without colours and, unless
 * `env` sets it, without `DATABASE_URL`: for what only a process shows (its exit code, what reaches the real
 * stdout and stderr, Node's own warnings). About a second each; `runCli` for everything else.
 */
export function spawnCli(args: string[], env: Record<string, string> = {}): Promise<CliRun> {
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
