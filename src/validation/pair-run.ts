// Pairs each QRD of a run with the QFDD it references (among the run's documents or the forms given) and adds the pair findings to its report.
import { readFile } from 'node:fs/promises';
import type { XmlDocument } from 'libxml2-wasm';
import { checkInputBytes, DEFAULT_MAX_DOCUMENT_BYTES } from '../xml/input-checks.js';
import { parseXml } from '../xml/xml-parser.js';
import { detectProfile } from '../cda/profile-detection.js';
import { formKey, readQuestionnaireForm, readQuestionnaireResponse } from '../cda/questionnaire.js';
import type { QuestionnaireForm, QuestionnaireResponse } from '../cda/questionnaire.js';
import { checkPair, formUnavailableIssue } from '../rules/pair-checks.js';
import { statusOf, summarize } from '../core/report.js';
import type { DocumentReport, Severity, ValidationIssue, ValidationRunReport } from '../core/report.js';

/** A QFDD read for pairing, with the file it came from (named in the findings' messages). */
export interface LoadedForm {
  readonly file: string;
  readonly form: QuestionnaireForm;
}

export interface PairOptions {
  /** Forms given outside the run (`kih validate --qfdd`); with exactly one, every unpaired QRD is checked against it. */
  readonly forms?: readonly LoadedForm[];
  readonly maxBytes?: number;
  readonly severityOverrides?: Readonly<Record<string, Severity>>;
}

type Read<T> = { ok: true; value: T } | { ok: false; reason: string };

/** Reads a document through the same guarded input and XML stages as validation, then the model `read` takes from it. */
async function readModel<T>(file: string, maxBytes: number, read: (doc: XmlDocument) => Read<T>): Promise<Read<T>> {
  let bytes: Uint8Array;
  try {
    bytes = await readFile(file);
  } catch (err) {
    return { ok: false, reason: err instanceof Error ? err.message : String(err) };
  }
  const input = checkInputBytes(bytes, maxBytes);
  if (!input.ok) {
    return { ok: false, reason: input.issues[0]?.message ?? 'not readable' };
  }
  const parsed = parseXml(bytes, file, input.text);
  if (!parsed.ok) {
    return { ok: false, reason: parsed.issues[0]?.message ?? 'not well-formed' };
  }
  try {
    return read(parsed.doc);
  } finally {
    parsed.doc.dispose();
  }
}

/** A QFDD file as a form, or why it is none (not readable, not XML, not a DK QFDD). */
export function loadForm(file: string, maxBytes = DEFAULT_MAX_DOCUMENT_BYTES): Promise<Read<LoadedForm>> {
  return readModel(file, maxBytes, (doc) => {
    const profile = detectProfile(doc).profile;
    if (profile !== 'dk-qfdd-1.2') {
      return {
        ok: false,
        reason: `it is ${profile === null ? 'no DK CDA document' : `a ${profile} document`}, not a DK QFDD`,
      };
    }
    return { ok: true, value: { file, form: readQuestionnaireForm(doc) } };
  });
}

/**
 * The form most of the responses reference (responses referencing another form are then the
 * DK-PAIR-001 findings, not every other response); the earlier form of equals.
 */
function referencedForm(response: QuestionnaireResponse, forms: readonly LoadedForm[]): LoadedForm | undefined {
  const votes = new Map<string, number>();
  for (const r of response.responses) {
    for (const key of new Set(r.references.map(formKey))) {
      votes.set(key, (votes.get(key) ?? 0) + 1);
    }
  }
  let best: LoadedForm | undefined;
  let bestVotes = 0;
  for (const f of forms) {
    const v = f.form.id ? (votes.get(formKey(f.form.id)) ?? 0) : 0;
    if (v > bestVotes) {
      best = f;
      bestVotes = v;
    }
  }
  return best;
}

function withPairIssues(
  doc: DocumentReport,
  issues: readonly ValidationIssue[],
  overrides?: Readonly<Record<string, Severity>>
): DocumentReport {
  const added = issues.map((i) => {
    const severity = overrides?.[i.ruleId];
    return severity ? { ...i, severity } : i;
  });
  const all = [...doc.issues, ...added];
  const status = statusOf(all);
  return { ...doc, issues: all, status, valid: status === 'valid' };
}

