import { describe, expect, it } from '@jest/globals';
import { escapeXmlAttr, escapeXmlText } from '../../src/core/xml-escape.js';
import { withXml } from './xml.js';

/** Parses `<r a="...">...</r>` and returns what a parser sees. */
function roundTrip(value: string): { text: string; attr: string } {
  const source = `<r a="${escapeXmlAttr(value)}" b='${escapeXmlAttr(value)}'>${escapeXmlText(value)}</r>`;
  return withXml(source, {}, (q) => {
    // Both quote styles must give the same value.
    expect(q.str('string(/r/@b)')).toBe(q.str('string(/r/@a)'));
    return { text: q.str('string(/r)'), attr: q.str('string(/r/@a)') };
  });
}

describe('xml-escape', () => {
  it('escapes markup characters in text and quotes in attributes', () => {
    expect(escapeXmlText(`a<b>&"'`)).toBe(`a&lt;b&gt;&amp;"'`);
    expect(escapeXmlAttr(`a<b>&"'`)).toBe('a&lt;b&gt;&amp;&quot;&#39;');
  });

  it('round-trips through a real parser, whitespace and non-BMP characters included', () => {
    const value = `x <&"'> ]]> tab\there\nline\r\nend 😀 æøå`;
    expect(roundTrip(value)).toEqual({ text: value, attr: value });
  });

  it('replaces characters XML cannot carry, keeping the output well-formed', () => {
    const value = 'nul\u0000 bell\u0007 esc\u001b lone\uD800 nonchar\uFFFE';
    expect(roundTrip(value)).toEqual({
      text: 'nul\uFFFD bell\uFFFD esc\uFFFD lone\uFFFD nonchar\uFFFD',
      attr: 'nul\uFFFD bell\uFFFD esc\uFFFD lone\uFFFD nonchar\uFFFD',
    });
  });
});
