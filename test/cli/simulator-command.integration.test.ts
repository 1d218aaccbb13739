// `kih simulator`: started as the built command and in-process, used by `kih submit`, stopped by a signal, its store kept between runs.
import { spawn } from 'node:child_process';
import type { ChildProcessWithoutNullStreams } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { runCli } from '../../src/cli/main.js';
import type { DocumentSubmission } from '../../src/submission/submit-document.js';
import { simulatorTargetSettings } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import { startSimulator } from '../../src/simulator/index.js';
import { runInProcess, SAMPLES } from '../helpers/cli.js';

const dir = mkdtempSync(path.join(tmpdir(), 'kih-simulator-cli-'));
const PHMR = path.join(SAMPLES, 'dk-phmr-2.1/valid/weight.xml');
const INVALID = path.join(SAMPLES, 'dk-phmr-1.3/invalid/bad-mood-code.xml');

/** A settings file with a target "running" at the simulator on `url`. */
function configFor(url: string, name: string): string {
  const file = path.join(dir, `${name}.json`);
  writeFileSync(
    file,
    JSON.stringify({
      targets: {
        running: simulatorTargetSettings(url),
      },
    })
  );
  return file;
}

async function submitTo(url: string, file: string, extra: string[] = []): Promise<DocumentSubmission> {
  const run = await runInProcess(['submit', file, '--target', 'running', '--config', configFor(url, 'c'), ...extra]);
  expect(run.stderr).toBe('');
  return JSON.parse(run.stdout) as DocumentSubmission;
}

/** Collects a stream and resolves once it has printed `pattern`. */
function watch(): { stream: Writable; text: () => string; until: (pattern: RegExp) => Promise<RegExpExecArray> } {
  let text = '';
  const waiters: (() => void)[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _enc, cb) {
      text += chunk.toString();
      waiters.splice(0).forEach((w) => {
        w();
      });
      cb();
    },
  });
  const until = (pattern: RegExp): Promise<RegExpExecArray> =>
    new Promise((resolve) => {
      const check = (): void => {
        const m = pattern.exec(text);
        if (m) {
          resolve(m);
        } else {
          waiters.push(check);
        }
      };
      check();
    });
  return { stream, text: () => text, until };
}

function startBinary(args: string[]): { child: ChildProcessWithoutNullStreams; out: ReturnType<typeof watch> } {
  const child = spawn(process.execPath, [path.join(PACKAGE_ROOT, 'bin', 'kih.js'), 'simulator', ...args], {
    cwd: dir,
  });
  const out = watch();
  child.stdout.pipe(out.stream);
  return { child, out };
}

describe('kih simulator, the built command', () => {
  it('validates CDA with threads, answers kih submit, and stops on SIGTERM with exit 0 and its counts', async () => {
    const { child, out } = startBinary(['--port', '0', '--store', path.join(dir, 'binary-store')]);
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => (stderr += c.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));
    try {
      const [, url = ''] = await out.until(/KIH simulator on (http:\/\/127\.0\.0\.1:\d+)/);
      expect(out.text()).toMatch(/CDA validation on \(1 thread\)/);
      expect(await submitTo(url, PHMR)).toMatchObject({ outcome: 'success' });
      // The sender skips validation; the simulator's own CDA check refuses the document.
      const refused = await submitTo(url, INVALID, ['--no-validate']);
      expect(refused).toMatchObject({ outcome: 'failure', class: 'permanent' });
      expect(refused.errors.map((e) => e.errorCode)).toEqual(['InvalidDocumentContent']);
    } finally {
      child.kill('SIGTERM');
    }
    expect(await exited).toBe(0);
    expect(stderr).toBe('kih simulator: stopped (SIGTERM); 2 requests, 1 stored, 1 not stored.\n');
  });
});

