import { compileForm } from '../../src/forms/form-registry';
import type { FormNode } from '../../src/forms/form-tree';

/** A form whose schema refers back to itself `references` times at every level. */
function recursiveForm(references: number) {
  const properties: Record<string, unknown> = { name: { type: 'string' } };
  for (let i = 0; i < references; i++) properties[`teil${i}`] = { $ref: '#/$defs/knoten' };
  return {
    id: 'rekursion',
    version: '1.0.0',
    serviceKey: '99000000000000',
    title: { de: 'Rekursion' },
    routing: { regionField: '/gemeinde' },
    schema: {
      type: 'object',
      required: ['gemeinde'],
      $defs: { knoten: { type: 'object', properties } },
      properties: { gemeinde: { type: 'string', format: 'ars' }, baum: { $ref: '#/$defs/knoten' } },
    },
  };
}

function count(node: FormNode): number {
  if (node.kind === 'group') return 1 + node.children.reduce((sum, child) => sum + count(child), 0);
  if (node.kind === 'repeat') return 1 + count(node.item);
  return 1;
}

describe('the question tree of a recursive schema', () => {
  it('stops where a $ref repeats, so the tree stays as small as one level of the schema', () => {
    const form = compileForm('rekursion/form.json', recursiveForm(8));
    const tree = form.node('/baum');
    expect(tree?.kind).toBe('group');
    // baum, its name and 8 parts; each part repeats the $ref and is one question, not a subtree.
    expect(count(tree!)).toBe(10);
    expect(form.node('/baum/teil0')).toMatchObject({ kind: 'leaf', widget: 'text' });
    expect(form.node('/baum/teil0/name')).toBeUndefined();
  });

  it('keeps validating the whole depth: the API takes a recursive answer', () => {
    const form = compileForm('rekursion/form.json', recursiveForm(2));
    expect(form.validate({ gemeinde: '160510000000', baum: { name: 'a', teil0: { name: 'b', teil1: { name: 'c' } } } }, 'de')).toEqual([]);
    expect(form.validate({ gemeinde: '160510000000', baum: { teil0: { teil1: { name: 1 } } } }, 'de')).toHaveLength(1);
  });
});
