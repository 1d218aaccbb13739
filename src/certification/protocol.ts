// Certification test protocols: the data files in certification/, parsed strictly into typed test cases.
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { KihError } from '../core/kih-error.js';
import { PACKAGE_ROOT } from '../core/package-info.js';
import { isProfileId } from '../core/report.js';
import type { ProfileId } from '../core/report.js';

export const DEFAULT_PROTOCOLS_DIR = path.join(PACKAGE_ROOT, 'certification');

/** Every label a person reads exists in Danish and English. */
export interface LocalText {
  readonly da: string;
  readonly en: string;
}

/**
 * A condition a document must meet beyond validity. `xpath` is any XPath 2 test (prefixes `cda`,
 * `sdtc`, `xsi`); the others are typed predicates that expand to XPath, so all run on one engine.
 */
export type ConditionSpec =
  | { readonly predicate: 'xpath'; readonly xpath: string }
  /** An observation with one of `codes` (in code or a translation), all `methodCodes`, and `status`. */
  | {
      readonly predicate: 'observation';
      readonly codes?: readonly string[];
      readonly methodCodes?: readonly string[];
      readonly status?: string;
    }
  /** One organizer holding an observation for each of `codes`. */
  | { readonly predicate: 'organizer'; readonly codes: readonly string[] }
  /** An element with templateId `root` that has none of the templateIds in `without`. */
  | { readonly predicate: 'template'; readonly root: string; readonly without?: readonly string[] }
  /** The document author's role code (e.g. SELF: the patient wrote it). */
  | { readonly predicate: 'author-role'; readonly code: string }
  /** A medical device (participantRole MANU with a playingDevice) described in the document. */
  | { readonly predicate: 'device' }
  /** A nullified observation carrying a comment act (LOINC 48767-8). */
  | { readonly predicate: 'nullified-with-comment' };

export type Condition = ConditionSpec & { readonly id: string; readonly text: LocalText };

export interface TestCase {
  readonly id: string;
  readonly title: LocalText;
  readonly description: LocalText;
  /** Profiles a document for this case may have (the protocol's when the file gives none). */
  readonly profiles: readonly ProfileId[];
  readonly conditions: readonly Condition[];
}

/** Steps a protocol can require before MedCom may certify; the end-to-end check is of formal-test documents. */
export const CERTIFY_REQUIREMENTS = ['formal-test', 'end-to-end'] as const;
export type CertifyRequirement = (typeof CERTIFY_REQUIREMENTS)[number];

export interface Protocol {
  readonly id: string;
  readonly version: string;
  readonly standard: string;
  readonly title: LocalText;
  readonly profiles: readonly ProfileId[];
  readonly testCases: readonly TestCase[];
  /** What certification needs per test case; `formal-test` always, `end-to-end` when the file says so. */
  readonly certifyRequires: readonly CertifyRequirement[];
  /** Where it was read from, for messages. */
  readonly source: string;
}

const PROTOCOL_ID = /^[a-z0-9][a-z0-9-]{0,40}$/;
const CASE_ID = /^[A-Z0-9][A-Z0-9-]{0,40}$/;
const CONDITION_ID = /^[a-z0-9][a-z0-9-]{0,40}$/;
const VERSION = /^\d+\.\d+(\.\d+)?$/;
const CODE = /^[A-Za-z0-9._-]{1,64}$/;
const OID = /^[0-2](\.\d+)+$/;

type Json = Record<string, unknown>;

class Reader {
  constructor(readonly source: string) {}

  fail(where: string, message: string): never {
    throw new KihError('CERT_ERR_PROTOCOL', `${this.source}: ${where}: ${message}`);
  }

  object(value: unknown, where: string, keys: readonly string[]): Json {
    if (typeof value !== 'object' || value === null || Array.isArray(value)) {
      this.fail(where, 'must be an object');
    }
    const unknown = Object.keys(value).filter((k) => !keys.includes(k));
    if (unknown.length > 0) {
      this.fail(where, `unknown key(s) ${unknown.map((k) => `"${k}"`).join(', ')}`);
    }
    return value as Json;
  }

