// The submit path's fast lane: metadata from the header the validator read equals metadata from the bytes, and the ebRIM body checked is the one sent.
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { readCdaHeader } from '../../src/cda/cda-header.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { ProfileId } from '../../src/core/report.js';
import type { Exchange, OutgoingRequest, Transport } from '../../src/submission/http-transport.js';
import { sendSubmission } from '../../src/submission/send-submission.js';
import { submitDocument } from '../../src/submission/submit-document.js';
import { createDocumentValidator } from '../../src/validation/validate-document.js';
import { parseSubmission } from '../../src/xds/ebrim-parse.js';
import { findAttachment, parseMultipartRelated } from '../../src/xds/mtom.js';
import { prepareFromHeader, prepareSubmission } from '../../src/xds/prepare-submission.js';
import type { PreparedSubmission, PrepareOptions } from '../../src/xds/prepare-submission.js';
import { parseXml } from '../../src/xml/xml-parser.js';

const SAMPLES = path.join(PACKAGE_ROOT, 'samples');
const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; profile: string; valid: boolean }[];
};
const VALID = manifest.documents.filter((d) => d.valid).map((d) => d.file);
const SETTINGS = resolveSettings(BUILTIN_TARGETS.local?.metadata ?? {});
const SUCCESS = readFileSync(path.join(PACKAGE_ROOT, 'test', 'fixtures', 'xds-responses', 'success-soap12.xml'));
const SEND_TARGET = {
  name: 'local',
  endpoint: 'http://127.0.0.1:1/kih-iti41/iti41',
  soapVersion: '1.2',
  dgws: false,
} as const;

const FIXED: PrepareOptions = {
  settings: SETTINGS,
  live: true,
  now: new Date('2026-11-22T08:00:00Z'),
  ids: {
    documentEntry: 'urn:uuid:00000000-0000-4000-8000-000000000001',
    submissionSet: 'urn:uuid:00000000-0000-4000-8000-000000000002',
    submissionSetUniqueId: '2.25.1',
  },
};

// One validator for the file: it compiles the schema and the rule sets once.
const validator = createDocumentValidator();

/** The request without its one random part (the Content-ID its XOP reference names). */
function withoutContentId(prepared: PreparedSubmission): string | undefined {
  const request = prepared.request;
  return request?.ebrim.split(request.documentContentId).join('CONTENT-ID');
}

/** Answers every request with a success, keeping what was sent; `fail` first answers lost before arriving. */
function recordingTransport(fail = 0): { transport: Transport; sent: OutgoingRequest[] } {
  const sent: OutgoingRequest[] = [];
  let failures = fail;
  const transport: Transport = {
    send(request: OutgoingRequest): Promise<Exchange> {
      sent.push(request);
      if (failures > 0) {
        failures--;
        return Promise.resolve({
          ok: false,
          failure: { code: 'KIH_ERR_NETWORK', message: 'refused', mayHaveArrived: false },
        });
      }
      return Promise.resolve({
        ok: true,
        answer: { status: 200, headers: { 'content-type': 'application/soap+xml; charset=utf-8' }, body: SUCCESS },
      });
    },
    close: () => Promise.resolve(),
  };
  return { transport, sent };
}

/** The SOAP part and the document part of a sent MTOM request. */
function unpack(request: OutgoingRequest): { soap: string; documentContentId: string | undefined } {
  const body = Buffer.concat(request.chunks.map((c) => Buffer.from(c)));
  const mime = parseMultipartRelated(body, request.headers['Content-Type'] ?? '');
  const soap = Buffer.from(mime.root.body).toString('utf8');
  const href = /<xop:Include[^>]*href="([^"]+)"/.exec(soap)?.[1] ?? '';
  return { soap, documentContentId: findAttachment(mime.parts, href)?.contentId };
}

