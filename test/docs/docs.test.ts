/**
 * The documentation stays true: every code block of the README, CONTRIBUTING.md and docs/*.md is either the
 * text of a region of a file that `tsc --noEmit` compiles or a test runs (`<!-- source: … -->`), or a shell block
 * whose commands are checked here (`<!-- check: shell -->`): npm scripts exist, packages installed are this one or
 * its peers, and every `be-db` command and option is one the CLI has. `npm run docs:sync` rewrites source blocks.
 */
import { existsSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { run } from "../../src/cli/program.js";
import { type Block, blocksOf, markdownFiles, root, sourceText } from "./blocks.js";

const manifest = JSON.parse(readFileSync(join(root, "package.json"), "utf8")) as {
  name: string;
  scripts: Record<string, string>;
  peerDependencies: Record<string, string>;
  dependencies: Record<string, string>;
};
const installable = new Set([manifest.name, ...Object.keys(manifest.peerDependencies)]);

/** The text `be-db <command> --help` prints, which lists the command's options. */
async function helpOf(command: string): Promise<string | undefined> {
  const out: string[] = [];
  const code = await run(["node", "be-db", command, "--help"], {}, { out: (line) => out.push(line), err: () => {} });
  return code === 0 ? out.join("\n") : undefined;
}

/** The problems of one shell command (its words, without environment assignments), or none. */
async function shellProblems(words: string[]): Promise<string[]> {
  const [tool, ...args] = words;
  if (tool === "npm") {
    const [verb, ...rest] = args;
    if (verb === "run") return rest[0] && manifest.scripts[rest[0]] ? [] : [`no npm script "${rest[0]}"`];
    if (verb === "test" || verb === "ci" || verb === "pack") return [];
    if (verb === "install" || verb === "i") {
      return rest
        .filter((arg) => !arg.startsWith("-") && !arg.startsWith("/") && !arg.startsWith(".") && !arg.endsWith(".tgz"))
        .filter((arg) => !installable.has(arg))
        .map((arg) => `npm install ${arg}: neither this package nor one of its peers`);
    }
    return [`unknown npm command "${verb}"`];
  }
  if (tool === "npx" && args[0] === "be-db") {
    const [command, ...options] = args.slice(1);
    const help = command ? await helpOf(command) : undefined;
    if (!command || help === undefined) return [`be-db has no command "${command}"`];
    return options
      .filter((option) => option.startsWith("--"))
      .filter((option) => !new RegExp(`(^|[ ,])${option}( |$)`, "m").test(help))
      .map((option) => `be-db ${command} has no option ${option}`);
  }
  if (["echo", "cd", "git", "apt-get"].includes(tool ?? "")) return [];
  return [`unchecked command "${tool}": teach test/docs/docs.test.ts how to check it`];
}

/** Splits a shell block into commands: one per line and per `&&`, `||`, `;`, without comments or `VAR=value`. */
function commandsOf(text: string): string[][] {
  return text
    .split("\n")
    .map((line) => line.replace(/\s+#.*$/, "").trim())
    .filter((line) => line !== "" && !line.startsWith("#"))
    .flatMap((line) => line.split(/&&|\|\||;/))
    .map((command) => command.trim().split(/\s+/))
    .map((words) => words.slice(words.findIndex((word) => !/^[A-Z_][A-Z0-9_]*=/.test(word))))
    .filter((words) => words.length > 0);
}

const where = (block: Block) => `${block.file}:${block.line}`;

describe.each(markdownFiles().filter((file) => existsSync(join(root, file))))("%s", (file) => {
  const blocks = blocksOf(file);
  if (blocks.length === 0) {
    it("has no code blocks", () => expect(blocks).toEqual([]));
    return;
  }

  it.each(blocks.map((block) => [where(block), block] as const))("block at %s is kept true", async (_, block) => {
    expect(block.marker, `${where(block)} has no <!-- source: … --> or <!-- check: … --> marker`).toBeDefined();
    if (block.marker?.kind === "source") {
      expect(existsSync(join(root, block.marker.path)), `${block.marker.path} does not exist`).toBe(true);
      expect(block.text, `${where(block)} differs from its source: run npm run docs:sync`).toBe(
        sourceText(block.marker.path, block.marker.region),
      );
    } else if (block.marker?.kind === "check") {
      expect(block.marker.what).toBe("shell");
      expect(["sh", "bash", "shell"]).toContain(block.lang);
      const problems = (await Promise.all(commandsOf(block.text).map(shellProblems))).flat();
      expect(problems, where(block)).toEqual([]);
    }
  });
});