/** The bytes of a QRD read as its responses (the same guarded input and XML stages as validation). */
function responseOf(bytes: Uint8Array, file: string, maxBytes: number): Read<QuestionnaireResponse> {
  const input = checkInputBytes(bytes, maxBytes);
  if (!input.ok) {
    return { ok: false, reason: input.issues[0]?.message ?? 'not readable' };
  }
  const parsed = parseXml(bytes, file, input.text);
  if (!parsed.ok) {
    return { ok: false, reason: parsed.issues[0]?.message ?? 'not well-formed' };
  }
  try {
    return { ok: true, value: readQuestionnaireResponse(parsed.doc) };
  } finally {
    parsed.doc.dispose();
  }
}

/**
 * A QRD report with its pair findings, against the form its responses reference among `forms`
 * (one document at a time: `kih submit`, which validates and sends each document alone).
 */
export function pairDocument(
  report: DocumentReport,
  bytes: Uint8Array,
  forms: readonly LoadedForm[],
  options: Pick<PairOptions, 'maxBytes' | 'severityOverrides'> = {}
): DocumentReport {
  if (report.profile !== 'dk-qrd-1.3' || report.status === 'error') {
    return report;
  }
  const read = responseOf(bytes, report.file, options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES);
  if (!read.ok) {
    return report;
  }
  const paired = referencedForm(read.value, forms);
  const issues = paired ? checkPair(read.value, paired.form, paired.file) : [formUnavailableIssue(read.value)];
  return withPairIssues(report, issues, options.severityOverrides);
}

/**
 * The run's QFDDs as forms, those `isValid` accepts first (a defective copy of a form, with the same
 * id, must not stand in for it). The bytes are looked at for the QFDD template before parsing.
 */
export async function loadRunForms(
  files: readonly string[],
  isValid: (file: string, bytes: Uint8Array) => Promise<boolean>,
  maxBytes = DEFAULT_MAX_DOCUMENT_BYTES
): Promise<LoadedForm[]> {
  const valid: LoadedForm[] = [];
  const invalid: LoadedForm[] = [];
  for (const file of files) {
    let bytes: Buffer;
    try {
      bytes = await readFile(file);
    } catch {
      // Unreadable here: the document's own submission reports it.
      continue;
    }
    // The DK QFDD document template: most files are no form, and parsing them all would cost a parse each.
    if (!bytes.includes('1.2.208.184.12.1')) {
      continue;
    }
    const loaded = await loadForm(file, maxBytes);
    if (loaded.ok) {
      ((await isValid(file, bytes)) ? valid : invalid).push(loaded.value);
    }
  }
  return [...valid, ...invalid];
}

/**
 * Adds the pair findings (stage `pair`) to every QRD of the run: paired with the QFDD its responses
 * reference, found by id among the run's QFDDs and the given forms; with exactly one given form and
 * no match, with that form (its DK-PAIR-001 findings then say the reference is wrong); otherwise one
 * DK-PAIR-010 note. Documents the tool could not finish are left as they are.
 */
export async function addPairChecks(run: ValidationRunReport, options: PairOptions = {}): Promise<ValidationRunReport> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;
  const given = options.forms ?? [];
  const qrds = run.documents.filter((d) => d.profile === 'dk-qrd-1.3' && d.status !== 'error');
  if (qrds.length === 0) {
    return run;
  }
  const forms: LoadedForm[] = [...given];
  // A valid form before an invalid one with the same id (a defective copy of it, say).
  const runForms = run.documents.filter((d) => d.profile === 'dk-qfdd-1.2' && d.status !== 'error');
  for (const doc of [...runForms.filter((d) => d.valid), ...runForms.filter((d) => !d.valid)]) {
    const loaded = await loadForm(doc.file, maxBytes);
    if (loaded.ok) {
      forms.push(loaded.value);
    }
  }
  const added = new Map<DocumentReport, readonly ValidationIssue[]>();
  for (const doc of qrds) {
    const read = await readModel<QuestionnaireResponse>(doc.file, maxBytes, (xml) => ({
      ok: true,
      value: readQuestionnaireResponse(xml),
    }));
    if (!read.ok) {
      continue;
    }
    const response = read.value;
    const paired = referencedForm(response, forms) ?? (given.length === 1 ? given[0] : undefined);
    added.set(doc, paired ? checkPair(response, paired.form, paired.file) : [formUnavailableIssue(response)]);
  }
  const documents = run.documents.map((d) => {
    const issues = added.get(d);
    return issues ? withPairIssues(d, issues, options.severityOverrides) : d;
  });
  return { ...run, documents, summary: summarize(documents) };
}
