// XPath values of the subset: items, atomisation, effective boolean value, comparisons and casts, as XPath 2.0/3.1 define them.
import { FallbackToSaxon } from './fallback.js';
import { XNode } from './xml-tree.js';

/** xs:untypedAtomic: what a node atomises to (compared as a string, cast to a number next to one). */
export class Untyped {
  constructor(readonly s: string) {}
}

/** xs:date or xs:dateTime with the instant it denotes (milliseconds, UTC) when it has a timezone. */
export class XTime {
  constructor(
    readonly type: 'date' | 'dateTime',
    readonly lexical: string,
    /** UTC milliseconds, or undefined without a timezone (comparing those needs the implicit timezone). */
    readonly instant: number | undefined
  ) {}
}

/** xs:double, as fn:number makes it; the subset compares doubles but leaves arithmetic on them to SaxonJS. */
export class XDouble {
  constructor(readonly v: number) {}
}

/** JS numbers are xs:integer; doubles are XDouble; the subset has no xs:decimal values. */
export type Item = XNode | string | number | boolean | Untyped | XTime | XDouble;
export type Seq = readonly Item[];

/**
 * A dynamic error, or a case the subset cannot decide exactly as SaxonJS would. Either way the
 * document is run again on SaxonJS, whose finding (an evaluation-error notice with SaxonJS's own
 * message, or the value it computes) is the reference.
 */
export class NeedsSaxon extends FallbackToSaxon {
  constructor(readonly code: string) {
    super(code);
  }
}

export function dynamicError(code: string): never {
  throw new NeedsSaxon(code);
}

export const EMPTY: Seq = [];
export const TRUE: Seq = [true];
export const FALSE: Seq = [false];

export function atomize(item: Item): Exclude<Item, XNode> {
  return item instanceof XNode ? new Untyped(item.text()) : item;
}

/** The string value of one item (`string()`). */
export function stringOf(item: Item): string {
  if (typeof item === 'string') {
    return item;
  }
  if (item instanceof XNode) {
    return item.text();
  }
  if (item instanceof Untyped) {
    return item.s;
  }
  if (typeof item === 'number') {
    return String(item);
  }
  if (typeof item === 'boolean') {
    return item ? 'true' : 'false';
  }
  if (item instanceof XDouble) {
    return doubleString(item.v);
  }
  // Canonical date/time forms (timezone normalisation) are not modelled.
  return dynamicError('own:canonical-time');
}

/** xs:double as a string, where XPath's form is plain: integral values below a million, NaN, INF. */
export function doubleString(v: number): string {
  if (Number.isNaN(v)) {
    return 'NaN';
  }
  if (!Number.isFinite(v)) {
    return v > 0 ? 'INF' : '-INF';
  }
  if (Object.is(v, -0)) {
    return '-0';
  }
  // Fractions and exponent forms are SaxonJS's own formatting.
  return Number.isInteger(v) && Math.abs(v) < 1e6 ? String(v) : dynamicError('own:double-format');
}

/** The effective boolean value (fn:boolean), with FORG0006 for sequences that have none. */
export function ebv(seq: Seq): boolean {
  if (seq.length === 0) {
    return false;
  }
  const first = seq[0];
  if (first instanceof XNode) {
    return true;
  }
  if (seq.length > 1) {
    return dynamicError('FORG0006');
  }
  if (typeof first === 'boolean') {
    return first;
  }
  if (typeof first === 'string') {
    return first.length > 0;
  }
  if (first instanceof Untyped) {
    return first.s.length > 0;
  }
  if (typeof first === 'number') {
    return first !== 0;
  }
  if (first instanceof XDouble) {
    return first.v !== 0 && !Number.isNaN(first.v);
  }
  return dynamicError('FORG0006');
}

/** The single atomised item of an argument typed `xs:anyAtomicType?`: undefined when empty, XPTY0004 when more. */
export function optAtomic(seq: Seq): Exclude<Item, XNode> | undefined {
  if (seq.length === 0) {
    return undefined;
  }
  if (seq.length > 1) {
    return dynamicError('XPTY0004');
  }
  return atomize(seq[0] as Item);
}

