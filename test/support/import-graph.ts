import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

/**
 * The import graph of src/, read with the TypeScript compiler's parser (no type-check, no program):
 * every `import … from`, `export … from`, `import x = require()`, `import()` and `import('…')` type
 * of every src/**\/*.ts file, with relative specifiers resolved to files (`x.ts`, `x/index.ts`,
 * `x.json`). Package imports and files outside src/ (package.json) are not part of the graph.
 *
 * Type-only imports (`import type`, `export type … from`, `typeof import()`) count like any other:
 * they vanish from the JavaScript, but a cycle of types is still two modules that cannot be
 * understood, changed or moved one without the other.
 *
 * Two views of the same graph, both of which must be free of cycles:
 * - files: `a.ts -> b.ts -> a.ts`;
 * - top-level parts of src/: each folder `src/<folder>/` (with everything below it) is one node,
 *   e.g. `delivery/`, and each file directly in src/ is a node of its own, e.g. `errors.ts`. So the
 *   composition root (`container.ts`, `app.ts`, `main.ts`, `worker-main.ts`) may import every
 *   folder, while a folder importing it back closes a cycle; `errors.ts` and `startup-error.ts`
 *   may be imported from anywhere as long as they import nothing that leads back.
 *
 * `npm run check:cycles` prints both lists (exit code 1 when there is a cycle);
 * test/unit/import-cycles.test.ts asserts that both are empty.
 */

export const SRC = path.resolve(__dirname, '..', '..', 'src');

export interface ImportEdge {
  /** Importing file, relative to src/ with forward slashes, e.g. `storage/sqlite/sqlite-store.ts`. */
  readonly from: string;
  /** Imported file, relative to src/. */
  readonly to: string;
  /** True when every import of `to` in `from` is type-only. */
  readonly typeOnly: boolean;
}

export interface ImportGraph {
  /** Every src/ file (relative to src/), sorted. */
  readonly files: readonly string[];
  readonly edges: readonly ImportEdge[];
  /** Relative specifiers that name no file: `file: 'specifier'`. */
  readonly unresolved: readonly string[];
}

/** A cycle as its nodes, the first repeated at the end: [a, b, a]. */
export type Cycle = readonly string[];

function listTsFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) return listTsFiles(full);
      return entry.isFile() && entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts') ? [full] : [];
    });
}

interface Specifier {
  readonly text: string;
  readonly typeOnly: boolean;
}

function stringLiteral(node: ts.Node | undefined): string | undefined {
  return node && ts.isStringLiteralLike(node) ? node.text : undefined;
}

/** Every module specifier in a file, with whether that import is type-only. */
function specifiersOf(file: string, text: string): Specifier[] {
  const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, false, ts.ScriptKind.TS);
  const found: Specifier[] = [];
  const add = (node: ts.Node | undefined, typeOnly: boolean) => {
    const spec = stringLiteral(node);
    if (spec !== undefined) found.push({ text: spec, typeOnly });
  };
  const visit = (node: ts.Node): void => {
    if (ts.isImportDeclaration(node)) {
      const clause = node.importClause;
      const namedTypeOnly =
        clause !== undefined &&
        clause.name === undefined &&
        clause.namedBindings !== undefined &&
        ts.isNamedImports(clause.namedBindings) &&
        clause.namedBindings.elements.length > 0 &&
        clause.namedBindings.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, clause !== undefined && (clause.isTypeOnly || namedTypeOnly));
    } else if (ts.isExportDeclaration(node)) {
      const namedTypeOnly =
        node.exportClause !== undefined &&
        ts.isNamedExports(node.exportClause) &&
        node.exportClause.elements.length > 0 &&
        node.exportClause.elements.every((e) => e.isTypeOnly);
      add(node.moduleSpecifier, node.isTypeOnly || namedTypeOnly);
    } else if (ts.isImportEqualsDeclaration(node) && ts.isExternalModuleReference(node.moduleReference)) {
      add(node.moduleReference.expression, node.isTypeOnly);
    } else if (ts.isCallExpression(node) && node.expression.kind === ts.SyntaxKind.ImportKeyword) {
      add(node.arguments[0], false);
    } else if (ts.isCallExpression(node) && ts.isIdentifier(node.expression) && node.expression.text === 'require') {
      add(node.arguments[0], false);
    } else if (ts.isImportTypeNode(node) && ts.isLiteralTypeNode(node.argument)) {
      add(node.argument.literal, true);
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  return found;
}

/** The file a relative specifier names, or undefined. `.js` in a specifier may stand for `.ts`. */
function resolveRelative(fromFile: string, spec: string): string | undefined {
  const base = path.resolve(path.dirname(fromFile), spec);
  const candidates = [
    base,
    `${base}.ts`,
    path.join(base, 'index.ts'),
    ...(base.endsWith('.js') ? [`${base.slice(0, -3)}.ts`] : []),
  ];
  return candidates.find((c) => existsSync(c) && statSync(c).isFile());
}

