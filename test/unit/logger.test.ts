// The process logger: secrets redacted by path, CPR-like numbers and keys masked in every string (errors too), levels, the pretty view.
import { Writable } from 'node:stream';
import { describe, expect, it } from '@jest/globals';
import { createLogger, scrubText } from '../../src/cli/logger.js';
import { maskCprLike } from '../../src/core/log.js';
import { readOperationsConfig } from '../../src/config/operations-config.js';
import { logBuffer } from '../helpers/log-buffer.js';

const KEY = `kih_v_${'a1B2'.repeat(11)}`;

describe('masking', () => {
  it('masks CPR-like numbers, with or without the dash, and nothing that only contains digits', () => {
    expect(maskCprLike('patient 0207611404 and 020761-1404.')).toBe('patient ********** and **********.');
    expect(maskCprLike('0207611404^^^&1.2.208.176.1.2&ISO')).toBe('**********^^^&1.2.208.176.1.2&ISO');
    const untouched = [
      '1765100000000',
      '12.0207611404',
      '1234567890.5',
      'sha ab0207611404cd',
      '00000000-0000-4000-8000-020761140412',
      '1.2.208.176.1.2',
    ];
    expect(untouched.map(maskCprLike)).toEqual(untouched);
  });

  it('masks API keys and credentials of Authorization headers quoted in text', () => {
    expect(scrubText(`key ${KEY} refused`)).toBe('key [redacted] refused');
    expect(scrubText('Authorization: Bearer abcdefgh12345678')).toBe('Authorization: Bearer [redacted]');
    expect(
      scrubText('bad key: -----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBg\n-----END PRIVATE KEY----- in vendor.pem')
    ).toBe('bad key: [redacted private key] in vendor.pem');
    expect(scrubText('cut: -----BEGIN RSA PRIVATE KEY-----\nMIIEvQIBADANBg')).toBe('cut: [redacted private key]');
  });
});

describe('createLogger', () => {
  it('redacts credentials and patient fields, masks strings at any depth and in errors, keeps the stack', () => {
    const logs = logBuffer('info');
    const err = new Error('The repository refused patient 0207611404', { cause: new Error(`key ${KEY}`) });
    logs.logger.info(
      {
        req: { headers: { authorization: `Bearer ${KEY}`, cookie: 'kih_session=abc.def.ghi', 'x-api-key': KEY } },
        res: { headers: { 'set-cookie': 'kih_session=abc.def.ghi' } },
        cpr: '0207611404',
        patient: { given: 'Mette', family: 'Lauridsen' },
        detail: { deeper: ['see 020761-1404'] },
        bytes: Buffer.from('<ClinicalDocument>0207611404</ClinicalDocument>'),
        err,
      },
      'failed for 0207611404'
    );
    const text = logs.text();
    for (const secret of ['0207611404', '020761-1404', KEY, 'abc.def.ghi', 'Mette', 'Lauridsen', 'ClinicalDocument']) {
      expect([secret, text.includes(secret)]).toEqual([secret, false]);
    }
    const [line] = logs.lines();
    expect(line).toMatchObject({
      level: 30,
      msg: 'failed for **********',
      cpr: '[redacted]',
      patient: '[redacted]',
      req: { headers: { authorization: '[redacted]', cookie: '[redacted]', 'x-api-key': '[redacted]' } },
      err: {
        type: 'Error',
        message: 'The repository refused patient **********',
        cause: { message: 'key [redacted]' },
      },
    });
    expect((line?.err as { stack: string }).stack).toMatch(/^Error: The repository refused patient \*{10}\n\s+at /);
  });

  it('honours the level, and child bindings are masked too', () => {
    const logs = logBuffer('warn');
    const child = logs.logger.child({ file: 'doc-0207611404.xml' });
    child.info({}, 'not written');
    child.warn({}, 'written');
    expect(logs.lines()).toEqual([expect.objectContaining({ msg: 'written', file: 'doc-**********.xml' })]);
  });

  it('writes JSON by default and a readable line on a terminal', () => {
    let out = '';
    const tty = Object.assign(
      new Writable({
        write(chunk: Buffer, _e, done) {
          out += chunk.toString();
          done();
        },
      }),
      { isTTY: true }
    );
    createLogger({ level: 'info', format: 'auto', stream: tty }).warn(
      { queue: 'kih-submit', err: new Error('busy') },
      'job failed'
    );
    expect(out).toMatch(/^\d\d:\d\d:\d\d\.\d{3} WARN {2}job failed {2}.*queue=kih-submit\n {4}Error: busy\n/);
  });
});

describe('operations settings', () => {
  it('refuses a bad level, format, port or short metrics key with the setting named', () => {
    expect(() => readOperationsConfig({ KIH_LOG_LEVEL: 'loud' })).toThrow(
      expect.objectContaining({ code: 'CONFIG_ERR_INVALID', path: 'KIH_LOG_LEVEL' })
    );
    expect(() => readOperationsConfig({ KIH_LOG_FORMAT: 'xml' })).toThrow(
      expect.objectContaining({ path: 'KIH_LOG_FORMAT' })
    );
    expect(() => readOperationsConfig({}, { healthPort: '80a' })).toThrow(
      expect.objectContaining({ path: 'KIH_HEALTH_PORT' })
    );
    expect(() => readOperationsConfig({ KIH_METRICS_KEY: 'short' })).toThrow(
      expect.objectContaining({ path: 'KIH_METRICS_KEY' })
    );
    expect(readOperationsConfig({})).toEqual({ logLevel: 'info', logFormat: 'auto', healthHost: '127.0.0.1' });
  });
});
