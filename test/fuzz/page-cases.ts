import { getAtPointer } from '../../src/support/json-pointer';
import { stepFormFields } from '../support/page-form';
import type { CsrfMode, FormPart, PageCase, PagePlan } from './cases';
import { setAt } from './data-edit';
import { pointersOf, type CatalogForm } from './form-catalog';
import { bidiText, controlText, hostileText, joinerText, oddText, planeText } from './hostile-text';
import { percentEncode } from './percent-encoding';
import type { Random } from './prng';
import { cloneJson } from './raw-json';

/**
 * Cases for the citizen pages: a fresh draft (cookie and CSRF token read from the page), then a
 * POST of hostile urlencoded fields to one step or the check page, or a whole application with
 * hostile but valid answers, or GETs of paths that do not exist.
 */
export interface PageContext {
  readonly forms: readonly CatalogForm[];
  readonly bodyLimitBytes: number;
}

type Data = Record<string, unknown>;

interface Built {
  readonly description: string;
  readonly plan: PagePlan;
  readonly expectStatus?: readonly number[];
}

type Mutation = (random: Random, form: CatalogForm, data: Data, ctx: PageContext, index: number) => Built;

/** The fields a citizen would send on one step for the example's answers. */
function stepParts(form: CatalogForm, stepId: string, data: Data): Array<[string, string]> {
  const step = form.model.steps.find((s) => s.id === stepId);
  return step ? stepFormFields(form.model, step, data) : [];
}

/** Names of fields that take free text on a step page (no options, not a date part or a count). */
function textNames(form: CatalogForm, parts: ReadonlyArray<readonly [string, string]>): number[] {
  return parts.flatMap(([name], i) => {
    if (name.includes('|')) return [];
    const pattern = name.replace(/\/(0|[1-9][0-9]*)(?=\/|$)/g, '/*');
    const node = form.model.node(pattern);
    return node?.kind === 'leaf' && node.options.length === 0 && node.widget !== 'region' && node.widget !== 'date' ? [i] : [];
  });
}

function pickStep(random: Random, form: CatalogForm): string {
  return random.pick(form.model.steps).id;
}

function postPlan(target: string, parts: readonly FormPart[], csrf: CsrfMode = 'valid', contentType?: string): PagePlan {
  return { type: 'post', target, parts, csrf, ...(contentType !== undefined ? { contentType } : {}) };
}

const ACTIONS = ['add:/x', 'add:/hunde', 'remove:/__proto__/0', 'remove:/hunde/0', 'remove:/hunde/99999999999999999999', 'remove:/hunde/-1', 'remove:/hunde/1e3',
  'add:/__proto__', 'add:/constructor/prototype', 'remove:/constructor/prototype/0', 'remove:/hunde/__proto__', `add:${'/a'.repeat(5000)}`, 'search', 'save', '', 'submit',
  'continue', 'add:', 'remove:', 'remove:/', 'add://', 'remove:/hunde/0/name', 'add:/hunde/0', 'add:/halter'];

const HOSTILE_NAMES = ['__proto__', 'constructor', '__proto__[polluted]', 'constructor[prototype][polluted]', '/__proto__/polluted', '/constructor/prototype/polluted',
  '/hunde/100000/name', '/hunde/0/__proto__', '/hunde|count', '/hunde/__proto__|count', '_csrf[]', '_action[]', '/', '', '|', '/halter/vorname|day', 'hasOwnProperty'];

const COUNTS = ['1e9', '-1', '99999999999999999999', 'NaN', '3.5', '0x10', '10000', ' 2 '];

