// Resolves the loaded Schematron tree: abstract patterns instantiated, extends inlined, the phase applied.
import { schematronError } from './errors.js';
import { attr, isSch, where } from './sch-source.js';
import type { SchElement, SchNode } from './sch-source.js';

export interface LetDef {
  readonly name: string;
  /** XPath value; absent when the let holds literal content instead. */
  readonly value?: string;
  readonly as?: string;
  /** Element content used as the value when there is no `value` (copied as an XSLT sequence constructor). */
  readonly content?: readonly SchNode[];
  readonly where: string;
}

export type MessagePart =
  | { readonly t: 'text'; readonly text: string }
  | { readonly t: 'value-of'; readonly select: string }
  | { readonly t: 'name'; readonly path?: string };

export interface CheckDef {
  readonly kind: 'assert' | 'report';
  readonly id?: string;
  readonly test: string;
  readonly role?: string;
  readonly flag?: string;
  readonly see?: string;
  readonly subject?: string;
  readonly diagnostics: readonly string[];
  readonly message: readonly MessagePart[];
  readonly where: string;
}

interface ExtendsDef {
  readonly t: 'extends';
  readonly rule: string;
  readonly where: string;
}

interface RuleDef {
  readonly id?: string;
  readonly abstract: boolean;
  readonly context?: string;
  readonly role?: string;
  readonly flag?: string;
  readonly see?: string;
  readonly subject?: string;
  readonly lets: readonly LetDef[];
  readonly body: readonly (CheckDef | ExtendsDef)[];
  readonly where: string;
}

interface PatternDef {
  readonly id?: string;
  readonly abstract: boolean;
  readonly isA?: string;
  readonly params: ReadonlyMap<string, string>;
  readonly title?: string;
  readonly see?: string;
  readonly lets: readonly LetDef[];
  readonly rules: readonly RuleDef[];
  readonly where: string;
}

export interface DiagnosticDef {
  readonly id: string;
  readonly message: readonly MessagePart[];
}

/** A rule ready for code generation: its own and inherited lets, and its checks in order. */
export interface ResolvedRule {
  readonly id?: string;
  readonly context: string;
  readonly role?: string;
  readonly flag?: string;
  readonly lets: readonly LetDef[];
  readonly checks: readonly ResolvedCheck[];
  readonly where: string;
}

export interface ResolvedCheck extends CheckDef {
  /** The assert's own id, or the stable generated `pattern-id/rule-index/check-index`. */
  readonly ruleId: string;
  readonly generatedId: boolean;
}

export interface ResolvedPattern {
  /** The pattern's id, or `pattern-<n>` (n counts concrete patterns in schema order). */
  readonly id: string;
  readonly title?: string;
  readonly lets: readonly LetDef[];
  readonly rules: readonly ResolvedRule[];
  readonly where: string;
}

export interface ResolvedSchema {
  readonly title?: string;
  readonly schemaVersion?: string;
  readonly queryBinding: string;
  /** The phase actually applied: `#ALL` or a phase id. */
  readonly phase: string;
  readonly namespaces: readonly { readonly prefix: string; readonly uri: string }[];
  /** Schema lets, then the active phase's lets. */
  readonly globalLets: readonly LetDef[];
  readonly patterns: readonly ResolvedPattern[];
  readonly diagnostics: ReadonlyMap<string, DiagnosticDef>;
  /** Top-level xsl:function / xsl:key elements, copied into the generated stylesheet. */
  readonly foreign: readonly SchElement[];
  readonly warnings: readonly string[];
}

/** `xslt` (XPath 1.0) is ISO's default when a schema names none, and what many third-party rule files use. */
const SUPPORTED_BINDINGS = new Set(['xslt', 'xslt2', 'xslt3']);
const KNOWN_ROLES = new Set(['error', 'fatal', 'warning', 'warn', 'info', 'information']);
/**
 * Both engines read every expression as XPath 2.0. An XPath 1.0 expression means the same there
 * except where 1.0 converts silently; those cases are named so that a finding caused by one can be
 * told from a broken document.
 */
export const XPATH1_NOTE =
  'queryBinding "xslt" (XPath 1.0): expressions run as XPath 2.0, where they mean the same except where ' +
  'XPath 1.0 converts silently: several nodes where one is expected (1.0 takes the first; 2.0 raises an ' +
  'error, reported as a finding that the test could not be evaluated), strings compared with numbers or ' +
  'with < and > (1.0 compares them as numbers), and numbers turned into text (1.0 never writes exponents).';