const relativeToSrc = (file: string, src: string) => path.relative(src, file).split(path.sep).join('/');

/** Reads src/ (or another folder laid out like it) into its import graph. */
export function readImportGraph(src: string = SRC): ImportGraph {
  const absolute = listTsFiles(src).sort();
  const files = absolute.map((f) => relativeToSrc(f, src));
  const edges = new Map<string, { from: string; to: string; typeOnly: boolean }>();
  const unresolved: string[] = [];
  for (const file of absolute) {
    const from = relativeToSrc(file, src);
    for (const spec of specifiersOf(file, readFileSync(file, 'utf8'))) {
      if (!spec.text.startsWith('./') && !spec.text.startsWith('../')) continue; // a package or node:
      if (relativeToSrc(path.resolve(path.dirname(file), spec.text), src).startsWith('../')) continue; // ../package.json
      const target = resolveRelative(file, spec.text);
      if (target === undefined) {
        unresolved.push(`${from}: '${spec.text}'`);
        continue;
      }
      const to = relativeToSrc(target, src);
      if (!to.endsWith('.ts')) continue; // a JSON file in src/ imports nothing
      const key = `${from}\0${to}`;
      const known = edges.get(key);
      if (known) known.typeOnly &&= spec.typeOnly;
      else edges.set(key, { from, to, typeOnly: spec.typeOnly });
    }
  }
  return {
    files,
    edges: [...edges.values()].sort((a, b) => compare(a.from, b.from) || compare(a.to, b.to)),
    unresolved,
  };
}

/**
 * Every file reachable from the entry files through relative imports (any folder, not only src/),
 * each with the packages and built-ins it imports itself, e.g. `node:child_process`.
 */
export function reachableImports(entries: readonly string[]): Map<string, string[]> {
  const result = new Map<string, string[]>();
  const queue = entries.map((entry) => path.resolve(entry));
  while (queue.length > 0) {
    const file = queue.shift()!;
    if (result.has(file)) continue;
    const packages: string[] = [];
    result.set(file, packages);
    if (!file.endsWith('.ts')) continue;
    for (const spec of specifiersOf(file, readFileSync(file, 'utf8'))) {
      if (spec.text.startsWith('./') || spec.text.startsWith('../')) {
        const target = resolveRelative(file, spec.text);
        if (target !== undefined) queue.push(target);
      } else {
        packages.push(spec.text);
      }
    }
  }
  return result;
}

const compare = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/** The top-level part of src/ a file belongs to: `delivery/` for delivery/email/x.ts, `errors.ts` for errors.ts. */
export function topLevelOf(file: string): string {
  const slash = file.indexOf('/');
  return slash === -1 ? file : file.slice(0, slash + 1);
}

/** The graph between top-level parts, each edge with the file imports that make it. */
export function topLevelEdges(graph: ImportGraph): Map<string, Map<string, ImportEdge[]>> {
  const result = new Map<string, Map<string, ImportEdge[]>>();
  for (const edge of graph.edges) {
    const from = topLevelOf(edge.from);
    const to = topLevelOf(edge.to);
    if (from === to) continue;
    const targets = result.get(from) ?? new Map<string, ImportEdge[]>();
    result.set(from, targets);
    targets.set(to, [...(targets.get(to) ?? []), edge]);
  }
  return result;
}

/** Tarjan's strongly connected components; only those that contain a cycle, each sorted. */
function tangledComponents(nodes: readonly string[], next: (node: string) => readonly string[]): string[][] {
  let counter = 0;
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const components: string[][] = [];
  const connect = (v: string): void => {
    index.set(v, counter);
    low.set(v, counter);
    counter += 1;
    stack.push(v);
    onStack.add(v);
    for (const w of next(v)) {
      if (!index.has(w)) {
        connect(w);
        low.set(v, Math.min(low.get(v)!, low.get(w)!));
      } else if (onStack.has(w)) {
        low.set(v, Math.min(low.get(v)!, index.get(w)!));
      }
    }
    if (low.get(v) === index.get(v)) {
      const component: string[] = [];
      let w: string;
      do {
        w = stack.pop()!;
        onStack.delete(w);
        component.push(w);
      } while (w !== v);
      if (component.length > 1 || next(v).includes(v)) components.push(component.sort());
    }
  };
  for (const node of nodes) if (!index.has(node)) connect(node);
  return components.sort((a, b) => compare(a[0]!, b[0]!));
}

