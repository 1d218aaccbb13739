// Test helpers for the simulator: requests built by the project's own code, sent over real HTTP with undici, answers parsed by the project's parser.
import { randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Agent, request } from 'undici';
import type { Dispatcher } from 'undici';
import { BUILTIN_TARGETS } from '../../src/config/targets.js';
import { PACKAGE_ROOT } from '../../src/core/package-info.js';
import type { Simulator } from '../../src/simulator/index.js';
import { buildIti41Request } from '../../src/xds/iti41-request.js';
import type { Iti41RequestOptions } from '../../src/xds/iti41-request.js';
import type { SubmissionMetadata } from '../../src/xds/metadata-model.js';
import { resolveSettings } from '../../src/config/metadata-settings.js';
import { prepareSubmission } from '../../src/xds/prepare-submission.js';
import type { SubmissionOutcome } from '../../src/xds/response/outcome.js';
import { parseSubmissionResponse } from '../../src/xds/response/parse-response.js';
import { XDS_NS } from '../../src/xds/vocabulary.js';

export const SAMPLES = path.join(PACKAGE_ROOT, 'samples');

const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; profile: string; valid: boolean }[];
};
export const VALID_SAMPLES = manifest.documents.filter((d) => d.valid);

/** A stand-in ID card: the shape of a saml:Assertion, no real signature (the verifier in tests is a stub). */
export const ID_CARD =
  `<saml:Assertion xmlns:saml="${XDS_NS.saml}" xmlns:ds="${XDS_NS.ds}" IssueInstant="2026-01-01T00:00:00Z" Version="2.0" id="IDCard">` +
  '<saml:Issuer>TEST-STS</saml:Issuer>' +
  '<saml:Subject><saml:NameID Format="medcom:cvrnumber">12345678</saml:NameID></saml:Subject>' +
  '<ds:Signature Id="OCESSignature"><ds:SignatureValue>AAAA</ds:SignatureValue></ds:Signature>' +
  '</saml:Assertion>';

export interface Prepared {
  readonly bytes: Buffer;
  readonly metadata: SubmissionMetadata;
}

const SETTINGS = resolveSettings(BUILTIN_TARGETS.local?.metadata ?? {});

/** Derives and checks the metadata of a document, as `kih request` does. */
export function prepareBytes(bytes: Buffer, name = 'document.xml'): Prepared {
  const result = prepareSubmission(bytes, name, { settings: SETTINGS });
  if (!result.metadata) {
    throw new Error(`${name}: ${JSON.stringify(result.issues)}`);
  }
  return { bytes, metadata: result.metadata };
}

export function sampleBytes(file: string): Buffer {
  return readFileSync(path.join(SAMPLES, file));
}

export function prepared(file: string): Prepared {
  return prepareBytes(sampleBytes(file), file);
}

/** The sample with a new ClinicalDocument id, so it gets its own uniqueId (and hash). */
export function variant(file: string, extension = randomUUID()): Prepared {
  const text = sampleBytes(file).toString('utf8');
  const changed = text.replace(/(<id root="1\.2\.208\.184" extension=")[^"]+"/, `$1${extension}"`);
  if (changed === text) {
    throw new Error(`${file}: no MedCom document id to change`);
  }
  return prepareBytes(Buffer.from(changed, 'utf8'), file);
}

/** The same document id with other bytes (a comment at the end): same uniqueId, another hash. */
export function otherContent(p: Prepared, note = 'changed'): Prepared {
  return prepareBytes(Buffer.concat([p.bytes, Buffer.from(`<!-- ${note} -->\n`)]));
}

export interface WireRequest {
  readonly url: string;
  readonly headers: Record<string, string>;
  /** The body's parts in order; index 1 is the SOAP envelope (MTOM). */
  readonly chunks: Buffer[];
  readonly messageId: string;
}

export type Flavour = Omit<Iti41RequestOptions, 'endpoint'>;

export const DGWS: Flavour = { soapVersion: '1.1', dgws: true, idCard: ID_CARD };
export const PLAIN_SOAP12: Flavour = { soapVersion: '1.2', dgws: false };

export function buildRequest(sim: Simulator, p: Prepared, flavour: Flavour = DGWS): WireRequest {
  const built = buildIti41Request(p.metadata, p.bytes, { ...flavour, endpoint: sim.iti41Url });
  return {
    url: built.url,
    headers: { ...built.headers },
    chunks: built.chunks.map((c) => Buffer.from(c.buffer, c.byteOffset, c.byteLength)),
    messageId: built.messageId,
  };
}

/** The request with its SOAP envelope rewritten (a defect the project's builder would never make). */
export function withSoap(req: WireRequest, edit: (soap: string) => string): WireRequest {
  const soap = req.chunks[1]?.toString('utf8') ?? '';
  const edited = edit(soap);
  if (edited === soap) {
    throw new Error('the edit changed nothing');
  }
  return { ...req, chunks: req.chunks.map((c, i) => (i === 1 ? Buffer.from(edited, 'utf8') : c)) };
}

export interface Answer {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: Buffer;
  readonly text: string;
  readonly outcome: SubmissionOutcome;
}

export async function post(
  req: WireRequest,
  extraHeaders: Record<string, string> = {},
  dispatcher?: Dispatcher
): Promise<Answer> {
  const res = await request(req.url, {
    method: 'POST',
    headers: { ...req.headers, ...extraHeaders },
    body: Buffer.concat(req.chunks),
    ...(dispatcher ? { dispatcher } : {}),
  });
  const body = Buffer.from(await res.body.arrayBuffer());
  const headers = res.headers;
  return {
    status: res.statusCode,
    headers,
    body,
    text: body.toString('utf8'),
    outcome: parseSubmissionResponse({ status: res.statusCode, headers, body }),
  };
}

export async function getJson(url: string): Promise<{ status: number; json: unknown }> {
  const res = await request(url, { method: 'GET' });
  const text = await res.body.text();
  return { status: res.statusCode, json: JSON.parse(text) as unknown };
}

export function tempDir(label: string): string {
  return mkdtempSync(path.join(tmpdir(), `kih-sim-${label}-`));
}

/** A client that gives up on an answer after `ms` (as the KIH client's headers timeout does, only shorter). */
export function impatientAgent(ms: number): Agent {
  return new Agent({ headersTimeout: ms, bodyTimeout: ms });
}
