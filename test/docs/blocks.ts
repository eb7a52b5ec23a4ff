/**
 * The code blocks of the README, CONTRIBUTING.md and docs/*.md, and where each one comes from.
 *
 * Every fenced block is preceded by a marker comment that says how it is kept true:
 *
 * - `<!-- source: PATH#REGION -->`: the block is the region `REGION` of the file `PATH` (between the lines
 *   `// #region REGION` and `// #endregion REGION`, or `# #region` in shell and ini files, `-- #region` in SQL),
 *   dedented. The file is compiled by `tsc --noEmit` or run by a test.
 * - `<!-- source: PATH -->`: the block is the whole file (a sample output a test compares with the real one).
 * - `<!-- check: shell -->`: a shell block; test/docs/docs.test.ts checks each command it runs.
 *
 * `npm run docs:sync` rewrites every `source:` block from its source; test/docs/docs.test.ts fails when a block
 * differs from its source or has no marker.
 */
import { readdirSync, readFileSync } from "node:fs";
import { join, relative } from "node:path";

export const root = join(import.meta.dirname, "../..");

/** The markdown files whose blocks are checked, relative to the repository root. */
export function markdownFiles(): string[] {
  const docs = readdirSync(join(root, "docs"))
    .filter((name) => name.endsWith(".md"))
    .map((name) => `docs/${name}`);
  return ["README.md", "CONTRIBUTING.md", ...docs.sort()];
}

/** One fenced block of a markdown file. */
export interface Block {
  file: string;
  /** 1-based line of the opening fence. */
  line: number;
  lang: string;
  /** The block's text, dedented, without the fences (ends with a newline). */
  text: string;
  /** The marker comment on the line before the fence, or `undefined`. */
  marker: { kind: "source"; path: string; region: string | undefined } | { kind: "check"; what: string } | undefined;
  /** Offsets of the block's body in the file, for rewriting it. */
  bodyStart: number;
  bodyEnd: number;
  /** Indentation of the fence, re-applied when the block is rewritten. */
  indent: string;
}

const MARKER = /^\s*<!--\s*(source|check):\s*(.+?)\s*-->\s*$/;

/** Removes the common leading whitespace of the non-empty lines. */
export function dedent(text: string): string {
  const lines = text.replace(/\s+$/, "").split("\n");
  const indents = lines.filter((l) => l.trim() !== "").map((l) => /^ */.exec(l)?.[0].length ?? 0);
  const cut = indents.length ? Math.min(...indents) : 0;
  return `${lines.map((l) => l.slice(cut)).join("\n")}\n`;
}

/** Every fenced block of `file` (a path relative to the repository root). */
export function blocksOf(file: string): Block[] {
  const content = readFileSync(join(root, file), "utf8");
  const blocks: Block[] = [];
  const fence = /^( *)```(\w*)[^\n]*\n([\s\S]*?)^\1```[ \t]*$/gm;
  for (let match = fence.exec(content); match; match = fence.exec(content)) {
    const [, indent = "", lang = "", body = ""] = match;
    const before = content.slice(0, match.index).replace(/\n$/, "");
    const previous = before.slice(before.lastIndexOf("\n") + 1);
    const found = MARKER.exec(previous);
    let marker: Block["marker"];
    if (found?.[1] === "source") {
      const [path = "", region] = (found[2] ?? "").split("#");
      marker = { kind: "source", path, region };
    } else if (found?.[1] === "check") marker = { kind: "check", what: found[2] ?? "" };
    const bodyStart = match.index + match[0].indexOf("\n") + 1;
    blocks.push({
      file,
      line: before.split("\n").length + 1,
      lang,
      text: dedent(body),
      marker,
      bodyStart,
      bodyEnd: bodyStart + body.length,
      indent,
    });
  }
  return blocks;
}

/**
 * The text a `source:` marker points at: the region of the file, dedented, or the whole file.
 * @throws {Error} when the file or the region does not exist.
 */
export function sourceText(path: string, region: string | undefined): string {
  const content = readFileSync(join(root, path), "utf8");
  if (region === undefined) return dedent(content);
  const lines = content.split("\n");
  const open = new RegExp(`^\\s*(//|#|--) #region ${escapeRegExp(region)}\\s*$`);
  const close = new RegExp(`^\\s*(//|#|--) #endregion ${escapeRegExp(region)}\\s*$`);
  const start = lines.findIndex((line) => open.test(line));
  const end = lines.findIndex((line, i) => i > start && close.test(line));
  if (start < 0 || end < 0) throw new Error(`no region "${region}" in ${path}`);
  // Nested regions' own marker lines are not part of the text.
  const inner = lines.slice(start + 1, end).filter((line) => !/^\s*(\/\/|#|--) #(end)?region\b/.test(line));
  return dedent(inner.join("\n"));
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");

/** `path` relative to the repository root, for messages. */
export const shown = (path: string) => relative(root, join(root, path));
