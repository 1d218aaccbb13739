// Build step for the docs: regenerates the clause-coverage tables in docs/rules-phmr.md and docs/rules-pro.md from the rule files' see attributes and schematron/clauses/*.json.
import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { PACKAGE_ROOT } from '../src/core/package-info.js';
import { regenerateCoverage } from '../src/rules/clause-coverage.js';

function main(): number {
  let failed = false;
  for (const { doc, text, problems } of regenerateCoverage(PACKAGE_ROOT)) {
    for (const problem of problems) {
      process.stderr.write(`rule-coverage: ${problem}\n`);
    }
    // The tables are written even when an inventory is inconsistent, so the problem is visible in the page too.
    failed ||= problems.length > 0;
    writeFileSync(path.join(PACKAGE_ROOT, doc), text);
    process.stdout.write(`rule-coverage: wrote ${doc}\n`);
  }
  return failed ? 1 : 0;
}

process.exitCode = main();
