// Test helpers for the XDS metadata: the hand-written ITI-41 fixture, parsing it, and one-defect mutations.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { expect } from '@jest/globals';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { RimSubmission } from '../../src/xds/ebrim-model.js';
import { parseSubmission } from '../../src/xds/ebrim-parse.js';

export const XDS_FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'xds');

export function readFixture(name: string): string {
  return readFileSync(path.join(XDS_FIXTURES, name), 'utf8');
}

/** The correct request: one DK PHMR DocumentEntry, its SubmissionSet, an XOP document reference. */
export const GOOD_REQUEST = readFixture('provide-and-register.xml');

/** The exact bytes the fixture's hash and size describe. */
export const DOCUMENT_BYTES = new Uint8Array(readFileSync(path.join(XDS_FIXTURES, 'document.xml')));

export const DOCUMENT_ID = 'urn:uuid:0f3a3d56-7c1e-4a6e-9a6b-2f2b6c1d9e01';
export const SUBMISSION_SET_ID = 'urn:uuid:5b0c9a3e-41d2-4f7a-8c6e-3d2e1f0a9b02';

/** Parses request text that must parse. */
export function parsed(text: string): RimSubmission {
  const result = parseSubmission(text);
  expect(result.issues).toEqual([]);
  if (!result.submission) {
    throw new Error('no submission');
  }
  return result.submission;
}

/** Applies an edit and checks that it changed the text (an edit matching nothing would test nothing). */
export function mutate(text: string, edit: (text: string) => string): string {
  const out = edit(text);
  expect(out).not.toBe(text);
  return out;
}

/** Replaces `from` with `to` inside the first element that opens with `open` (up to its end tag `close`). */
export function within(open: string, close: string, from: string | RegExp, to: string): (text: string) => string {
  return (text) => {
    const start = text.indexOf(open);
    const end = text.indexOf(close, start);
    if (start < 0 || end < 0) {
      return text;
    }
    const block = text.slice(start, end + close.length);
    return text.slice(0, start) + block.replace(from, to) + text.slice(end + close.length);
  };
}

/** Removes the first element that opens with `open` and ends with `close` (with its leading white space). */
export function removeElement(open: string, close: string): (text: string) => string {
  return (text) => {
    const start = text.indexOf(open);
    const end = text.indexOf(close, start);
    if (start < 0 || end < 0) {
      return text;
    }
    let from = start;
    while (from > 0 && /\s/.test(text.charAt(from - 1))) {
      from--;
    }
    return text.slice(0, from) + text.slice(end + close.length);
  };
}
