import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { withPdfFile } from './pdf';

/**
 * A real PDF/A validator: Apache PDFBox Preflight from Debian's libpdfbox2-java (with
 * libjaxb-api-java and libactivation-java, which Java 17 no longer ships, and a JRE), installed
 * by .ci/run. A missing package fails the test, it never skips it.
 *
 * Preflight implements ISO 19005-1 level B (PDF/A-1b). PDF/A-3b is built on PDF/A-2b, which is
 * PDF/A-1b with some rules relaxed; for the receipt three of them matter, and findings of exactly
 * these rules are reported apart from the others (see PDF_A3_RELAXATIONS). Every other finding
 * is a breach of a rule that PDF/A-3b keeps: fonts (embedded, widths consistent with the font
 * program, encodings), the metadata (XMP well-formed and equal to the info dictionary),
 * the output intent and its ICC profile, colour spaces, forbidden actions, JavaScript,
 * transparency where not allowed, annotations, and the file structure (header, trailer, xref,
 * stream lengths).
 */

const JARS = ['preflight', 'pdfbox2', 'fontbox2', 'xmpbox', 'commons-logging', 'javax.activation', 'jaxb-api']
  .map((name) => `/usr/share/java/${name}.jar`);

export interface PreflightFinding {
  /** Preflight's error code, e.g. "3.1.11". */
  readonly code: string;
  readonly message: string;
}

/**
 * Rules of PDF/A-1b that PDF/A-3b does not have, as Preflight words its findings:
 * - embedded files are allowed (ISO 19005-3, 6.8: any file, as an associated file);
 * - the identification says part 3, not 1;
 * - the CIDSet of a subset CID font is optional (ISO 19005-2, 6.2.11.4.2: only if present must
 *   it be complete); pdfkit writes one for PDF/A-1 only.
 */
export const PDF_A3_RELAXATIONS: ReadonlyArray<{ readonly code: string; readonly message: RegExp }> = [
  { code: '1.4.7', message: /EmbeddedFile entry is present in the Names dictionary/ },
  { code: '1.2.9', message: /EmbeddedFile entry is present in a FileSpecification dictionary/ },
  { code: '7.11.2', message: /part must be 1/ },
  { code: '3.1.11', message: /The CIDSet entry is missing for the Composite Subset/ },
];

/** Runs Preflight on the PDF and returns every finding (empty: valid PDF/A-1b). */
export function preflightFindings(pdf: Buffer): PreflightFinding[] {
  const missing = JARS.filter((jar) => !existsSync(jar));
  if (missing.length > 0) {
    throw new Error(`PDFBox Preflight is not installed (apt-get install default-jre-headless libpdfbox2-java libjaxb-api-java libactivation-java): missing ${missing.join(', ')}`);
  }
  return withPdfFile(pdf, (file) => {
    const result = spawnSync('java', ['-cp', JARS.join(':'), 'org.apache.pdfbox.preflight.Validator_A1b', file], { encoding: 'utf8' });
    if (result.error) throw new Error(`java is not available (apt-get install default-jre-headless): ${result.error.message}`);
    const out = `${result.stdout}${result.stderr}`;
    if (/is a valid PDF\/A-1b file/.test(out)) return [];
    if (!/is not a valid PDF\/A-1b file/.test(out)) throw new Error(`Preflight gave no verdict (exit ${String(result.status)}):\n${out}`);
    return [...out.matchAll(/^(\d+(?:\.\d+)*) : (.*)$/gm)].map((m) => ({ code: m[1]!, message: m[2]!.trim() }));
  });
}

/** The findings that PDF/A-3b does not excuse, as "code : message" lines. */
export function pdfA3bPreflightProblems(pdf: Buffer): string[] {
  return preflightFindings(pdf)
    .filter((f) => !PDF_A3_RELAXATIONS.some((r) => r.code === f.code && r.message.test(f.message)))
    .map((f) => `${f.code} : ${f.message}`);
}
