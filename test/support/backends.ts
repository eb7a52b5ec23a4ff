import pg from "pg";

/**
 * A separate connection to a test database for watching and ending the backends of others, as an operator would
 * (`pg_stat_activity`, `pg_terminate_backend`). Also holds locks for the tests that need something to wait on.
 */
export interface Watcher {
  client: pg.Client;
  /**
   * Resolves with the process id of the backend that waits on a lock (`wait_event_type = 'Lock'`) while running a
   * statement containing `fragment`; polls every 10 ms, rejects after `timeoutMs`.
   */
  waitingOnLock(fragment: string, timeoutMs?: number): Promise<number>;
  /** `pg_terminate_backend(pid)`: the backend ends with SQLSTATE 57P01 as on a server shutdown or an operator's kill. */
  terminate(pid: number): Promise<void>;
  close(): Promise<void>;
}

export async function watcher(url: string): Promise<Watcher> {
  const client = new pg.Client({ connectionString: url });
  await client.connect();
  return {
    client,
    async waitingOnLock(fragment, timeoutMs = 10_000) {
      const deadline = Date.now() + timeoutMs;
      for (;;) {
        // Inside a transaction (when this connection holds the lock) the statistics are a snapshot: drop it.
        await client.query("select pg_stat_clear_snapshot()");
        const { rows } = await client.query<{ pid: number }>(
          `select pid from pg_stat_activity
            where datname = current_database() and pid <> pg_backend_pid() and wait_event_type = 'Lock'
              and strpos(query, $1) > 0`,
          [fragment],
        );
        if (rows[0]) return rows[0].pid;
        if (Date.now() > deadline)
          throw new Error(`no backend waited on a lock running ${fragment} in ${timeoutMs} ms`);
        await new Promise((resolve) => setTimeout(resolve, 10));
      }
    },
    async terminate(pid) {
      await client.query("select pg_terminate_backend($1)", [pid]);
    },
    close: () => client.end(),
  };
}
