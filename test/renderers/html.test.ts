import { describe, expect, it } from '@jest/globals';
import { renderHtml } from '../../src/validation/renderers/html.js';
import { orderedIssues } from '../../src/validation/renderers/issues.js';
import {
  NASTY,
  NASTY_FILE,
  NASTY_MESSAGE,
  invalidDoc,
  makeReport,
  mixedReport,
  schematronError,
  toolErrorDoc,
  validDoc,
  warningsDoc,
} from './fixtures.js';
import { withXml } from './xml.js';

const html = renderHtml(mixedReport);

describe('renderHtml', () => {
  it('is one standalone page: no scripts, no external resources, scripts forbidden by CSP', () => {
    expect(html.startsWith('<!DOCTYPE html>\n<html lang="en">')).toBe(true);
    expect(html).not.toMatch(/<script|<link|<img|<iframe|\ssrc=|@import|url\(/i);
    withXml(html, {}, (q) => {
      expect(q.str('string(//meta[@http-equiv="Content-Security-Policy"]/@content)')).toMatch(/default-src 'none'/);
    });
    // The only absolute link is the rule reference from the report itself.
    expect(html.match(/href="http/g)).toHaveLength(1);
  });

  it('escapes file names and messages everywhere', () => {
    expect(html).not.toContain(NASTY);
    expect(html).toContain('samples/bad &lt;&amp;"\'&gt;.xml');
    expect(html).toContain('Value &lt;&amp;"\'&gt; is not in the value set');
    // Parsing proves nothing leaked into markup, and gives back the original strings.
    withXml(html, {}, (q) => {
      expect(q.all('//table[@class="documents"]//a')).toContain(NASTY_FILE);
      expect(q.all('//td/div[@class="msg"]')).toContain(NASTY_MESSAGE);
      expect(q.all('//div[@class="test"]/code')).toEqual([schematronError.test]);
    });
  });

  it('shows summary badges with the counts', () => {
    withXml(html, {}, (q) => {
      expect(q.str('string(//*[@id="count-total"])')).toBe('4 documents');
      expect(q.str('string(//*[@id="count-valid"])')).toBe('2 valid');
      expect(q.str('string(//*[@id="count-invalid"])')).toBe('2 invalid');
      expect(q.str('string(//*[@id="count-errors"])')).toBe('1 tool error');
      expect(q.str('string(/html/head/title)')).toBe('Validation report: 2 of 4 documents valid');
    });
  });

  it('lists documents in a table linking to a section for each', () => {
    withXml(html, {}, (q) => {
      const rows = '//table[@class="documents"]/tbody/tr';
      expect(q.num(`count(${rows})`)).toBe(4);
      mixedReport.documents.forEach((doc, i) => {
        const row = `${rows}[${i + 1}]`;
        const target = q.str(`string(${row}//a/@href)`).slice(1);
        expect(q.num(`count(//section[@id="${target}"])`)).toBe(1);
        expect(q.str(`string(${row}/td[2])`)).toBe(doc.file);
        expect(q.str(`string(${row}/td[3])`)).toBe(doc.profile ?? 'unknown');
        const errors = doc.issues.filter((x) => x.severity === 'error').length;
        const warnings = doc.issues.filter((x) => x.severity === 'warning').length;
        expect(q.num(`number(${row}/td[4])`)).toBe(errors);
        expect(q.num(`number(${row}/td[5])`)).toBe(warnings);
      });
      expect(q.str(`string(${rows}[1]/td[1])`)).toBe('✔ valid');
      expect(q.str(`string(${rows}[2]/td[1])`)).toBe('✖ invalid');
      expect(q.str(`string(${rows}[3]/td[1])`)).toBe('! tool error');
    });
  });

  it('lists every finding with severity, rule, stage, line, XPath and message', () => {
    withXml(html, {}, (q) => {
      expect(q.num('count(//tr[contains(@class, "finding")])')).toBe(
        mixedReport.documents.reduce((n, d) => n + d.issues.length, 0)
      );
      const rows = '//section[@id="doc-2"]//tr[contains(@class, "finding")]';
      orderedIssues(invalidDoc.issues).forEach((issue, i) => {
        const row = `${rows}[${i + 1}]`;
        expect(q.str(`string(${row}/@class)`)).toBe(`finding sev-${issue.severity}`);
        expect(q.str(`string(${row}/td[1])`)).toBe(issue.severity);
        expect(q.str(`string(${row}/td[2]/code)`)).toBe(issue.ruleId);
        expect(q.str(`string(${row}/td[3])`)).toBe(issue.stage);
        expect(q.str(`string(${row}/td[5]/code)`)).toBe(issue.xpath ?? '');
        expect(q.str(`string(${row}/td[6]/div[@class="msg"])`)).toBe(issue.message);
      });
      expect(q.all(`${rows}/td[4]`)).toEqual(['12', '7:3', '40']);
      expect(q.all('//section[@id="doc-1"]/p[@class="none"]')).toEqual(['No findings.']);
      expect(q.all('//section[@id="doc-3"]//tr/td[2]/code')).toEqual([toolErrorDoc.issues[0]!.ruleId]);
      expect(q.all('//section[@id="doc-4"]//tr/td[1]')).toEqual(['warning', 'info']);
      expect(q.str('string(//section[@id="doc-1"]//dd/code)')).toBe(validDoc.sha256);
    });
  });

  it('offers a severity filter that needs no script', () => {
    withXml(html, {}, (q) => {
      expect(q.all('//form[@class="filters"]//input/@id')).toEqual(['show-error', 'show-warning', 'show-info']);
    });
    expect(html).toContain('body:has(#show-warning:not(:checked)) tr.sev-warning');
    expect(html).toContain('@media print');
  });

  it('links only http(s) references, so a hostile `see` cannot become a javascript: link', () => {
    const doc = { ...warningsDoc, issues: [{ ...warningsDoc.issues[0]!, see: 'javascript:alert(1)' }] };
    const out = renderHtml(makeReport([doc]));
    expect(out).not.toContain('href="javascript');
    expect(out).toContain('see javascript:alert(1)');
  });

  it('renders an empty run', () => {
    withXml(renderHtml(makeReport([], 0)), {}, (q) => {
      expect(q.num('count(//section)')).toBe(0);
      expect(q.str('normalize-space(//table[@class="documents"]/tbody)')).toBe('No documents.');
    });
  });
});