/** Elements that carry documentation only. */
const IGNORED = new Set(['title', 'p']);

function fail(el: SchElement, message: string): never {
  throw schematronError('SCH_ERR_COMPILE', `${where(el)}: ${message}`);
}

function required(el: SchElement, name: string): string {
  const value = attr(el, name);
  if (value === undefined || value.trim() === '') {
    fail(el, `sch:${el.local} needs a ${name} attribute.`);
  }
  return value;
}

function elements(el: SchElement): SchElement[] {
  return el.children.filter((c): c is SchElement => c.kind === 'element');
}

function textOf(el: SchElement): string {
  return el.children.map((c) => (c.kind === 'text' ? c.value : textOf(c))).join('');
}

function optional<K extends string>(key: K, value: string | undefined): { [P in K]?: string } {
  return (value === undefined ? {} : { [key]: value }) as { [P in K]?: string };
}

function parseLet(el: SchElement): LetDef {
  const name = required(el, 'name');
  const value = attr(el, 'value');
  const content = el.children.filter((c) => c.kind === 'element' || c.value.trim() !== '');
  if (value === undefined && content.length === 0) {
    fail(el, `sch:let "${name}" has neither a value attribute nor content.`);
  }
  return {
    name,
    ...optional('value', value),
    ...optional('as', attr(el, 'as')),
    ...(value === undefined ? { content } : {}),
    where: where(el),
  };
}

function parseMessage(el: SchElement): MessagePart[] {
  const parts: MessagePart[] = [];
  for (const child of el.children) {
    if (child.kind === 'text') {
      parts.push({ t: 'text', text: child.value });
    } else if (isSch(child, 'value-of')) {
      parts.push({ t: 'value-of', select: required(child, 'select') });
    } else if (isSch(child, 'name')) {
      parts.push({ t: 'name', ...optional('path', attr(child, 'path')) });
    } else {
      // emph, dir, span and foreign markup: keep their text (and any value-of inside).
      parts.push(...parseMessage(child));
    }
  }
  return parts;
}

function parseCheck(el: SchElement): CheckDef {
  return {
    kind: el.local === 'assert' ? 'assert' : 'report',
    test: required(el, 'test'),
    ...optional('id', attr(el, 'id')),
    ...optional('role', attr(el, 'role')),
    ...optional('flag', attr(el, 'flag')),
    ...optional('see', attr(el, 'see')),
    ...optional('subject', attr(el, 'subject')),
    diagnostics: (attr(el, 'diagnostics') ?? '').split(/\s+/).filter((d) => d !== ''),
    message: parseMessage(el),
    where: where(el),
  };
}

function parseRule(el: SchElement, warnings: string[]): RuleDef {
  const abstract = attr(el, 'abstract') === 'true';
  const lets: LetDef[] = [];
  const body: (CheckDef | ExtendsDef)[] = [];
  for (const child of elements(el)) {
    if (isSch(child, 'let')) {
      lets.push(parseLet(child));
    } else if (isSch(child, 'assert') || isSch(child, 'report')) {
      body.push(parseCheck(child));
    } else if (isSch(child, 'extends')) {
      if (attr(child, 'href') !== undefined) {
        fail(child, 'sch:extends with href is not supported; use sch:include.');
      }
      body.push({ t: 'extends', rule: required(child, 'rule'), where: where(child) });
    } else {
      ignoreOrFail(child, warnings);
    }
  }
  const context = attr(el, 'context');
  if (abstract && attr(el, 'id') === undefined) {
    fail(el, 'an abstract rule needs an id.');
  }
  if (!abstract && (context === undefined || context.trim() === '')) {
    fail(el, 'sch:rule needs a context attribute.');
  }
  return {
    abstract,
    ...optional('id', attr(el, 'id')),
    ...optional('context', context),
    ...optional('role', attr(el, 'role')),
    ...optional('flag', attr(el, 'flag')),
    ...optional('see', attr(el, 'see')),
    ...optional('subject', attr(el, 'subject')),
    lets,
    body,
    where: where(el),
  };
}