  string(value: unknown, where: string, pattern?: RegExp): string {
    if (typeof value !== 'string' || value.trim() === '') {
      this.fail(where, 'must be a non-empty string');
    }
    if (pattern && !pattern.test(value)) {
      this.fail(where, `"${value}" does not match ${String(pattern)}`);
    }
    return value;
  }

  strings(value: unknown, where: string, pattern: RegExp): string[] {
    if (!Array.isArray(value) || value.length === 0) {
      this.fail(where, 'must be a non-empty array');
    }
    return value.map((v, i) => this.string(v, `${where}[${i}]`, pattern));
  }

  text(value: unknown, where: string): LocalText {
    const o = this.object(value, where, ['da', 'en']);
    return { da: this.string(o.da, `${where}.da`), en: this.string(o.en, `${where}.en`) };
  }

  profiles(value: unknown, where: string): ProfileId[] {
    const list = this.strings(value, where, /^[a-z0-9.-]+$/);
    for (const p of list) {
      if (!isProfileId(p)) {
        this.fail(where, `unknown profile "${p}"`);
      }
    }
    return list as ProfileId[];
  }
}

function readCondition(r: Reader, value: unknown, where: string): Condition {
  const base = ['id', 'text', 'predicate'];
  const o = r.object(value, where, [...base, 'xpath', 'codes', 'methodCodes', 'status', 'root', 'without', 'code']);
  const id = r.string(o.id, `${where}.id`, CONDITION_ID);
  const text = r.text(o.text, `${where}.text`);
  const predicate = r.string(o.predicate, `${where}.predicate`);
  const only = (keys: readonly string[]): void => {
    r.object(value, where, [...base, ...keys]);
  };
  switch (predicate) {
    case 'xpath':
      only(['xpath']);
      return { id, text, predicate, xpath: r.string(o.xpath, `${where}.xpath`) };
    case 'observation': {
      only(['codes', 'methodCodes', 'status']);
      if (o.codes === undefined && o.methodCodes === undefined && o.status === undefined) {
        r.fail(where, 'an observation predicate needs codes, methodCodes or status');
      }
      return {
        id,
        text,
        predicate,
        ...(o.codes === undefined ? {} : { codes: r.strings(o.codes, `${where}.codes`, CODE) }),
        ...(o.methodCodes === undefined ? {} : { methodCodes: r.strings(o.methodCodes, `${where}.methodCodes`, CODE) }),
        ...(o.status === undefined ? {} : { status: r.string(o.status, `${where}.status`, CODE) }),
      };
    }
    case 'organizer':
      only(['codes']);
      return { id, text, predicate, codes: r.strings(o.codes, `${where}.codes`, CODE) };
    case 'template':
      only(['root', 'without']);
      return {
        id,
        text,
        predicate,
        root: r.string(o.root, `${where}.root`, OID),
        ...(o.without === undefined ? {} : { without: r.strings(o.without, `${where}.without`, OID) }),
      };
    case 'author-role':
      only(['code']);
      return { id, text, predicate, code: r.string(o.code, `${where}.code`, CODE) };
    case 'device':
    case 'nullified-with-comment':
      only([]);
      return { id, text, predicate };
    default:
      return r.fail(`${where}.predicate`, `unknown predicate "${predicate}"`);
  }
}

