// XPath regular expressions (matches, replace, tokenize) translated to JavaScript ones, for the syntax whose meaning is the same in both.
import { dynamicError } from './xpath-values.js';

/** A translated pattern, or the reason it is outside the subset. */
/** A translated pattern: for testing, its global twin for replace/tokenize, its group count, whether it uses `.`. */
export interface Regex {
  readonly re: RegExp;
  readonly all: RegExp;
  readonly groups: number;
  readonly dot: boolean;
  /** Whether the pattern matches the empty string (replace and tokenize refuse those). */
  readonly matchesEmpty: boolean;
}

export type RegexResult = ({ readonly ok: true } & Regex) | { readonly ok: false; readonly why: string };

/** Escapes after a backslash that mean the same in XPath and in JavaScript (u mode). */
const SAME_ESCAPES = new Set([
  '\\',
  '.',
  '-',
  '^',
  '$',
  '?',
  '*',
  '+',
  '{',
  '}',
  '(',
  ')',
  '[',
  ']',
  '|',
  'n',
  'r',
  't',
]);

type Ranges = readonly (readonly [number, number])[];

/** XML 1.0 (fifth edition) NameStartChar: what XPath's `\i` matches. */
const NAME_START: Ranges = [
  [0x3a, 0x3a],
  [0x41, 0x5a],
  [0x5f, 0x5f],
  [0x61, 0x7a],
  [0xc0, 0xd6],
  [0xd8, 0xf6],
  [0xf8, 0x2ff],
  [0x370, 0x37d],
  [0x37f, 0x1fff],
  [0x200c, 0x200d],
  [0x2070, 0x218f],
  [0x2c00, 0x2fef],
  [0x3001, 0xd7ff],
  [0xf900, 0xfdcf],
  [0xfdf0, 0xfffd],
  [0x10000, 0xeffff],
];

/** XML 1.0 (fifth edition) NameChar: what XPath's `\c` matches. */
const NAME_CHAR: Ranges = [
  ...NAME_START,
  ...([
    [0x2d, 0x2e],
    [0x30, 0x39],
    [0xb7, 0xb7],
    [0x300, 0x36f],
    [0x203f, 0x2040],
  ] as const),
].sort((a, b) => a[0] - b[0]);

/** The code points a set of ranges leaves out, so `\I` and `\C` also work inside a class. */
function complement(ranges: Ranges): Ranges {
  const out: [number, number][] = [];
  let next = 0;
  for (const [lo, hi] of ranges) {
    if (lo > next) {
      out.push([next, lo - 1]);
    }
    next = Math.max(next, hi + 1);
  }
  if (next <= 0x10ffff) {
    out.push([next, 0x10ffff]);
  }
  return out;
}

/** Ranges as the body of a JS `u` class: every code point escaped, so none is read as syntax. */
function classBody(ranges: Ranges): string {
  const hex = (n: number): string => `\\u{${n.toString(16)}}`;
  return ranges.map(([lo, hi]) => (lo === hi ? hex(lo) : `${hex(lo)}-${hex(hi)}`)).join('');
}

/** Class bodies of XPath's multi-character escapes for XML names. */
const NAME_ESCAPES: Readonly<Record<string, string>> = {
  i: classBody(NAME_START),
  I: classBody(complement(NAME_START)),
  c: classBody(NAME_CHAR),
  C: classBody(complement(NAME_CHAR)),
};

/** A single-character escape (after the backslash) as JS `u` text, inside a class or not; undefined outside the subset. */
function escapeText(e: string, inClass: boolean): string | undefined {
  if (SAME_ESCAPES.has(e)) {
    return `\\${e}`;
  }
  if (e === 'd') {
    return '\\p{Nd}';
  }
  if (e === 's') {
    return inClass ? ' \\t\\n\\r' : '[ \\t\\n\\r]';
  }
  const names = NAME_ESCAPES[e];
  if (names !== undefined) {
    return inClass ? names : `[${names}]`;
  }
  return undefined;
}

