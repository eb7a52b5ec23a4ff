/**
 * Refuses an options object with a key the function does not know, so that a misspelt option (`pgschema` for
 * `pgSchema`) is a `TypeError` instead of being ignored. Keys whose value is `undefined` are refused too: a
 * misspelling is a mistake whatever its value.
 * @param options the caller's options object (already known to be an object).
 * @param known the option names the function takes.
 * @param fn the function's name as the message shows it, e.g. `migrate()`.
 * @throws {TypeError} naming the unknown option and the known ones.
 */
export function checkOptionNames(options: object, known: readonly string[], fn: string): void {
  for (const key of Object.keys(options)) {
    if (!known.includes(key)) {
      throw new TypeError(
        `@be-monorepo/db: ${fn} has no option ${JSON.stringify(key)}; its options are ${known.map((name) => `\`${name}\``).join(", ")}`,
      );
    }
  }
}
