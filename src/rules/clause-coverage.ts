// Clause coverage of the DK rule sets: joins each guide clause (schematron/clauses/*.json) with the rules whose `see` names it, and renders the tables in docs/rules-*.md.
import { readFileSync } from 'node:fs';
import path from 'node:path';

/** Why a clause has no rule. Rendered in the table, so a reader sees the choice, not a blank. */
export type UncheckedReason =
  'not testable' | 'left to XSD' | 'conflicting guidance' | 'checked elsewhere' | 'out of scope' | 'not checked yet';

export const UNCHECKED_REASONS: readonly UncheckedReason[] = [
  'not testable',
  'left to XSD',
  'conflicting guidance',
  'checked elsewhere',
  'out of scope',
  'not checked yet',
];

export interface Clause {
  /** As the guide (or the source named in `provenance`) numbers it; `see` attributes name it verbatim. */
  readonly id: string;
  /** The requirement in the project's own words. */
  readonly requirement: string;
  /** Only for a clause no rule checks. */
  readonly unchecked?: { readonly reason: UncheckedReason; readonly why: string };
}

export interface ClauseInventory {
  /** Rule file name without `.sch`, e.g. `dk-phmr-1.3`. */
  readonly profile: string;
  readonly title: string;
  /** Where the clause list and its numbers come from, and where it had to fall back. */
  readonly provenance: string;
  readonly clauses: readonly Clause[];
}

export interface RuleRef {
  readonly id: string;
  /** The clause ids the rule's `see` names (`; `-separated in the attribute). */
  readonly clauses: readonly string[];
}

/** Separator between clause ids in a `see` attribute. */
export const SEE_SEPARATOR = '; ';

const attribute = (tag: string, name: string): string | undefined => new RegExp(`\\s${name}="([^"]*)"`).exec(tag)?.[1];

/**
 * The asserts and reports of a rule file, each with the clause ids of its own `see` or, failing
 * that, of its pattern's. A scan of the start tags (quoted values may hold `>`) is enough for the
 * project's own rule files; the coverage test compares its ids with the compiled rule set's.
 */
