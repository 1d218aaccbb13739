// The project's own ISO Schematron compiler: a .sch (queryBinding xslt, xslt2 or xslt3) in, XSLT 3.0 that emits SVRL out.
import { createHash } from 'node:crypto';
import path from 'node:path';
import { CANONICAL_PREFIXES } from '../xml/path-format.js';
import { schematronError } from './errors.js';
import { contextSelection, mayMatchAttribute, SelectionPlan } from './context-selection.js';
import { resolveSchema } from './sch-model.js';
import type {
  LetDef,
  MessagePart,
  ResolveOptions,
  ResolvedCheck,
  ResolvedPattern,
  ResolvedRule,
  ResolvedSchema,
} from './sch-model.js';
import { loadSchematron, XSL_NS } from './sch-source.js';
import type { SchElement, SchNode, SourceFile } from './sch-source.js';

/**
 * Bumped when the shape of the generated XSLT changes on purpose. The SEF cache key also hashes the
 * generated XSLT itself, so a forgotten bump cannot serve a stale stylesheet.
 */
export const COMPILER_VERSION = '6';

export { contextSelection, isBooleanPredicate, mayMatchAttribute } from './context-selection.js';

/** Namespace of the generated stylesheet's own functions, modes, variables and parameters. */
export const INTERNAL_NS = 'urn:kih-certify:schematron';
export const SVRL_NS = 'http://purl.oclc.org/dsdl/svrl';
/** Runtime parameter: findings reported per assert before the rest are summarised in one notice. */
export const MAX_FINDINGS_PARAM = `Q{${INTERNAL_NS}}max-findings`;
export const DEFAULT_MAX_FINDINGS = 100;
/** `flag` values of the SVRL elements the engine adds itself (users' flags are free text, these are namespaced). */
export const CAPPED_FLAG = 'kih:capped';
export const EVALUATION_ERROR_FLAG = 'kih:evaluation-error';

/** Prefixes the generated stylesheet relies on; a schema may not bind them to anything else. */
const RESERVED_PREFIXES: Readonly<Record<string, string>> = {
  xsl: XSL_NS,
  svrl: SVRL_NS,
  kihsch: INTERNAL_NS,
  kihxs: 'http://www.w3.org/2001/XMLSchema',
  kihmap: 'http://www.w3.org/2005/xpath-functions/map',
  kiherr: 'http://www.w3.org/2005/xqt-errors',
};

/** Bound for convenience when the schema does not declare them (many rule sets use xs: without sch:ns). */
const CONVENIENCE_PREFIXES: Readonly<Record<string, string>> = {
  xs: 'http://www.w3.org/2001/XMLSchema',
  fn: 'http://www.w3.org/2005/xpath-functions',
  map: 'http://www.w3.org/2005/xpath-functions/map',
  array: 'http://www.w3.org/2005/xpath-functions/array',
  math: 'http://www.w3.org/2005/xpath-functions/math',
};

export type CompileSchematronOptions = ResolveOptions;

export interface SchematronXslt {
  readonly xslt: string;
  /** The main file and every included file, with their SHA-256. */
  readonly files: readonly SourceFile[];
  /** SHA-256 over all source files (paths relative to the main file's folder, and contents). */
  readonly sourceHash: string;
  readonly phase: string;
  readonly title?: string;
  readonly patternCount: number;
  readonly assertCount: number;
  readonly warnings: readonly string[];
  /** The resolved schema the XSLT was generated from (the own engine compiles it too). */
  readonly schema: ResolvedSchema;
}

// --- escaping -----------------------------------------------------------------------------------

function escAttr(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/\n/g, '&#10;')
    .replace(/\r/g, '&#13;')
    .replace(/\t/g, '&#9;');
}

/** For attributes of literal result elements, which XSLT reads as attribute value templates. */
function escAvt(s: string): string {
  return escAttr(s.replace(/\{/g, '{{').replace(/\}/g, '}}'));
}

