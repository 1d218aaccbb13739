// Test helper: a real PostgreSQL database with a schema of its own per test file, dropped afterwards.
import { randomBytes } from 'node:crypto';
import { openDatabase } from '../../src/store/database.js';
import type { Database } from '../../src/store/database.js';

export const TEST_DATABASE_URL = process.env.TEST_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';

export function testSchema(label: string): string {
  return `t_${label}_${randomBytes(4).toString('hex')}`;
}

export function testDatabase(label: string): Database {
  return openDatabase({ url: TEST_DATABASE_URL, schema: testSchema(label), max: 5 });
}

/** Drops the test's schema and closes the pool. */
export async function dropTestDatabase(db: Database): Promise<void> {
  try {
    await db.query(`DROP SCHEMA IF EXISTS ${db.schema} CASCADE`);
  } finally {
    await db.close();
  }
}
