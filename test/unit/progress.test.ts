import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createProgress } from '../../src/cli/progress.js';

function stream(isTTY: boolean): { s: Writable & { isTTY: boolean }; text: () => string } {
  const chunks: string[] = [];
  const s = Object.assign(
    new Writable({
      write(c: Buffer, _e, cb) {
        chunks.push(c.toString());
        cb();
      },
    }),
    { isTTY }
  );
  return { s, text: () => chunks.join('') };
}

describe('createProgress', () => {
  it('draws on a terminal for long runs, ending at total and clearing the line', () => {
    const { s, text } = stream(true);
    const p = createProgress(s, 25);
    for (let i = 0; i < 25; i++) {
      p.tick();
    }
    p.done();
    expect(text()).toContain('25/25 documents');
    expect(text().endsWith('\r')).toBe(true);
  });
  it('stays silent when not a terminal or the run is short', () => {
    const pipe = stream(false);
    const p1 = createProgress(pipe.s, 1000);
    p1.tick();
    p1.done();
    const short = stream(true);
    const p2 = createProgress(short.s, 3);
    p2.tick();
    p2.done();
    expect(pipe.text() + short.text()).toBe('');
  });
});