/** The shortest path from `start` to `goal` inside `within` (breadth first), both ends included. */
function shortestPath(start: string, goal: string, within: ReadonlySet<string>, next: (node: string) => readonly string[]): string[] {
  const previous = new Map<string, string | null>([[start, null]]);
  const queue = [start];
  while (queue.length > 0) {
    const node = queue.shift()!;
    if (node === goal) break;
    for (const w of next(node)) {
      if (within.has(w) && !previous.has(w)) {
        previous.set(w, node);
        queue.push(w);
      }
    }
  }
  const pathBack: string[] = [];
  for (let node: string | null | undefined = goal; node !== null && node !== undefined; node = previous.get(node)) pathBack.push(node);
  return pathBack.reverse();
}

/**
 * The cycles of a directed graph: for each tangled component, for each edge inside it, the
 * shortest cycle through that edge, without repeats. So every import that takes part in a
 * cycle shows up in at least one printed cycle (fixing only the first one printed would leave
 * the others), and the list stays as short as the graph allows.
 */
export function findCycles(nodes: readonly string[], next: (node: string) => readonly string[]): Cycle[] {
  const seen = new Set<string>();
  const cycles: Cycle[] = [];
  for (const component of tangledComponents(nodes, next)) {
    const within = new Set(component);
    for (const from of component) {
      for (const to of next(from)) {
        if (!within.has(to)) continue;
        const cycle = [from, ...shortestPath(to, from, within, next)];
        // The same cycle found from another of its edges: compare its rotation starting at the smallest node.
        const ring = cycle.slice(0, -1);
        const start = ring.indexOf([...ring].sort(compare)[0]!);
        const canonical = [...ring.slice(start), ...ring.slice(0, start)];
        const key = canonical.join('\0');
        if (seen.has(key)) continue;
        seen.add(key);
        cycles.push([...canonical, canonical[0]!]);
      }
    }
  }
  return cycles.sort((a, b) => a.length - b.length || compare(a.join(' '), b.join(' ')));
}

/** Cycles between files of src/. */
export function fileCycles(graph: ImportGraph): Cycle[] {
  const next = new Map<string, string[]>();
  for (const edge of graph.edges) next.set(edge.from, [...(next.get(edge.from) ?? []), edge.to]);
  return findCycles(graph.files, (node) => next.get(node) ?? []);
}

/** Cycles between the top-level parts of src/ (folders and the files directly in src/). */
export function topLevelCycles(graph: ImportGraph): Cycle[] {
  const edges = topLevelEdges(graph);
  const nodes = [...new Set(graph.files.map(topLevelOf))].sort(compare);
  return findCycles(nodes, (node) => [...(edges.get(node)?.keys() ?? [])].sort(compare));
}

const typeMark = (edge: ImportEdge) => (edge.typeOnly ? ' (type only)' : '');

/** `a.ts -> b.ts -> a.ts`, with the type-only steps marked. */
export function formatFileCycle(cycle: Cycle, graph: ImportGraph): string {
  return cycle
    .map((node, i) => {
      if (i === 0) return node;
      const edge = graph.edges.find((e) => e.from === cycle[i - 1] && e.to === node);
      return `-> ${node}${edge ? typeMark(edge) : ''}`;
    })
    .join(' ');
}

/** `delivery/ -> notifications/ -> delivery/`, then per step the file imports that make it. */
export function formatTopLevelCycle(cycle: Cycle, graph: ImportGraph): string {
  const edges = topLevelEdges(graph);
  const lines = [cycle.join(' -> ')];
  for (let i = 1; i < cycle.length; i += 1) {
    const imports = edges.get(cycle[i - 1]!)?.get(cycle[i]!) ?? [];
    for (const edge of imports) lines.push(`    ${edge.from} imports ${edge.to}${typeMark(edge)}`);
  }
  return lines.join('\n');
}

/** The report of `npm run check:cycles`; empty lists print as "none". */
export function cycleReport(graph: ImportGraph = readImportGraph()): { text: string; clean: boolean } {
  const files = fileCycles(graph);
  const parts = topLevelCycles(graph);
  const list = (items: string[]) => (items.length === 0 ? ['  none'] : items.map((item) => `  ${item}`));
  const text = [
    `Import cycles between files of src/ (${files.length}):`,
    ...list(files.map((c) => formatFileCycle(c, graph))),
    `Import cycles between top-level parts of src/ (${parts.length}):`,
    ...list(parts.map((c) => formatTopLevelCycle(c, graph))),
    ...(graph.unresolved.length > 0 ? ['Relative imports that name no file:', ...list([...graph.unresolved])] : []),
  ].join('\n');
  return { text, clean: files.length === 0 && parts.length === 0 && graph.unresolved.length === 0 };
}

if (require.main === module) {
  const { text, clean } = cycleReport(readImportGraph(process.argv[2] ? path.resolve(process.argv[2]) : SRC));
  console.log(text);
  process.exitCode = clean ? 0 : 1;
}
