// Build step: compiles the project's rule sets (schematron/*.sch) to SEF into the cache, so a document the own engine leaves to SaxonJS does not wait for xslt3.
import { readdirSync } from 'node:fs';
import path from 'node:path';
import { compileSchematronFile, prepareSaxonJs } from '../src/schematron/index.js';
import { BUILTIN_RULES_DIR } from '../src/validation/rule-sets.js';

async function main(): Promise<number> {
  const files = readdirSync(BUILTIN_RULES_DIR)
    .filter((f) => f.endsWith('.sch'))
    .sort();
  for (const name of files) {
    const rules = await compileSchematronFile(path.join(BUILTIN_RULES_DIR, name));
    // The own engine runs these without a SEF; SaxonJS needs it for fallbacks and --schematron-engine saxonjs.
    await prepareSaxonJs(rules);
    const load = rules.saxonjs.load;
    const how = load?.origin === 'compiled' ? `compiled in ${load.xsltToSefMs ?? 0} ms` : 'up to date';
    process.stdout.write(`build-rules: ${name}: ${rules.assertCount} asserts, ${how}\n`);
    for (const warning of rules.warnings) {
      process.stderr.write(`build-rules: ${name}: ${warning}\n`);
    }
  }
  return 0;
}

process.exitCode = await main();
