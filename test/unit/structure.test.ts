import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import ts from 'typescript';
import definitionSchema from '../../src/forms/form-definition.schema.json';
import { isLeafWidget } from '../../src/forms/kinds/index';

/**
 * The shape issue 10 asked for, checked on the sources so that it stays: the composition root
 * only wires, services have named interfaces, the region step is found by its kind, and every
 * widget a form definition may name has its kind module and partial.
 */
const SRC = path.join(__dirname, '..', '..', 'src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const full = path.join(dir, name);
    if (statSync(full).isDirectory()) return sourceFiles(full);
    return name.endsWith('.ts') ? [full] : [];
  });
}

const relative = (file: string) => path.relative(SRC, file).split(path.sep).join('/');

describe('the structure of src/', () => {
  it('exports no ReturnType<typeof …> types: services have named interfaces', () => {
    const found = sourceFiles(SRC).filter((f) => /export\s+type\s+\w+\s*=\s*ReturnType<typeof/.test(readFileSync(f, 'utf8'))).map(relative);
    expect(found).toEqual([]);
  });

  it('container.ts holds no closures: it calls factories and passes what they return', () => {
    const file = path.join(SRC, 'container.ts');
    const source = ts.createSourceFile(file, readFileSync(file, 'utf8'), ts.ScriptTarget.ES2022, true);
    const functions: string[] = [];
    const visit = (node: ts.Node): void => {
      if (ts.isArrowFunction(node) || ts.isFunctionExpression(node)) {
        functions.push(`${source.getLineAndCharacterOfPosition(node.getStart()).line + 1}: ${node.getText().slice(0, 60)}`);
      }
      ts.forEachChild(node, visit);
    };
    visit(source);
    // The one default: the real clock when a test passes none.
    expect(functions).toEqual([expect.stringContaining('() => new Date()')]);
  });

  it('names the region step\'s id in one place only; code asks for kind "region"', () => {
    const found = sourceFiles(SRC).flatMap((f) => readFileSync(f, 'utf8').split('\n').map((line, i) => ({ line, where: `${relative(f)}:${i + 1}` })))
      .filter(({ line }) => /['"`]gemeinde['"`]/.test(line))
      .map(({ where }) => where);
    expect(found).toEqual([expect.stringMatching(/^forms\/question-tree\.ts:\d+$/)]);
  });

  it('creates the answers\' ajv only in the form registry (one per registry)', () => {
    const found = sourceFiles(SRC).filter((f) => readFileSync(f, 'utf8').includes('createDataAjv(')).map(relative);
    expect(found.sort()).toEqual(['forms/data-ajv.ts', 'forms/form-registry.ts']);
  });

  it('has a kind module and a partial for every widget a form definition may name', () => {
    const widgetSchema = (definitionSchema as unknown as { $defs?: unknown; properties: unknown });
    const text = JSON.stringify(widgetSchema);
    const match = /"widget":\{"enum":(\[[^\]]*\])/.exec(text);
    expect(match).not.toBeNull();
    const widgets = JSON.parse(match![1]!) as string[];
    const structural = ['group', 'repeat', 'hidden'];
    expect(widgets.filter((w) => !structural.includes(w) && !isLeafWidget(w))).toEqual([]);
    const partials = readdirSync(path.join(__dirname, '..', '..', 'templates', 'partials'));
    for (const kind of readdirSync(path.join(SRC, 'forms', 'kinds')).filter((f) => !['index.ts', 'field-kind.ts', 'typed-answer.ts'].includes(f))) {
      const partialNames = [...readFileSync(path.join(SRC, 'forms', 'kinds', kind), 'utf8').matchAll(/'(field-[a-z-]+)'/g)].map((m) => m[1]);
      expect({ kind, partials: partialNames.filter((p) => !partials.includes(`${p!}.hbs`)) }).toEqual({ kind, partials: [] });
      expect({ kind, named: partialNames.length > 0 || kind === 'yes-no.ts' }).toEqual({ kind, named: true });
    }
  });
});
