// The submit loop against a scripted repository on 127.0.0.1: what is retried, what is not, and no re-send after a lost answer without asking first.
import { readFileSync } from 'node:fs';
import type { IncomingMessage, ServerResponse } from 'node:http';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import type { ErrorCode } from '../../src/core/codes.js';
import { KihError } from '../../src/core/kih-error.js';
import { createTransport } from '../../src/submission/http-transport.js';
import type { Transport } from '../../src/submission/http-transport.js';
import { sendSubmission } from '../../src/submission/send-submission.js';
import type { IdCardSource, SendTarget, SubmissionResult } from '../../src/submission/send-submission.js';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { SubmissionMetadata } from '../../src/xds/metadata-model.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { prepareSubmission } from '../../src/xds/prepare-submission.js';
import { startTestServer } from '../helpers/http-server.js';
import type { TestServer } from '../helpers/http-server.js';

const FIXTURES = path.join(PACKAGE_ROOT, 'test', 'fixtures', 'xds-responses');
const fixture = (name: string): Buffer => readFileSync(path.join(FIXTURES, name));
const DOC = readFileSync(path.join(PACKAGE_ROOT, 'samples', 'dk-phmr-2.1', 'valid', 'weight.xml'));

type Step =
  | { readonly status: number; readonly body: Buffer; readonly type?: string }
  | { readonly hang: true }
  | { readonly drop: true };

/** Each ITI-41 request takes the next step; the query endpoint answers from `stored`. */
let script: Step[] = [];
let requests: { body: Buffer; headers: IncomingMessage['headers'] }[] = [];
let queries = 0;
let stored = false;
let server: TestServer;
let base = '';
let metadata: SubmissionMetadata;

function answer(req: IncomingMessage, res: ServerResponse, body: Buffer): void {
  if (req.url?.startsWith('/query')) {
    queries++;
    const hash = metadata.documentEntries[0]?.hash ?? '';
    res.setHeader('content-type', 'application/json');
    res.end(JSON.stringify({ stored, entries: stored ? [{ hash }] : [] }));
    return;
  }
  requests.push({ body, headers: req.headers });
  const step = script.shift() ?? { status: 500, body: Buffer.from('script ran out') };
  if ('hang' in step) {
    return;
  }
  if ('drop' in step) {
    req.socket.destroy();
    return;
  }
  res.statusCode = step.status;
  res.setHeader('content-type', step.type ?? 'text/xml; charset=utf-8');
  res.end(step.body);
}

beforeAll(async () => {
  const prepared = prepareSubmission(DOC, 'weight.xml', {
    settings: resolveSettings(BUILTIN_TARGETS.local?.metadata ?? {}),
  });
  if (!prepared.metadata) {
    throw new Error(JSON.stringify(prepared.issues));
  }
  metadata = prepared.metadata;
  server = await startTestServer(() => answer);
  base = server.base;
});

afterAll(async () => {
  await server.close();
});

beforeEach(() => {
  script = [];
  requests = [];
  queries = 0;
  stored = false;
});

const ok = (name: string, status = 200): Step => ({ status, body: fixture(name) });
const policy = { maxAttempts: 4, baseDelayMs: 1, maxDelayMs: 5 };

function target(overrides: Partial<SendTarget> = {}): SendTarget {
  return { name: 'scripted', endpoint: `${base}/iti41`, soapVersion: '1.1', dgws: true, ...overrides };
}

function cards(): IdCardSource & { gets: number; renews: number } {
  const source = {
    gets: 0,
    renews: 0,
    get(): Promise<string> {
      source.gets++;
      return Promise.resolve(
        `<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="card${source.renews}"/>`
      );
    },
    renew(): Promise<string> {
      source.renews++;
      return source.get();
    },
  };
  return source;
}

async function run(
  t: SendTarget,
  transport: Transport = createTransport(),
  idCards: IdCardSource = cards()
): Promise<SubmissionResult> {
  try {
    return await sendSubmission(metadata, DOC, t, { transport, idCards, policy });
  } finally {
    await transport.close();
  }
}

