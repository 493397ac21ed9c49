import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * Issue 10: no German or English sentence meant for a citizen (or an authority) is written in a
 * .ts file outside src/i18n/. This test reads every src/**\/*.ts outside src/i18n/ with the
 * TypeScript parser, so only string literals and template literals are looked at (comments and
 * regular expressions never are), and lists each literal that looks like such a text, with
 * file:line.
 *
 * Looks like citizen text:
 * - German: a letter ä ö ü ß (or capital) inside a Latin word ("Behörde", "Über"; a glyph list such
 *   as receipt-fonts.ts's REQUIRED_CHARACTERS is no word), or, in a text of two words or more,
 *   one of a few German words ("Sie", "Bitte", "der", "die", "und", "nicht", …; GERMAN_WORD).
 * - English: three or more words, starting with a capital letter and ending with "." "?" or "!".
 * - Any non-empty text given as `de:` or `en:` of an object (`{ de: '…', en: '…' }`, also as the
 *   fallback in `{ de: t.yes ?? 'Ja' }`): a text per language is citizen text by definition.
 *
 * Allowed, because they are read by operators and developers, never by citizens (isOperatorText):
 * - arguments of `new SomethingError(…)` (Error, StartupError, ConfigError, …), except AppError,
 *   where only the second argument (the log message) is; its options (`detail`) are citizen text;
 * - arguments of `problem(file, pointer, reason)` (start-up problems, src/startup-error.ts);
 * - arguments of logger calls (`logger.info/warn/error/debug(…)`, any receiver named *logger*);
 * - values of properties named `description`, `summary` or `help`: the OpenAPI document, the
 *   settings table (config-schema.ts) and Prometheus metric help texts;
 * - English sentences of the payload XSD's annotations for developers and of the operator tool
 *   (src/cli/) (TECHNICAL_DOCUMENTATION).
 * A literal inside an object literal handed to one of these calls (other than a logger's) is not
 * allowed: `new AppError(code, log, { detail: { de: '…' } })` is what a citizen reads.
 */

const ROOT = path.resolve(__dirname, '../..');

/**
 * English sentences that are technical documentation by design, never shown to a citizen: the
 * payload XSD's xs:documentation for the authorities' developers (docs/payload-v1.md), written
 * in src/payloads/xsd/ and, for a kind's own XSD type, as `textElement('xs:documentation', …)`
 * or `documentation(…)`; and the operator tool's output (src/cli/: reports, explanations and
 * help in English for operators, as the rest of the operator documentation). Still scanned for
 * German.
 */
const TECHNICAL_DOCUMENTATION = ['src/payloads/xsd/', 'src/cli/'];

function isXsdDocumentation(literal: ts.Node): boolean {
  const call = literal.parent;
  if (!call || !ts.isCallExpression(call) || !call.arguments.includes(literal as ts.Expression)) return false;
  const name = calleeName(call.expression);
  const first = call.arguments[0];
  return name === 'documentation' || (name === 'textElement' && first !== undefined && ts.isStringLiteral(first) && first.text === 'xs:documentation');
}

export interface Finding {
  readonly file: string;
  readonly line: number;
  readonly text: string;
  /** German (by its words, or given as `de:`) rather than English. */
  readonly german: boolean;
}

const UMLAUT_IN_WORD = /[A-Za-z][äöüß]|[äöüÄÖÜß][a-z]/;
// Common German words of citizen texts; looked for only in texts of two words or more.
const GERMAN_WORD = /(?:^|\s)(?:Sie|Ihre?[mnrs]?|Bitte|bitte|der|die|das|und|nicht|ist|sind|gibt|wurde|werden|kann|muss|mit|eine?|zum|zur|oder|Diese[mnrs]?|Eintrag)(?=[\s.,;:!?])/;
const ENGLISH_SENTENCE = /^[A-Z][^\s]*(?:\s+\S+){2,}[.?!]$/;

/** Whether a literal's text reads like a sentence (or label) written for a citizen. */
export function looksLikeCitizenText(text: string, english = true): boolean {
  const trimmed = text.trim();
  if (UMLAUT_IN_WORD.test(trimmed)) return true;
  if (/\S\s+\S/.test(trimmed) && GERMAN_WORD.test(` ${trimmed} `)) return true;
  return english && ENGLISH_SENTENCE.test(trimmed);
}

const LOGGER_METHODS = new Set(['debug', 'info', 'warn', 'error']);
const DOC_PROPERTIES = new Set(['description', 'summary', 'help']);

function calleeName(expression: ts.Expression): string | undefined {
  if (ts.isIdentifier(expression)) return expression.text;
  if (ts.isPropertyAccessExpression(expression)) return expression.name.text;
  return undefined;
}

function isLoggerCall(call: ts.CallExpression): boolean {
  const callee = call.expression;
  return ts.isPropertyAccessExpression(callee) && LOGGER_METHODS.has(callee.name.text) && /logger$/i.test(callee.expression.getText());
}

/** The property a literal is the value of, looking through `??`, `||`, `? :` and parentheses. */
function propertyOf(literal: ts.Node): string | undefined {
  let child: ts.Node = literal;
  for (let node = literal.parent; node !== undefined; child = node, node = node.parent) {
    if (ts.isPropertyAssignment(node)) return node.initializer === child && ts.isIdentifier(node.name) ? node.name.text : undefined;
    const passesThrough = ts.isParenthesizedExpression(node)
      || (ts.isConditionalExpression(node) && node.condition !== child)
      || (ts.isBinaryExpression(node) && node.right === child
        && (node.operatorToken.kind === ts.SyntaxKind.QuestionQuestionToken || node.operatorToken.kind === ts.SyntaxKind.BarBarToken));
    if (!passesThrough) return undefined;
  }
  return undefined;
}

