import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";

const made: string[] = [];

/**
 * A new empty folder `<tmpdir>/bedb-<label>-XXXXXX` for one test file. Every folder made here is removed after the
 * file's last test (`removeTempDirs`, registered by test/setup-file.ts), whether the test passed or not; a test may
 * remove it earlier. During a vitest run `tmpdir()` is the run's own folder (test/global-setup.ts), which the
 * global teardown removes as a whole.
 */
export function tempDir(label: string): string {
  const dir = mkdtempSync(join(tmpdir(), `bedb-${label}-`));
  made.push(dir);
  return dir;
}

/** Removes every folder `tempDir` made in this test file (those already gone are skipped). */
export function removeTempDirs(): void {
  for (const dir of made.splice(0)) rmSync(dir, { recursive: true, force: true });
}
