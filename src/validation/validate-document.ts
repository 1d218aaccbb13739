// The validation pipeline for one document: bytes → XML → profile → XSD → Schematron → TypeScript checks → XDS header checks, as one report.
import { createHash } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { performance } from 'node:perf_hooks';
import { checkInputBytes, DEFAULT_MAX_DOCUMENT_BYTES, tooLargeIssue } from '../xml/input-checks.js';
import { detectProfile } from '../cda/profile-detection.js';
import { parseXml } from '../xml/xml-parser.js';
import { isKihError } from '../core/kih-error.js';
import { DEFAULT_SCHEMAS_DIR } from '../core/package-info.js';
import { readCdaHeader } from '../cda/cda-header.js';
import type { CdaHeader } from '../cda/cda-header.js';
import { runPostChecks } from '../rules/post-checks.js';
import { checkCdaHeader } from '../rules/xds-header-checks.js';
import { runRuleSet } from '../schematron/index.js';
import { statusOf } from '../core/report.js';
import type { DocumentReport, ProfileId, Severity, ValidationIssue } from '../core/report.js';
import { capFindings, DEFAULT_MAX_FINDINGS_PER_STAGE } from './findings-cap.js';
import { createRuleSets, ruleFileName } from './rule-sets.js';
import type { RuleSetOptions, RuleSets } from './rule-sets.js';
import { loadSchema, validateXsd } from './xsd-schema.js';
import type { CompiledSchema } from './xsd-schema.js';

export interface ValidateOptions extends RuleSetOptions {
  /** Schema directory (or entry .xsd); default: the project's own schemas/cda. */
  readonly schemasDir?: string;
  /** Validate as this profile instead of detecting one. */
  readonly profile?: ProfileId;
  /** Size limit in bytes; default 20 MB. */
  readonly maxBytes?: number;
  /** Severity per rule id, replacing the rule's own (for rules where published guidance conflicts). */
  readonly severityOverrides?: Readonly<Record<string, Severity>>;
  /**
   * Findings kept per stage (xsd, schematron, rules, xds) of one document; the rest are counted in one
   * `CDA_FINDINGS_CAPPED` notice. Default 1,000. (The Schematron engine also keeps at most 100
   * findings per assert.)
   */
  readonly maxFindingsPerStage?: number;
  /**
   * Run the XDS header checks (`XDS-CDA-*`, stage `xds`): a document whose XDS metadata cannot be
   * derived from its header is not valid, since it could not be submitted. Default true
   * (`kih validate --no-xds-checks` turns them off). Only the checks that need nothing but the
   * document run here, never the ones that depend on a target's metadata settings (see
   * src/rules/xds-header-checks.ts), so the verdict is the same for every target.
   */
  readonly xdsChecks?: boolean;
}

/**
 * A report with the header facts read from the tree validation built (plain data, so it crosses
 * from a validation thread): the submit path derives the XDS metadata from them instead of
 * parsing the document again. `header` is there when the profile is known and the XML parsed.
 */
export interface ValidatedDocument {
  readonly report: DocumentReport;
  readonly header?: CdaHeader;
}

export interface DocumentValidator {
  /** Short id of the compiled schema set (content hash). */
  readonly schemaId: string;
  /** Rule file → short content hash of every rule set used so far. */
  ruleVersions(): Record<string, string>;
  validateBytes(bytes: Uint8Array, file: string): Promise<DocumentReport>;
  validateFile(file: string): Promise<DocumentReport>;
  /** `validateBytes`, and the header facts of the tree it validated (for deriving XDS metadata). */
  validateBytesWithHeader(bytes: Uint8Array, file: string): Promise<ValidatedDocument>;
}

interface Finding {
  readonly profile: ProfileId | null;
  readonly profileSource: DocumentReport['profileSource'];
  readonly issues: ValidationIssue[];
  readonly schematronFallbacks?: Readonly<Record<string, string>>;
  readonly header?: CdaHeader;
}

async function runStages(
  schema: CompiledSchema,
  rules: RuleSets,
  bytes: Uint8Array,
  file: string,
  options: ValidateOptions,
  wantHeader = false
): Promise<Finding> {
  const none = { profile: null, profileSource: 'none' as const };
  const input = checkInputBytes(bytes, options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES);
  if (!input.ok) {
    return { ...none, issues: input.issues };
  }
  const parsed = parseXml(bytes, file, input.text);
  if (!parsed.ok) {
    return { ...none, issues: parsed.issues };
  }
  const doc = parsed.doc;
  try {
    const issues: ValidationIssue[] = [];
    let profile: ProfileId | null;
    let profileSource: DocumentReport['profileSource'];
    if (options.profile) {
      profile = options.profile;
      profileSource = 'override';
    } else {
      const detection = detectProfile(doc);
      issues.push(...detection.issues);
      profile = detection.profile;
      profileSource = profile ? 'detected' : 'none';
      if (detection.issues.some((i) => i.ruleId === 'CDA_ERR_NOT_CDA')) {
        return { profile, profileSource, issues };
      }
    }
    const maxFindings = options.maxFindingsPerStage ?? DEFAULT_MAX_FINDINGS_PER_STAGE;
    issues.push(...validateXsd(schema, doc, maxFindings));
    // Schematron runs even when the XSD stage failed: people fix both kinds in one pass (as Gazelle does).
    const fallbacks: Record<string, string> = {};
    const schematronIssues: ValidationIssue[] = [];
    for (const ruleSet of await rules.forProfile(profile)) {
      const run = runRuleSet(ruleSet, input.text, doc);
      schematronIssues.push(...run.issues);
      if (run.fallback !== undefined) {
        fallbacks[ruleFileName(ruleSet.sources[0] ?? '')] = run.fallback;
      }
    }
    issues.push(...capFindings('schematron', schematronIssues, maxFindings));
    if (options.builtinRules !== false) {
      issues.push(...capFindings('rules', runPostChecks(doc, profile), maxFindings));
    }
    // The checks are plain functions in src/rules (not an injected stage) so that validation
    // threads, which receive their options as data, run them too.
    // Read once: the same facts serve the header checks and, for the submit path, the metadata.
    const header = profile && (wantHeader || options.xdsChecks !== false) ? readCdaHeader(doc) : undefined;
    if (options.xdsChecks !== false && profile && header) {
      issues.push(...capFindings('xds', [...checkCdaHeader(header, profile).issues], maxFindings));
    }
    return {
      profile,
      profileSource,
      issues,
      ...(Object.keys(fallbacks).length > 0 ? { schematronFallbacks: fallbacks } : {}),
      ...(wantHeader && header ? { header } : {}),
    };
  } finally {
    doc.dispose();
  }
}