export function ruleRefs(schText: string): RuleRef[] {
  const refs: RuleRef[] = [];
  let patternSee: string | undefined;
  for (const m of schText.matchAll(/<(?:sch:)?(pattern|assert|report)\b((?:[^>"]|"[^"]*")*)>/g)) {
    const [, kind, tag = ''] = m;
    if (kind === 'pattern') {
      patternSee = attribute(tag, 'see');
      continue;
    }
    const id = attribute(tag, 'id');
    if (id === undefined) {
      continue;
    }
    const see = attribute(tag, 'see') ?? patternSee ?? '';
    const clauses = see
      .split(SEE_SEPARATOR.trim())
      .map((s) => s.trim())
      .filter((s) => s !== '');
    refs.push({ id, clauses });
  }
  return refs;
}

export function readInventory(file: string): ClauseInventory {
  return JSON.parse(readFileSync(file, 'utf8')) as ClauseInventory;
}

/** Inconsistencies between an inventory and its rule file; empty when the table can be trusted. */
export function coverageProblems(inventory: ClauseInventory, refs: readonly RuleRef[]): string[] {
  const problems: string[] = [];
  const known = new Map<string, Clause>();
  for (const clause of inventory.clauses) {
    if (known.has(clause.id)) {
      problems.push(`${inventory.profile}: clause ${clause.id} is listed twice`);
    }
    known.set(clause.id, clause);
    if (clause.id.includes(';')) {
      problems.push(`${inventory.profile}: clause id ${clause.id} contains the see separator ";"`);
    }
  }
  const checked = new Set<string>();
  for (const ref of refs) {
    if (ref.clauses.length === 0) {
      problems.push(`${inventory.profile}: ${ref.id} names no clause in its see attribute`);
    }
    for (const id of ref.clauses) {
      if (!known.has(id)) {
        problems.push(`${inventory.profile}: ${ref.id} names clause "${id}", which is not in the inventory`);
      }
      checked.add(id);
    }
  }
  for (const clause of inventory.clauses) {
    if (checked.has(clause.id) && clause.unchecked) {
      problems.push(
        `${inventory.profile}: clause ${clause.id} is checked by a rule but still gives a reason for not being checked`
      );
    }
    if (!checked.has(clause.id) && !clause.unchecked) {
      problems.push(`${inventory.profile}: clause ${clause.id} is neither checked by a rule nor given a reason`);
    }
    if (clause.unchecked && !UNCHECKED_REASONS.includes(clause.unchecked.reason)) {
      problems.push(`${inventory.profile}: clause ${clause.id} has an unknown reason "${clause.unchecked.reason}"`);
    }
  }
  return problems;
}

const cell = (text: string): string => text.replace(/\|/g, '\\|').replace(/\s+/g, ' ').trim();

export const startMarker = (profile: string): string => `<!-- clause-coverage:${profile}:start -->`;
export const endMarker = (profile: string): string => `<!-- clause-coverage:${profile}:end -->`;

/** The generated section of one profile, markers included. */
export function renderCoverage(inventory: ClauseInventory, refs: readonly RuleRef[]): string {
  const rulesOf = new Map<string, string[]>();
  for (const ref of refs) {
    for (const id of ref.clauses) {
      rulesOf.set(id, [...(rulesOf.get(id) ?? []), ref.id]);
    }
  }
  const checked = inventory.clauses.filter((c) => rulesOf.has(c.id)).length;
  const byReason = UNCHECKED_REASONS.map(
    (reason) =>
      [reason, inventory.clauses.filter((c) => !rulesOf.has(c.id) && c.unchecked?.reason === reason).length] as const
  ).filter(([, n]) => n > 0);
  const lines = [
    startMarker(inventory.profile),
    '',
    `### Clause coverage: ${inventory.title}`,
    '',
    `Generated by \`npm run docs:rules\` from the rules' \`see\` attributes and \`schematron/clauses/${inventory.profile}.json\`; edit those, not this table.`,
    '',
    cell(inventory.provenance),
    '',
    `${inventory.clauses.length} clauses: ${checked} checked, ${inventory.clauses.length - checked} not checked` +
      (byReason.length > 0 ? ` (${byReason.map(([reason, n]) => `${reason}: ${n}`).join(', ')}).` : '.'),
    '',
    '| Clause | Requirement | Rule ids, or why not checked |',
    '|---|---|---|',
    ...inventory.clauses.map((clause) => {
      const ids = rulesOf.get(clause.id);
      const covered = ids
        ? ids.map((id) => `\`${id}\``).join(', ')
        : `*${clause.unchecked?.reason ?? 'no reason given'}*: ${cell(clause.unchecked?.why ?? '')}`;
      return `| ${cell(clause.id)} | ${cell(clause.requirement)} | ${covered} |`;
    }),
    '',
    endMarker(inventory.profile),
  ];
  return lines.join('\n');
}

/** Replaces (or, the first time, appends) a profile's generated section in a Markdown text. */
export function spliceCoverage(markdown: string, profile: string, section: string): string {
  const start = markdown.indexOf(startMarker(profile));
  const end = markdown.indexOf(endMarker(profile));
  if (start < 0 || end < start) {
    return `${markdown.trimEnd()}\n\n${section}\n`;
  }
  return markdown.slice(0, start) + section + markdown.slice(end + endMarker(profile).length);
}

/** Which profiles' tables live in which page. */
export const COVERAGE_PAGES: readonly { readonly doc: string; readonly profiles: readonly string[] }[] = [
  { doc: 'docs/rules-phmr.md', profiles: ['dk-phmr-1.3', 'dk-phmr-2.1'] },
  { doc: 'docs/rules-pro.md', profiles: ['dk-qrd-1.3', 'dk-qfdd-1.2'] },
];

export interface CoverageResult {
  readonly doc: string;
  readonly text: string;
  readonly problems: readonly string[];
}

/** The pages as they should read, regenerated from the rule files and inventories under `root`. */
export function regenerateCoverage(root: string): CoverageResult[] {
  return COVERAGE_PAGES.map(({ doc, profiles }) => {
    let text = readFileSync(path.join(root, doc), 'utf8');
    const problems: string[] = [];
    for (const profile of profiles) {
      const inventory = readInventory(path.join(root, 'schematron', 'clauses', `${profile}.json`));
      const refs = ruleRefs(readFileSync(path.join(root, 'schematron', `${profile}.sch`), 'utf8'));
      problems.push(...coverageProblems(inventory, refs));
      text = spliceCoverage(text, profile, renderCoverage(inventory, refs));
    }
    return { doc, text, problems };
  });
}