/** An argument typed `xs:string?`: untyped values are cast, other types are a type error; empty is ''. */
export function optString(seq: Seq): string {
  const v = optAtomic(seq);
  if (v === undefined) {
    return '';
  }
  if (typeof v === 'string') {
    return v;
  }
  if (v instanceof Untyped) {
    return v.s;
  }
  return dynamicError('XPTY0004');
}

const XML_WHITESPACE = /^[ \t\r\n]+|[ \t\r\n]+$/g;

export function collapse(s: string): string {
  return s.replace(XML_WHITESPACE, '');
}

const DOUBLE = /^(?:[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?|-?INF|\+INF|NaN)$/;

/** An untyped value cast to xs:double (general comparisons with a number); FORG0001 when it is not one. */
export function toDouble(s: string): number {
  const t = collapse(s);
  if (!DOUBLE.test(t)) {
    return dynamicError('FORG0001');
  }
  if (t === 'INF' || t === '+INF') {
    return Infinity;
  }
  if (t === '-INF') {
    return -Infinity;
  }
  return t === 'NaN' ? NaN : Number(t);
}

/** fn:number: xs:double, NaN for what is not one (never an error). */
export function toNumber(v: Exclude<Item, XNode> | undefined): XDouble {
  if (v === undefined) {
    return new XDouble(NaN);
  }
  if (typeof v === 'number') {
    return new XDouble(v);
  }
  if (v instanceof XDouble) {
    return v;
  }
  if (typeof v === 'boolean') {
    return new XDouble(v ? 1 : 0);
  }
  if (typeof v === 'string' || v instanceof Untyped) {
    try {
      return new XDouble(toDouble(typeof v === 'string' ? v : v.s));
    } catch {
      return new XDouble(NaN);
    }
  }
  return new XDouble(NaN);
}

/** xs:integer(value). */
export function toInteger(v: Exclude<Item, XNode>): number {
  if (typeof v === 'number') {
    return v;
  }
  if (v instanceof XDouble) {
    return dynamicError('own:double-to-integer');
  }
  if (typeof v === 'boolean') {
    return v ? 1 : 0;
  }
  if (typeof v === 'string' || v instanceof Untyped) {
    const t = collapse(typeof v === 'string' ? v : v.s);
    if (!/^[+-]?[0-9]+$/.test(t)) {
      return dynamicError('FORG0001');
    }
    const n = Number(t);
    return Number.isSafeInteger(n) ? n : dynamicError('own:big-integer');
  }
  return dynamicError('XPTY0004');
}

// --- dates ---------------------------------------------------------------------------------------

const DATE = /^(\d{4})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?$/;
const DATE_TIME = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(\.\d+)?(Z|[+-]\d{2}:\d{2})?$/;

function daysInMonth(year: number, month: number): number {
  if (month === 2) {
    return year % 4 === 0 && (year % 100 !== 0 || year % 400 === 0) ? 29 : 28;
  }
  return [4, 6, 9, 11].includes(month) ? 30 : 31;
}

/** Days from 1970-01-01 in the proleptic Gregorian calendar. */
function daysFromCivil(y: number, m: number, d: number): number {
  const yy = m <= 2 ? y - 1 : y;
  const era = Math.floor(yy / 400);
  const yoe = yy - era * 400;
  const doy = Math.floor((153 * (m + (m > 2 ? -3 : 9)) + 2) / 5) + d - 1;
  const doe = yoe * 365 + Math.floor(yoe / 4) - Math.floor(yoe / 100) + doy;
  return era * 146097 + doe - 719468;
}

/** Timezone offset in minutes, or NaN when out of range; undefined without one. */
function zoneMinutes(tz: string | undefined): number | undefined {
  if (tz === undefined) {
    return undefined;
  }
  if (tz === 'Z') {
    return 0;
  }
  const h = Number(tz.slice(1, 3));
  const m = Number(tz.slice(4, 6));
  // SaxonJS's range (up to ±14:59), which the findings must match; XSD itself stops at ±14:00.
  if (m > 59 || h > 14) {
    return NaN;
  }
  return (tz.startsWith('-') ? -1 : 1) * (h * 60 + m);
}

/**
 * Parses xs:date / xs:dateTime lexical forms; null when not castable. Years other than four
 * digits 0001–9999 (negative, year zero, five digits) differ between XSD 1.0 and 1.1, so they are
 * left to SaxonJS.
 */
export function parseTime(type: 'date' | 'dateTime', raw: string): XTime | null {
  const s = collapse(raw);
  if (/^-|^\d{5}|^0000/.test(s)) {
    return /^-?\d{4,}-/.test(s) ? dynamicError('own:year-range') : null;
  }
  const m = (type === 'date' ? DATE : DATE_TIME).exec(s);
  if (!m) {
    return null;
  }
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = Number(m[3]);
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) {
    return null;
  }
  let ms = daysFromCivil(year, month, day) * 86_400_000;
  let tz: string | undefined;
  if (type === 'date') {
    tz = m[4];
  } else {
    const hour = Number(m[4]);
    const minute = Number(m[5]);
    const second = Number(m[6]);
    const fraction = m[7] ?? '';
    tz = m[8];
    if (hour === 24) {
      if (minute !== 0 || second !== 0 || /[1-9]/.test(fraction)) {
        return null;
      }
    } else if (hour > 23 || minute > 59 || second > 59) {
      return null;
    }
    if (fraction.length > 4 && /[1-9]/.test(fraction.slice(4))) {
      return dynamicError('own:sub-millisecond');
    }
    ms += ((hour * 60 + minute) * 60 + second) * 1000 + Math.round(Number(`0${fraction || '.0'}`) * 1000);
  }
  const zone = zoneMinutes(tz);
  if (zone !== undefined && Number.isNaN(zone)) {
    return null;
  }
  return new XTime(type, s, zone === undefined ? undefined : ms - zone * 60_000);
}