function ignoreOrFail(el: SchElement, warnings: string[]): void {
  if (isSch(el) && IGNORED.has(el.local)) {
    return;
  }
  if (isSch(el)) {
    fail(el, `sch:${el.local} is not supported here.`);
  }
  warnings.push(`${where(el)}: foreign element {${el.ns}}${el.local} ignored.`);
}

function parsePattern(el: SchElement, warnings: string[]): PatternDef {
  if (attr(el, 'documents') !== undefined) {
    fail(el, 'pattern/@documents (rules on other documents) is not supported.');
  }
  const lets: LetDef[] = [];
  const rules: RuleDef[] = [];
  const params = new Map<string, string>();
  let title: string | undefined;
  for (const child of elements(el)) {
    if (isSch(child, 'let')) {
      lets.push(parseLet(child));
    } else if (isSch(child, 'rule')) {
      rules.push(parseRule(child, warnings));
    } else if (isSch(child, 'param')) {
      params.set(required(child, 'name'), required(child, 'value'));
    } else if (isSch(child, 'title')) {
      title = textOf(child).trim();
    } else {
      ignoreOrFail(child, warnings);
    }
  }
  return {
    abstract: attr(el, 'abstract') === 'true',
    ...optional('id', attr(el, 'id')),
    ...optional('isA', attr(el, 'is-a')),
    ...optional('title', title),
    ...optional('see', attr(el, 'see')),
    params,
    lets,
    rules,
    where: where(el),
  };
}

/**
 * Replaces `$name` by the parameter's value wherever a query appears, as ISO abstract patterns do.
 * A variable is matched as a whole name (`$a` does not touch `$ab` or `$a-b`, which XPath reads as one name).
 */
function substitute(expr: string | undefined, params: ReadonlyMap<string, string>): string | undefined {
  if (expr === undefined || params.size === 0) {
    return expr;
  }
  return expr.replace(/\$([\p{L}_][\p{L}\p{N}_.-]*)/gu, (whole, name: string) => params.get(name) ?? whole);
}

function substituteLet(l: LetDef, params: ReadonlyMap<string, string>): LetDef {
  return { ...l, ...optional('value', substitute(l.value, params)) };
}

function substituteMessage(parts: readonly MessagePart[], params: ReadonlyMap<string, string>): MessagePart[] {
  return parts.map((p) => {
    if (p.t === 'value-of') {
      return { t: 'value-of', select: substitute(p.select, params) ?? p.select };
    }
    if (p.t === 'name' && p.path !== undefined) {
      return { t: 'name', path: substitute(p.path, params) ?? p.path };
    }
    return p;
  });
}

function instantiate(isA: PatternDef, abstract: PatternDef): PatternDef {
  const params = isA.params;
  const rules = abstract.rules.map((r): RuleDef => ({
    ...r,
    ...optional('context', substitute(r.context, params)),
    ...optional('subject', substitute(r.subject, params)),
    lets: r.lets.map((l) => substituteLet(l, params)),
    body: r.body.map((b) =>
      't' in b
        ? b
        : {
            ...b,
            test: substitute(b.test, params) ?? b.test,
            ...optional('subject', substitute(b.subject, params)),
            message: substituteMessage(b.message, params),
          }
    ),
  }));
  // The instance takes nothing by identity from the abstract pattern: its id and title are its own.
  return {
    abstract: false,
    ...optional('id', isA.id),
    ...optional('title', isA.title ?? abstract.title),
    ...optional('see', isA.see ?? abstract.see),
    params: new Map(),
    lets: [...abstract.lets.map((l) => substituteLet(l, params)), ...isA.lets],
    rules,
    where: isA.where,
  };
}

interface RuleScope {
  readonly pattern: PatternDef;
  readonly global: ReadonlyMap<string, RuleDef>;
  readonly all: readonly PatternDef[];
}

function findAbstractRule(id: string, scope: RuleScope): RuleDef | undefined {
  const local = scope.pattern.rules.find((r) => r.abstract && r.id === id);
  if (local) {
    return local;
  }
  const global = scope.global.get(id);
  if (global) {
    return global;
  }
  // Lenient, as common engines are: an abstract rule declared in another pattern.
  for (const p of scope.all) {
    const found = p.rules.find((r) => r.abstract && r.id === id);
    if (found) {
      return found;
    }
  }
  return undefined;
}