function escText(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** A string literal for XPath (XPath 2+ doubles the quote to escape it). */
function xpString(s: string): string {
  return `'${s.replace(/'/g, "''")}'`;
}

function comment(s: string): string {
  return `<!-- ${s.replace(/--/g, '- -')} -->`;
}

// --- generation ---------------------------------------------------------------------------------

class Writer {
  readonly lines: string[] = [];
  line(depth: number, text: string): void {
    this.lines.push('  '.repeat(depth) + text);
  }
}

function serializeForeign(el: SchElement, inherited: Readonly<Record<string, string>>): string {
  const decls = Object.entries(el.namespaces)
    .filter(([prefix, uri]) => inherited[prefix] !== uri)
    .map(([prefix, uri]) => (prefix ? ` xmlns:${prefix}="${escAttr(uri)}"` : ` xmlns="${escAttr(uri)}"`));
  const name = el.prefix ? `${el.prefix}:${el.local}` : el.local;
  const attrs = el.attrs.map((a) => ` ${a.prefix ? `${a.prefix}:` : ''}${a.local}="${escAttr(a.value)}"`);
  const content = el.children
    .map((c) => (c.kind === 'text' ? escText(c.value) : serializeForeign(c, el.namespaces)))
    .join('');
  return `<${name}${decls.join('')}${attrs.join('')}>${content}</${name}>`;
}

function serializeContent(nodes: readonly SchNode[]): string {
  return nodes.map((n) => (n.kind === 'text' ? escText(n.value) : serializeForeign(n, {}))).join('');
}

function letXslt(w: Writer, depth: number, l: LetDef, element = 'xsl:variable', extra = ''): void {
  const as = l.as === undefined ? '' : ` as="${escAttr(l.as)}"`;
  if (l.value !== undefined) {
    w.line(depth, `<${element} name="${escAttr(l.name)}"${as}${extra} select="${escAttr(l.value)}"/>`);
  } else {
    w.line(
      depth,
      `<${element} name="${escAttr(l.name)}"${as}${extra}>${serializeContent(l.content ?? [])}</${element}>`
    );
  }
}

/** The XPath of a message: text parts as literals, value-of joined with spaces as xsl:value-of does. */
function messageExpr(parts: readonly MessagePart[]): string {
  const items = parts.map((p) => {
    if (p.t === 'text') {
      return xpString(p.text);
    }
    if (p.t === 'value-of') {
      return `string-join((${p.select}) ! string(), ' ')`;
    }
    return `name(${p.path === undefined ? '.' : `(${p.path})[1]`})`;
  });
  return items.length === 0 ? "''" : `string-join((${items.join(', ')}), '')`;
}

function svrlAttrs(pairs: readonly (readonly [string, string | undefined])[]): string {
  return pairs
    .filter((p): p is readonly [string, string] => p[1] !== undefined)
    .map(([k, v]) => ` ${k}="${escAvt(v)}"`)
    .join('');
}

/**
 * A check's static SVRL: the element with its attributes and empty diagnostic references, built
 * once per run. Findings carry only a reference to it plus what varies (node, texts), which keeps
 * the per-assert code, and so the SEF and its compile time, small.
 */
function skeletonXslt(w: Writer, name: string, check: ResolvedCheck): void {
  const element = check.kind === 'assert' ? 'svrl:failed-assert' : 'svrl:successful-report';
  const attrs = svrlAttrs([
    ['test', check.test],
    ['id', check.ruleId],
    ['role', check.role],
    ['flag', check.flag],
    ['see', check.see],
  ]);
  const refs = check.diagnostics.map((d) => `<svrl:diagnostic-reference diagnostic="${escAvt(d)}"/>`).join('');
  w.line(1, `<xsl:variable name="${name}" as="element()"><${element}${attrs}>${refs}</${element}></xsl:variable>`);
}

interface Keys {
  /** Capping key (`p1r2a3`) and the variables holding the check's skeleton and its rule's fired-rule. */
  readonly check: string;
  readonly skeleton: string;
  readonly firedRule: string;
}

function checkXslt(
  w: Writer,
  depth: number,
  check: ResolvedCheck,
  keys: Keys,
  schema: ResolvedSchema,
  rel: (where: string) => string,
  guarded = true
): void {
  const test = check.kind === 'assert' ? `not((${check.test}))` : check.test;
  const subject = check.subject === undefined ? '.' : `((${check.subject})[. instance of node()], .)[1]`;
  const diagnostics = check.diagnostics.map((id) => messageExpr(schema.diagnostics.get(id)?.message ?? []));
  const hit =
    `map{'k': ${xpString(keys.check)}, 'n': ${subject}, 's': $${keys.skeleton}, 'r': $${keys.firedRule}, ` +
    `'t': ${messageExpr(check.message)}, 'd': [${diagnostics.join(', ')}]}`;
  w.line(depth, comment(`${check.kind} ${check.ruleId} at ${rel(check.where)}`));
  if (!guarded) {
    w.line(depth, `<xsl:if test="${escAttr(test)}">`);
    w.line(depth + 1, `<xsl:sequence select="${escAttr(hit)}"/>`);
    w.line(depth, '</xsl:if>');
    return;
  }
  w.line(depth, '<xsl:try>');
  w.line(depth + 1, `<xsl:if test="${escAttr(test)}">`);
  w.line(depth + 2, `<xsl:sequence select="${escAttr(hit)}"/>`);
  w.line(depth + 1, '</xsl:if>');
  // A dynamic error (e.g. xs:integer('abc')) becomes a finding on this node instead of aborting the run.
  w.line(depth + 1, `<xsl:catch select="${escAttr(failureExpr(keys, 'The test could not be evaluated here'))}"/>`);
  w.line(depth, '</xsl:try>');
}

function failureExpr(keys: Keys, what: string): string {
  return (
    `kihsch:failure(${xpString(keys.check)}, ., $${keys.skeleton}, $${keys.firedRule}, ` +
    `${xpString(what)}, $kiherr:code, $kiherr:description)`
  );
}

function ruleXslt(
  w: Writer,
  pattern: ResolvedPattern,
  pi: number,
  rule: ResolvedRule,
  ri: number,
  schema: ResolvedSchema,
  rel: (where: string) => string
): void {
  const mode = `kihsch:p${pi}`;
  // First match wins within a pattern: earlier rules get higher priorities, all above the no-op default.
  const priority = pattern.rules.length - ri + 1;
  w.line(1, comment(`rule ${ri} of pattern ${pattern.id} at ${rel(rule.where)}`));
  w.line(1, `<xsl:template match="${escAttr(rule.context)}" mode="${mode}" priority="${priority}">`);
  for (const l of pattern.lets) {
    const as = l.as === undefined ? '' : ` as="${escAttr(l.as)}"`;
    w.line(2, `<xsl:param name="${escAttr(l.name)}"${as} tunnel="yes"/>`);
  }
  ruleBodyXslt(w, 2, pi, rule, ri, schema, rel);
  w.line(1, '</xsl:template>');
}

/** What a rule does on one of its context nodes: its lets, then its checks, errors caught. */
function ruleBodyXslt(
  w: Writer,
  depth: number,
  pi: number,
  rule: ResolvedRule,
  ri: number,
  schema: ResolvedSchema,
  rel: (where: string) => string
): void {
  const ruleKey = `p${pi}r${ri}`;
  const firedRule = `kihsch:fired-${ruleKey}`;
  const body = (depth: number, guarded: boolean): void => {
    for (const l of rule.lets) {
      letXslt(w, depth, l);
    }
    rule.checks.forEach((check, ci) => {
      const key = `${ruleKey}a${ci + 1}`;
      checkXslt(w, depth, check, { check: key, skeleton: `kihsch:check-${key}`, firedRule }, schema, rel, guarded);
    });
  };
  const ruleKeys = { check: ruleKey, skeleton: `kihsch:rule-${ruleKey}`, firedRule };
  // Fast path: the rule's asserts without a try each (a try per assert cost ~25% of the run time).
  // XSLT discards a try's partial result on error, so the slow path can re-run every assert in its
  // own try and report exactly the one that failed, as if each had always been guarded.
  w.line(depth, '<xsl:try>');
  body(depth + 1, false);
  w.line(depth + 1, '<xsl:catch>');
  w.line(depth + 2, '<xsl:try>');
  body(depth + 3, true);
  w.line(
    depth + 3,
    `<xsl:catch select="${escAttr(failureExpr(ruleKeys, "The rule's variables could not be evaluated here"))}"/>`
  );
  w.line(depth + 2, '</xsl:try>');
  w.line(depth + 1, '</xsl:catch>');
  w.line(depth, '</xsl:try>');
}

/**
 * What a pattern walks: the union of its rules' context selections in document order (relative
 * ones filtered from the element list), so it visits only nodes some rule of it can match; the
 * full node list when a context is not a plain path.
 */
function patternSelection(pattern: ResolvedPattern, plan: SelectionPlan): string {
  const branches = plan.pattern(pattern.rules.map((r) => r.context));
  if (branches === null) {
    // Attributes triple the nodes of a CDA document; a pattern that cannot match one skips them.
    return pattern.rules.some((r) => mayMatchAttribute(r.context)) ? '$kihsch:nodes' : '$kihsch:elements';
  }
  return branches.length === 1 ? (branches[0] ?? '()') : `(${branches.join(' | ')})`;
}

/**
 * Whether a pattern's single rule can run straight on its selection (xsl:for-each) instead of
 * through a mode: the selection is exactly what the context matches, so matching each node again
 * would only repeat the context's predicates. Not when the context names a pattern let (a match
 * pattern sees the global variable of that name, the selection would see the let), nor when it
 * calls current() or its kin (the node being matched in a pattern, the document node in the
 * selection): then only matching again gives the nodes the context really matches.
 */
function runsDirectly(pattern: ResolvedPattern): boolean {
  const rule = pattern.rules[0];
  return (
    pattern.rules.length === 1 &&
    rule !== undefined &&
    contextSelection(rule.context) !== null &&
    !/\b(current[\w-]*|regex-group)\s*\(/.test(rule.context) &&
    !pattern.lets.some((l) => rule.context.includes(`$${l.name}`))
  );
}

function patternXslt(
  w: Writer,
  pattern: ResolvedPattern,
  pi: number,
  nodes: string,
  schema: ResolvedSchema,
  rel: (where: string) => string
): void {
  const mode = `kihsch:p${pi}`;
  const direct = runsDirectly(pattern);
  w.line(1, comment(`pattern ${pattern.id} at ${rel(pattern.where)}`));
  if (!direct) {
    w.line(1, `<xsl:mode name="${mode}" on-no-match="deep-skip"/>`);
    // The explicit no-op matters for the document node: deep-skip would still visit its children.
    w.line(1, `<xsl:template match="document-node() | node() | @*" mode="${mode}" priority="-1"/>`);
  }
  w.line(1, `<xsl:template name="kihsch:pattern-${pi}">`);
  w.line(
    2,
    `<svrl:active-pattern${svrlAttrs([
      ['id', pattern.id],
      ['name', pattern.title],
    ])}/>`
  );
  // Pattern lets are evaluated once, on the document node, and reach the rules as tunnel parameters
  // (or, run directly, as variables in scope), which keeps them private to the pattern.
  for (const l of pattern.lets) {
    letXslt(w, 2, l);
  }
  w.line(2, '<xsl:call-template name="kihsch:report">');
  w.line(3, '<xsl:with-param name="hits" as="map(*)*">');
  const rule = pattern.rules[0];
  if (direct && rule !== undefined) {
    w.line(4, comment(`rule 1 of pattern ${pattern.id} at ${rel(rule.where)}`));
    w.line(4, `<xsl:for-each select="${escAttr(nodes)}">`);
    ruleBodyXslt(w, 5, pi, rule, 1, schema, rel);
    w.line(4, '</xsl:for-each>');
  } else {
    w.line(4, `<xsl:apply-templates select="${escAttr(nodes)}" mode="${mode}">`);
    for (const l of pattern.lets) {
      const as = l.as === undefined ? '' : ` as="${escAttr(l.as)}"`;
      w.line(5, `<xsl:with-param name="${escAttr(l.name)}"${as} select="${escAttr(`$${l.name}`)}" tunnel="yes"/>`);
    }
    w.line(4, '</xsl:apply-templates>');
  }
  w.line(3, '</xsl:with-param>');
  w.line(2, '</xsl:call-template>');
  w.line(1, '</xsl:template>');
  if (!direct) {
    pattern.rules.forEach((r, i) => {
      ruleXslt(w, pattern, pi, r, i + 1, schema, rel);
    });
  }
}

/** XSLT for the canonical node path: the format of src/xml/path-format.ts, with its prefixes. */
const PATH_FUNCTIONS = `
  <xsl:function name="kihsch:name-test" as="kihxs:string">
    <xsl:param name="node" as="node()"/>
    <xsl:variable name="uri" select="namespace-uri($node)"/>
    <xsl:variable name="local" select="local-name($node)"/>
    <xsl:sequence select="
      if ($uri eq '') then $local
${CANONICAL_PREFIXES.map(([uri, prefix]) => `      else if ($uri eq '${uri}') then '${prefix}:' || $local\n`).join('')}      else '*[local-name()=''' || $local || ''' and namespace-uri()=''' || $uri || ''']'"/>
  </xsl:function>
  <xsl:function name="kihsch:step" as="kihxs:string">
    <xsl:param name="e" as="element()"/>
    <xsl:variable name="name" select="node-name($e)"/>
    <xsl:sequence select="'/' || kihsch:name-test($e) || '[' || (count($e/preceding-sibling::*[node-name(.) eq $name]) + 1) || ']'"/>
  </xsl:function>
  <xsl:function name="kihsch:path" as="kihxs:string">
    <xsl:param name="node" as="node()"/>
    <xsl:sequence select="
      if ($node instance of document-node()) then '/'
      else string-join((
        $node/ancestor-or-self::element() ! kihsch:step(.),
        if ($node instance of element()) then ()
        else if ($node instance of attribute()) then '/@' || kihsch:name-test($node)
        else if ($node instance of text()) then '/text()[' || (count($node/preceding-sibling::text()) + 1) || ']'
        else if ($node instance of comment()) then '/comment()[' || (count($node/preceding-sibling::comment()) + 1) || ']'
        else '/node()[' || (count($node/preceding-sibling::node()) + 1) || ']'), '')"/>
  </xsl:function>`;

/** A finding for a test or rule that raised a dynamic error: always a failed-assert, flagged as such. */
const FAILURE_FUNCTION = `
  <xsl:function name="kihsch:failure" as="map(*)">
    <xsl:param name="key" as="kihxs:string"/>
    <xsl:param name="node" as="node()"/>
    <xsl:param name="skeleton" as="element()"/>
    <xsl:param name="fired" as="element()"/>
    <xsl:param name="what" as="kihxs:string"/>
    <xsl:param name="code" as="kihxs:QName"/>
    <xsl:param name="description" as="kihxs:string?"/>
    <xsl:sequence select="map{'k': $key, 'n': $node, 's': $skeleton, 'r': $fired, 'd': [], 'x': true(),
      't': $what || ' (' || string($code) || '): ' || $description}"/>
  </xsl:function>`;

/**
 * Phase 2 of each pattern: the hits in document order, at most max-findings per assert, each
 * preceded by its fired-rule (so the SVRL stays schema-valid) and given its location only now, so
 * that paths are computed for reported findings alone.
 */
const REPORT_TEMPLATE = `
  <xsl:template name="kihsch:report">
    <xsl:param name="hits" as="map(*)*"/>
    <xsl:iterate select="$hits">
      <xsl:param name="counts" as="map(*)" select="map{}"/>
      <xsl:on-completion>
        <xsl:for-each select="sort(kihmap:keys($counts))[$counts(.) gt $kihsch:max-findings]">
          <xsl:variable name="key" select="."/>
          <xsl:variable name="first" select="$hits[?k eq $key][1]"/>
          <xsl:copy-of select="$first?r"/>
          <svrl:successful-report test="{$first?s/@test}" role="info" flag="${CAPPED_FLAG}" location="/">
            <xsl:copy-of select="$first?s/@id"/>
            <svrl:text>
              <xsl:value-of select="$counts($key) - $kihsch:max-findings"/>
              <xsl:text> more finding(s) of </xsl:text>
              <xsl:value-of select="($first?s/@id, $key)[1]"/>
              <xsl:text> not listed (limit </xsl:text>
              <xsl:value-of select="$kihsch:max-findings"/>
              <xsl:text> per assert; </xsl:text>
              <xsl:value-of select="$counts($key)"/>
              <xsl:text> in all).</xsl:text>
            </svrl:text>
          </svrl:successful-report>
        </xsl:for-each>
      </xsl:on-completion>
      <xsl:variable name="n" select="($counts(?k), 0)[1] + 1"/>
      <xsl:if test="$n le $kihsch:max-findings">
        <xsl:variable name="hit" select="."/>
        <xsl:variable name="failed" select="exists($hit?x)"/>
        <xsl:copy-of select="?r"/>
        <xsl:for-each select="?s">
          <xsl:element name="{if ($failed) then 'svrl:failed-assert' else name()}" namespace="${SVRL_NS}">
            <xsl:copy-of select="@* except @flag[$failed]"/>
            <xsl:if test="$failed">
              <xsl:attribute name="flag" select="'${EVALUATION_ERROR_FLAG}'"/>
            </xsl:if>
            <xsl:attribute name="location" select="kihsch:path($hit?n)"/>
            <xsl:for-each select="svrl:diagnostic-reference">
              <xsl:variable name="i" select="position()"/>
              <xsl:copy>
                <xsl:copy-of select="@*"/>
                <svrl:text><xsl:value-of select="$hit?d($i)"/></svrl:text>
              </xsl:copy>
            </xsl:for-each>
            <svrl:text><xsl:value-of select="$hit?t"/></svrl:text>
          </xsl:element>
        </xsl:for-each>
      </xsl:if>
      <xsl:next-iteration>
        <xsl:with-param name="counts" select="kihmap:put($counts, ?k, $n)"/>
      </xsl:next-iteration>
    </xsl:iterate>
  </xsl:template>`;

/** The prefixes XPath in the generated stylesheet sees: the compiler's own, the schema's sch:ns, then conveniences. */
export function stylesheetNamespaces(schema: ResolvedSchema): Map<string, string> {
  const bound = new Map<string, string>(Object.entries(RESERVED_PREFIXES));
  for (const { prefix, uri } of schema.namespaces) {
    const existing = bound.get(prefix);
    if (existing !== undefined && existing !== uri) {
      const reserved = prefix in RESERVED_PREFIXES;
      throw schematronError(
        'SCH_ERR_COMPILE',
        reserved
          ? `sch:ns prefix "${prefix}" is reserved by the compiler (bound to ${existing}).`
          : `sch:ns prefix "${prefix}" is declared twice with different URIs.`
      );
    }
    bound.set(prefix, uri);
  }
  for (const [prefix, uri] of Object.entries(CONVENIENCE_PREFIXES)) {
    if (!bound.has(prefix)) {
      bound.set(prefix, uri);
    }
  }
  return bound;
}

function namespaceDeclarations(schema: ResolvedSchema): string[] {
  return [...stylesheetNamespaces(schema)].map(([prefix, uri]) => `xmlns:${prefix}="${escAttr(uri)}"`);
}

/** Writes the XSLT 3.0 stylesheet for a resolved schema. */
export function generateXslt(schema: ResolvedSchema, rel: (where: string) => string = (s) => s): string {
  const w = new Writer();
  w.line(0, '<?xml version="1.0" encoding="UTF-8"?>');
  w.line(0, comment(`Generated by kih-certify's Schematron compiler ${COMPILER_VERSION}; do not edit.`));
  w.line(0, `<xsl:stylesheet version="3.0" ${namespaceDeclarations(schema).join(' ')} exclude-result-prefixes="#all">`);
  w.line(1, '<xsl:output method="xml" encoding="UTF-8" indent="no"/>');
  w.line(1, `<xsl:param name="kihsch:max-findings" as="kihxs:double" select="${DEFAULT_MAX_FINDINGS}"/>`);
  // Patterns that cannot be narrowed to element names share node lists built once per document.
  // Declared only when used: SaxonJS evaluates global variables at the start of every transform.
  const plan = new SelectionPlan();
  const selections = schema.patterns.map((p) => patternSelection(p, plan));
  for (const [name, select] of plan.variables()) {
    w.line(1, `<xsl:variable name="${name}" select="${escAttr(select)}"/>`);
  }
  if (selections.includes('$kihsch:elements')) {
    w.line(1, '<xsl:variable name="kihsch:elements" select="(/, //*)"/>');
  }
  if (selections.includes('$kihsch:nodes')) {
    w.line(1, '<xsl:variable name="kihsch:nodes" select="(/, //*/(. | @*))"/>');
  }
  for (const l of schema.globalLets) {
    letXslt(w, 1, l);
  }
  for (const f of schema.foreign) {
    w.line(1, serializeForeign(f, {}));
  }
  w.lines.push(PATH_FUNCTIONS);
  w.lines.push(FAILURE_FUNCTION);
  w.lines.push(REPORT_TEMPLATE);
  schema.patterns.forEach((p, pi) => {
    p.rules.forEach((r, ri) => {
      const key = `p${pi + 1}r${ri + 1}`;
      const attrs = svrlAttrs([
        ['context', r.context],
        ['id', r.id],
        ['role', r.role],
        ['flag', r.flag],
      ]);
      w.line(1, `<xsl:variable name="kihsch:fired-${key}" as="element()"><svrl:fired-rule${attrs}/></xsl:variable>`);
      // What a finding for the rule itself (its lets failed) is reported as.
      const ruleAttrs = svrlAttrs([
        ['test', r.context],
        ['id', r.id ?? `${p.id}/${ri + 1}`],
      ]);
      w.line(
        1,
        `<xsl:variable name="kihsch:rule-${key}" as="element()"><svrl:failed-assert${ruleAttrs}/></xsl:variable>`
      );
      r.checks.forEach((c, ci) => {
        skeletonXslt(w, `kihsch:check-${key}a${ci + 1}`, c);
      });
    });
  });
  w.line(1, '<xsl:template match="/">');
  w.line(
    2,
    `<svrl:schematron-output${svrlAttrs([
      ['title', schema.title],
      ['phase', schema.phase],
      ['schemaVersion', schema.schemaVersion],
    ])}>`
  );
  for (const { prefix, uri } of schema.namespaces) {
    w.line(
      3,
      `<svrl:ns-prefix-in-attribute-values${svrlAttrs([
        ['uri', uri],
        ['prefix', prefix],
      ])}/>`
    );
  }
  schema.patterns.forEach((_, pi) => {
    w.line(3, `<xsl:call-template name="kihsch:pattern-${pi + 1}"/>`);
  });
  w.line(2, '</svrl:schematron-output>');
  w.line(1, '</xsl:template>');
  schema.patterns.forEach((p, pi) => {
    patternXslt(w, p, pi + 1, selections[pi] ?? '()', schema, rel);
  });
  w.line(0, '</xsl:stylesheet>');
  return `${w.lines.join('\n')}\n`;
}

/** Reads a Schematron file (and its includes) and compiles it to XSLT text. */
export function compileSchematron(file: string, options: CompileSchematronOptions = {}): SchematronXslt {
  const loaded = loadSchematron(file);
  const schema = resolveSchema(loaded.root, options);
  const base = path.dirname(path.resolve(file));
  // Relative paths keep the XSLT (and so the cache key) the same wherever the project is checked out.
  const rel = (where: string): string => (path.isAbsolute(where) ? path.relative(base, where) : where);
  const xslt = generateXslt(schema, rel);
  const hash = createHash('sha256');
  for (const f of loaded.files) {
    hash.update(`${path.relative(base, f.path)}\0${f.sha256}\n`);
  }
  return {
    xslt,
    files: loaded.files,
    sourceHash: hash.digest('hex'),
    phase: schema.phase,
    ...(schema.title === undefined ? {} : { title: schema.title }),
    patternCount: schema.patterns.length,
    assertCount: schema.patterns.reduce((n, p) => n + p.rules.reduce((m, r) => m + r.checks.length, 0), 0),
    warnings: schema.warnings,
    schema,
  };
}