// --- comparisons ---------------------------------------------------------------------------------

type Atomic = Exclude<Item, XNode>;

/** -1, 0, 1 or NaN (unordered); XPTY0004 for types that cannot be compared. */
function compareAtomic(a: Atomic, b: Atomic, ordering: boolean): number {
  const av = a instanceof Untyped ? a.s : a;
  const bv = b instanceof Untyped ? b.s : b;
  if (typeof av === 'string' && typeof bv === 'string') {
    if (!ordering) {
      return av === bv ? 0 : 1;
    }
    if (/[\uD800-\uDFFF]/.test(av) || /[\uD800-\uDFFF]/.test(bv)) {
      // JS compares UTF-16 units, XPath code points: they differ only beyond the BMP.
      return dynamicError('own:surrogates');
    }
    return av < bv ? -1 : av > bv ? 1 : 0;
  }
  const an = typeof av === 'number' ? av : av instanceof XDouble ? av.v : undefined;
  const bn = typeof bv === 'number' ? bv : bv instanceof XDouble ? bv.v : undefined;
  if (an !== undefined && bn !== undefined) {
    return an < bn ? -1 : an > bn ? 1 : an === bn ? 0 : NaN;
  }
  if (typeof av === 'boolean' && typeof bv === 'boolean') {
    return Number(av) - Number(bv);
  }
  if (av instanceof XTime && bv instanceof XTime && av.type === bv.type) {
    if (av.instant === undefined || bv.instant === undefined) {
      return dynamicError('own:implicit-timezone');
    }
    return Math.sign(av.instant - bv.instant);
  }
  return dynamicError('XPTY0004');
}

function isOrdering(op: string): boolean {
  return op !== '=' && op !== '!=' && op !== 'eq' && op !== 'ne';
}

function holds(op: string, c: number): boolean {
  switch (op) {
    case '=':
    case 'eq':
      return c === 0;
    case '!=':
    case 'ne':
      return c !== 0 && !Number.isNaN(c) ? true : Number.isNaN(c);
    case '<':
    case 'lt':
      return c < 0;
    case '<=':
    case 'le':
      return c <= 0;
    case '>':
    case 'gt':
      return c > 0;
    default:
      return c >= 0;
  }
}