type ClassResult =
  | { readonly ok: true; readonly text: string; readonly next: number; readonly subtracted: boolean }
  | { readonly ok: false; readonly why: string };

/**
 * The class starting at `start` (its `[`) as one JS atom. XML Schema's subtraction `[base-[sub]]`
 * has no `u`-mode form, so it becomes `(?:(?!sub)base)`: a character of base that sub does not
 * match, non-capturing so group numbers stay the same; sub may subtract again.
 */
function translateClass(pattern: string, start: number): ClassResult {
  let body = '[';
  let i = start + 1;
  if (pattern.charAt(i) === '^') {
    body += '^';
    i++;
  }
  // A leading ']' is a literal in neither language: XPath forbids an empty class too.
  while (i < pattern.length) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const e = pattern.charAt(i + 1);
      const t = escapeText(e, true);
      if (t === undefined) {
        return { ok: false, why: `regex escape \\${e}` };
      }
      body += t;
      i += 2;
      continue;
    }
    if (c === '-' && pattern.charAt(i + 1) === '[') {
      const sub = translateClass(pattern, i + 1);
      if (!sub.ok) {
        return sub;
      }
      // SaxonJS refuses "[a-z-[d-z-[e]]]" (FORX0002), though XML Schema's grammar allows it.
      if (sub.subtracted) {
        return { ok: false, why: 'nested character class subtraction' };
      }
      if (pattern.charAt(sub.next) !== ']') {
        return { ok: false, why: 'character class subtraction not at the end of its class' };
      }
      return { ok: true, text: `(?:(?!${sub.text})${body}])`, next: sub.next + 1, subtracted: true };
    }
    if (c === '[') {
      return { ok: false, why: 'character class nesting' };
    }
    if (c === ']') {
      return { ok: true, text: `${body}]`, next: i + 1, subtracted: false };
    }
    body += c;
    i++;
  }
  return { ok: false, why: 'unterminated class' };
}

/**
 * Translates an XPath pattern (no flags) to a JS regex with the `u` flag. `\d` becomes `\p{Nd}`
 * and `\s` the four XML whitespace characters, `\i`, `\c` (and their complements `\I`, `\C`) the
 * XML name characters (XML 1.0 fifth edition, as SaxonJS reads them), as XPath defines them.
 * Character class subtraction becomes a look-ahead (see translateClass). Unsupported: `\w`,
 * `\p{…}`, back-references, and non-capturing or look-around groups (not XPath 2.0). `.` is kept and reported, since XPath's `.` and JavaScript's differ on
 * line and paragraph separators; callers check the input for those.
 */
