import { getAtPointer } from '../support/json-pointer';
import type { FormNode, FormStep } from './form-tree';

type Data = Record<string, unknown>;

/** Whether a node applies to the answers given (its if/then branch is taken). */
export function applies(node: FormNode, pointer: string, data: unknown): boolean {
  if (!node.condition) return true;
  const parent = pointer.slice(0, pointer.lastIndexOf('/'));
  return node.condition.test(getAtPointer(data, parent) ?? {});
}

/** Whether any question of a step applies to the answers given. */
export function stepApplies(step: FormStep, data: unknown): boolean {
  return step.nodes.some((node) => applies(node, node.pattern, data));
}

/** Removes the answers to questions that no longer apply, so they are never submitted. */
export function pruneInapplicable(root: FormNode, data: Data): Data {
  const pruned = structuredClone(data);
  const visit = (node: FormNode, pointer: string, value: unknown): void => {
    if (node.kind === 'group' && value !== null && typeof value === 'object' && !Array.isArray(value)) {
      const object = value as Data;
      for (const child of node.children) {
        const childPointer = `${pointer}/${child.name}`;
        if (!applies(child, childPointer, pruned)) delete object[child.name];
        else visit(child, childPointer, object[child.name]);
      }
    } else if (node.kind === 'repeat' && Array.isArray(value)) {
      value.forEach((item, i) => visit(node.item, `${pointer}/${i}`, item));
    }
  };
  visit(root, '', pruned);
  return pruned;
}
