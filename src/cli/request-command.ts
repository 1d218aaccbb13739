// `kih request`: builds the complete ITI-41 HTTP request for a document and writes it for inspection or replay.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { readIdCardFile } from '../security/id-card-file.js';
import type { ValidationIssue } from '../core/report.js';
import { renderHttpRequest } from '../xds/http-message.js';
import { buildIti41Request } from '../xds/iti41-request.js';
import { EXIT } from './io.js';
import type { CliIo, CliStream } from './io.js';
import { readDocument } from '../cda/read-document.js';
import { prepareWithContext, resolveXdsContext, XDS_OPTIONS, XDS_OPTIONS_USAGE } from './xds-options.js';

export const REQUEST_USAGE = `Usage: kih request [options] <file>

Builds the ITI-41 ProvideAndRegisterDocumentSet-b request for a document (metadata, ebRIM,
SOAP with WS-Addressing and, for KIH, DGWS headers, MTOM/XOP) and writes the complete HTTP
request: request line, headers, blank line, body.

Options:
${XDS_OPTIONS_USAGE}
      --id-card <file>  the STS-signed ID card (saml:Assertion) for the DGWS Security header

Exit status: 0 request written, 1 metadata findings (no request), 2 usage or tool error.`;

function findingLine(file: string, issue: ValidationIssue): string {
  return `${file}${issue.line ? `:${issue.line}` : ''}: ${issue.severity} ${issue.ruleId}: ${issue.message}`;
}

async function writeChunks(stream: CliStream, chunks: readonly Uint8Array[]): Promise<void> {
  for (const chunk of chunks) {
    if (!stream.write(chunk)) {
      await once(stream, 'drain');
    }
  }
}

export async function requestCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: { ...XDS_OPTIONS, 'id-card': { type: 'string' } },
  });
  if (values.help) {
    io.stdout.write(REQUEST_USAGE + '\n');
    return EXIT.ok;
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name exactly one document.');
  }
  const context = await resolveXdsContext(values, io.env);
  const idCard = values['id-card'] !== undefined ? await readIdCardFile(values['id-card']) : undefined;
  const bytes = await readDocument(file);
  const prepared = prepareWithContext(bytes, file, context);
  for (const issue of prepared.issues) {
    io.stderr.write(findingLine(file, issue) + '\n');
  }
  if (!prepared.metadata) {
    io.stderr.write(`kih: XDS_ERR_METADATA: ${file}: the metadata has errors (above); no request was built.\n`);
    return EXIT.findings;
  }
  if (context.target.dgws && idCard === undefined) {
    io.stderr.write(
      `kih: warning: no --id-card: the DGWS Security header carries only a timestamp, which ${context.target.name} will refuse.\n`
    );
  }
  const request = buildIti41Request(prepared.metadata, bytes, {
    endpoint: context.target.endpoint,
    soapVersion: context.soapVersion,
    dgws: context.target.dgws,
    ...(idCard !== undefined ? { idCard } : {}),
  });
  const chunks = renderHttpRequest({
    method: request.method,
    url: request.url,
    headers: { ...request.headers },
    chunks: [...request.chunks],
  });
  if (values.out !== undefined) {
    const out = createWriteStream(values.out);
    await writeChunks(out, chunks);
    out.end();
    await once(out, 'finish');
  } else {
    await writeChunks(io.stdout, chunks);
  }
  return EXIT.ok;
}
