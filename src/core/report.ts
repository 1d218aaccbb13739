// The one report model every stage writes into and every renderer reads: plain data, no behaviour.

/** Profiles the tool knows; `null` in a report means "not detected". */
export const PROFILE_IDS = ['dk-phmr-1.3', 'dk-phmr-2.1', 'dk-qrd-1.3', 'dk-qfdd-1.2'] as const;
export type ProfileId = (typeof PROFILE_IDS)[number];

export function isProfileId(value: string): value is ProfileId {
  return (PROFILE_IDS as readonly string[]).includes(value);
}

export type Severity = 'error' | 'warning' | 'info';

/**
 * Where a finding came from, in processing order. `input`: bytes before parsing (size, encoding);
 * `xml`: well-formedness and forbidden constructs; `profile`: profile detection; `xsd`: CDA R2 schema;
 * `schematron`: profile rules; `rules`: profile checks written in TypeScript; `xds`: XDS metadata rules;
 * `pair`: a QRD's answers against the QFDD it answers (a check across two documents); `tool`: the validator itself failed.
 */
export type Stage = 'input' | 'xml' | 'profile' | 'xsd' | 'schematron' | 'rules' | 'xds' | 'pair' | 'tool';

export interface ValidationIssue {
  /** Stable identifier: an error code (`CDA_ERR_*`), an XSD class (`XSD_*`) or a Schematron assert id. */
  readonly ruleId: string;
  readonly severity: Severity;
  readonly message: string;
  readonly stage: Stage;
  /** 1-based line in the source document, where known. */
  readonly line?: number;
  /** 1-based column, where known (libxml2 gives none for schema errors). */
  readonly column?: number;
  /** Prefixed XPath to the node, `cda:` for urn:hl7-org:v3 and `sdtc:` for urn:hl7-org:sdtc. */
  readonly xpath?: string;
  /** The rule's test expression (Schematron), for people debugging a rule. */
  readonly test?: string;
  /** Link or clause reference for the rule. */
  readonly see?: string;
}

/**
 * `valid`: no error-severity issue. `invalid`: at least one. `error`: the tool could not finish
 * (an unexpected failure), so the document has no verdict — distinct from invalid on purpose.
 */
export type DocumentStatus = 'valid' | 'invalid' | 'error';

export interface DocumentReport {
  /** Path as given by the user (relative paths stay relative). */
  readonly file: string;
  readonly profile: ProfileId | null;
  /** How the profile was found: `detected`, `override` (--profile), or `none`. */
  readonly profileSource: 'detected' | 'override' | 'none';
  readonly valid: boolean;
  readonly status: DocumentStatus;
  readonly issues: readonly ValidationIssue[];
  /**
   * Rule file → why the own Schematron engine left this document to SaxonJS (whose findings the
   * issues then are), for each rule set where it did; absent when none did.
   */
  readonly schematronFallbacks?: Readonly<Record<string, string>>;
  /** SHA-256 of the exact bytes, hex; absent when the file could not be read. */
  readonly sha256?: string;
  readonly size?: number;
  readonly durationMs: number;
}

export interface ReportSummary {
  readonly total: number;
  readonly valid: number;
  readonly invalid: number;
  /** Documents the tool could not finish (status `error`); counted in `invalid` too. */
  readonly errors: number;
}

export interface ValidationRunReport {
  readonly documents: readonly DocumentReport[];
  readonly summary: ReportSummary;
  /** Tool and schema versions, so two runs can be compared later. */
  readonly tool: {
    readonly name: string;
    readonly version: string;
    readonly schemas: string;
    /** Rule file → short content hash of each Schematron rule set the run could use. */
    readonly rules?: Readonly<Record<string, string>>;
    /**
     * Rule file → the Schematron engine chosen for it: `own` (the own XPath-subset engine, which
     * leaves single documents to SaxonJS where it must) or `saxonjs: <why>`.
     */
    readonly ruleEngines?: Readonly<Record<string, string>>;
    /** Rule file → the compiler's notes on it, only for files that have any (see docs/schematron.md). */
    readonly ruleNotes?: Readonly<Record<string, readonly string[]>>;
  };
  /** ISO 8601 time the run started. */
  readonly startedAt: string;
  readonly durationMs: number;
}

export function summarize(documents: readonly DocumentReport[]): ReportSummary {
  let valid = 0;
  let errors = 0;
  for (const doc of documents) {
    if (doc.valid) {
      valid++;
    }
    if (doc.status === 'error') {
      errors++;
    }
  }
  return { total: documents.length, valid, invalid: documents.length - valid, errors };
}

/** Status from issues: any tool issue wins, then any error-severity issue. */
export function statusOf(issues: readonly ValidationIssue[]): DocumentStatus {
  if (issues.some((i) => i.stage === 'tool')) {
    return 'error';
  }
  return issues.some((i) => i.severity === 'error') ? 'invalid' : 'valid';
}
