// `kih metadata` and `kih request` on every valid sample, on broken documents, and with bad options or settings.
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { parseHttpMessage } from '../../src/xds/http-message.js';
import { parseMultipartRelated } from '../../src/xds/mtom.js';
import { XDS_NS } from '../../src/xds/vocabulary.js';
import { runBinary, runInProcess, SAMPLES } from '../helpers/cli.js';

const manifest = JSON.parse(readFileSync(path.join(SAMPLES, 'manifest.json'), 'utf8')) as {
  documents: { file: string; profile: string; valid: boolean }[];
};
const VALID = manifest.documents.filter((d) => d.valid);
const dir = mkdtempSync(path.join(tmpdir(), 'kih-xds-cli-'));
const PHMR = path.join(SAMPLES, 'dk-phmr-2.1/valid/weight.xml');
const QRD = path.join(SAMPLES, 'dk-qrd-1.3/valid/fatigue-pain-sliders.xml');

function write(name: string, text: string): string {
  const file = path.join(dir, name);
  writeFileSync(file, text);
  return file;
}

describe('kih metadata', () => {
  it.each(VALID)('$file', async ({ file, profile }) => {
    const run = await runInProcess(['metadata', path.join(SAMPLES, file)]);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as Record<string, unknown> & {
      documentEntry: Record<string, unknown>;
      submissionSet: Record<string, unknown>;
    };
    expect(out.profile).toBe(profile);
    expect(out.target).toBe('local');
    const golden = JSON.parse(readFileSync(path.join(SAMPLES, file.replace(/\.xml$/, '.metadata.json')), 'utf8')) as {
      documentEntry: Record<string, unknown>;
    };
    // Everything but the per-request ids matches the golden metadata.
    const { entryUUID: _a, ...entry } = out.documentEntry;
    const { entryUUID: _b, ...expected } = golden.documentEntry;
    expect(entry).toEqual(expected);
    expect(out.documentEntry.entryUUID).toMatch(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(out.submissionSet.uniqueId).toMatch(/^2\.25\.\d+$/);
    expect(Array.isArray(out.defaultsUsed)).toBe(true);
  });

  it('prints profile field names with coded values as { code, codeSystem, displayName }', async () => {
    const out = JSON.parse((await runInProcess(['metadata', PHMR])).stdout) as {
      documentEntry: Record<string, unknown>;
    };
    for (const field of ['uniqueId', 'patientId', 'typeCode', 'classCode', 'formatCode', 'creationTime']) {
      expect(out.documentEntry).toHaveProperty(field);
    }
    expect(Object.keys(out.documentEntry.typeCode as object).sort()).toEqual(['code', 'codeSystem', 'displayName']);
  });

  it('a broken header gives exit 1, no metadata and the finding', async () => {
    const broken = write(
      'no-offset.xml',
      readFileSync(PHMR, 'utf8').replace('20260402081000+0200"/>\n  <conf', '20260402081000"/>\n  <conf')
    );
    const run = await runInProcess(['metadata', broken]);
    expect(run.code).toBe(1);
    const out = JSON.parse(run.stdout) as { documentEntry: unknown; issues: { ruleId: string; line: number }[] };
    expect(out.documentEntry).toBeNull();
    expect(out.issues.map((i) => i.ruleId)).toEqual(['XDS-CDA-003']);
    expect(out.issues[0]?.line).toBe(18);
  });

  it('--event-code adds to eventCodeList; --target kih-test uses its home community and warns about defaults', async () => {
    const run = await runInProcess(['metadata', QRD, '-t', 'kih-test', '--event-code', 'ALAL03@1.2.208.176.2.4=KOL']);
    expect(run.code).toBe(0);
    const out = JSON.parse(run.stdout) as {
      documentEntry: { eventCodeList: unknown[]; homeCommunityId: string };
      issues: { ruleId: string }[];
      defaultsUsed: string[];
    };
    expect(out.documentEntry.eventCodeList).toEqual([
      { code: 'ALAL03', codeSystem: '1.2.208.176.2.4', displayName: 'KOL' },
    ]);
    expect(out.documentEntry.homeCommunityId).toBe('urn:oid:1.2.208.176.43210.8.20');
    expect(out.issues.filter((i) => i.ruleId === 'XDS-CFG-001')).toHaveLength(3);
    expect(out.defaultsUsed).toEqual(expect.arrayContaining(['sourceId', 'practiceSettingCode']));
  });

  it('a settings file replaces the defaults, per target too', async () => {
    const config = write(
      'settings.json',
      JSON.stringify({
        metadata: {
          sourceId: '1.2.208.999.1',
          practiceSettingCode: {
            code: '394588006',
            codeSystem: '2.16.840.1.113883.6.96',
            displayName: 'børne- og ungdomspsykiatri',
          },
        },
        targets: { 'kih-test': { metadata: { formatCodeStyle: 'legacy' } } },
      })
    );
    const local = JSON.parse((await runInProcess(['metadata', PHMR, '-c', config])).stdout) as {
      documentEntry: { practiceSettingCode: { code: string }; formatCode: { code: string } };
      submissionSet: { sourceId: string };
    };
    expect(local.submissionSet.sourceId).toBe('1.2.208.999.1');
    expect(local.documentEntry.practiceSettingCode.code).toBe('394588006');
    expect(local.documentEntry.formatCode.code).toBe('urn:ad:dk:medcom:phmr-v2.1:full');
    const test = JSON.parse((await runInProcess(['metadata', PHMR, '-c', config, '-t', 'kih-test'])).stdout) as {
      documentEntry: { formatCode: { code: string } };
    };
    expect(test.documentEntry.formatCode.code).toBe('urn:ad:dk:medcom:phmr:full');
  });

  it.each([
    ['not JSON', '{', /not valid JSON/],
    ['unknown key', '{"metadata":{"sourceID":"1.2"}}', /metadata\.sourceID: unknown setting/],
    ['bad OID', '{"metadata":{"sourceId":"1.02.3"}}', /sourceId: "1\.02\.3" is not an OID/],
    [
      'coded value without display',
      '{"metadata":{"practiceSettingCode":{"code":"1","codeSystem":"2.16.840.1.113883.6.96"}}}',
      /displayName: must be a non-empty string/,
    ],
    ['bad style', '{"metadata":{"formatCodeStyle":"old"}}', /"versioned" or "legacy"/],
  ])('a settings file with %s is refused (exit 2, CONFIG_ERR_INVALID)', async (_name, json, message) => {
    const run = await runInProcess(['metadata', PHMR, '-c', write('bad.json', json)]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/CONFIG_ERR_INVALID/);
    expect(run.stderr).toMatch(message);
  });

  it.each([
    [['metadata'], /exactly one document/],
    [['metadata', PHMR, PHMR], /exactly one document/],
    [['metadata', PHMR, '-t', 'nowhere'], /Unknown target "nowhere"/],
    [['metadata', PHMR, '--event-code', 'ALAL03'], /CODE@CODESYSTEM=Display/],
    [['metadata', PHMR, '--profile', 'dk-xyz'], /Unknown --profile/],
    [['metadata', PHMR, '--endpoint', 'http://127.0.0.1:1/'], /use them with kih request/],
    [['metadata', path.join(dir, 'missing.xml')], /CDA_ERR_READ/],
  ])('%j is a usage error', async (argv, message) => {
    const run = await runInProcess(argv);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(message);
  });
});

describe('kih request', () => {
  it.each(VALID)('$file', async ({ file }) => {
    const out = path.join(dir, `${path.basename(file)}.http`);
    const run = await runInProcess([
      'request',
      path.join(SAMPLES, file),
      '--out',
      out,
      '--event-code',
      'ALAL03@1.2.208.176.2.4=KOL',
    ]);
    expect(run.code).toBe(0);
    const http = parseHttpMessage(readFileSync(out));
    expect(http.method).toBe('POST');
    expect(http.target).toBe('/kih-iti41/iti41');
    const mime = parseMultipartRelated(http.body, http.headers['content-type'] ?? '');
    expect(Buffer.from(mime.parts[1]?.body ?? []).equals(readFileSync(path.join(SAMPLES, file)))).toBe(true);
  });

  it('--id-card puts the card into wsse:Security unchanged; without one there is a warning', async () => {
    const card = `<?xml version="1.0" encoding="UTF-8"?>\n<saml:Assertion xmlns:saml="${XDS_NS.saml}" ID="IDCard">\n  <saml:Issuer>TEST</saml:Issuer>\n</saml:Assertion>\n`;
    const out = path.join(dir, 'with-card.http');
    const run = await runInProcess(['request', PHMR, '--id-card', write('card.xml', card), '-o', out]);
    expect(run.code).toBe(0);
    expect(run.stderr).toBe('');
    expect(readFileSync(out, 'utf8')).toContain(`<wsu:Timestamp><wsu:Created>`);
    expect(readFileSync(out, 'utf8')).toContain(card.replace(/^<\?xml[^>]*>\n/, '').trimEnd() + '</wsse:Security>');
    const bare = await runInProcess(['request', PHMR, '-o', path.join(dir, 'no-card.http')]);
    expect(bare.stderr).toMatch(/no --id-card/);
  });

  it.each([
    ['not XML', '<saml:Assertion', /not well-formed/],
    ['not an assertion', '<Assertion/>', /must be a \{urn:oasis:names:tc:SAML:2.0:assertion\}Assertion/],
    ['a DOCTYPE', '<!DOCTYPE x><x/>', /DOCTYPE/],
  ])('an ID card that is %s is refused', async (_name, text, message) => {
    const run = await runInProcess([
      'request',
      PHMR,
      '--id-card',
      write('bad-card.xml', text),
      '-o',
      path.join(dir, 'x.http'),
    ]);
    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/XDS_ERR_ID_CARD/);
    expect(run.stderr).toMatch(message);
  });

  it('--endpoint makes a plain IHE SOAP 1.2 request without DGWS headers', async () => {
    const out = path.join(dir, 'ihe.http');
    const run = await runInProcess(['request', PHMR, '--endpoint', 'http://127.0.0.1:9/xdsrepositoryb', '-o', out]);
    expect(run.code).toBe(0);
    const text = readFileSync(out, 'utf8');
    expect(text).toContain(XDS_NS.soap12);
    expect(text).not.toContain('medcom:Header');
    expect(text).not.toMatch(/^SOAPAction:/m);
    expect(text).toMatch(/^POST \/xdsrepositoryb HTTP\/1\.1\r\nHost: 127\.0\.0\.1:9\r\n/);
  });

  it('--soap 1.2 on a DGWS target drops DGWS; --soap 3 is refused', async () => {
    const out = path.join(dir, 'soap12.http');
    expect((await runInProcess(['request', PHMR, '--soap', '1.2', '-o', out])).code).toBe(0);
    expect(readFileSync(out, 'utf8')).not.toContain('medcom:Header');
    const bad = await runInProcess(['request', PHMR, '--soap', '3']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/--soap takes 1\.1 or 1\.2/);
  });

  it('metadata errors: exit 1, the findings on stderr, no request', async () => {
    const broken = write(
      'no-cpr.xml',
      readFileSync(PHMR, 'utf8').replace(
        /<id root="1\.2\.208\.176\.1\.2" extension="3009840931"[^>]*\/>\s*<addr use="H">/,
        '<addr use="H">'
      )
    );
    const out = path.join(dir, 'never.http');
    const run = await runInProcess(['request', broken, '-o', out]);
    expect(run.code).toBe(1);
    expect(run.stderr).toMatch(/error XDS-CDA-002/);
    expect(run.stderr).toMatch(/XDS_ERR_METADATA/);
    expect(() => readFileSync(out)).toThrow();
  });

  it('the built binary writes the request to standard output', () => {
    const run = runBinary(['request', PHMR]);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^POST \/kih-iti41\/iti41 HTTP\/1\.1\r\n/);
    expect(run.stdout).toContain('</ClinicalDocument>');
  });
});