const mutations: Record<string, readonly [number, Mutation]> = {
  'page-hostile-values': [10, (random, form, data) => {
    const step = pickStep(random, form);
    const parts = stepParts(form, step, data);
    const texts = textNames(form, parts);
    const labels: string[] = [];
    for (const i of texts) {
      if (!random.chance(0.5)) continue;
      const hostile = hostileText(random);
      parts[i] = [parts[i]![0], hostile.text];
      labels.push(hostile.label);
    }
    return { description: `step ${step}: ${labels.length > 0 ? [...new Set(labels)].join(', ') : 'the example as typed'}`, plan: postPlan(`steps/${step}`, [...parts, ['_action', 'continue']]) };
  }],
  'page-all-planes': [4, (random, form, data, _ctx, index) => {
    const plane = index % 17;
    const step = pickStep(random, form);
    const parts = stepParts(form, step, data);
    for (const i of textNames(form, parts)) parts[i] = [parts[i]![0], planeText(random, random.int(1, 40), plane).text];
    return { description: `step ${step}: plane ${plane} code points in every text field`, plan: postPlan(`steps/${step}`, [...parts, ['_action', 'continue']]) };
  }],
  'page-control': [4, (random, form, data) => {
    const step = pickStep(random, form);
    const parts = stepParts(form, step, data);
    const texts = textNames(form, parts);
    const hostile = random.chance(0.6) ? controlText(random) : bidiText(random);
    const target = texts.length > 0 ? random.pick(texts) : -1;
    if (target >= 0) parts[target] = [parts[target]![0], hostile.text];
    else parts.push([random.pick(parts.map(([n]) => n).concat(['x'])), hostile.text]);
    return { description: `step ${step}: ${hostile.label}`, plan: postPlan(`steps/${step}`, [...parts, ['_action', 'continue']]) };
  }],
  'page-hostile-keys': [4, (random, form, data) => {
    const step = pickStep(random, form);
    const parts: FormPart[] = stepParts(form, step, data);
    const extra = Array.from({ length: random.int(1, 4) }, (): [string, string] => {
      const name = random.chance(0.8) ? random.pick(HOSTILE_NAMES) : hostileText(random).text;
      return [name, name.endsWith('count') ? random.pick(COUNTS) : random.pick(['x', 'true', '{}', hostileText(random).text])];
    });
    const counts = form.arrays.map((a): [string, string] => [`${a}|count`, random.pick(COUNTS)]);
    const all = [...parts, ...extra, ...(random.chance(0.5) ? counts : []), ['_action', 'continue'] as [string, string]];
    return { description: `step ${step}: keys ${extra.map(([n]) => JSON.stringify(n.slice(0, 30))).join(', ')}`, plan: postPlan(`steps/${step}`, all) };
  }],
  'page-action': [5, (random, form, data) => {
    const step = pickStep(random, form);
    const action = random.chance(0.85) ? random.pick(ACTIONS) : hostileText(random).text;
    const query = random.chance(0.5) ? [['_q', random.pick(['99', '0', 'Erfurt', '%', '.*', '('.repeat(50), hostileText(random).text, 'a'.repeat(5000)])] as [string, string]] : [];
    const parts = random.chance(0.5) ? stepParts(form, step, data) : [];
    return { description: `step ${step}: _action ${JSON.stringify(action.slice(0, 40))}${query.length > 0 ? ' with a search' : ''}`, plan: postPlan(`steps/${step}`, [...parts, ...query, ['_action', action]]) };
  }],
  'page-csrf': [3, (random, form, data) => {
    const step = pickStep(random, form);
    const csrf = random.pick<CsrfMode>(['missing', 'wrong', 'twice', 'no-draft']);
    const parts = stepParts(form, step, data);
    // No draft: 410. A missing or wrong token: 403. Two tokens: not one string, refused as well.
    return { description: `step ${step}: CSRF ${csrf}`, plan: postPlan(`steps/${step}`, [...parts, ['_action', 'continue']], csrf), expectStatus: csrf === 'no-draft' ? [410] : [403] };
  }],
  'page-check': [3, (random, form) => {
    const parts: Array<[string, string]> = form.model.declarations.map((d) => [d.pattern, random.pick(['true', 'false', '', hostileText(random).text])]);
    return { description: 'check page: submit an empty or hostile draft', plan: postPlan('check', [...parts, ['_action', random.pick(['submit', 'save', hostileText(random).text])]]) };
  }],
  'page-unknown': [3, (random, form) => {
    const hostile = percentEncode(hostileText(random).text);
    const paths = random.pick([
      [`/forms/${form.id}/steps/${hostile}`, `/forms/${form.id}/steps/nope`, `/forms/${form.id}/steps/__proto__`],
      [`/forms/${hostile}`, '/forms/__proto__/start', '/forms/constructor/steps/x', `/forms/${'x'.repeat(3000)}/check`],
      [`/forms/${form.id}/resume/${hostile}`, `/forms/${form.id}/resume/${'A'.repeat(43)}`, `/forms/${form.id}/resume/%00`],
      [`/forms/${form.id}/confirmation?ref=ABCD-EFGH-J&token=x`, `/forms/${form.id}/confirmation?ref[]=a&token[]=b`, `/forms/${form.id}/confirmation?ref=${hostile}`],
      [`/forms/${form.id}/check?return=check&lang=xx`, `/forms/${form.id}/steps/${form.model.steps[0]!.id}?lang=en&lang=de`, `/forms/${form.id}?lang=${hostile}`],
    ]);
    if (random.chance(0.3)) return { description: `POST to step ${JSON.stringify(hostile.slice(0, 30))}`, plan: postPlan(`steps/${hostile}`, [['_action', 'continue']]) };
    return { description: `GET ${paths.map((p) => p.slice(0, 50)).join(' ')}`, plan: { type: 'get', paths } };
  }],
  'page-huge-values': [2, (random, form, data) => {
    const step = pickStep(random, form);
    const parts = stepParts(form, step, data);
    const texts = textNames(form, parts);
    const size = random.int(10_000, 200_000);
    const value = random.pick(['A', 'ä', '\u0001', 'ⵜ\u200d', ' ']).repeat(size);
    if (texts.length > 0) parts[random.pick(texts)]![1] = value;
    else parts.push(['/x', value]);
    return { description: `step ${step}: a value of ${size} characters`, plan: postPlan(`steps/${step}`, [...parts, ['_action', 'continue']]) };
  }],
  'page-encoding': [2, (random, form, data) => {
    const step = pickStep(random, form);
    const parts = stepParts(form, step, data);
    const raw = random.pick(['%zz', '%', '%E', '%ED%A0%80', '%C0%AF', '%FF%FE', '+++', 'a=b=c', '&&&', '=', 'novalue', '%00=%00', `${percentEncode(parts[0]?.[0] ?? 'x')}=%ED%B0%80`, `${percentEncode(parts[0]?.[0] ?? 'x')}=%C2%85%E2%80%AE`]);
    return { description: `step ${step}: raw ${JSON.stringify(raw.slice(0, 30))}`, plan: postPlan(`steps/${step}`, [...parts, { raw }, ['_action', 'continue']]) };
  }],
  'page-content-type': [1, (random, form, data) => {
    const step = pickStep(random, form);
    const type = random.pick(['application/json', 'multipart/form-data; boundary=x', 'text/plain', 'application/x-www-form-urlencoded; charset=utf-16', 'application/x-www-form-urlencoded; charset=latin1', '']);
    return { description: `step ${step}: content type ${JSON.stringify(type)}`, plan: postPlan(`steps/${step}`, [...stepParts(form, step, data), ['_action', 'continue']], 'valid', type) };
  }],
  'page-many-params': [1, (random, form) => {
    const count = random.pick([1999, 2001, 5000, 20_000]);
    const parts = Array.from({ length: count }, (_, i): [string, string] => [`/p${i}`, 'x']);
    return { description: `step ${form.model.steps[0]!.id}: ${count} parameters`, plan: postPlan(`steps/${form.model.steps[0]!.id}`, parts) };
  }],
  'page-full': [5, (random, form, data) => {
    const free = form.fields.filter((f) => f.freeText && f.types.has('string')).flatMap((f) => pointersOf(data, f.pattern)).filter((p) => typeof getAtPointer(data, p) === 'string');
    const kind = random.pick(['planes', 'tifinagh', 'bidi', 'odd', 'control', 'as it is'] as const);
    for (const pointer of free) {
      if (kind === 'as it is' || !random.chance(0.5)) continue;
      const text = kind === 'planes' ? planeText(random, random.int(1, 30), random.int(1, 16)).text
        : kind === 'tifinagh' ? joinerText(random).text
          : kind === 'bidi' ? bidiText(random).text
            : kind === 'control' ? controlText(random).text
              : oddText(random).text;
      // Pages trim what is typed; keep the text as the citizen would see it stored.
      setAt(data, pointer, text);
    }
    return { description: `whole application, free text ${kind}`, plan: { type: 'full', data, expectAccepted: kind === 'as it is' } };
  }],
};

