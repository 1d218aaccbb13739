// Typed access to SaxonJS (the XSLT 3.0 runtime) and the xslt3 compiler CLI, both untyped CommonJS packages.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export interface SaxonTransformOptions {
  /** A parsed SEF (the JSON the xslt3 compiler exports). */
  readonly stylesheetInternal: unknown;
  readonly sourceText: string;
  readonly destination: 'serialized';
  /** Keys are EQNames (`Q{uri}local`); JS numbers arrive as xs:double. */
  readonly stylesheetParams?: Readonly<Record<string, unknown>>;
}

export interface SaxonJsApi {
  transform(options: SaxonTransformOptions, mode: 'sync'): { principalResult: string };
  getProcessorInfo(): { productVersion: string };
}

let saxon: SaxonJsApi | undefined;

/** Loaded on first use: the runtime is 2.4 MB of JavaScript that a run without Schematron never needs. */
export function saxonJs(): SaxonJsApi {
  saxon ??= require('saxon-js') as SaxonJsApi;
  return saxon;
}

/** Absolute path of the xslt3 CLI script, run as a child process to compile XSLT into SEF. */
export function xslt3Script(): string {
  return require.resolve('xslt3/xslt3.js');
}

/** Versions that decide what the compiler produces, for the cache key. */
export function compilerVersions(): { readonly xslt3: string; readonly saxonJs: string } {
  const version = (pkg: string): string =>
    (JSON.parse(readFileSync(require.resolve(`${pkg}/package.json`), 'utf8')) as { version: string }).version;
  return { xslt3: version('xslt3'), saxonJs: version('saxon-js') };
}