/** A general comparison's pair rule: an untyped side takes the other side's type (double for numbers). */
function castForGeneral(u: Untyped, other: Atomic): Atomic {
  if (other instanceof Untyped || typeof other === 'string') {
    return u.s;
  }
  if (typeof other === 'number' || other instanceof XDouble) {
    return new XDouble(toDouble(u.s));
  }
  if (typeof other === 'boolean') {
    const t = collapse(u.s);
    if (t === 'true' || t === '1') {
      return true;
    }
    if (t === 'false' || t === '0') {
      return false;
    }
    return dynamicError('FORG0001');
  }
  return parseTime(other.type, u.s) ?? dynamicError('FORG0001');
}

function pairHolds(op: string, x: Atomic, y: Atomic): boolean {
  const a = x instanceof Untyped ? castForGeneral(x, y) : x;
  const b = y instanceof Untyped ? castForGeneral(y, x) : y;
  return holds(op, compareAtomic(a, b, isOrdering(op)));
}

/** `=`, `!=`, `<`, … : true when some pair of atomised items compares so. */
/** The string an item compares as when both sides are strings or nodes; undefined for other types. */
function plainString(item: Item): string | undefined {
  return typeof item === 'string'
    ? item
    : item instanceof XNode
      ? item.text()
      : item instanceof Untyped
        ? item.s
        : undefined;
}

/** String sets of sequences made of xs:string items only (literal lists, lets holding them), by identity. */
const stringSets = new WeakMap<Seq, ReadonlySet<string> | null>();

/** The set of a sequence's strings when every item is an xs:string (null otherwise), built once per sequence. */
function stringSet(seq: Seq): ReadonlySet<string> | null {
  let set = stringSets.get(seq);
  if (set === undefined) {
    set = seq.every((i) => typeof i === 'string') ? new Set(seq) : null;
    stringSets.set(seq, set);
  }
  return set;
}

/** `=` between strings and nodes only, the common case, without atomising into objects. */
function stringsEqual(left: Seq, right: Seq): boolean | undefined {
  if (right.length > 2) {
    const set = stringSet(right);
    if (set !== null) {
      for (const l of left) {
        const s = plainString(l);
        if (s === undefined) {
          return undefined;
        }
        if (set.has(s)) {
          return true;
        }
      }
      return false;
    }
  }
  for (const r of right) {
    if (plainString(r) === undefined) {
      return undefined;
    }
  }
  for (const l of left) {
    const s = plainString(l);
    if (s === undefined) {
      return undefined;
    }
    for (const r of right) {
      if (s === plainString(r)) {
        return true;
      }
    }
  }
  return false;
}

export function generalCompare(op: string, left: Seq, right: Seq): boolean {
  if (left.length === 0 || right.length === 0) {
    return false;
  }
  if (op === '=') {
    const fast = stringsEqual(left, right);
    if (fast !== undefined) {
      return fast;
    }
  }
  const rs = right.map(atomize);
  for (const l of left) {
    const a = atomize(l);
    for (const b of rs) {
      if (pairHolds(op, a, b)) {
        return true;
      }
    }
  }
  return false;
}

/** `eq`, `lt`, … on single atomised items (untyped as string); empty when a side is empty. */
export function valueCompare(op: string, left: Seq, right: Seq): Seq {
  const a = optAtomic(left);
  const b = optAtomic(right);
  if (a === undefined || b === undefined) {
    return EMPTY;
  }
  const x = a instanceof Untyped ? a.s : a;
  const y = b instanceof Untyped ? b.s : b;
  return holds(op, compareAtomic(x, y, isOrdering(op))) ? TRUE : FALSE;
}

/** Equality key for distinct-values: strings and untyped alike, integers by value. */
export function distinctKey(v: Atomic): string {
  if (typeof v === 'string') {
    return `s${v}`;
  }
  if (v instanceof Untyped) {
    return `s${v.s}`;
  }
  if (typeof v === 'number') {
    return `n${v}`;
  }
  if (v instanceof XDouble) {
    return Number.isNaN(v.v) ? 'nNaN' : `n${v.v}`;
  }
  if (typeof v === 'boolean') {
    return `b${v}`;
  }
  return v.instant === undefined ? dynamicError('own:implicit-timezone') : `${v.type}${v.instant}`;
}
