// Rule files the compiler must refuse, and failures at run time, each with its stable error code and a clear message.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { compileSchematron } from '../../src/schematron/compile-schematron.js';
import { compileSchematronFile, runRules } from '../../src/schematron/index.js';
import { compileFixture, fixture, TEST_CACHE_DIR } from './helpers.js';

const SCH = 'xmlns="http://purl.oclc.org/dsdl/schematron"';

describe('refused rule files', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'kih-sch-errors-'));
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  async function write(name: string, text: string): Promise<string> {
    const file = path.join(dir, name);
    await writeFile(file, text);
    return file;
  }

  const schema = (body: string, attrs = 'queryBinding="xslt2"'): string =>
    `<schema ${SCH} ${attrs}>\n<ns prefix="cda" uri="urn:hl7-org:v3"/>\n${body}\n</schema>\n`;

  const cases: [string, string, string, RegExp][] = [
    [
      'a DOCTYPE (no entities, no DTD fetches)',
      '<!DOCTYPE schema [<!ENTITY x "y">]>\n' +
        schema('<pattern><rule context="*"><assert test="true()">&x;</assert></rule></pattern>'),
      'SCH_ERR_PARSE',
      /DOCTYPE declarations are not allowed/,
    ],
    ['XML that is not well-formed', '<schema><pattern></schema>', 'SCH_ERR_PARSE', /not well-formed XML: .*:1:/],
    [
      'another root element',
      '<pattern xmlns="http://purl.oclc.org/dsdl/schematron"/>',
      'SCH_ERR_COMPILE',
      /not \{.*\}schema/,
    ],
    [
      'a queryBinding other than xslt, xslt2 and xslt3',
      schema('', 'queryBinding="xpath31"'),
      'SCH_ERR_COMPILE',
      /queryBinding "xpath31" is not supported; use xslt, xslt2 or xslt3/,
    ],
    [
      'a rule without context',
      schema('<pattern><rule><assert test="1">x</assert></rule></pattern>'),
      'SCH_ERR_COMPILE',
      /:3: sch:rule needs a context/,
    ],
    [
      'an assert without test',
      schema('<pattern><rule context="*"><assert>x</assert></rule></pattern>'),
      'SCH_ERR_COMPILE',
      /needs a test attribute/,
    ],
    [
      'an extends naming no abstract rule',
      schema('<pattern><rule context="*"><extends rule="nope"/></rule></pattern>'),
      'SCH_ERR_COMPILE',
      /no abstract rule with id "nope"/,
    ],
    [
      'an extends cycle',
      schema(
        '<pattern><rule abstract="true" id="a"><extends rule="b"/></rule><rule abstract="true" id="b"><extends rule="a"/></rule>' +
          '<rule context="*"><extends rule="a"/></rule></pattern>'
      ),
      'SCH_ERR_COMPILE',
      /extends cycle: a -> b -> a/,
    ],
    [
      'an is-a naming no abstract pattern',
      schema('<pattern is-a="nope"/>'),
      'SCH_ERR_COMPILE',
      /is-a="nope" names no abstract pattern/,
    ],
    [
      'an unknown diagnostic',
      schema('<pattern><rule context="*"><assert test="1" diagnostics="d">x</assert></rule></pattern>'),
      'SCH_ERR_COMPILE',
      /unknown diagnostic "d"/,
    ],
    [
      'an unknown phase',
      schema('<pattern id="p"/>', 'queryBinding="xslt2" defaultPhase="nope"'),
      'SCH_ERR_COMPILE',
      /no phase with id "nope"/,
    ],
    [
      'a phase activating an unknown pattern',
      schema('<phase id="ph"><active pattern="nope"/></phase>', 'queryBinding="xslt2" defaultPhase="ph"'),
      'SCH_ERR_COMPILE',
      /activates unknown pattern "nope"/,
    ],
    [
      'a reserved prefix',
      schema('<ns prefix="svrl" uri="urn:other"/>'),
      'SCH_ERR_COMPILE',
      /prefix "svrl" is reserved/,
    ],
    [
      'a let declared twice',
      schema('<let name="a" value="1"/><let name="a" value="2"/>'),
      'SCH_ERR_COMPILE',
      /let "a" is declared twice/,
    ],
    [
      'an include of a URL',
      schema('<include href="https://example.org/rules.sch"/>'),
      'SCH_ERR_PARSE',
      /only local files can be included/,
    ],
    [
      'an include of a missing file',
      schema('<include href="missing.sch"/>'),
      'SCH_ERR_PARSE',
      /Cannot read Schematron file .*missing\.sch/,
    ],
  ];

  it.each(cases)('refuses %s', async (_, text, code, message) => {
    const file = await write(`${code}-${Math.random().toString(36).slice(2)}.sch`, text);
    let thrown: unknown;
    try {
      compileSchematron(file);
    } catch (err) {
      thrown = err;
    }
    expect(thrown).toMatchObject({ name: 'KihError', code });
    expect((thrown as Error).message).toMatch(message);
  });

  it('refuses an include cycle and names the chain', () => {
    expect(() => compileSchematron(fixture('cycle.sch'))).toThrow(
      /include cycle: .*cycle-b\.sch -> .*cycle-c\.sch -> .*cycle-b\.sch/
    );
  });

  it('reports an XPath error in a test with the rule file and line it came from', async () => {
    const file = await write(
      'bad-xpath.sch',
      schema(
        '<pattern id="p">\n<rule context="cda:x">\n<assert id="broken" test="count(cda:y">x</assert>\n</rule>\n</pattern>'
      )
    );
    const promise = compileSchematronFile(file, { cacheDir: path.join(dir, 'cache') });
    await expect(promise).rejects.toMatchObject({ code: 'SCH_ERR_COMPILE' });
    await expect(promise).rejects.toThrow(/XPST0003[\s\S]*assert broken at bad-xpath\.sch:5/);
  });

  it('rejects a cap that is not a positive integer', async () => {
    await expect(compileSchematronFile(fixture('phases.sch'), { maxFindingsPerAssert: 0 })).rejects.toMatchObject({
      code: 'SCH_ERR_COMPILE',
    });
  });
});

describe('run-time failures', () => {
  it('throws SCH_ERR_RUNTIME when the document cannot be read by the rules', async () => {
    const rules = await compileFixture('phases.sch', { cacheDir: TEST_CACHE_DIR });
    expect(() => runRules(rules, '<not-closed>')).toThrow(expect.objectContaining({ code: 'SCH_ERR_RUNTIME' }));
  });
});
