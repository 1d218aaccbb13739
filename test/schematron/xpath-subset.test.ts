// Differential test of the project's XPath subset: each expression's value (as xsl:value-of writes it) from both engines.
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { XmlDocument } from 'libxml2-wasm';
import { compileSchematronFile, runRules } from '../../src/schematron/index.js';
import type { CompiledRules } from '../../src/schematron/index.js';
import { translateRegex } from '../../src/schematron/xpath/xpath-regex.js';
import { fixture, TEST_CACHE_DIR } from './helpers.js';

/** Expressions the subset evaluates itself; each must give SaxonJS's value exactly. */
const EXPRESSIONS: readonly string[] = [
  // paths, axes, positions
  'count(//cda:item)',
  'string-join(//cda:item/@n, ",")',
  'string-join(//cda:item[1]/@n, ",")',
  'string-join((//cda:item)[last()]/@n, ",")',
  'string-join(//cda:group/cda:item[last()]/@n, ",")',
  'string-join(//cda:item[@value][position() = 2]/@n, ",")',
  'string-join(//cda:sub/ancestor::*[1]/@n, ",")',
  'string-join(//cda:sub/ancestor-or-self::*/local-name(), ",")',
  'count(//cda:name[2]/preceding-sibling::node())',
  'string-join(//cda:name[1]/following-sibling::*/string(), "|")',
  'count(//node())',
  'count(//text())',
  'count(//comment())',
  'count(//@*)',
  'count(/cda:doc/*/..)',
  'string-join((//cda:group | //cda:item)/@n, ",")',
  'string-join(for $i in //cda:item return xs:integer($i/@n) * 2, ",")',
  'name(//sdtc:raceCode)',
  'name(//cda:item[3])',
  'local-name(//cda:item[3])',
  'namespace-uri(//cda:item[3]/@xsi:type)',
  'string(//cda:item[3])',
  'string(//cda:text)',
  'count(//*[self::cda:item or self::cda:name])',
  'count(//cda:*[@n = (1, 3)])',
  // strings and regular expressions
  'normalize-space((//cda:name)[1])',
  'normalize-space((//cda:item)[1]/@code)',
  'lower-case((//cda:name)[1])',
  'upper-case("straße")',
  'substring(//cda:emoji, 2, 1)',
  'string-length(//cda:emoji)',
  'substring("abcdef", 0, 3)',
  'substring("abcdef", 4)',
  'concat("a", 1, (), true())',
  'string-join(tokenize(normalize-space((//cda:item)[1]/@code), " "), "+")',
  'count(tokenize("", " "))',
  'string-join(tokenize(" a b", " "), "+")',
  'replace(//cda:item[3]/@xsi:type, "^[^:]*:", "")',
  'replace("20240301101500+0100", "^([0-9]{4})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([0-9]{2})([+-][0-9]{2})([0-9]{2})$", "$1-$2-$3T$4:$5:$6$7:$8")',
  'replace("abc", "(b)", "[$1$10\\$]")',
  'matches("0123456789", "^[0-9]{10}$")',
  'matches("12a", "^\\d+$")',
  'matches(" x ", "\\sx\\s")',
  'starts-with(//cda:item[3]/@when, "2024")',
  'ends-with("abc", "bc")',
  'contains("abc", "")',
  'string-join(distinct-values(//cda:item/@value), ",")',
  'count(distinct-values((1, 1, "1", (//cda:item)[1]/@n)))',
  // comparisons and numbers
  '//cda:item/@value = 10',
  '//cda:item/@value = "10"',
  '//cda:item/@value > 5',
  '(//cda:item)[1]/@value eq "10"',
  'count(//cda:item) = (1 to 5)',
  'count(//cda:item) le 4',
  '3 idiv 2',
  '-7 mod 3',
  '2 * 3 - -1',
  'string-join(1 to 3, "-")',
  'format-number(7, "00")',
  'format-number(-7, "#00")',
  'xs:integer(" 08 ")',
  'number((//cda:item)[1]/@value) le 10',
  'number("abc") = number("abc")',
  'string(number("12"))',
  'string(number("NaN"))',
  'number(//cda:item[5]/@value) != 1',
  // booleans, conditionals, quantifiers
  'not(//cda:missing)',
  'exists(//cda:item[@when])',
  'empty(//cda:item[@when = ""])',
  'boolean("false")',
  'if (count(//cda:item) gt 4) then "many" else "few"',
  'every $i in //cda:item satisfies $i/@n',
  'some $i in //cda:item satisfies $i/@value = "NaN"',
  'some $c in ("19", "20") satisfies concat($c, "00-02-29") castable as xs:date',
  // dates and casts
  '(//cda:item)[1]/@when castable as xs:date',
  '(//cda:item)[2]/@when castable as xs:date',
  '"2024-04-31" castable as xs:date',
  '"2024-03-01T24:00:00Z" castable as xs:dateTime',
  '"2024-03-01T24:00:01Z" castable as xs:dateTime',
  '"2024-03-01T10:00:00+14:01" castable as xs:dateTime',
  '"2024-03-01T10:00:00-14:59" castable as xs:dateTime',
  '"2024-03-01T10:00:00+15:00" castable as xs:dateTime',
  '" 2024-03-01T10:00:00.5-02:00 " castable as xs:dateTime',
  'xs:dateTime("2024-03-01T10:00:00+01:00") lt xs:dateTime("2024-03-01T09:30:00Z")',
  'xs:dateTime("2024-03-01T24:00:00Z") eq xs:dateTime("2024-03-02T00:00:00Z")',
  '"12.50" castable as xs:decimal',
  '"1e3" castable as xs:decimal',
  '() castable as xs:date?',
  'xs:boolean("1")',
  'string(xs:integer("-0012"))',
];