/** Parses one protocol file; any defect is CERT_ERR_PROTOCOL naming the file and the place. */
export function parseProtocol(text: string, source: string): Protocol {
  const r = new Reader(source);
  let json: unknown;
  try {
    json = JSON.parse(text) as unknown;
  } catch (err) {
    r.fail('file', `not JSON (${err instanceof Error ? err.message : String(err)})`);
  }
  const o = r.object(json, 'protocol', [
    'id',
    'version',
    'standard',
    'title',
    'profiles',
    'certifyRequires',
    'testCases',
  ]);
  const profiles = r.profiles(o.profiles, 'profiles');
  const caseList: unknown = o.testCases;
  if (!Array.isArray(caseList) || caseList.length === 0) {
    return r.fail('testCases', 'must be a non-empty array');
  }
  const seenCases = new Set<string>();
  const testCases = caseList.map((value: unknown, i: number): TestCase => {
    const where = `testCases[${i}]`;
    const c = r.object(value, where, ['id', 'title', 'description', 'profiles', 'conditions']);
    const id = r.string(c.id, `${where}.id`, CASE_ID);
    if (seenCases.has(id)) {
      r.fail(`${where}.id`, `test case "${id}" is listed twice`);
    }
    seenCases.add(id);
    const caseProfiles = c.profiles === undefined ? profiles : r.profiles(c.profiles, `${where}.profiles`);
    const outside = caseProfiles.filter((p) => !profiles.includes(p));
    if (outside.length > 0) {
      r.fail(`${where}.profiles`, `not among the protocol's profiles: ${outside.join(', ')}`);
    }
    const conditionList: unknown = c.conditions;
    if (!Array.isArray(conditionList) || conditionList.length === 0) {
      return r.fail(`${where}.conditions`, 'must be a non-empty array');
    }
    const seenConditions = new Set<string>();
    const conditions = conditionList.map((cv: unknown, j: number) => {
      const condition = readCondition(r, cv, `${where}.conditions[${j}]`);
      if (seenConditions.has(condition.id)) {
        r.fail(`${where}.conditions[${j}].id`, `condition "${condition.id}" is listed twice`);
      }
      seenConditions.add(condition.id);
      return condition;
    });
    return {
      id,
      title: r.text(c.title, `${where}.title`),
      description: r.text(c.description, `${where}.description`),
      profiles: caseProfiles,
      conditions,
    };
  });
  return {
    id: r.string(o.id, 'id', PROTOCOL_ID),
    version: r.string(o.version, 'version', VERSION),
    standard: r.string(o.standard, 'standard'),
    title: r.text(o.title, 'title'),
    profiles,
    testCases,
    certifyRequires: readCertifyRequires(r, o.certifyRequires),
    source,
  };
}

/** Absent means the formal test alone (files written before the end-to-end step keep their meaning). */
function readCertifyRequires(r: Reader, value: unknown): CertifyRequirement[] {
  if (value === undefined) {
    return ['formal-test'];
  }
  const list = r.strings(value, 'certifyRequires', /^[a-z-]+$/);
  const seen = new Set<string>();
  list.forEach((step, i) => {
    if (!(CERTIFY_REQUIREMENTS as readonly string[]).includes(step)) {
      r.fail(`certifyRequires[${i}]`, `unknown step "${step}" (one of ${CERTIFY_REQUIREMENTS.join(', ')})`);
    }
    if (seen.has(step)) {
      r.fail(`certifyRequires[${i}]`, `"${step}" is listed twice`);
    }
    seen.add(step);
  });
  if (!seen.has('formal-test')) {
    // The end-to-end check is made on the documents the formal test stored: it cannot stand alone.
    r.fail('certifyRequires', 'must include "formal-test"');
  }
  return CERTIFY_REQUIREMENTS.filter((s) => seen.has(s));
}

/** Every `*.json` protocol in the directory, by id; two files with one id are an error. */
export function loadProtocols(dir: string = DEFAULT_PROTOCOLS_DIR): ReadonlyMap<string, Protocol> {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => n.endsWith('.json'));
  } catch (err) {
    throw new KihError('CERT_ERR_PROTOCOL', `Cannot read the protocols directory ${dir}.`, { cause: err });
  }
  const protocols = new Map<string, Protocol>();
  for (const name of names.sort()) {
    const file = path.join(dir, name);
    const protocol = parseProtocol(readFileSync(file, 'utf8'), file);
    const other = protocols.get(protocol.id);
    if (other) {
      throw new KihError('CERT_ERR_PROTOCOL', `${file}: protocol id "${protocol.id}" is also used by ${other.source}.`);
    }
    protocols.set(protocol.id, protocol);
  }
  if (protocols.size === 0) {
    throw new KihError('CERT_ERR_PROTOCOL', `No protocol files (*.json) in ${dir}.`);
  }
  return protocols;
}

/** The protocol whose test cases apply to documents of this profile, if any. */
export function protocolsForProfile(protocols: ReadonlyMap<string, Protocol>, profile: string): Protocol[] {
  return [...protocols.values()].filter((p) => (p.profiles as readonly string[]).includes(profile));
}
