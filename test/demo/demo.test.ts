import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("npm run demo migrates, signs a user up and in, and validates the rows (embedded PGlite)", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "demo/demo.ts"], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  expect(stdout).toContain("0002_auth_fixes");
  expect(stdout).toContain("getSession() knows Ada Lovelace");
  expect(stdout).toContain("db.query.user.findFirst({ with: { sessions: true } }) → 2 session(s)");
  expect(stdout).toContain("Demo finished.");
}, 120_000); // a new PGlite (initdb) and tsx in a child process: seconds, far more on a loaded machine
