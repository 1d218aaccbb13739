// The "compiling … for SaxonJS" notice: when kih validate shows it, and the compile events the engine gives it.
import { PassThrough } from 'node:stream';
import { afterEach, beforeEach, describe, expect, it, jest } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import { compileNotice } from '../../src/cli/compile-notice.js';
import { compileSchematronFile, runRules } from '../../src/schematron/index.js';
import type { SefCompileEvent } from '../../src/schematron/index.js';
import { fixture } from './helpers.js';

function capture(): { stream: PassThrough; text: () => string } {
  const stream = new PassThrough();
  let text = '';
  stream.on('data', (chunk: Buffer) => {
    text += chunk.toString('utf8');
  });
  return { stream, text: () => text };
}

const FILE = '/rules/big.sch';

describe('compileNotice', () => {
  beforeEach(() => {
    jest.useFakeTimers();
  });
  afterEach(() => {
    jest.useRealTimers();
  });

  it('on a terminal, speaks only once a compile has run for a second, then says when it ends', () => {
    const out = capture();
    const notice = compileNotice(out.stream, { verbose: false, terminal: true });
    notice(FILE, { phase: 'start', sync: false });
    jest.advanceTimersByTime(999);
    expect(out.text()).toBe('');
    jest.advanceTimersByTime(1);
    expect(out.text()).toBe('kih: compiling /rules/big.sch for SaxonJS…\n');
    notice(FILE, { phase: 'end', ms: 61_234, ok: true });
    expect(out.text()).toBe(
      'kih: compiling /rules/big.sch for SaxonJS…\nkih: compiled /rules/big.sch for SaxonJS in 61.2 s\n'
    );
  });

  it('on a terminal, says nothing about a compile that ends within the second', () => {
    const out = capture();
    const notice = compileNotice(out.stream, { verbose: false, terminal: true });
    notice(FILE, { phase: 'start', sync: false });
    jest.advanceTimersByTime(500);
    notice(FILE, { phase: 'end', ms: 500, ok: true });
    jest.advanceTimersByTime(5000);
    expect(out.text()).toBe('');
  });

  it('on a terminal, announces a blocking compile at once, since no timer fires during it', () => {
    const out = capture();
    const notice = compileNotice(out.stream, { verbose: false, terminal: true });
    notice(FILE, { phase: 'start', sync: true });
    expect(out.text()).toBe('kih: compiling /rules/big.sch for SaxonJS…\n');
    notice(FILE, { phase: 'end', ms: 2000, ok: false });
    expect(out.text()).toMatch(/failed after 2\.0 s\n$/);
  });

  it('with --verbose, announces every compile at once, terminal or not', () => {
    const out = capture();
    const notice = compileNotice(out.stream, { verbose: true, terminal: false });
    notice(FILE, { phase: 'start', sync: false });
    expect(out.text()).toBe('kih: compiling /rules/big.sch for SaxonJS…\n');
    notice(FILE, { phase: 'end', ms: 300, ok: true });
    expect(out.text()).toMatch(/compiled \/rules\/big\.sch for SaxonJS in 0\.3 s\n$/);
  });

  it('says nothing into a pipe or a log without --verbose', () => {
    const out = capture();
    const notice = compileNotice(out.stream, { verbose: false, terminal: false });
    notice(FILE, { phase: 'start', sync: false });
    jest.advanceTimersByTime(60_000);
    notice(FILE, { phase: 'end', ms: 60_000, ok: true });
    expect(out.text()).toBe('');
  });
});

describe('onSefCompile', () => {
  it('tells of a compile at compile time (rule set on SaxonJS) and of a blocking one at a handover', async () => {
    const events: [string, SefCompileEvent][] = [];
    const onSefCompile = (file: string, e: SefCompileEvent): void => {
      events.push([file, e]);
    };
    const file = fixture('phases.sch');
    await compileSchematronFile(file, { engine: 'saxonjs', useCache: false, onSefCompile });
    expect(events).toEqual([
      [file, { phase: 'start', sync: false }],
      [file, { phase: 'end', ms: expect.any(Number), ok: true }],
    ]);

    events.length = 0;
    const own = await compileSchematronFile(file, { useCache: false, onSefCompile });
    expect(own.engine).toBe('own');
    expect(events).toEqual([]);
    const text = '<list xmlns="urn:hl7-org:v3"><item value="5"/></list>';
    const doc = XmlDocument.fromString(text);
    try {
      runRules(own, text, doc, { engine: 'saxonjs' });
    } finally {
      doc.dispose();
    }
    expect(events).toEqual([
      [file, { phase: 'start', sync: true }],
      [file, { phase: 'end', ms: expect.any(Number), ok: true }],
    ]);
  });
});
