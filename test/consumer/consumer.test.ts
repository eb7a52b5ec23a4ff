/**
 * The package as published: builds it, packs it with `npm pack`, checks the tarball (file list, publint,
 * are-the-types-wrong), installs it into two throw-away host projects (ESM and CommonJS) and, from there,
 * type-checks `host/main.ts` under `moduleResolution` `nodenext` and `bundler`, runs it against a fresh
 * PostgreSQL database (or, when the run has no server, against an embedded PGlite in the host) and runs the
 * `be-db` bin.
 *
 * The ESM host gets the peer versions of this repository's lockfile (the newest of each range); the CommonJS
 * host gets the lowest version of the `drizzle-orm`, `zod` and `better-auth` peer ranges, so both ends of those
 * ranges are exercised. Installs use `--prefer-offline`: the versions come from npm's cache when it has them.
 *
 * Run with `npm run test:consumer` (its own vitest config). With a PostgreSQL server (DATABASE_URL or Docker) the
 * host runs on it through node-postgres; without one it runs on PGlite, and every other check is the same.
 */
import { execFile } from "node:child_process";
import {
  cpSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createServerDatabase, serverUrl } from "../support/database.js";

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, "../..");
const manifest = JSON.parse(readFileSync(join(repo, "package.json"), "utf8")) as {
  exports: Record<string, string | Record<string, Record<string, string>>>;
  main: string;
  types: string;
  bin: Record<string, string>;
  typesVersions: Record<string, Record<string, string[]>>;
  peerDependencies: Record<string, string>;
  devDependencies: Record<string, string>;
};

/** `^1.2.3` → `1.2.3`: the lowest version a caret range accepts. Fails loudly on any other range form. */
function lowest(range: string | undefined): string {
  const match = /^\^(\d+\.\d+\.\d+)$/.exec(range ?? "");
  if (!match?.[1]) throw new Error(`expected a caret range like ^1.2.3, got ${range}`);
  return match[1];
}

type HostKind = "esm" | "cjs";
const hostVersions: Record<HostKind, Record<string, string>> = {
  esm: {
    "drizzle-orm": manifest.devDependencies["drizzle-orm"] as string,
    zod: manifest.devDependencies.zod as string,
    "better-auth": manifest.devDependencies["better-auth"] as string,
  },
  cjs: {
    "drizzle-orm": lowest(manifest.peerDependencies["drizzle-orm"]),
    zod: lowest(manifest.peerDependencies.zod),
    "better-auth": lowest(manifest.peerDependencies["better-auth"]),
  },
};
// @electric-sql/pglite: the host's database when the run has no PostgreSQL server (an optional peer of ours).
const sharedHostDeps = ["pg", "@types/pg", "@electric-sql/pglite", "@types/node", "typescript"];

let work: string;
let tarball: string;
let packed: { path: string; mode: number; size: number }[];
/** What `publint run --strict` and `attw --format json` said about the tarball (run during the set-up). */
type CheckResult = { stdout?: string; error?: Error };
let publint: CheckResult;
let attw: CheckResult;
const hosts = {} as Record<HostKind, Host>;

