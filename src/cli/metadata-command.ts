// `kih metadata`: derives and checks a document's XDS metadata and prints it as JSON.
import { writeFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { KihError } from '../core/kih-error.js';
import { EXIT } from './io.js';
import type { CliIo } from './io.js';
import { readDocument } from '../cda/read-document.js';
import { prepareWithContext, resolveXdsContext, XDS_OPTIONS, XDS_OPTIONS_USAGE } from './xds-options.js';

export const METADATA_USAGE = `Usage: kih metadata [options] <file>

Derives the XDS DocumentEntry and SubmissionSet from a PHMR/QRD/QFDD document's header, checks
them with the IHE and DK metadata rules, and prints them as JSON.

Options:
${XDS_OPTIONS_USAGE}

Exit status: 0 metadata complete, 1 error findings (no metadata), 2 usage or tool error.`;

export async function metadataCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { values, positionals } = parseArgs({
    args: [...argv],
    allowPositionals: true,
    strict: true,
    options: XDS_OPTIONS,
  });
  if (values.help) {
    io.stdout.write(METADATA_USAGE + '\n');
    return EXIT.ok;
  }
  if (values.endpoint !== undefined || values.soap !== undefined) {
    throw new KihError('CLI_ERR_USAGE', '--endpoint and --soap concern the request; use them with kih request.');
  }
  const [file, ...extra] = positionals;
  if (file === undefined || extra.length > 0) {
    throw new KihError('CLI_ERR_USAGE', 'Name exactly one document.');
  }
  const context = await resolveXdsContext(values, io.env);
  const bytes = await readDocument(file);
  const prepared = prepareWithContext(bytes, file, context);
  const output = {
    file,
    profile: prepared.profile,
    target: context.target.name,
    documentEntry: prepared.metadata?.documentEntries[0] ?? null,
    submissionSet: prepared.metadata?.submissionSet ?? null,
    defaultsUsed: prepared.defaultsUsed,
    issues: prepared.issues,
  };
  const json = JSON.stringify(output, null, 2) + '\n';
  if (values.out !== undefined) {
    await writeFile(values.out, json);
  } else {
    io.stdout.write(json);
  }
  return prepared.metadata ? EXIT.ok : EXIT.findings;
}
