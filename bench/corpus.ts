// Builds the bench documents from a project sample: small as is, typical (~40 observations) and large (~1 MB) by repeating measurement entries.
import { randomUUID } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/core/package-info.js';

export const BASE_SAMPLE = path.join(PACKAGE_ROOT, 'samples', 'dk-phmr-1.3', 'valid', 'blood-pressure-pulse.xml');

const UUID = /[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/gi;

/** The first measurement entry (an entry holding an organizer), with its offsets. */
function firstMeasurementEntry(xml: string): { start: number; end: number; text: string } {
  let from = 0;
  for (;;) {
    const start = xml.indexOf('<entry', from);
    if (start < 0) {
      throw new Error('bench: the base sample has no measurement entry');
    }
    const end = xml.indexOf('</entry>', start) + '</entry>'.length;
    const text = xml.slice(start, end);
    if (text.includes('<organizer')) {
      return { start, end, text };
    }
    from = end;
  }
}

/** Repeats the first measurement entry (fresh UUIDs per copy) until `enough` says stop. */
export function inflate(xml: string, enough: (observations: number, bytes: number) => boolean): string {
  const entry = firstMeasurementEntry(xml);
  const perEntry = (entry.text.match(/<observation[\s>]/g) ?? []).length || 1;
  const copies: string[] = [];
  let observations = (xml.match(/<observation[\s>]/g) ?? []).length;
  let bytes = Buffer.byteLength(xml);
  while (!enough(observations, bytes)) {
    const copy = entry.text.replace(UUID, () => randomUUID());
    copies.push(copy);
    observations += perEntry;
    bytes += Buffer.byteLength(copy);
  }
  return xml.slice(0, entry.end) + copies.join('') + xml.slice(entry.end);
}

export interface BenchDocuments {
  readonly small: string;
  readonly typical: string;
  readonly large: string;
}

export function benchDocuments(base = readFileSync(BASE_SAMPLE, 'utf8')): BenchDocuments {
  return {
    small: base,
    typical: inflate(base, (obs) => obs >= 40),
    large: inflate(base, (_obs, bytes) => bytes >= 1024 * 1024),
  };
}

/** Writes `count` distinct typical documents (fresh UUIDs each) into dir, for throughput runs. */
export function writeTypicalCorpus(dir: string, count: number, typical: string): void {
  mkdirSync(dir, { recursive: true });
  for (let i = 0; i < count; i++) {
    writeFileSync(
      path.join(dir, `typical-${String(i).padStart(5, '0')}.xml`),
      typical.replace(UUID, () => randomUUID())
    );
  }
}
