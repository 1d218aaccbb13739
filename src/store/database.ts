// PostgreSQL access for the service's records: one pool per process, an optional schema per run of tests, transactions.
import { checkDatabaseUrl, checkSchemaName, DEFAULT_SCHEMA } from '../config/service-config.js';
import pg from 'pg';
import type { PoolClient, QueryResultRow } from 'pg';
import { KihError } from '../core/kih-error.js';
import { NO_LOG } from '../core/log.js';
import type { Logger } from '../core/log.js';

export interface DatabaseOptions {
  /** postgres://user@host:port/db */
  readonly url: string;
  /** Tables live in this schema (created when missing); default `kih`. Tests give each run its own. */
  readonly schema?: string;
  /** Connections in the pool; default 10. */
  readonly max?: number;
  /** Where connection trouble the callers never see is logged; default silent. */
  readonly log?: Logger;
}

export interface Database {
  readonly schema: string;
  query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
  /** Runs `work` in one transaction: committed when it resolves, rolled back when it throws. */
  transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

export interface Transaction {
  query<R extends QueryResultRow>(sql: string, params?: readonly unknown[]): Promise<R[]>;
}

export { DEFAULT_SCHEMA };

/** The message names what failed; statements and parameters (document content, CPR) never appear. */
export function databaseError(what: string, err: unknown): KihError {
  if (err instanceof KihError) {
    return err;
  }
  const code = (err as { code?: unknown } | null)?.code;
  const reason = typeof code === 'string' ? code : err instanceof Error ? err.message.split('\n')[0] : String(err);
  return new KihError('STORE_ERR_DATABASE', `${what}: ${reason}`, { cause: err });
}

function clientQuery(client: pg.Pool | PoolClient) {
  return async <R extends QueryResultRow>(sql: string, params: readonly unknown[] = []): Promise<R[]> => {
    try {
      return (await client.query<R>(sql, [...params])).rows;
    } catch (err) {
      throw databaseError('A database statement failed', err);
    }
  };
}

export function openDatabase(options: DatabaseOptions): Database {
  const schema = options.schema ?? DEFAULT_SCHEMA;
  checkSchemaName(schema);
  checkDatabaseUrl(options.url);
  const pool = new pg.Pool({
    connectionString: options.url,
    max: options.max ?? 10,
    // Every connection resolves names in the run's schema first; the schema name was checked above.
    options: `-c search_path=${schema}`,
  });
  const log = options.log ?? NO_LOG;
  // An idle client that loses its connection must not crash the process; the pool drops it and the next query reports trouble.
  pool.on('error', (err) => {
    log.warn({ err: databaseError('An idle PostgreSQL connection failed', err) }, 'PostgreSQL connection lost');
  });
  return {
    schema,
    query: clientQuery(pool),
    async transaction<T>(work: (tx: Transaction) => Promise<T>): Promise<T> {
      let client: PoolClient;
      try {
        client = await pool.connect();
      } catch (err) {
        throw databaseError('Cannot connect to PostgreSQL', err);
      }
      const query = clientQuery(client);
      let broken: Error | undefined;
      try {
        await query('BEGIN');
        const result = await work({ query });
        await query('COMMIT');
        return result;
      } catch (err) {
        try {
          await client.query('ROLLBACK');
        } catch (rollbackErr) {
          // The transaction dies with its connection anyway; the caller gets the first error, the log the second.
          broken = rollbackErr instanceof Error ? rollbackErr : new Error(String(rollbackErr));
          log.warn(
            { err: databaseError('ROLLBACK failed', rollbackErr) },
            'PostgreSQL ROLLBACK failed; connection discarded'
          );
        }
        throw err;
      } finally {
        // A connection whose ROLLBACK failed is destroyed, not handed to the next transaction.
        client.release(broken);
      }
    },
    close: () => pool.end(),
  };
}