describe('kih simulator in-process', () => {
  async function runUntilAborted(
    args: string[],
    whileRunning: (url: string) => Promise<void>
  ): Promise<{ code: number; stdout: string; stderr: string }> {
    const out = watch();
    const err = watch();
    const controller = new AbortController();
    const done = runCli(['simulator', ...args], {
      stdout: out.stream,
      stderr: err.stream,
      env: {},
      signal: controller.signal,
    });
    const started = await Promise.race([
      out.until(/KIH simulator on (http:\/\/127\.0\.0\.1:\d+)/).then((m) => m[1] ?? ''),
      done.then(() => undefined),
    ]);
    if (started !== undefined) {
      try {
        await whileRunning(started);
      } finally {
        controller.abort();
      }
    }
    const code = await done;
    return { code, stdout: out.text(), stderr: err.text() };
  }

  it('keeps its store between runs: a restarted simulator knows what it stored', async () => {
    const store = path.join(dir, 'kept-store');
    const first = await runUntilAborted(['--port', '0', '--store', store, '--no-validate'], async (url) => {
      expect(await submitTo(url, PHMR)).toMatchObject({ outcome: 'success' });
    });
    expect(first.code).toBe(0);
    expect(first.stdout).toMatch(/store {3}.*kept-store \(0 entries\)/);
    expect(first.stdout).toMatch(/CDA validation off/);
    const second = await runUntilAborted(['--port', '0', '--store', store, '--no-validate'], async (url) => {
      // Another document under the stored uniqueId: refused, so the restarted simulator knows it.
      const changed = path.join(dir, 'changed.xml');
      writeFileSync(changed, Buffer.concat([readFileSync(PHMR), Buffer.from('<!-- changed -->\n')]));
      const record = await submitTo(url, changed);
      expect(record.errors.map((e) => e.errorCode)).toEqual(['XDSNonIdenticalHash']);
    });
    expect(second.stdout).toMatch(/\(1 entry\)/);
    expect(second.stderr).toBe('kih simulator: stopped (abort); 1 request, 0 stored, 1 not stored.\n');
  });

  it('--plain takes plain IHE (SOAP 1.2, no DGWS) from kih submit --endpoint', async () => {
    const run = await runUntilAborted(
      ['--port', '0', '--store', path.join(dir, 'plain'), '--no-validate', '--plain'],
      async (url) => {
        const endpoint = `${url}/kih-iti41/iti41`;
        const sent = await runInProcess(['submit', PHMR, '--endpoint', endpoint]);
        expect(sent.code).toBe(0);
        expect(JSON.parse(sent.stdout)).toMatchObject({ outcome: 'success', target: 'endpoint' });
        const dgws = await runInProcess(['submit', PHMR, '--endpoint', endpoint, '--soap', '1.1']);
        expect(dgws.code).toBe(2);
        expect(dgws.stderr).toMatch(/KIH_ERR_ID_CARD: A DGWS endpoint \(SOAP 1\.1\) needs an ID card/);
      }
    );
    expect(run.stdout).toMatch(/ITI-41 {2}\S+ \(plain IHE\)/);
    expect(run.stderr).toMatch(/1 request, 1 stored, 0 not stored/);
  });

  it('a taken port is KIH_ERR_SIMULATOR and exit 2', async () => {
    const busy = await startSimulator({ storeDir: path.join(dir, 'occupant') });
    try {
      const port = new URL(busy.url).port;
      const run = await runUntilAborted(['--port', port, '--store', path.join(dir, 'second'), '--no-validate'], () =>
        Promise.resolve()
      );
      expect(run.code).toBe(2);
      expect(run.stderr).toMatch(/^kih: KIH_ERR_SIMULATOR: /);
    } finally {
      await busy.close();
    }
  });

  it('refuses bad options with CLI_ERR_USAGE', async () => {
    expect((await runInProcess(['simulator', '--port', '70000'])).stderr).toMatch(
      /CLI_ERR_USAGE: --port takes 0 to 65535/
    );
    expect((await runInProcess(['simulator', 'extra'])).stderr).toMatch(
      /CLI_ERR_USAGE: kih simulator takes no arguments/
    );
    expect((await runInProcess(['simulator', '--jobs', '0'])).code).toBe(2);
  });
});
