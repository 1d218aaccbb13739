// Saxon-HE for Java (Debian's libsaxonhe-java) running the XSLT the project's compiler generates: the reference point of MedCom's test bed, which runs Saxon on the JVM.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';

/** `SAXON_HE_JAR`, else where `apt-get install libsaxonhe-java` puts it; undefined when absent. */
export function saxonJavaJar(): string | undefined {
  const jar = process.env.SAXON_HE_JAR ?? '/usr/share/java/Saxon-HE.jar';
  return existsSync(jar) ? jar : undefined;
}

export interface JavaRun {
  /** Saxon's own average over the later runs (the JIT warmed up by the earlier ones), in ms. */
  readonly warmMs: number;
  /** How many runs that average covers. */
  readonly averaged: number;
  /** failed-assert and successful-report elements in the SVRL (the engine's own notices included). */
  readonly findings: number;
  readonly version: string;
}

/**
 * Runs the stylesheet `runs` times on the document in one JVM (`-repeat`), timing each run as Saxon
 * does: building the tree from the text and the transform, so like a SaxonJS run, unlike the own
 * engine's, which starts from the parse the XSD stage already made.
 */
export function saxonJavaWarm(jar: string, xslt: string, documentText: string, runs: number): JavaRun {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'kih-bench-saxon-'));
  try {
    const xsl = path.join(dir, 'rules.xsl');
    const xml = path.join(dir, 'document.xml');
    writeFileSync(xsl, xslt);
    writeFileSync(xml, documentText);
    const r = spawnSync(
      'java',
      ['-cp', jar, 'net.sf.saxon.Transform', `-xsl:${xsl}`, `-s:${xml}`, `-repeat:${runs}`, '-t'],
      { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024, timeout: 600_000 }
    );
    if (r.status !== 0) {
      throw new Error(`bench: Saxon-HE Java failed (${r.status ?? r.signal ?? '?'}): ${r.stderr.slice(-2000)}`);
    }
    const average = /Average execution time over last (\d+) runs: ([\d.]+)ms/.exec(r.stderr);
    if (!average?.[1] || !average[2]) {
      throw new Error(`bench: no average time in Saxon's -t output: ${r.stderr.slice(-2000)}`);
    }
    // -repeat writes every run's SVRL to standard output, one after another.
    const total = (r.stdout.match(/<svrl:(failed-assert|successful-report)\b/g) ?? []).length;
    if (total % runs !== 0) {
      throw new Error(`bench: ${total} findings in ${runs} runs of Saxon-HE Java: the runs disagree`);
    }
    const findings = total / runs;
    const version = /Saxon-HE [\d.]+/.exec(r.stderr)?.[0] ?? 'Saxon-HE';
    return { warmMs: Number(average[2]), averaged: Number(average[1]), findings, version };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