/** Inlines `extends` recursively: the abstract rule's lets and checks take the place of the extends element. */
function flatten(rule: RuleDef, scope: RuleScope, chain: readonly string[]): { lets: LetDef[]; checks: CheckDef[] } {
  const lets = [...rule.lets];
  const checks: CheckDef[] = [];
  for (const item of rule.body) {
    if ('t' in item) {
      if (chain.includes(item.rule)) {
        throw schematronError(
          'SCH_ERR_COMPILE',
          `${item.where}: extends cycle: ${[...chain, item.rule].join(' -> ')}.`
        );
      }
      const base = findAbstractRule(item.rule, scope);
      if (!base) {
        throw schematronError('SCH_ERR_COMPILE', `${item.where}: no abstract rule with id "${item.rule}".`);
      }
      const inner = flatten(base, scope, [...chain, item.rule]);
      lets.push(...inner.lets);
      checks.push(...inner.checks);
    } else {
      checks.push(item);
    }
  }
  return { lets, checks };
}

function checkDuplicateLets(lets: readonly LetDef[], level: string): void {
  const seen = new Set<string>();
  for (const l of lets) {
    if (seen.has(l.name)) {
      throw schematronError('SCH_ERR_COMPILE', `${l.where}: let "${l.name}" is declared twice at ${level} level.`);
    }
    seen.add(l.name);
  }
}

export interface ResolveOptions {
  /** `#ALL`, `#DEFAULT` (the schema's defaultPhase, else `#ALL`) or a phase id. */
  readonly phase?: string;
}

