/**
 * `npm run docs:sync`: rewrites every block of the README, CONTRIBUTING.md and docs/*.md that has a
 * `<!-- source: … -->` marker from its source (see test/docs/blocks.ts), then prints what it changed.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { blocksOf, markdownFiles, root, sourceText } from "./blocks.js";

for (const file of markdownFiles()) {
  const path = join(root, file);
  let content = readFileSync(path, "utf8");
  let changed = 0;
  // From the last block to the first, so earlier offsets stay valid.
  for (const block of blocksOf(file).reverse()) {
    if (block.marker?.kind !== "source") continue;
    const text = sourceText(block.marker.path, block.marker.region);
    if (text === block.text) continue;
    const body = text
      .split("\n")
      .map((line) => (line === "" ? line : block.indent + line))
      .join("\n");
    content = content.slice(0, block.bodyStart) + body + content.slice(block.bodyEnd);
    changed++;
  }
  if (changed > 0) {
    writeFileSync(path, content);
    console.log(`${file}: ${changed} block(s) rewritten`);
  }
}