export function translateRegex(pattern: string): RegexResult {
  let out = '';
  let dot = false;
  for (let i = 0; i < pattern.length; i++) {
    const c = pattern.charAt(i);
    if (c === '\\') {
      const e = pattern.charAt(i + 1);
      i++;
      const t = escapeText(e, false);
      if (t === undefined) {
        return { ok: false, why: `regex escape \\${e}` };
      }
      out += t;
      continue;
    }
    if (c === '[') {
      const cls = translateClass(pattern, i);
      if (!cls.ok) {
        return cls;
      }
      // SaxonJS applies a quantifier after a subtraction to the base class alone (seen: "[a-z-[aeiou]]{2}"
      // matches "re"), so the subset leaves such patterns to it rather than disagree.
      if (cls.subtracted && /[?*+{]/.test(pattern.charAt(cls.next))) {
        return { ok: false, why: 'quantified character class subtraction' };
      }
      out += cls.text;
      i = cls.next - 1;
      continue;
    }
    if (c === '(' && pattern.charAt(i + 1) === '?') {
      return { ok: false, why: 'regex group extensions' };
    }
    if (c === '.') {
      dot = true;
    }
    if ((c === '{' && !/^\{\d+(,\d*)?\}/.test(pattern.slice(i))) || c === '}') {
      if (c === '}') {
        out += c;
        continue;
      }
      return { ok: false, why: 'literal brace' };
    }
    out += c;
  }
  try {
    const re = new RegExp(out, 'u');
    // An alternative that always matches makes exec report every group of the pattern.
    const groups = new RegExp(`${out}|`, 'u').exec('')?.length ?? 1;
    return { ok: true, re, all: new RegExp(out, 'gu'), groups, dot, matchesEmpty: re.test('') };
  } catch {
    return { ok: false, why: 'pattern JavaScript cannot read' };
  }
}

/** Line and paragraph separators: JavaScript's `.` excludes them, XPath's does not. */
const DOT_DIFFERS = /[\r\u2028\u2029\u0085]/;

const runtimeCache = new Map<string, Regex>();

/** A pattern known only at run time (a variable); left to SaxonJS when the subset cannot translate it. */
export function runtimeRegex(pattern: string): Regex {
  let regex = runtimeCache.get(pattern);
  if (regex === undefined) {
    const r = translateRegex(pattern);
    if (!r.ok) {
      return dynamicError(`own:regex (${r.why})`);
    }
    regex = r;
    if (runtimeCache.size < 1000) {
      runtimeCache.set(pattern, regex);
    }
  }
  return regex;
}

/** Refuses inputs where `.` would match differently. */
export function checkDotInput(input: string, dot: boolean): void {
  if (dot && DOT_DIFFERS.test(input)) {
    dynamicError('own:regex-dot');
  }
}

/** A replacement string read into literal text and group numbers (memoised: rule sets use a handful). */
const replacements = new Map<string, readonly (string | number)[]>();

function replacementParts(replacement: string, groups: number): readonly (string | number)[] {
  const key = `${groups}\u0000${replacement}`;
  const known = replacements.get(key);
  if (known) {
    return known;
  }
  const parts: (string | number)[] = [];
  let lit = '';
  for (let i = 0; i < replacement.length; i++) {
    const c = replacement.charAt(i);
    if (c === '\\') {
      const e = replacement.charAt(i + 1);
      if (e !== '\\' && e !== '$') {
        return dynamicError('FORX0004');
      }
      lit += e;
      i++;
    } else if (c === '$') {
      let j = i + 1;
      if (!/[0-9]/.test(replacement.charAt(j))) {
        return dynamicError('FORX0004');
      }
      let n = Number(replacement.charAt(j));
      j++;
      // Take further digits only while they still name a group.
      while (/[0-9]/.test(replacement.charAt(j)) && n * 10 + Number(replacement.charAt(j)) < groups) {
        n = n * 10 + Number(replacement.charAt(j));
        j++;
      }
      parts.push(lit, n);
      lit = '';
      i = j - 1;
    } else {
      lit += c;
    }
  }
  parts.push(lit);
  if (replacements.size < 1000) {
    replacements.set(key, parts);
  }
  return parts;
}

/** fn:replace: every non-overlapping match, `$n` group references and `\$`, `\\` escapes as XPath reads them. */
export function replaceAll(input: string, regex: Regex, replacement: string): string {
  const { all, groups } = regex;
  if (regex.matchesEmpty) {
    return dynamicError('FORX0003');
  }
  const parts = replacementParts(replacement, groups);
  if (parts.length === 1) {
    const only = parts[0] as string;
    return input.replace(all, () => only);
  }
  return input.replace(all, (...args: unknown[]) => {
    let out = '';
    for (const p of parts) {
      out += typeof p === 'string' ? p : p < groups ? ((args[p] as string | undefined) ?? '') : '';
    }
    return out;
  });
}

/** fn:tokenize with a pattern: the parts between matches (an empty input gives none). */
export function tokenizeWith(input: string, regex: Regex): string[] {
  if (input === '') {
    return [];
  }
  if (regex.matchesEmpty) {
    return dynamicError('FORX0003');
  }
  const g = regex.all;
  g.lastIndex = 0;
  const out: string[] = [];
  let last = 0;
  for (let m = g.exec(input); m; m = g.exec(input)) {
    out.push(input.slice(last, m.index));
    last = m.index + m[0].length;
  }
  out.push(input.slice(last));
  return out;
}
