// Cutting an element out of XML text: exact characters, the namespaces it borrows from ancestors, and markup the scan must skip.
import { describe, expect, it } from '@jest/globals';
import { elementText, findSourceElements, findSourcePath, scanElements } from '../../src/security/xml-source.js';

function cut(text: string, ns: string, localName: string): string {
  const elements = scanElements(text);
  const [found] = findSourceElements(elements, ns, localName);
  if (!found) {
    throw new Error(`no ${localName}`);
  }
  return elementText(text, elements, found.index);
}

describe('scanElements / elementText', () => {
  it('returns a self-contained element as its exact substring', () => {
    const inner =
      '<b:x xmlns:b="urn:b" a=\'1 > 0\'>\r\n\t<b:y/><!-- </b:x> --><![CDATA[</b:x>]]><?pi </b:x>?>æøå</b:x>';
    const text = `<?xml version="1.0"?><r xmlns="urn:r"><b:x xmlns:b="urn:other"/>${inner}</r>`;
    const elements = scanElements(text);
    const second = findSourceElements(elements, 'urn:b', 'x');
    expect(second).toHaveLength(1);
    expect(elementText(text, elements, second[0]!.index)).toBe(inner);
  });

  it('adds the declarations of prefixes that ancestors declare, and only those', () => {
    const text =
      '<e:Env xmlns:e="urn:e" xmlns:s="urn:s" xmlns:d="urn:d" xmlns:unused="urn:u" xmlns="urn:default">' +
      '<e:Body><s:A x="1" d:attr="2"><s:B/><plain/><d:C xmlns:d="urn:d2"/></s:A></e:Body></e:Env>';
    // s (element), d (attribute), the default namespace (plain); not e or unused; d:C redeclares d itself.
    expect(cut(text, 'urn:s', 'A')).toBe(
      '<s:A xmlns="urn:default" xmlns:d="urn:d" xmlns:s="urn:s" x="1" d:attr="2"><s:B/><plain/><d:C xmlns:d="urn:d2"/></s:A>'
    );
  });

  it('does not declare what the element declares itself', () => {
    const text = '<e:Env xmlns:e="urn:e" xmlns:s="urn:s"><s:A xmlns:s="urn:s2"><s:B/></s:A></e:Env>';
    expect(cut(text, 'urn:s2', 'A')).toBe('<s:A xmlns:s="urn:s2"><s:B/></s:A>');
  });

  it('keeps prefixes that xsi:type values and an exclusive-C14N PrefixList name', () => {
    const text =
      '<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="urn:xs" xmlns:p="urn:p" xmlns:a="urn:a">' +
      '<a:A><a:V xsi:type="xs:string"/><ec:InclusiveNamespaces xmlns:ec="http://www.w3.org/2001/10/xml-exc-c14n#" PrefixList="p #default"/></a:A></r>';
    expect(cut(text, 'urn:a', 'A')).toMatch(
      /^<a:A xmlns:a="urn:a" xmlns:p="urn:p" xmlns:xs="urn:xs" xmlns:xsi="http:\/\/www.w3.org\/2001\/XMLSchema-instance">/
    );
  });

  it('records offsets that point at the tags', () => {
    const text = '<a><b x="/>"/><c></c></a>';
    const elements = scanElements(text);
    expect(elements.map((e) => [e.qname, text.slice(e.start, e.end), e.parent])).toEqual([
      ['a', text, -1],
      ['b', '<b x="/>"/>', 0],
      ['c', '<c></c>', 0],
    ]);
  });

  it('fails on text it cannot scan', () => {
    expect(() => scanElements('<a><b></a>')).toThrow(/not closed/);
    expect(() => scanElements('<!DOCTYPE a><a/>')).toThrow(/DOCTYPE/);
    expect(() => scanElements('<a x=1/>')).toThrow(/unquoted/);
  });
});

describe('findSourcePath', () => {
  const SOAP = 'http://schemas.xmlsoap.org/soap/envelope/';
  const WSSE = 'http://docs.oasis-open.org/wss/2004/01/oasis-200401-wss-wssecurity-secext-1.0.xsd';
  const SAML = 'urn:oasis:names:tc:SAML:2.0:assertion';
  const path = [
    { ns: SOAP, localName: 'Envelope' },
    { ns: SOAP, localName: 'Header' },
    { ns: WSSE, localName: 'Security' },
    { ns: SAML, localName: 'Assertion' },
  ];

  function card(text: string): string | undefined {
    const elements = scanElements(text);
    const found = findSourcePath(elements, path);
    return found ? elementText(text, elements, found.index) : undefined;
  }

  it('follows the path through any prefixes and cuts out the card with the namespace it borrows', () => {
    const assertion =
      '<saml:Assertion  id="IDCard"\n  Version="2.0"><!-- </saml:Assertion> --><saml:Issuer>A&amp;B</saml:Issuer><x:y xmlns:x="urn:x"/><![CDATA[</saml:Assertion>]]></saml:Assertion>';
    const text =
      `<?xml version="1.0"?><s:Envelope xmlns:s="${SOAP}" xmlns:saml="${SAML}"><s:Header>` +
      `<wsse:Security xmlns:wsse="${WSSE}">${assertion}</wsse:Security></s:Header><s:Body/></s:Envelope>`;
    expect(card(text)).toBe(`<saml:Assertion xmlns:saml="${SAML}"` + assertion.slice('<saml:Assertion'.length));
  });

  it('takes the first match at each step and ignores same-named elements elsewhere', () => {
    const text =
      `<e:Envelope xmlns:e="${SOAP}"><e:Body><z:Assertion xmlns:z="${SAML}" n="0"/></e:Body><e:Header>` +
      `<b:Security xmlns:b="${WSSE}"><z:Assertion xmlns:z="${SAML}" n="1"/><z:Assertion xmlns:z="${SAML}" n="2"/></b:Security>` +
      `</e:Header></e:Envelope>`;
    expect(card(text)).toBe(`<z:Assertion xmlns:z="${SAML}" n="1"/>`);
  });

  it('finds nothing when a step is missing, or when the element sits at another depth', () => {
    expect(
      card(`<s:Envelope xmlns:s="${SOAP}"><s:Header><wsse:Security xmlns:wsse="${WSSE}"/></s:Header></s:Envelope>`)
    ).toBeUndefined();
    expect(
      card(
        `<s:Envelope xmlns:s="${SOAP}"><s:Header><w xmlns:wsse="${WSSE}"><wsse:Security><a:Assertion xmlns:a="${SAML}"/></wsse:Security></w></s:Header></s:Envelope>`
      )
    ).toBeUndefined();
  });
});