describe('metadata from the validated tree', () => {
  it('covers every profile', () => {
    expect(new Set(manifest.documents.filter((d) => d.valid).map((d) => d.profile)).size).toBe(4);
  });

  it.each(VALID)('%s: the same header, metadata, findings and request as from the bytes', async (file) => {
    const bytes = readFileSync(path.join(SAMPLES, file));
    const validated = await validator.validateBytesWithHeader(bytes, file);
    expect(validated.report.status).toBe('valid');
    const header = validated.header;
    if (!header) {
      throw new Error(`${file}: no header from the validator`);
    }
    // It crosses from a validation thread as a structured clone: plain data survives unchanged.
    expect(structuredClone(header)).toEqual(header);

    const parsed = parseXml(bytes, file);
    if (!parsed.ok) {
      throw new Error(`${file} does not parse`);
    }
    try {
      expect(header).toEqual(readCdaHeader(parsed.doc));
    } finally {
      parsed.doc.dispose();
    }

    const fromBytes = prepareSubmission(bytes, file, FIXED);
    const fromHeader = prepareFromHeader(header, validated.report.profile as ProfileId, bytes, FIXED);
    expect(fromBytes.metadata).toBeDefined();
    expect(fromHeader.profile).toBe(fromBytes.profile);
    expect(fromHeader.metadata).toEqual(fromBytes.metadata);
    expect(fromHeader.issues).toEqual(fromBytes.issues);
    expect(withoutContentId(fromHeader)).toBe(withoutContentId(fromBytes));
  });

  it('gives no header where validation could not parse the document', async () => {
    const validated = await validator.validateBytesWithHeader(Buffer.from('<ClinicalDocument'), 'broken.xml');
    expect(validated.report.status).not.toBe('valid');
    expect(validated.header).toBeUndefined();
  });

  it('validateBytes reports the same as validateBytesWithHeader', async () => {
    const file = VALID[0] ?? '';
    const bytes = readFileSync(path.join(SAMPLES, file));
    const plain = await validator.validateBytes(bytes, file);
    const withHeader = await validator.validateBytesWithHeader(bytes, file);
    expect({ ...withHeader.report, durationMs: 0 }).toEqual({ ...plain, durationMs: 0 });
    expect('header' in plain).toBe(false);
  });
});

describe('the request sent is the one checked', () => {
  const file = VALID[0] ?? '';
  const bytes = readFileSync(path.join(SAMPLES, file));

  it('sends the checked ebRIM body byte for byte, on every attempt', async () => {
    const prepared = prepareSubmission(bytes, file, { settings: SETTINGS });
    const { metadata, request } = prepared;
    if (!metadata || !request) {
      throw new Error(`${file}: ${JSON.stringify(prepared.issues)}`);
    }
    const { transport, sent } = recordingTransport(1);
    const result = await sendSubmission(
      metadata,
      bytes,
      SEND_TARGET,
      { transport, sleep: () => Promise.resolve() },
      request
    );
    expect(result.outcome).toBe('success');
    expect(sent).toHaveLength(2);
    for (const attempt of sent) {
      const { soap, documentContentId } = unpack(attempt);
      expect(soap).toContain(request.ebrim);
      expect(documentContentId).toBe(request.documentContentId);
    }
    // A new MessageID per attempt, the same body.
    expect(new Set(result.attempts.map((a) => a.messageId)).size).toBe(2);
  });

  it('submitDocument derives from the validator header and sends a request the metadata rules accept', async () => {
    let withHeader = 0;
    let plain = 0;
    const counting = {
      validateBytes: (b: Uint8Array, f: string) => {
        plain++;
        return validator.validateBytes(b, f);
      },
      validateBytesWithHeader: (b: Uint8Array, f: string) => {
        withHeader++;
        return validator.validateBytesWithHeader(b, f);
      },
    };
    const { transport, sent } = recordingTransport();
    const target = BUILTIN_TARGETS.simulator;
    if (!target) {
      throw new Error('no simulator target');
    }
    const result = await submitDocument(bytes, file, {
      target,
      send: SEND_TARGET,
      transport,
      settings: SETTINGS,
      validator: counting,
    });
    expect(result.outcome).toBe('success');
    expect([withHeader, plain]).toEqual([1, 0]);
    expect(sent).toHaveLength(1);
    const { soap } = unpack(sent[0] as OutgoingRequest);
    const back = parseSubmission(soap);
    expect(back.issues).toEqual([]);
    expect(back.submission?.extrinsicObjects).toHaveLength(1);
  });
});
