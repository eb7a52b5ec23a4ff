import pc from "picocolors";
import { checkSchema, type MigrateOptions, migrate, migrationStatus } from "../migrate/index.js";
import type { AnyPgDatabase } from "../shared/database.js";
import { ExitCode } from "./exit-codes.js";

/** Where a command writes: stdout for results, stderr for problems. */
export interface Output {
  out(line: string): void;
  err(line: string): void;
}

const ms = (value: number) => `${value < 10 ? value.toFixed(1) : Math.round(value)} ms`;

/** `be-db migrate`: applies pending migrations and prints each with its time. */
export async function migrateCommand(
  db: AnyPgDatabase,
  target: string,
  options: MigrateOptions,
  io: Output,
): Promise<ExitCode> {
  const started = performance.now();
  const result = await migrate(db, options);
  if (result.converted) {
    io.out(
      `${pc.cyan("converted")} the existing tables from the ${options.adoptFrom} layout: ${result.converted.length} statement(s), every row kept`,
    );
  }
  const shape = result.converted ? "converted to the expected shape" : "with the expected shape";
  for (const migration of result.adopted) {
    io.out(`${pc.cyan("recorded")}  ${migration.tag}  (its tables were already there, ${shape})`);
  }
  for (const migration of result.applied) {
    io.out(`${pc.green("applied")}   ${migration.tag}  ${pc.dim(ms(migration.durationMs))}`);
  }
  const total = ms(performance.now() - started);
  if (result.applied.length === 0 && result.adopted.length === 0) {
    io.out(`Nothing to apply: ${target} is up to date.`);
  } else {
    io.out(
      `${target}: ${result.applied.length} migration(s) applied` +
        (result.adopted.length ? `, ${result.adopted.length} recorded as already applied` : "") +
        ` in ${total}.`,
    );
  }
  return ExitCode.ok;
}

/** `be-db status`: lists applied and pending migrations; changes nothing. */
export async function statusCommand(
  db: AnyPgDatabase,
  target: string,
  options: MigrateOptions,
  io: Output,
): Promise<ExitCode> {
  const status = await migrationStatus(db, options);
  for (const migration of status.applied) io.out(`${pc.green("applied")}  ${migration.tag}`);
  for (const migration of status.pending) io.out(`${pc.yellow("pending")}  ${migration.tag}`);
  io.out(`${target}: ${status.applied.length} applied, ${status.pending.length} pending.`);
  return ExitCode.ok;
}

/** `be-db check`: compares the live tables with the package's; exit code 7 when they differ. */
export async function checkCommand(
  db: AnyPgDatabase,
  target: string,
  options: Pick<MigrateOptions, "migrationsFolder" | "plugins" | "pgSchema">,
  io: Output,
): Promise<ExitCode> {
  const differences = await checkSchema(db, options);
  if (differences.length === 0) {
    io.out(`No differences: ${target} has the tables this package expects.`);
    return ExitCode.ok;
  }
  io.err(pc.red(`${differences.length} difference(s) between ${target} and the tables this package expects:`));
  for (const difference of differences) io.err(`  - ${difference}`);
  return ExitCode.schemaDiffers;
}