const giantMutations: Record<string, Mutation> = {
  'page-giant': (random, form, data, ctx) => {
    const step = form.model.steps.find((s) => textNames(form, stepParts(form, s.id, data)).length > 0) ?? form.model.steps[0]!;
    const parts = stepParts(form, step.id, data);
    const texts = textNames(form, parts);
    const unit = random.pick(['A', 'ä', '\u0085']);
    const encoded = percentEncode(unit);
    const count = Math.floor((ctx.bodyLimitBytes - 4096) / encoded.length);
    const target = texts[0] ?? 0;
    const all: FormPart[] = parts.map((p, i) => (i === target ? { raw: `${percentEncode(p[0])}=${encoded.repeat(count)}` } : p));
    return { description: `step ${step.id}: ${count} × ${JSON.stringify(unit)} in ${parts[target]?.[0] ?? '?'}`, plan: postPlan(`steps/${step.id}`, [...all, ['_action', 'continue']]) };
  },
};

export const PAGE_GIANT_KINDS = Object.keys(giantMutations);

export function pageCase(random: Random, ctx: PageContext, index: number, giantKind?: string): PageCase {
  const form = random.pick(ctx.forms);
  const valid = form.examples.filter((e) => e.valid);
  const example = random.pick(valid.length > 0 ? valid : form.examples);
  const data = cloneJson(example.data);
  if (giantKind !== undefined) {
    const mutate = giantMutations[giantKind];
    if (!mutate) throw new Error(`unknown giant kind ${giantKind}`);
    const built = mutate(random, form, data, ctx, index);
    return { kind: 'page', index, form: form.id, mutation: giantKind, giant: true, ...built, description: `${example.name}: ${built.description}` };
  }
  const [kind, mutate] = random.weighted(Object.entries(mutations).map(([kind, [weight, fn]]) => [weight, [kind, fn]] as const));
  const built = mutate(random, form, data, ctx, index);
  return { kind: 'page', index, form: form.id, mutation: kind, giant: false, ...built, description: `${example.name}: ${built.description}` };
}