async function sh(command: string, args: string[], cwd: string, env: NodeJS.ProcessEnv = {}) {
  try {
    return await run(command, args, { cwd, env: { ...process.env, ...env }, maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    const { stdout, stderr } = error as { stdout?: string; stderr?: string };
    throw new Error(`${command} ${args.join(" ")} failed in ${cwd}\n${stdout ?? ""}\n${stderr ?? ""}`, {
      cause: error,
    });
  }
}

/** Outcome of a command the set-up ran for a test to judge: `undefined` when it succeeded, else its error. */
type Outcome = Error | undefined;
const outcome = (promise: Promise<unknown>): Promise<Outcome> =>
  promise.then(
    () => undefined,
    (error: Error) => error,
  );

interface Host {
  dir: string;
  /** `tsc -p tsconfig.json`: moduleResolution nodenext; also emits `out/main.js`, which the run test executes. */
  nodenext: Outcome;
  /** `tsc -p tsconfig.bundler.json`: moduleResolution bundler, no emit. */
  bundler: Outcome;
}

/** Writes a host project, installs the tarball and its peers, and runs both type checks (concurrently). */
async function makeHost(kind: HostKind): Promise<Host> {
  const dir = join(work, kind);
  mkdirSync(join(dir, "src"), { recursive: true });
  cpSync(join(import.meta.dirname, "host", "main.ts"), join(dir, "src", "main.ts"));
  const dependencies: Record<string, string> = { "@be-monorepo/db": `file:${tarball}`, ...hostVersions[kind] };
  for (const name of sharedHostDeps) dependencies[name] = manifest.devDependencies[name] as string;
  const json = (file: string, value: unknown) => writeFileSync(join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
  json("package.json", {
    name: `bedb-host-${kind}`,
    private: true,
    type: kind === "esm" ? "module" : "commonjs",
    dependencies,
  });
  // skipLibCheck as hosts have it: drizzle-orm's own declarations do not pass a full lib check (missing optional
  // drivers such as mysql2). Our declarations are still what the host's code is checked against.
  const common = { target: "ES2022", strict: true, esModuleInterop: true, skipLibCheck: true, types: ["node"] };
  json("tsconfig.json", {
    compilerOptions: { ...common, module: "nodenext", moduleResolution: "nodenext", outDir: "out", rootDir: "src" },
    include: ["src"],
  });
  json("tsconfig.bundler.json", {
    compilerOptions: { ...common, module: "preserve", moduleResolution: "bundler", noEmit: true },
    include: ["src"],
  });
  await sh("npm", ["install", "--prefer-offline", "--no-audit", "--no-fund", "--loglevel=error"], dir);
  const tsc = (config: string) => outcome(sh("npx", ["--no-install", "tsc", "-p", config], dir));
  const [nodenext, bundler] = await Promise.all([tsc("tsconfig.json"), tsc("tsconfig.bundler.json")]);
  return { dir, nodenext, bundler };
}

beforeAll(async () => {
  work = mkdtempSync(join(tmpdir(), "bedb-consumer-"));
  // Built here rather than by the `prepack` script, whose output would land in `npm pack --json`'s stdout.
  await sh("npm", ["run", "build", "--silent"], repo);
  const { stdout } = await sh(
    "npm",
    ["pack", "--json", "--ignore-scripts", "--pack-destination", work, "--loglevel=error"],
    repo,
  );
  const [info] = JSON.parse(stdout) as { filename: string; files: typeof packed }[];
  if (!info) throw new Error(`npm pack printed no result: ${stdout}`);
  tarball = join(work, info.filename);
  packed = info.files;
  // The two installs and the tarball's own checks run at once; each test then judges its result.
  const check = (args: string[]): Promise<CheckResult> =>
    sh("npx", ["--no-install", ...args], repo).then(
      ({ stdout }) => ({ stdout }),
      (error: Error) => ({ error }),
    );
  [[hosts.esm, hosts.cjs], publint, attw] = await Promise.all([
    Promise.all([makeHost("esm"), makeHost("cjs")]),
    check(["publint", "run", "--strict", tarball]),
    check(["attw", "--format", "json", tarball]),
  ]);
}, 300_000);

afterAll(() => {
  if (work) rmSync(work, { recursive: true, force: true });
});

/** Every file path the manifest points at (exports, main, types, typesVersions, bin). */
function manifestTargets(): string[] {
  const targets = new Set<string>([manifest.main, manifest.types, ...Object.values(manifest.bin)]);
  const walk = (value: unknown): void => {
    if (typeof value === "string") targets.add(value);
    else if (value && typeof value === "object") for (const inner of Object.values(value)) walk(inner);
  };
  walk(manifest.exports);
  walk(manifest.typesVersions);
  return [...targets].map((target) => target.replace(/^\.\//, ""));
}

const listDir = (dir: string): string[] =>
  readdirSync(join(repo, dir), { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => relative(repo, join(entry.parentPath, entry.name)));

describe("the packed tarball", () => {
  it("holds dist/ (ESM, CommonJS and both declaration kinds per entry point), migrations/ with meta/, README and LICENSE, and nothing else", () => {
    const paths = packed.map((file) => file.path).sort();
    const entries = Object.keys(manifest.exports)
      .filter((key) => key !== "./package.json")
      .map((key) => (key === "." ? "index" : key.slice(2)));
    const expected = [
      ...entries.flatMap((name) => [".js", ".cjs", ".d.ts", ".d.cts"].map((ext) => `dist/${name}${ext}`)),
      "dist/cli.js",
      ...listDir("migrations"),
      "README.md",
      "LICENSE",
      "package.json",
    ];
    expect(paths).toEqual(expect.arrayContaining(expected));
    expect(paths).toContain("migrations/meta/_journal.json");
    // Besides those: only the chunks tsup and its declaration bundler split shared code into (named
    // `<module>-<hash>`, e.g. `chunk-AB12CD34.js` or `auth-ChwVCeuf.d.cts`), and the optional CHANGELOG.
    const extra = paths.filter((path) => !expected.includes(path));
    for (const path of extra) expect(path).toMatch(/^(dist\/[\w-]+-[\w-]{8}\.(js|cjs|d\.ts|d\.cts)|CHANGELOG\.md)$/);
  });

  it("contains every file package.json points at", () => {
    const paths = new Set(packed.map((file) => file.path));
    for (const target of manifestTargets()) expect(paths.has(target), target).toBe(true);
  });

  it("ships the be-db bin executable and with a node shebang", () => {
    const bin = packed.find((file) => file.path === "dist/cli.js");
    expect(bin?.mode.toString(8)).toBe("755");
    expect(readFileSync(join(repo, "dist", "cli.js"), "utf8").startsWith("#!/usr/bin/env node\n")).toBe(true);
  });

  it("passes publint --strict", () => {
    expect(publint.error?.message).toBeUndefined();
    expect(publint.stdout).toContain("All good!");
  });

  it("passes are-the-types-wrong (every entry point under node10, node16 CJS and ESM, and bundler)", () => {
    expect(attw.error?.message).toBeUndefined();
    const report = JSON.parse(attw.stdout ?? "") as { analysis: { problems: unknown[] } };
    expect(report.analysis.problems).toEqual([]);
  });
});

describe.concurrent.each(["esm", "cjs"] as const)("an installed copy in a %s host", (kind) => {
  let database: { url: string; drop: () => Promise<void> } | undefined;
  beforeAll(async () => {
    if (serverUrl) database = await createServerDatabase(`consumer_${kind}`);
  });
  afterAll(() => database?.drop());

  it(`has the intended peer versions installed (${JSON.stringify(hostVersions[kind])})`, () => {
    for (const [name, version] of Object.entries(hostVersions[kind])) {
      const installed = JSON.parse(readFileSync(join(hosts[kind].dir, "node_modules", name, "package.json"), "utf8"));
      expect(installed.version, name).toBe(version);
    }
  });

  it("type-checks the host under moduleResolution nodenext", () => {
    expect(hosts[kind].nodenext?.message).toBeUndefined();
  });

  it("type-checks the host under moduleResolution bundler", () => {
    expect(hosts[kind].bundler?.message).toBeUndefined();
  });

  const on = serverUrl ? "a fresh PostgreSQL database" : "an embedded PGlite (no PostgreSQL server in this run)";
  it(`migrates ${on} with the shipped SQL, signs a user up through Better Auth and queries the tables`, async () => {
    // out/main.js is tsc's output from the set-up (emitted even if the type check above failed). Without
    // DATABASE_URL the host opens an in-memory PGlite instead of a pg.Pool.
    const env = serverUrl ? { DATABASE_URL: database?.url } : { DATABASE_URL: "" };
    const { stdout } = await sh("node", ["out/main.js"], hosts[kind].dir, env);
    const result = JSON.parse(stdout);
    expect(result.driver).toBe(serverUrl ? "node-postgres" : "pglite");
    const installed = realpathSync(join(hosts[kind].dir, "node_modules", "@be-monorepo", "db"));
    expect(result.migrationsFolder).toBe(join(installed, "migrations"));
    const journal = JSON.parse(readFileSync(join(repo, "migrations", "meta", "_journal.json"), "utf8"));
    expect(result.applied).toEqual(journal.entries.map((entry: { tag: string }) => entry.tag));
    expect(result.pending).toEqual([]);
    expect(result.folderError).toEqual({ name: "MigrationError", sameClass: true, isError: true });
    expect(result.signedUpEmail).toMatch(/^host-\d+@example\.com$/);
    expect(result.userId).toEqual(expect.any(String));
    expect(result.createdAtIsDate).toBe(true);
    expect(result.sessionCount).toBe(1);
    expect(result.relationalSessionCount).toBe(1);
    expect(result.parsedEmail).toBe(result.signedUpEmail);
    expect(result.exports["."]).toEqual(expect.arrayContaining(["authSchema", "migrate", "userTable"]));
  });

  it("runs the be-db bin from node_modules/.bin", async () => {
    await sh(join(hosts[kind].dir, "node_modules", ".bin", "be-db"), ["--help"], hosts[kind].dir);
  });
});

describe("both formats", () => {
  it("expose the same names from every entry point (require() in the CommonJS host, import() in the ESM one)", async () => {
    const specifiers = Object.keys(manifest.exports)
      .filter((key) => key !== "./package.json")
      .map((key) => `@be-monorepo/db${key.slice(1)}`);
    const list = `const names = {}; for (const s of ${JSON.stringify(specifiers)}) names[s] = Object.keys(LOAD(s)).sort(); console.log(JSON.stringify(names));`;
    const cjs = await sh("node", ["-e", list.replace("LOAD(s)", "require(s)")], hosts.cjs.dir);
    const esm = await sh(
      "node",
      ["--input-type=module", "-e", list.replace("LOAD(s)", "await import(s)")],
      hosts.esm.dir,
    );
    const fromCjs = JSON.parse(cjs.stdout);
    expect(fromCjs["@be-monorepo/db"]).toEqual(expect.arrayContaining(["authSchema", "migrate", "userTable"]));
    expect(fromCjs).toEqual(JSON.parse(esm.stdout));
  });
});