describe('sendSubmission', () => {
  it('success on the first attempt: one request, with the document and the ID card', async () => {
    script = [ok('success-soap11.xml')];
    const result = await run(target());
    expect(result).toMatchObject({ outcome: 'success', class: 'success', target: 'scripted' });
    expect(result.uniqueId).toBe(metadata.documentEntries[0]?.uniqueId);
    expect(requests).toHaveLength(1);
    expect(requests[0]?.body.includes(DOC)).toBe(true);
    expect(requests[0]?.body.toString()).toContain('ID="card0"');
    expect(requests[0]?.headers.soapaction).toBe('"urn:ihe:iti:2007:ProvideAndRegisterDocumentSet-b"');
  });

  it('busy, then 503, then success: retried, each attempt recorded with its own MessageID', async () => {
    script = [
      ok('failure-busy.xml'),
      { status: 503, body: Buffer.from('<html>down</html>'), type: 'text/html' },
      ok('success-soap11.xml'),
    ];
    const result = await run(target());
    expect(result.outcome).toBe('success');
    expect(result.attempts.map((a) => a.class)).toEqual(['transient', 'transient', 'success']);
    expect(new Set(result.attempts.map((a) => a.messageId)).size).toBe(3);
    expect(requests).toHaveLength(3);
  });

  it('transient answers stop at maxAttempts', async () => {
    script = Array.from({ length: 6 }, () => ok('failure-busy.xml'));
    const result = await run(target());
    expect(result).toMatchObject({ outcome: 'failure', class: 'transient' });
    expect(requests).toHaveLength(4);
  });

  it.each([
    ['failure-metadata.xml', 'permanent'],
    ['failure-duplicate.xml', 'duplicate'],
    ['failure-non-identical-hash.xml', 'permanent'],
    ['partial-success.xml', 'permanent'],
    ['fault-dgws-not-authorized.xml', 'authPermanent'],
    ['fault-dgws-invalid-signature.xml', 'authPermanent'],
  ])('%s is %s and never retried', async (name, cls) => {
    script = [ok(name, name.startsWith('fault') ? 500 : 200), ok('success-soap11.xml')];
    const result = await run(target());
    expect(result.class).toBe(cls);
    expect(requests).toHaveLength(1);
  });

  it('an expired ID card is renewed once and the request re-sent with the new card', async () => {
    script = [ok('fault-dgws-expired-idcard.xml', 500), ok('success-soap11.xml')];
    const idCards = cards();
    const result = await run(target(), createTransport(), idCards);
    expect(result.outcome).toBe('success');
    expect(idCards.renews).toBe(1);
    expect(requests[1]?.body.toString()).toContain('ID="card1"');
  });

  it('a card refused as expired on the last attempt is still renewed once, and the document stored', async () => {
    script = [
      ok('failure-busy.xml'),
      ok('failure-busy.xml'),
      ok('failure-busy.xml'),
      ok('fault-dgws-expired-idcard.xml', 500),
      ok('success-soap11.xml'),
    ];
    const idCards = cards();
    const result = await run(target(), createTransport(), idCards);
    expect(result.outcome).toBe('success');
    expect(idCards.renews).toBe(1);
    expect(result.attempts.map((a) => a.class)).toEqual(['transient', 'transient', 'transient', 'auth', 'success']);
  });

  it('a card refused as expired twice is not renewed a second time', async () => {
    script = [
      ok('fault-dgws-expired-idcard.xml', 500),
      ok('fault-dgws-expired-idcard.xml', 500),
      ok('success-soap11.xml'),
    ];
    const idCards = cards();
    const result = await run(target(), createTransport(), idCards);
    expect(result.class).toBe('auth');
    expect(idCards.renews).toBe(1);
    expect(requests).toHaveLength(2);
  });

  it('a card that cannot be renewed (given as a file): the refusal stands, with the reason, and nothing is re-sent', async () => {
    script = [ok('fault-dgws-expired-idcard.xml', 500), ok('success-soap11.xml')];
    const fixed: IdCardSource = {
      get: () => Promise.resolve('<saml:Assertion xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion"/>'),
      renew: () => Promise.reject(new KihError('KIH_ERR_ID_CARD', 'given as a file, cannot be renewed')),
    };
    const result = await run(target(), createTransport(), fixed);
    expect(result.class).toBe('auth');
    expect(result.outcome).toBe('failure');
    expect(result.errors.map((e) => e.errorCode)).toContain('KIH_ERR_ID_CARD');
    expect(result.message).toMatch(/could not be renewed: given as a file/);
    expect(requests).toHaveLength(1);
  });

  it.each<[ErrorCode, string]>([
    ['KIH_ERR_NETWORK', 'transient'],
    ['KIH_ERR_STS', 'authPermanent'],
  ])('no ID card at all (%s): not sent, class %s', async (code, cls) => {
    const failing: IdCardSource = {
      get: () => Promise.reject(new KihError(code, 'the STS said no')),
      renew: () => Promise.reject(new Error('not reached')),
    };
    const result = await run(target(), createTransport(), failing);
    expect(result).toMatchObject({ outcome: 'failure', class: cls, attempts: [] });
    expect(result.errors).toEqual([{ errorCode: code, codeContext: 'the STS said no', severity: 'error' }]);
    expect(requests).toHaveLength(0);
  });

  it('a lost answer to a stored document: the query says stored, so success without a re-send', async () => {
    script = [{ hang: true }, ok('success-soap11.xml')];
    stored = true;
    const result = await run(
      target({ queryEndpoint: `${base}/query` }),
      createTransport({ timeouts: { headersMs: 200 } })
    );
    expect(result).toMatchObject({ outcome: 'success', class: 'success', confirmedByQuery: true });
    expect(requests).toHaveLength(1);
    expect(queries).toBe(1);
  });

  it('a lost answer to a document that did not arrive: the query says absent, so it is re-sent once', async () => {
    script = [{ drop: true }, ok('success-soap11.xml')];
    const result = await run(target({ queryEndpoint: `${base}/query` }));
    expect(result.outcome).toBe('success');
    expect(result.confirmedByQuery).toBeUndefined();
    expect(requests).toHaveLength(2);
    expect(queries).toBe(1);
  });

  it('a lost answer where the target cannot be asked (KIH): outcome unknown, never re-sent', async () => {
    script = [{ hang: true }, ok('success-soap11.xml')];
    const result = await run(target(), createTransport({ timeouts: { headersMs: 200 } }));
    expect(result).toMatchObject({ outcome: 'unknown', class: 'unknown' });
    expect(result.errors[0]?.errorCode).toBe('KIH_ERR_TIMEOUT');
    expect(requests).toHaveLength(1);
  });

  it('nothing listening: retried (nothing can have arrived), then a transient failure', async () => {
    const result = await run(target({ endpoint: 'http://127.0.0.1:1/iti41' }));
    expect(result).toMatchObject({ outcome: 'failure', class: 'transient' });
    expect(result.attempts).toHaveLength(4);
    expect(result.errors[0]?.errorCode).toBe('KIH_ERR_NETWORK');
  });
});