/** See "Allowed" at the top of this file. */
function isOperatorText(literal: ts.Node): boolean {
  let child: ts.Node = literal;
  let insideObject = false;
  for (let node = literal.parent; node !== undefined && !ts.isSourceFile(node); child = node, node = node.parent) {
    if (ts.isPropertyAssignment(node) && node.initializer === child && ts.isIdentifier(node.name) && DOC_PROPERTIES.has(node.name.text)) return true;
    if (ts.isObjectLiteralExpression(node)) insideObject = true;
    if (ts.isCallExpression(node)) {
      if (isLoggerCall(node)) return true;
      if (!insideObject && calleeName(node.expression) === 'problem' && node.arguments.includes(child as ts.Expression)) return true;
    }
    if (ts.isNewExpression(node)) {
      const name = calleeName(node.expression) ?? '';
      const index = node.arguments?.indexOf(child as ts.Expression) ?? -1;
      if (name === 'AppError') return !insideObject && index === 1;
      if (name.endsWith('Error')) return !insideObject && index >= 0;
    }
    if (ts.isFunctionLike(node) || ts.isBlock(node)) return false;
  }
  return false;
}

/** The text of a literal, with `${…}` standing for each substitution. */
function literalText(node: ts.Node): string | undefined {
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return node.text;
  if (ts.isTemplateExpression(node)) return node.head.text + node.templateSpans.map((s) => `\${…}${s.literal.text}`).join('');
  return undefined;
}

/** The literals of one source file that look like citizen text and are not operator text. */
export function findCitizenTexts(file: string, source: string): Finding[] {
  const sourceFile = ts.createSourceFile(file, source, ts.ScriptTarget.Latest, true, ts.ScriptKind.TS);
  const findings: Finding[] = [];
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node) || ts.isExportDeclaration(node)) return;
    const text = literalText(node);
    if (text !== undefined) {
      const property = /\p{L}/u.test(text) ? propertyOf(node) : undefined;
      const english = !TECHNICAL_DOCUMENTATION.some((folder) => file.startsWith(folder)) && !isXsdDocumentation(node);
      if ((property === 'de' || property === 'en' || looksLikeCitizenText(text, english)) && !isOperatorText(node)) {
        const german = property === 'de' || (property !== 'en' && looksLikeCitizenText(text, false));
        findings.push({ file, line: sourceFile.getLineAndCharacterOfPosition(node.getStart()).line + 1, text, german });
      }
      if (!ts.isTemplateExpression(node)) return;
    }
    ts.forEachChild(node, visit);
  };
  visit(sourceFile);
  return findings;
}

function sourceFiles(dir: string): string[] {
  return readdirSync(path.join(ROOT, dir), { withFileTypes: true }).flatMap((entry) => {
    const relative = `${dir}/${entry.name}`;
    if (entry.isDirectory()) return relative === 'src/i18n' ? [] : sourceFiles(relative);
    return entry.name.endsWith('.ts') ? [relative] : [];
  });
}

describe('citizen texts live in src/i18n', () => {
  const findings = sourceFiles('src').flatMap((file) => findCitizenTexts(file, readFileSync(path.join(ROOT, file), 'utf8')));
  const show = (list: readonly Finding[]): string[] => list.map((f) => `${f.file}:${f.line}: ${JSON.stringify(f.text)}`);

  it('finds no German or English sentence for citizens in a .ts file outside src/i18n', () => {
    expect(show(findings)).toEqual([]);
  });

  it('recognises citizen texts and leaves operator texts alone', () => {
    const sample = [
      "const a = { de: 'Bitte wählen Sie Ihre Gemeinde aus.', en: 'Please select your municipality.' };",
      "const b = 'Eingangsbestätigung';",
      "throw new AppError('INVALID_PARAMETER', 'admin: bad limit', { detail: { de: 'limit muss zwischen 1 und 1000 liegen.', en: 'limit must be from 1 to 1000.' } });",
      "const c = `Bitte geben Sie höchstens ${n} Zeichen ein.`;",
      '// Ein Kommentar über die Behörde. Comments are never looked at.',
      "throw new Error('The store could not be opened.');",
      "throw new StartupError([problem(file, '', 'The folder holds no tenant files.')]);",
      "logger.warn('delivery.failed', { error: 'The receiver answered with an error.' });",
      "const d = { help: 'Time to render one PDF receipt, in seconds.' };",
      "const e = 'ÄÖÜäöüßẞ€„“ŁłŻż';",
      "const f = textElement('xs:documentation', 'A date YYYY-MM-DD. Not checked here.');",
    ].join('\n');
    expect(findCitizenTexts('sample.ts', sample).map((f) => `${f.line}: ${f.text}`)).toEqual([
      '1: Bitte wählen Sie Ihre Gemeinde aus.',
      '1: Please select your municipality.',
      '2: Eingangsbestätigung',
      '3: limit muss zwischen 1 und 1000 liegen.',
      '3: limit must be from 1 to 1000.',
      '4: Bitte geben Sie höchstens ${…} Zeichen ein.',
    ]);
  });
});