export function resolveSchema(root: SchElement, options: ResolveOptions = {}): ResolvedSchema {
  const warnings: string[] = [];
  const queryBinding = (attr(root, 'queryBinding') ?? 'xslt').trim().toLowerCase();
  if (!SUPPORTED_BINDINGS.has(queryBinding)) {
    fail(root, `queryBinding "${queryBinding}" is not supported; use xslt, xslt2 or xslt3.`);
  }
  if (queryBinding === 'xslt') {
    warnings.push(XPATH1_NOTE);
  }
  const namespaces: { prefix: string; uri: string }[] = [];
  const schemaLets: LetDef[] = [];
  const patterns: PatternDef[] = [];
  const phases = new Map<string, SchElement>();
  const diagnostics = new Map<string, DiagnosticDef>();
  const globalRules = new Map<string, RuleDef>();
  const foreign: SchElement[] = [];
  let title: string | undefined;

  for (const child of elements(root)) {
    if (isSch(child, 'ns')) {
      namespaces.push({
        prefix: required(child, 'prefix'),
        uri: attr(child, 'uri') ?? fail(child, 'sch:ns needs a uri.'),
      });
    } else if (isSch(child, 'let')) {
      schemaLets.push(parseLet(child));
    } else if (isSch(child, 'pattern')) {
      patterns.push(parsePattern(child, warnings));
    } else if (isSch(child, 'phase')) {
      phases.set(required(child, 'id'), child);
    } else if (isSch(child, 'diagnostics')) {
      for (const d of elements(child).filter((e) => isSch(e, 'diagnostic'))) {
        diagnostics.set(required(d, 'id'), { id: required(d, 'id'), message: parseMessage(d) });
      }
    } else if (isSch(child, 'rules')) {
      for (const r of elements(child).filter((e) => isSch(e, 'rule'))) {
        const rule = parseRule(r, warnings);
        if (!rule.abstract || rule.id === undefined) {
          fail(r, 'rules inside sch:rules must be abstract and have an id.');
        }
        globalRules.set(rule.id, rule);
      }
    } else if (isSch(child, 'title')) {
      title = textOf(child).trim();
    } else if (child.local === 'properties' && isSch(child)) {
      warnings.push(`${where(child)}: sch:properties ignored (property references are not reported).`);
    } else if (
      child.ns === 'http://www.w3.org/1999/XSL/Transform' &&
      (child.local === 'function' || child.local === 'key')
    ) {
      foreign.push(child);
    } else {
      ignoreOrFail(child, warnings);
    }
  }

  const byId = new Map(patterns.filter((p) => p.id !== undefined).map((p) => [p.id, p]));
  const concrete: PatternDef[] = [];
  for (const p of patterns) {
    if (p.abstract) {
      continue;
    }
    if (p.isA === undefined) {
      concrete.push(p);
      continue;
    }
    const base = byId.get(p.isA);
    if (!base?.abstract) {
      throw schematronError('SCH_ERR_COMPILE', `${p.where}: is-a="${p.isA}" names no abstract pattern.`);
    }
    concrete.push(instantiate(p, base));
  }

  const effectivePhase = resolvePhaseName(root, options.phase);
  let active = concrete;
  const phaseLets: LetDef[] = [];
  if (effectivePhase !== '#ALL') {
    const phase = phases.get(effectivePhase) ?? fail(root, `no phase with id "${effectivePhase}".`);
    const ids = new Set<string>();
    for (const child of elements(phase)) {
      if (isSch(child, 'active')) {
        const id = required(child, 'pattern');
        if (!concrete.some((p) => p.id === id)) {
          fail(child, `phase "${effectivePhase}" activates unknown pattern "${id}".`);
        }
        ids.add(id);
      } else if (isSch(child, 'let')) {
        phaseLets.push(parseLet(child));
      } else {
        ignoreOrFail(child, warnings);
      }
    }
    active = concrete.filter((p) => p.id !== undefined && ids.has(p.id));
  }
  // A phase let replaces a schema let of the same name, so a phase can tune a value that #ALL also needs.
  const phaseNames = new Set(phaseLets.map((l) => l.name));
  const globalLets = [...schemaLets.filter((l) => !phaseNames.has(l.name)), ...phaseLets];
  checkDuplicateLets(globalLets, 'schema');

  const resolved: ResolvedPattern[] = [];
  let unnamed = 0;
  const unknownRoles = new Set<string>();
  for (const p of active) {
    checkDuplicateLets(p.lets, 'pattern');
    const patternId = p.id ?? `pattern-${concrete.indexOf(p) + 1}`;
    const scope: RuleScope = { pattern: p, global: globalRules, all: patterns };
    const rules = p.rules
      .filter((r) => !r.abstract)
      .map((r, ri): ResolvedRule => {
        const { lets, checks } = flatten(r, scope, []);
        checkDuplicateLets(lets, 'rule');
        return {
          ...optional('id', r.id),
          context: r.context ?? '',
          ...optional('role', r.role),
          ...optional('flag', r.flag),
          lets,
          checks: checks.map((c, ci): ResolvedCheck => {
            for (const d of c.diagnostics) {
              if (!diagnostics.has(d)) {
                throw schematronError('SCH_ERR_COMPILE', `${c.where}: unknown diagnostic "${d}".`);
              }
            }
            // The rule's role, see and subject apply to checks that do not set their own.
            const role = c.role ?? r.role;
            const flagDecides = c.flag !== undefined && KNOWN_ROLES.has(c.flag.trim().toLowerCase());
            if (role !== undefined && !flagDecides && !KNOWN_ROLES.has(role.trim().toLowerCase())) {
              unknownRoles.add(role);
            }
            if (c.id === undefined) {
              unnamed++;
            }
            return {
              ...c,
              ...optional('role', role),
              ...optional('see', c.see ?? r.see ?? p.see),
              ...optional('subject', c.subject ?? r.subject),
              ruleId: c.id ?? `${patternId}/${ri + 1}/${ci + 1}`,
              generatedId: c.id === undefined,
            };
          }),
          where: r.where,
        };
      });
    resolved.push({ id: patternId, ...optional('title', p.title), lets: p.lets, rules, where: p.where });
  }
  if (unnamed > 0) {
    warnings.push(
      `${unnamed} assert/report element(s) have no id; their findings use generated ids of the form ` +
        `pattern-id/rule-index/assert-index, which change when rules are reordered.`
    );
  }
  for (const role of unknownRoles) {
    warnings.push(
      `role "${role}" is not error/fatal/warning/warn/info/information; findings with it get the default ` +
        `severity (error for an assert, info for a report).`
    );
  }

  return {
    ...optional('title', title),
    ...optional('schemaVersion', attr(root, 'schemaVersion')),
    queryBinding,
    phase: effectivePhase,
    namespaces,
    globalLets,
    patterns: resolved,
    diagnostics,
    foreign,
    warnings,
  };
}

function resolvePhaseName(root: SchElement, requested: string | undefined): string {
  const phase = requested ?? '#DEFAULT';
  if (phase === '#DEFAULT') {
    return attr(root, 'defaultPhase') ?? '#ALL';
  }
  return phase;
}