/**
 * Characters on both sides of the edges of XML's name-character ranges (letters, `_ : - .`, digits,
 * middle dot, combining marks, Arabic-Indic digits, undertie, superscripts, the astral planes).
 */
const NAME_PROBES = [
  'a',
  'b',
  'e',
  'f',
  'Z',
  '_',
  ':',
  '-',
  '.',
  '1',
  '@',
  ' ',
  '\u00b7',
  '\u00b2',
  '\u00c0',
  '\u00d7',
  '\u00f7',
  '\u02ff',
  '\u0300',
  '\u036f',
  '\u037e',
  '\u0660',
  '\u200c',
  '\u203f',
  '\u2041',
  '\u2070',
  '\u218f',
  '\u2190',
  '\u3000',
  '\u3001',
  '\ufdd0',
  '\ufffd',
  '\u{10000}',
  '\u{effff}',
  '\u{f0000}',
];

/** Patterns with XML Schema's name escapes and class subtraction, each tried on every probe (1: matches). */
const NAME_PATTERNS = [
  '^\\i$',
  '^\\c$',
  '^\\I$',
  '^\\C$',
  '^[\\i-]$',
  '^[^\\c]$',
  '^[\\I\\d]$',
  '^\\i\\c*$',
  '^[a-z-[aeiou]]$',
  '^[\\i-[:_]]$',
  '^[^0-9-[1]]$',
  '^[\\c-[\\i]]$',
];

const NAME_EXPRESSIONS: readonly string[] = [
  ...NAME_PATTERNS.map(
    (p) =>
      `string-join(for $c in (${NAME_PROBES.map((c) => `"${c}"`).join(', ')}) return (if (matches($c, "${p}")) then "1" else "0"), "")`
  ),
  'replace("a1-b\u00b7c d:e", "\\c+", "x")',
  'string-join(tokenize("ab 12 _c", "\\I"), "+")',
  'matches("1abc", "^\\i\\c*$")',
  'replace("education", "[a-z-[aeiou]]", "")',
  'replace("strength", "([a-z-[aeiou]])", "<$1>")',
  'string-join(tokenize("a1b22c", "[\\c-[\\i]]"), "+")',
];

/**
 * Expressions the subset leaves to SaxonJS on the document: dynamic errors (a value that is not an
 * integer or a double, several items where one is expected) and double arithmetic.
 */
const LEFT_TO_SAXON: readonly string[] = [
  'xs:integer((//cda:item)[2]/@value)',
  '//cda:item/@value = 1',
  'lower-case(//cda:name)',
  'boolean(("a", "b"))',
  '(//cda:item)[1]/@value + 1',
];

