import { createRequire } from "node:module";
import { Command, CommanderError, Option } from "commander";
import pc from "picocolors";
import { ADOPT_FROM, type AdoptFrom } from "../migrate/convert.js";
import type { MigrateOptions } from "../migrate/index.js";
import { resolveMigrateOptions } from "../migrate/migrate.js";
import { checkCommand, migrateCommand, type Output, statusCommand } from "./commands.js";
import { type DatabaseOptions, openDatabase, targetOf } from "./connect.js";
import { explain } from "./errors.js";
import { ExitCode } from "./exit-codes.js";

type CommandOptions = DatabaseOptions & {
  migrationsSchema?: string;
  migrationsTable?: string;
  plugins?: string[];
  adoptFrom?: AdoptFrom;
  pgSchema?: string;
};

/** `--plugins admin,organization`: the list, split on commas (repeating the option adds to it). */
const pluginList = (value: string, previous: string[] = []) => [
  ...previous,
  ...value
    .split(",")
    .map((name) => name.trim())
    .filter((name) => name !== ""),
];
type Action = (
  db: Awaited<ReturnType<typeof openDatabase>>["db"],
  target: string,
  options: MigrateOptions,
  io: Output,
) => Promise<ExitCode>;

const EXIT_CODES = `
Exit codes:
  0  done
  1  unexpected error
  2  usage: no database given, bad option, history table or schema name, URL query parameter not used by
     node-postgres, driver not installed
  3  cannot reach the database (refused, unknown host, timeout, TLS refused, --pglite path is a file)
  4  login refused (wrong or missing password, unknown role)
  5  the database does not exist
  6  a migration failed (rolled back), the migration lock wait timed out, or the history table or migrations
     folder cannot be read
  7  the schema differs (check found differences, or migrate refused to adopt existing tables)`;

const HELP_HINT = "be-db --help lists the commands; be-db <command> --help their options";

/** commander's message for a usage error, as one line without its `error: ` prefix. */
function usageMessage(error: CommanderError): string {
  // Called without a command, commander prints the whole help on stderr (code `commander.help`).
  if (error.code === "commander.help") return "no command given: migrate, status or check";
  return error.message
    .replace(/^error: /, "")
    .replace(/\s*\n\s*/g, " ")
    .trim();
}

function databaseOptions(command: Command, history: boolean): Command {
  command
    .option(
      "--database-url <url>",
      "PostgreSQL connection URL (defaults to the DATABASE_URL environment variable); query parameters: only those node-postgres reads (see docs/cli.md)",
    )
    .option("--pglite <dir>", "use the embedded PGlite database kept in this folder (created if missing)")
    .option(
      "--plugins <names>",
      "Better Auth plugins whose tables are included, comma-separated (admin, username, twoFactor, organization, jwt, apiKey, passkey, phoneNumber, anonymous, deviceAuthorization, lastLoginMethod)",
      pluginList,
    )
    .addOption(
      new Option(
        "--pg-schema <name>",
        "PostgreSQL schema of the package's tables (created by migrate if missing)",
      ).default("public"),
    );
  if (history) {
    command
      .addOption(new Option("--migrations-schema <name>", "schema of the migration history table").default("drizzle"))
      .addOption(new Option("--migrations-table <name>", "migration history table").default("__be_db_migrations"));
  }
  return command.addHelpText("after", EXIT_CODES);
}

/**
 * Runs `be-db` with the given arguments (`process.argv` shape: node, script, …) and resolves to its exit code.
 * Never throws and never calls `process.exit`: every error becomes one line on stderr (`be-db: …`; a refused
 * adoption adds its list of differences) and an exit code. Usage errors of the argument parser (unknown option
 * or command, missing option value, no command) are one line too, exit code 2.
 * @param env where `DATABASE_URL` is read (node-postgres itself still reads `PG*` variables from `process.env`)
 * @param io where lines go: `out` for results and help, `err` for errors; defaults to the console
 */
export async function run(
  argv: string[],
  env: NodeJS.ProcessEnv = process.env,
  io: Output = { out: (line) => console.log(line), err: (line) => console.error(line) },
): Promise<ExitCode> {
  let code: ExitCode = ExitCode.ok;
  const { version } = createRequire(import.meta.url)("@be-monorepo/db/package.json") as { version: string };

  const withDatabase = (action: Action) => async (options: CommandOptions) => {
    let target = "the database";
    try {
      const where = targetOf(options, env);
      target = where.target;
      const migrateOptions: MigrateOptions = {
        migrationsSchema: options.migrationsSchema,
        migrationsTable: options.migrationsTable,
        pgSchema: options.pgSchema,
        ...(options.plugins ? { plugins: options.plugins as MigrateOptions["plugins"] } : {}),
        ...(options.adoptFrom ? { adoptFrom: options.adoptFrom } : {}),
      };
      // Options migrate() would refuse (TypeError: exit code 2) are refused before connecting.
      resolveMigrateOptions(migrateOptions);
      const open = await openDatabase(where);
      try {
        code = await action(open.db, open.target, migrateOptions, io);
      } finally {
        await open.close().catch(() => {});
      }
    } catch (error) {
      const explained = explain(error, target);
      io.err(pc.red(`be-db: ${explained.line}`));
      for (const detail of explained.details) io.err(`  - ${detail}`);
      if (explained.note) io.err(explained.note);
      code = explained.code;
    }
  };

  // commander's own error output (its message, help after an error) is replaced by one `be-db: …` line below.
  const output = {
    writeOut: (s: string) => io.out(s.trimEnd()),
    writeErr: () => {},
    outputError: () => {},
  };
  const program = new Command("be-db")
    .description("Migrations and schema check for the @be-monorepo/db tables.")
    .version(version)
    .exitOverride()
    .configureOutput(output)
    .addHelpText("after", EXIT_CODES);

  databaseOptions(
    program
      .command("migrate")
      .description("apply the pending migrations, printing each one and its time")
      .addOption(
        new Option(
          "--adopt-from <layout>",
          "convert existing tables made from Better Auth's CLI schema (snake_case or camelCase) into this package's, keeping every row",
        ).choices(ADOPT_FROM),
      ),
    true,
  ).action(withDatabase(migrateCommand));
  databaseOptions(
    program.command("status").description("list applied and pending migrations (changes nothing)"),
    true,
  ).action(withDatabase(statusCommand));
  databaseOptions(
    program
      .command("check")
      .description(
        "compare the live tables with the ones this package expects (columns, types, nullability, defaults, " +
          "indexes, keys); exits 7 with the list of differences",
      ),
    false,
  ).action(withDatabase(checkCommand));

  for (const command of program.commands) command.exitOverride().configureOutput(output);

  try {
    await program.parseAsync(argv);
  } catch (error) {
    if (error instanceof CommanderError) {
      if (error.exitCode === 0) return ExitCode.ok;
      io.err(pc.red(`be-db: ${usageMessage(error)} (${HELP_HINT})`));
      return ExitCode.usage;
    }
    io.err(`be-db: Unexpected error: ${error instanceof Error ? error.message : String(error)}`);
    return ExitCode.unexpected;
  }
  return code;
}
