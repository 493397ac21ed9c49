import { fileCycles, formatFileCycle, formatTopLevelCycle, readImportGraph, topLevelCycles } from '../support/import-graph';

/**
 * No import cycles in src/, between files or between its top-level parts (folders, and the files
 * directly in src/). Type-only imports count too. `npm run check:cycles` prints the same lists.
 */
const graph = readImportGraph();

describe('imports in src/', () => {
  test('are read from every file (the graph is not empty)', () => {
    expect(graph.files.length).toBeGreaterThan(50);
    expect(graph.edges.length).toBeGreaterThan(graph.files.length);
  });

  test('all relative imports name a file (otherwise a cycle could hide behind one)', () => {
    expect(graph.unresolved).toEqual([]);
  });

  test('no cycle between files', () => {
    expect(fileCycles(graph).map((cycle) => formatFileCycle(cycle, graph))).toEqual([]);
  });

  test('no cycle between top-level folders of src/ (and the files directly in src/)', () => {
    expect(topLevelCycles(graph).map((cycle) => formatTopLevelCycle(cycle, graph))).toEqual([]);
  });
});

describe('the cycle finder', () => {
  const graphOf = (edges: Array<[string, string]>) => ({
    files: [...new Set(edges.flat())].sort(),
    edges: edges.map(([from, to]) => ({ from, to, typeOnly: false })),
    unresolved: [],
  });

  test('prints each cycle as a -> b -> a, one per import that takes part', () => {
    const g = graphOf([['a.ts', 'b.ts'], ['b.ts', 'a.ts'], ['b.ts', 'c.ts'], ['c.ts', 'a.ts'], ['c.ts', 'd.ts']]);
    expect(fileCycles(g).map((cycle) => formatFileCycle(cycle, g))).toEqual([
      'a.ts -> b.ts -> a.ts',
      'a.ts -> b.ts -> c.ts -> a.ts',
    ]);
  });

  test('finds none in a graph without cycles', () => {
    expect(fileCycles(graphOf([['a.ts', 'b.ts'], ['a.ts', 'c.ts'], ['b.ts', 'c.ts']]))).toEqual([]);
  });

  test('treats a folder as one node and a file directly in src/ as its own', () => {
    const g = graphOf([['x/one.ts', 'y/deep/two.ts'], ['y/three.ts', 'x/four.ts'], ['x/one.ts', 'errors.ts'], ['container.ts', 'x/one.ts']]);
    expect(topLevelCycles(g).map((cycle) => formatTopLevelCycle(cycle, g))).toEqual([
      'x/ -> y/ -> x/\n    x/one.ts imports y/deep/two.ts\n    y/three.ts imports x/four.ts',
    ]);
  });
});
