import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { expect, it } from "vitest";

const run = promisify(execFile);

it("npm run demo migrates, signs a user up and in, validates the rows, and runs admin and organization (embedded PGlite)", async () => {
  const { stdout } = await run(process.execPath, ["--import", "tsx", "demo/demo.ts"], {
    env: { ...process.env, NO_COLOR: "1" },
  });
  expect(stdout).toContain("0002_auth_fixes");
  expect(stdout).toContain("getSession() knows Ada Lovelace");
  expect(stdout).toContain("db.query.user.findFirst({ with: { sessions: true } }) → 2 session(s)");
  expect(stdout).toContain("migrate(db, { plugins: ['admin', 'organization'] }) → ");
  expect(stdout).toMatch(/0004_rate_limit_algorithms, 0000_admin, 0000_organization\n/);
  expect(stdout).toContain("admin: listUsers() → 2 users");
  expect(stdout).toContain("admin: banUser(Ada) → Ada's sign-in: BANNED_USER");
  expect(stdout).toContain("admin: unbanUser(Ada) → Ada signs in again (Ada Lovelace)");
  expect(stdout).toContain("organization: create, invite, accept → 2 members (owner, member)");
  expect(stdout).toContain("Demo finished.");
}, 180_000); // a new PGlite (initdb) and tsx in a child process: seconds, far more on a loaded machine