function toolIssue(ruleId: 'CDA_ERR_INTERNAL' | 'CDA_ERR_READ', err: unknown): ValidationIssue {
  const detail = err instanceof Error ? err.message : String(err);
  const code = isKihError(err) ? `${err.code}: ` : '';
  return {
    ruleId,
    severity: 'error',
    stage: 'tool',
    message: `${ruleId === 'CDA_ERR_READ' ? 'Could not read the file' : 'The validator failed'}: ${code}${detail}`,
  };
}

function applyOverrides(issues: ValidationIssue[], overrides?: Readonly<Record<string, Severity>>): ValidationIssue[] {
  if (!overrides) {
    return issues;
  }
  return issues.map((i) => {
    const severity = overrides[i.ruleId];
    return severity && i.stage !== 'tool' ? { ...i, severity } : i;
  });
}

function report(file: string, finding: Finding, started: number, bytes?: Uint8Array, size?: number): DocumentReport {
  const status = statusOf(finding.issues);
  return {
    file,
    profile: finding.profile,
    profileSource: finding.profileSource,
    valid: status === 'valid',
    status,
    issues: finding.issues,
    ...(finding.schematronFallbacks ? { schematronFallbacks: finding.schematronFallbacks } : {}),
    ...(bytes ? { sha256: createHash('sha256').update(bytes).digest('hex') } : {}),
    ...(size !== undefined ? { size } : {}),
    durationMs: Math.round((performance.now() - started) * 1000) / 1000,
  };
}

/**
 * Compiles the schema once (throws KihError CDA_ERR_SCHEMA_LOAD when it cannot) and returns a
 * validator that never throws for a document: a bad document or a tool failure is a report.
 * Rule sets compile on first use; call `prepareRules` first to surface their errors up front.
 */
export function createDocumentValidator(options: ValidateOptions = {}): DocumentValidator & {
  prepareRules(): Promise<void>;
} {
  const schema = loadSchema(options.schemasDir ?? DEFAULT_SCHEMAS_DIR);
  const rules = createRuleSets(options);
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_DOCUMENT_BYTES;

  const validateChecked = async (
    bytes: Uint8Array,
    file: string,
    wantHeader: boolean,
    started = performance.now()
  ): Promise<ValidatedDocument> => {
    let finding: Finding;
    try {
      finding = await runStages(schema, rules, bytes, file, options, wantHeader);
    } catch (err) {
      finding = {
        profile: options.profile ?? null,
        profileSource: options.profile ? 'override' : 'none',
        issues: [toolIssue('CDA_ERR_INTERNAL', err)],
      };
    }
    return {
      report: report(
        file,
        { ...finding, issues: applyOverrides(finding.issues, options.severityOverrides) },
        started,
        bytes,
        bytes.length
      ),
      ...(finding.header ? { header: finding.header } : {}),
    };
  };
  const validateBytes = async (bytes: Uint8Array, file: string, started?: number): Promise<DocumentReport> =>
    (await validateChecked(bytes, file, false, started)).report;

  return {
    schemaId: schema.id,
    ruleVersions: () => rules.versions(),
    prepareRules: () => rules.prepare(),
    validateBytes: (bytes, file) => validateBytes(bytes, file),
    validateBytesWithHeader: (bytes, file) => validateChecked(bytes, file, true),
    async validateFile(file) {
      const started = performance.now();
      let bytes: Uint8Array;
      try {
        // Check the size before reading, so an oversized upload is never loaded into memory.
        const { size } = await stat(file);
        if (size > maxBytes) {
          return report(
            file,
            { profile: null, profileSource: 'none', issues: [tooLargeIssue(size, maxBytes)] },
            started,
            undefined,
            size
          );
        }
        bytes = await readFile(file);
      } catch (err) {
        return report(
          file,
          { profile: null, profileSource: 'none', issues: [toolIssue('CDA_ERR_READ', err)] },
          started
        );
      }
      return validateBytes(bytes, file, started);
    },
  };
}
