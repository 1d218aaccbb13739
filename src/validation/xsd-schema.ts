// Loads and compiles a CDA XML Schema set once per process and validates parsed documents against it.
import { createHash } from 'node:crypto';
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { XmlDocument, XmlValidateError, XsdValidator } from 'libxml2-wasm';
import { KihError } from '../core/kih-error.js';
import { serveFiles } from '../xml/libxml.js';
import { libxmlPathIndex } from '../xml/node-path.js';
import { validateXsdCapped } from '../xml/xsd-capped.js';
import { formatStep } from '../xml/path-format.js';
import type { ValidationIssue } from '../core/report.js';
import { cappedNotice, DEFAULT_MAX_FINDINGS_PER_STAGE } from './findings-cap.js';
import { classifyXsdMessage, humanizeXsdMessage } from './xsd-classify.js';

/** Entry-point names searched in a schema directory, in order (ours, then HL7's and MedCom's layouts). */
export const SCHEMA_ENTRY_POINTS = [
  'CDA_SDTC.xsd',
  'cda/CDA_SDTC.xsd',
  'infrastructure/cda/CDA_SDTC.xsd',
  'CDA.xsd',
  'infrastructure/cda/CDA.xsd',
] as const;

const MAX_SCHEMA_FILES = 500;

export interface CompiledSchema {
  readonly entry: string;
  /** Short content hash of every schema file, so reports say exactly which schema set judged them. */
  readonly id: string;
  readonly validator: XsdValidator;
}

const cache = new Map<string, CompiledSchema>();

export function locateSchemaEntry(dirOrFile: string): string {
  const abs = path.resolve(dirOrFile);
  if (abs.endsWith('.xsd') && existsSync(abs)) {
    return abs;
  }
  for (const candidate of SCHEMA_ENTRY_POINTS) {
    const file = path.join(abs, candidate);
    if (existsSync(file)) {
      return file;
    }
  }
  throw new KihError(
    'CDA_ERR_SCHEMA_LOAD',
    `No CDA schema entry point in ${dirOrFile}; looked for ${SCHEMA_ENTRY_POINTS.join(', ')}.`
  );
}

/** Every .xsd below the schema root: the entry's folder, or its grandparent for HL7's infrastructure/cda layout. */
function collectSchemaFiles(entry: string): Map<string, Uint8Array> {
  const entryDir = path.dirname(entry);
  const root = entryDir.endsWith(path.join('infrastructure', 'cda')) ? path.dirname(path.dirname(entryDir)) : entryDir;
  const files = new Map<string, Uint8Array>();
  const walk = (dir: string): void => {
    for (const name of readdirSync(dir).sort()) {
      const full = path.join(dir, name);
      if (statSync(full).isDirectory()) {
        walk(full);
      } else if (name.endsWith('.xsd')) {
        if (files.size >= MAX_SCHEMA_FILES) {
          throw new KihError('CDA_ERR_SCHEMA_LOAD', `More than ${MAX_SCHEMA_FILES} .xsd files under ${root}.`);
        }
        files.set(full, readFileSync(full));
      }
    }
  };
  walk(root);
  return files;
}

/** Compiles the schema set (cached per entry point for the life of the process). */
export function loadSchema(dirOrFile: string): CompiledSchema {
  const entry = locateSchemaEntry(dirOrFile);
  const cached = cache.get(entry);
  if (cached) {
    return cached;
  }
  const files = collectSchemaFiles(entry);
  serveFiles(files);
  const hash = createHash('sha256');
  for (const [file, bytes] of files) {
    hash
      .update(path.relative(path.dirname(entry), file))
      .update('\0')
      .update(bytes);
  }
  let validator: XsdValidator;
  const xsdDoc = XmlDocument.fromBuffer(files.get(entry) ?? readFileSync(entry), { url: entry });
  try {
    validator = XsdValidator.fromDoc(xsdDoc);
  } catch (err) {
    const detail = err instanceof XmlValidateError ? err.details.map((d) => d.message.trim()).join('; ') : String(err);
    throw new KihError('CDA_ERR_SCHEMA_LOAD', `The schema ${entry} does not compile: ${detail}`, { cause: err });
  } finally {
    xsdDoc.dispose();
  }
  const compiled: CompiledSchema = { entry, id: hash.digest('hex').slice(0, 12), validator };
  cache.set(entry, compiled);
  return compiled;
}

/**
 * libxml2 reports an attribute's error on its element; the message names the attribute
 * (`Element '…', attribute 'moodCode': …`), so the path can point at the attribute itself.
 */
function attributeStep(message: string): string {
  const name = /^Element '[^']*', attribute '([^']*)'/.exec(message)?.[1];
  if (!name) {
    return '';
  }
  const qualified = /^\{([^}]*)\}(.*)$/.exec(name);
  return formatStep({ kind: 'attribute', ns: qualified?.[1] ?? '', local: qualified ? (qualified[2] ?? '') : name });
}

/**
 * Validates a parsed document; an invalid document yields issues, never an exception. At most
 * `maxFindings` findings are kept (then one notice counts the rest), and only those get a line
 * and a canonical path, through one path index for the document, so the cost stays linear in
 * the document however many findings it has.
 */
export function validateXsd(
  schema: CompiledSchema,
  doc: XmlDocument,
  maxFindings = DEFAULT_MAX_FINDINGS_PER_STAGE
): ValidationIssue[] {
  const outcome = validateXsdCapped(schema.validator, doc, maxFindings);
  if (outcome.total === 0) {
    return [];
  }
  const paths = libxmlPathIndex(doc);
  const issues = outcome.details.map((detail): ValidationIssue => {
    const resolved = detail.xpath ? paths.resolve(detail.xpath) : null;
    const line = detail.line > 0 ? detail.line : resolved?.node.line;
    const xpath = resolved ? resolved.path + attributeStep(detail.message) : detail.xpath;
    return {
      ruleId: classifyXsdMessage(detail.message),
      severity: detail.level === 1 ? 'warning' : 'error',
      stage: 'xsd',
      message: humanizeXsdMessage(detail.message),
      ...(line ? { line } : {}),
      ...(detail.col > 0 ? { column: detail.col } : {}),
      ...(xpath ? { xpath } : {}),
    };
  });
  if (outcome.total > outcome.details.length) {
    const dropped = { error: outcome.droppedErrors, warning: outcome.droppedWarnings, info: 0 };
    issues.push(cappedNotice('xsd', issues, dropped, maxFindings));
  }
  return issues;
}
