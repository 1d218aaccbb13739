// Reads a previous regression result (`--baseline FILE`) and checks it is one before anything is compared with it.
import { readFile } from 'node:fs/promises';
import { KihError } from '../core/kih-error.js';
import { RESULT_FORMAT, RESULT_VERSION } from './result.js';
import type { RegressionResult } from './result.js';

function bad(source: string, message: string): never {
  throw new KihError('REGRESS_ERR_BASELINE', `${source}: ${message}`);
}

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Checks the parts the diff reads; a result from another tool or version is refused, not half-compared. */
export function parseResult(source: string, text: string): RegressionResult {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (err) {
    bad(source, `not valid JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  if (!isRecord(value) || value.format !== RESULT_FORMAT) {
    bad(source, `not a kih regress result (format "${RESULT_FORMAT}")`);
  }
  if (value.version !== RESULT_VERSION) {
    bad(source, `result version ${JSON.stringify(value.version)}; this tool reads version ${RESULT_VERSION}`);
  }
  const tool = value.tool;
  if (
    !isRecord(tool) ||
    typeof tool.version !== 'string' ||
    typeof tool.schemas !== 'string' ||
    !isRecord(tool.rules)
  ) {
    bad(source, 'tool must hold version, schemas and rules');
  }
  if (!Array.isArray(value.documents)) {
    bad(source, 'documents must be an array');
  }
  value.documents.forEach((d: unknown, i) => {
    if (
      !isRecord(d) ||
      typeof d.corpus !== 'string' ||
      typeof d.file !== 'string' ||
      typeof d.match !== 'boolean' ||
      !Array.isArray(d.mismatches) ||
      (d.actual !== null && !(isRecord(d.actual) && Array.isArray(d.actual.ruleIds)))
    ) {
      bad(source, `documents[${i}] is not a regression document (corpus, file, match, mismatches, actual)`);
    }
  });
  if (typeof value.startedAt !== 'string' || typeof value.durationMs !== 'number') {
    bad(source, 'startedAt and durationMs are missing');
  }
  return value as unknown as RegressionResult;
}

export async function readBaseline(file: string): Promise<RegressionResult> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    bad(file, `cannot be read (${String((err as { code?: unknown }).code ?? err)})`);
  }
  return parseResult(file, text);
}