function schema(expressions: readonly string[]): string {
  const patterns = expressions.map(
    (e, i) =>
      `<pattern id="e${i + 1}"><rule context="/"><report id="e${i + 1}" test="true()" role="info"><value-of select="${e
        .replace(/&/g, '&amp;')
        .replace(/</g, '&lt;')
        .replace(/"/g, '&quot;')}"/></report></rule></pattern>`
  );
  return `<schema xmlns="http://purl.oclc.org/dsdl/schematron" queryBinding="xslt3"><ns prefix="cda" uri="urn:hl7-org:v3"/><ns prefix="sdtc" uri="urn:hl7-org:sdtc"/><ns prefix="xsi" uri="http://www.w3.org/2001/XMLSchema-instance"/>${patterns.join('')}</schema>\n`;
}

describe('the XPath subset against SaxonJS', () => {
  let dir: string;
  let text: string;
  let doc: XmlDocument;
  const compile = async (name: string, expressions: readonly string[]): Promise<CompiledRules> => {
    const file = path.join(dir, name);
    await writeFile(file, schema(expressions));
    return compileSchematronFile(file, { cacheDir: TEST_CACHE_DIR });
  };

  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kih-xpath-subset-'));
    text = await readFile(fixture('xpath-subset.xml'), 'utf8');
    doc = XmlDocument.fromString(text);
  });

  afterAll(async () => {
    doc.dispose();
    await rm(dir, { recursive: true, force: true });
  });

  it('gives the value SaxonJS gives for every expression of the subset', async () => {
    const rules = await compile('values.sch', EXPRESSIONS);
    expect(rules.engine).toBe('own');
    const own = runRules(rules, text, doc);
    expect(rules.stats).toEqual({ own: 1, saxonjs: 0 });
    const reference = runRules(rules, text, doc, { engine: 'saxonjs' });
    const pairs = (issues: typeof own): string[] => issues.map((i) => `${i.ruleId} ${i.message}`);
    expect(pairs(own)).toEqual(pairs(reference));
    expect(own).toEqual(reference);
  });

  it('reads the name escapes \\i, \\c, \\I, \\C and class subtraction as SaxonJS does', async () => {
    const rules = await compile('names.sch', NAME_EXPRESSIONS);
    expect(rules.engine).toBe('own');
    const own = runRules(rules, text, doc);
    expect(rules.stats).toEqual({ own: 1, saxonjs: 0 });
    expect(own.map((i) => i.message)).toEqual(runRules(rules, text, doc, { engine: 'saxonjs' }).map((i) => i.message));
    // Not two empty answers: `\i` takes letters, `_` and `:` but not `-`, `.` or digits.
    expect(own[0]?.message.slice(0, 11)).toBe('11111110000');
    // And subtraction subtracts: the consonants of "education" go.
    expect(own[NAME_PATTERNS.length + 3]?.message).toBe('euaio');
  });

  it('leaves quantified and nested class subtraction to SaxonJS, which reads them its own way', async () => {
    expect(translateRegex('[a-z-[aeiou]]{2}')).toEqual({ ok: false, why: 'quantified character class subtraction' });
    expect(translateRegex('[a-z-[d-z-[e]]]')).toEqual({ ok: false, why: 'nested character class subtraction' });
    const rules = await compile('subtraction.sch', ['replace("strength", "([a-z-[aeiou]]{2})", "<$1>")']);
    expect(rules).toMatchObject({ engine: 'saxonjs', engineReason: expect.stringContaining('quantified') });
    // XML Schema would match consonant pairs only ("<st>re<ng><th>"); SaxonJS quantifies [a-z] alone.
    expect(runRules(rules, text, doc)[0]?.message).toBe('<st><re><ng><th>');
  });

  it.each(LEFT_TO_SAXON)('leaves the document to SaxonJS for %s', async (expression) => {
    const rules = await compile(`saxon-${LEFT_TO_SAXON.indexOf(expression)}.sch`, [expression]);
    expect(rules.engine).toBe('own');
    const issues = runRules(rules, text, doc);
    expect(rules.stats).toMatchObject({ own: 0, saxonjs: 1, lastFallback: expect.stringMatching(/^NeedsSaxon/) });
    expect(issues).toEqual(runRules(rules, text, doc, { engine: 'saxonjs' }));
  });

  it("reports a dynamic error with SaxonJS's evaluation-error finding", async () => {
    const rules = await compile('saxon-0.sch', [LEFT_TO_SAXON[0] ?? '']);
    expect(runRules(rules, text, doc)[0]).toMatchObject({
      ruleId: 'e1',
      severity: 'error',
      message: expect.stringMatching(/^The test could not be evaluated here \(err:FORG0001\)/),
    });
  });
});
