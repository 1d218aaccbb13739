// The regression renderers: JSON that reads back as a baseline, JUnit XML per corpus and document, HTML that leads with the changes and escapes everything.
import { describe, expect, it } from '@jest/globals';
import { parseResult } from '../../src/regression/baseline.js';
import { diffResults } from '../../src/regression/diff-results.js';
import { renderRegressionHtml } from '../../src/regression/render-html.js';
import { renderRegressionJson } from '../../src/regression/render-json.js';
import { renderRegressionJUnit } from '../../src/regression/render-junit.js';
import { withXml } from '../renderers/xml.js';
import { doc, result } from './helpers.js';

const HOSTILE = `<script>alert("x")</script>&'.xml`;
const before = result([doc('ok.xml', [], []), doc(HOSTILE, [], [])]);
const after = result([
  doc('ok.xml', [], []),
  doc(HOSTILE, [], ['RULE<1>']),
  doc('skipped.xml', [], null),
  doc('broken.xml', [], ['CDA_ERR_INTERNAL'], { status: 'error' }),
]);
// A skipped document reads "skipped", as a cancelled run writes it.
const cancelled = {
  ...after,
  documents: after.documents.map((d) =>
    d.file === 'skipped.xml'
      ? { ...d, mismatches: [{ kind: 'skipped' as const, message: 'Not validated: the run was cancelled first.' }] }
      : d
  ),
};
const diff = diffResults(before, cancelled);

describe('renderRegressionJson', () => {
  it('reads back as a baseline, with the changes since its own baseline alongside', () => {
    const json = renderRegressionJson(cancelled, diff);
    expect(parseResult('r.json', json)).toMatchObject({ documents: cancelled.documents, tool: cancelled.tool });
    expect((JSON.parse(json) as { changesSinceBaseline: unknown }).changesSinceBaseline).toEqual(diff);
    expect(renderRegressionJson(cancelled)).not.toContain('changesSinceBaseline');
  });

  it('a file that is not a result is refused as a baseline', () => {
    expect(() => parseResult('x', '{}')).toThrow(expect.objectContaining({ code: 'REGRESS_ERR_BASELINE' }));
    expect(() => parseResult('x', JSON.stringify({ ...before, version: 9 }))).toThrow(/result version 9/);
    expect(() => parseResult('x', JSON.stringify({ ...before, documents: [{}] }))).toThrow(/documents\[0\]/);
  });
});

describe('renderRegressionJUnit', () => {
  it('one test case per document: pass, failure, error, skipped', () => {
    withXml(renderRegressionJUnit(cancelled), {}, (q) => {
      expect(q.num('count(//testsuite)')).toBe(1);
      expect(q.str('string(//testsuite/@name)')).toBe('c');
      expect(q.num('count(//testcase)')).toBe(4);
      expect(q.str('string(//testsuite/@tests)')).toBe('4');
      expect(q.str('string(//testsuite/@failures)')).toBe('1');
      expect(q.str('string(//testsuite/@errors)')).toBe('1');
      expect(q.str('string(//testsuite/@skipped)')).toBe('1');
      expect(q.num(`count(//testcase[@name='ok.xml']/*)`)).toBe(0);
      expect(q.str(`string(//testcase[@name='broken.xml']/error/@type)`)).toBe('tool-error');
      expect(q.num(`count(//testcase[@name='skipped.xml']/skipped)`)).toBe(1);
      expect(q.all('//testcase/failure')[0]).toContain('rule-unexpected: Rule RULE<1> fired');
      expect(q.all('//testcase/@name')).toContain(HOSTILE);
    });
  });
});

describe('renderRegressionHtml', () => {
  const html = renderRegressionHtml(cancelled, diff);

  it('is well-formed, and the changes section comes before the mismatches and the full table', () => {
    withXml(html, {}, (q) => {
      expect(q.num('count(//section[@id="changes"])')).toBe(1);
      expect(q.all('//h3[@id="new-failures"]')[0]).toBe('New failures (3)');
      expect(q.all('//section[@id="changes"]//code[@class="appeared"]')).toEqual(
        expect.arrayContaining(['RULE<1>', 'CDA_ERR_INTERNAL'])
      );
      expect(q.num('count(//table[@class="documents"]/tbody/tr)')).toBe(4);
    });
    const changes = html.indexOf('id="changes"');
    expect(changes).toBeGreaterThan(0);
    expect(changes).toBeLessThan(html.indexOf('id="mismatches"'));
    expect(html.indexOf('id="mismatches"')).toBeLessThan(html.indexOf('id="documents"'));
  });

  it('escapes file names and rule ids, and has no script', () => {
    expect(html).not.toContain('<script>');
    expect(html).toContain(`<code>&lt;script&gt;alert("x")&lt;/script&gt;&amp;'.xml</code>`);
    expect(html).toContain('RULE&lt;1&gt;');
  });

  it('says so when there is no baseline', () => {
    expect(renderRegressionHtml(before)).toContain('No baseline was given');
  });
});
