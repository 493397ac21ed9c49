import { gzipSync } from 'node:zlib';
import type { ApiCase, Expectation, RequestSpec } from './cases';
import { deleteAt, nodesOf, setAt } from './data-edit';
import { pointersOf, type CatalogForm, type FieldInfo } from './form-catalog';
import { controlText, hostileText, joinerText, planeText, surrogateText, backtrackingText } from './hostile-text';
import { percentEncode } from './percent-encoding';
import type { Random } from './prng';
import { cloneJson, deepNesting, RawJson, toJsonText, withKey } from './raw-json';

/**
 * Cases for `POST /api/forms/:id/submissions` (and a few GETs of the API): a sample example,
 * mutated once. Every generator gets its own seeded Random, so case N is the same on every run.
 */
export interface ApiContext {
  readonly forms: readonly CatalogForm[];
  readonly bodyLimitBytes: number;
}

interface Built {
  readonly form: string;
  readonly description: string;
  readonly request: RequestSpec;
  readonly expect?: Expectation;
}

type Data = Record<string, unknown>;

const JSON_HEADERS = { 'content-type': 'application/json' };

function post(form: string, body: string | Buffer, headers: Record<string, string> = JSON_HEADERS): RequestSpec {
  return { method: 'POST', path: `/api/forms/${percentEncode(form)}/submissions`, headers, body: typeof body === 'string' ? Buffer.from(body, 'utf8') : body };
}

function envelope(data: unknown): string {
  return toJsonText({ data });
}

function short(text: string, max = 40): string {
  const printable = JSON.stringify(text.length > max ? `${text.slice(0, max)}…` : text);
  return printable.length > max + 20 ? `${printable.slice(0, max + 20)}…"` : printable;
}

/** Concrete string pointers in this data: existing values of string fields, or addable ones. */
function textPointers(form: CatalogForm, data: Data, which: (f: FieldInfo) => boolean): string[] {
  return form.fields.filter((f) => f.types.has('string') && which(f)).flatMap((f) => pointersOf(data, f.pattern));
}

function fieldOf(form: CatalogForm, pointer: string): FieldInfo | undefined {
  const pattern = pointer.replace(/\/(0|[1-9][0-9]*)(?=\/|$)/g, '/*');
  return form.fields.find((f) => f.pattern === pattern);
}

function randomValue(random: Random, depth = 0): unknown {
  return random.weighted<() => unknown>([
    [3, () => hostileText(random).text],
    [2, () => random.int(-1000, 1000)],
    [1, () => random.chance(0.5)],
    [1, () => null],
    [1, () => (depth > 2 ? [] : Array.from({ length: random.int(0, 3) }, () => randomValue(random, depth + 1)))],
    [1, () => (depth > 2 ? {} : { x: randomValue(random, depth + 1) })],
  ])();
}

const HOSTILE_KEYS = ['', ' ', 'a b', '1abc', 'xmlns', 'XMLfoo', 'a:b', 'a/b', '~0', '<x>', '"', '\u0000', '\u202e', 'ünïcödé', 'ⵜⴰⵎ\u200d', '\ud800', 'hasOwnProperty', 'toString', 'valueOf', '__defineGetter__', '$ref', 'k'.repeat(5000)];
const PROTO_KEYS = ['__proto__', 'constructor', 'prototype'];
const NUMBER_LITERALS = ['1e308', '-1e308', '1e309', '-1e309', '-0', '0.1', '1e-400', '-1', '9007199254740993', `1${'0'.repeat(400)}`, '1.5', '0e0', '"NaN"', '"Infinity"', '"-0"', '"1e308"', '"0x10"', '"12"', '" 12 "', '"٣"', 'true', 'null', '[]', '{}'];

/** A value of another kind than `value`. */
function wrongType(random: Random, value: unknown): { value: unknown; label: string } {
  const options: Array<[string, unknown]> = [
    ['number', 42], ['float', 4.2], ['true', true], ['false', false], ['null', null], ['string', 'text'], ['empty string', ''],
    ['array', [value]], ['empty array', []], ['object', { value }], ['empty object', {}],
  ];
  const kind = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  const fitting = options.filter(([label, v]) => (v === null ? 'null' : Array.isArray(v) ? 'array' : typeof v) !== kind || label.startsWith('empty'));
  const [label, v] = random.pick(fitting);
  return { value: cloneJson(v), label };
}

type Mutation = (random: Random, form: CatalogForm, data: Data, ctx: ApiContext, index: number) => Built;

const mutations: Record<string, readonly [number, Mutation]> = {
  'drop-key': [4, (random, form, data) => {
    const nodes = nodesOf(data).filter((n) => n.pointer !== '');
    const target = random.pick(nodes).pointer;
    deleteAt(data, target);
    return { form: form.id, description: `drop ${target}`, request: post(form.id, envelope(data)) };
  }],
  'add-key': [4, (random, form, data) => {
    const objects = nodesOf(data).filter((n) => n.kind === 'object');
    const at = random.pick(objects);
    const key = random.chance(0.3) ? hostileText(random).text : random.pick(HOSTILE_KEYS);
    withKey(at.value as Data, key, randomValue(random));
    return { form: form.id, description: `add key ${short(key)} at ${at.pointer || '/'}`, request: post(form.id, envelope(data)) };
  }],
  'wrong-type': [6, (random, form, data) => {
    const nodes = nodesOf(data);
    const target = random.pick(nodes);
    const { value, label } = wrongType(random, target.value);
    if (target.pointer === '') return { form: form.id, description: `data is ${label}`, request: post(form.id, envelope(value)) };
    setAt(data, target.pointer, value);
    return { form: form.id, description: `${label} at ${target.pointer}`, request: post(form.id, envelope(data)) };
  }],
  'proto-key': [4, (random, form, data) => {
    const key = random.pick(PROTO_KEYS);
    const value = random.pick<unknown>([{ polluted: 'yes' }, { prototype: { polluted: 'yes' } }, 'x', [], null, { toString: 'x' }]);
    if (random.chance(0.2)) {
      const body = withKey({ data }, key, cloneJson(value));
      return { form: form.id, description: `${key} next to data`, request: post(form.id, toJsonText(body)), expect: 'refused' };
    }
    const at = random.pick(nodesOf(data).filter((n) => n.kind === 'object'));
    withKey(at.value as Data, key, cloneJson(value));
    return { form: form.id, description: `${key} key at ${at.pointer || '/'}`, request: post(form.id, envelope(data)), expect: 'refused' };
  }],
  'hostile-text': [12, (random, form, data) => {
    const free = random.chance(0.7);
    const pointers = textPointers(form, data, (f) => f.freeText === free);
    const target = random.pick(pointers.length > 0 ? pointers : textPointers(form, data, () => true));
    const hostile = hostileText(random);
    setAt(data, target, hostile.text);
    return { form: form.id, description: `${hostile.label} in ${target}`, request: post(form.id, envelope(data)) };
  }],
  'all-planes': [8, (random, form, data, _ctx, index) => {
    const plane = index % 17;
    const everyField = random.chance(0.3);
    const pointers = textPointers(form, data, (f) => everyField || f.freeText);
    for (const pointer of pointers) {
      const field = fieldOf(form, pointer);
      const length = random.int(Math.max(1, field?.minLength ?? 1), Math.max(1, Math.min(field?.maxLength ?? 40, 40)));
      setAt(data, pointer, planeText(random, length, plane).text);
    }
    return { form: form.id, description: `plane ${plane} code points in every ${everyField ? '' : 'free '}text field (${pointers.length})`, request: post(form.id, envelope(data)) };
  }],
  tifinagh: [3, (random, form, data) => {
    const pointers = textPointers(form, data, (f) => f.freeText);
    for (const pointer of pointers) if (random.chance(0.6)) setAt(data, pointer, joinerText(random).text);
    return { form: form.id, description: `Tifinagh with ZWJ/ZWNJ/CGJ in free text fields`, request: post(form.id, envelope(data)) };
  }],
  'forbidden-chars': [4, (random, form, data) => {
    const target = random.pick(textPointers(form, data, () => true));
    const hostile = random.chance(0.5) ? surrogateText(random) : controlText(random);
    // Tab, LF and CR are allowed; every other control character and every lone surrogate is refused.
    const refused = [...hostile.text].some((c) => {
      const code = c.codePointAt(0)!;
      return (code < 0x20 && code !== 0x09 && code !== 0x0a && code !== 0x0d) || (code >= 0x7f && code <= 0x9f) || (code >= 0xd800 && code <= 0xdfff);
    });
    setAt(data, target, hostile.text);
    return { form: form.id, description: `${hostile.label} in ${target}`, request: post(form.id, envelope(data)), ...(refused ? { expect: 'refused' as const } : {}) };
  }],
  backtracking: [3, (random, form, data) => {
    const pointers = textPointers(form, data, (f) => f.matched);
    const target = random.pick(pointers.length > 0 ? pointers : textPointers(form, data, () => true));
    const hostile = backtrackingText(random);
    setAt(data, target, hostile.text);
    return { form: form.id, description: `${hostile.label} in ${target}`, request: post(form.id, envelope(data)) };
  }],
  numbers: [4, (random, form, data) => {
    const numeric = form.fields.filter((f) => f.types.has('number') || f.types.has('integer')).flatMap((f) => pointersOf(data, f.pattern));
    const target = numeric.length > 0 && random.chance(0.7) ? random.pick(numeric) : random.pick(nodesOf(data).filter((n) => n.pointer !== '')).pointer;
    const literal = random.pick(NUMBER_LITERALS);
    setAt(data, target, new RawJson(literal));
    return { form: form.id, description: `${literal.length > 20 ? `${literal.slice(0, 8)}…(${literal.length} chars)` : literal} at ${target}`, request: post(form.id, envelope(data)) };
  }],
  'deep-nesting': [2, (random, form, data) => {
    const depth = random.pick([33, 100, 1000, 5000]);
    const kind = random.pick(['array', 'object'] as const);
    const nested = deepNesting(depth, kind);
    if (random.chance(0.2)) return { form: form.id, description: `data is ${depth} nested ${kind}s`, request: post(form.id, `{"data":${kind === 'object' ? nested.text : `{"a":${nested.text}}`}}`), expect: 'refused' };
    const target = random.pick(nodesOf(data).filter((n) => n.pointer !== '')).pointer;
    setAt(data, target, nested);
    return { form: form.id, description: `${depth} nested ${kind}s at ${target}`, request: post(form.id, envelope(data)), expect: 'refused' };
  }],
  'many-errors': [2, (random, form, data) => {
    for (const node of nodesOf(data)) if (node.kind !== 'object' && node.kind !== 'array' && node.pointer !== '') setAt(data, node.pointer, wrongType(random, node.value).value);
    for (const array of form.arrays.flatMap((p) => pointersOf(data, p))) {
      setAt(data, array, Array.from({ length: random.int(10, 200) }, () => ({ x: random.int(0, 9) })));
    }
    return { form: form.id, description: 'every leaf of a wrong type, arrays of 10–200 wrong items', request: post(form.id, envelope(data)) };
  }],
  'duplicate-keys': [1, (random, form, data) => {
    const other = cloneJson(data);
    const target = random.pick(nodesOf(other).filter((n) => n.kind === 'string'));
    setAt(other, target.pointer, hostileText(random).text);
    const body = random.chance(0.5) ? `{"data":${toJsonText(data)},"data":${toJsonText(other)}}` : `{"data":${toJsonText(other).replace(/^\{/, `{"${Object.keys(data)[0] ?? 'x'}":1,`)}}`;
    return { form: form.id, description: 'duplicate keys', request: post(form.id, body) };
  }],
  'body-shape': [3, (random, form, data) => {
    const json = toJsonText(data);
    const shapes: Array<[string, string]> = [
      ['array', '[]'], ['string', '"x"'], ['null', 'null'], ['number', '1'], ['true', 'true'], ['empty object', '{}'],
      ['data null', '{"data":null}'], ['data array', `{"data":[${json}]}`], ['data string', '{"data":"x"}'], ['data empty', '{"data":{}}'],
      ['extra member', `{"data":${json},"extra":1}`], ['Data capitalised', `{"Data":${json}}`], ['wrapped in array', `[{"data":${json}}]`],
      ['bare answers', json], ['whitespace only', ' \n\t '], ['empty body', ''],
    ];
    const [label, body] = random.pick(shapes);
    return { form: form.id, description: `body is ${label}`, request: post(form.id, body), expect: 'refused' };
  }],
  'content-type': [4, (random, form, data) => {
    const json = envelope(data);
    const variants: Array<[string, Record<string, string>, Buffer | string]> = [
      ['no content-type', {}, json],
      ['text/plain', { 'content-type': 'text/plain' }, json],
      ['urlencoded', { 'content-type': 'application/x-www-form-urlencoded' }, `data=${percentEncode(json)}`],
      ['multipart', { 'content-type': 'multipart/form-data; boundary=x' }, `--x\r\ncontent-disposition: form-data; name="data"\r\n\r\n${json}\r\n--x--`],
      ['utf-16 charset', { 'content-type': 'application/json; charset=utf-16' }, Buffer.from(json, 'utf16le')],
      ['latin1 charset', { 'content-type': 'application/json; charset=latin1' }, Buffer.from(json, 'latin1')],
      ['merge-patch+json', { 'content-type': 'application/merge-patch+json' }, json],
      ['application/jsonx', { 'content-type': 'application/jsonx' }, json],
      ['upper case', { 'content-type': 'APPLICATION/JSON' }, json],
      ['list of types', { 'content-type': 'application/json, text/plain' }, json],
      ['wildcard', { 'content-type': '*/*' }, json],
      ['long parameter', { 'content-type': `application/json; x=${'a'.repeat(4000)}` }, json],
      ['gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, gzipSync(json)],
      ['bogus gzip', { 'content-type': 'application/json', 'content-encoding': 'gzip' }, json],
      ['deflate', { 'content-type': 'application/json', 'content-encoding': 'deflate' }, json],
      ['br', { 'content-type': 'application/json', 'content-encoding': 'br' }, json],
      ['unknown encoding', { 'content-type': 'application/json', 'content-encoding': 'x-zip' }, json],
    ];
    const [label, headers, body] = random.pick(variants);
    return { form: form.id, description: `content type: ${label}`, request: post(form.id, body, headers) };
  }],
  'invalid-json': [3, (random, form, data) => {
    const json = envelope(data);
    const at = random.int(1, json.length - 1);
    const variants: Array<[string, string | Buffer]> = [
      ['random character inserted', `${json.slice(0, at)}${random.pick(['{', '}', '"', ',', ':', '\\', 'x', '\u0000'])}${json.slice(at)}`],
      ['single quotes', json.replace(/"/g, "'")],
      ['trailing comma', json.replace(/}$/, ',}')],
      ['byte order mark', `\ufeff${json}`],
      ['trailing garbage', `${json} garbage`],
      ['comment', `/* x */${json}`],
      ['NaN literal', json.replace(/:(true|false|"[^"]*")/, ':NaN')],
      ['raw control character in a string', json.replace(/"([^"]{2})/, '"\u0001$1')],
      ['bad escape', json.replace(/"([^"]{2})/, '"\\x41$1')],
      ['unpaired \\u escape', json.replace(/"([^"]{2})/, '"\\u12$1')],
      ['invalid UTF-8 bytes', Buffer.concat([Buffer.from(json.slice(0, json.indexOf('"', 10) + 1)), Buffer.from([0xff, 0xfe, 0xc0, 0xaf, 0xed, 0xa0, 0x80]), Buffer.from(json.slice(json.indexOf('"', 10) + 1))])],
    ];
    const [label, body] = random.pick(variants);
    return { form: form.id, description: `invalid JSON: ${label}`, request: post(form.id, body) };
  }],
  truncated: [3, (random, form, data) => {
    const json = envelope(data);
    const at = random.int(0, json.length - 1);
    return { form: form.id, description: `truncated after ${at} of ${json.length} characters`, request: post(form.id, json.slice(0, at)), expect: 'refused' };
  }],
  'unknown-form': [2, (random, form, data) => {
    const id = random.pick(['nope', '__proto__', 'constructor', 'hasOwnProperty', 'toString', 'HUNDESTEUER-ANMELDUNG', ` ${form.id}`, `${form.id}/`, 'a'.repeat(3000), hostileText(random).text, '..', '%2e%2e', '\u0000']);
    const request = post(id, envelope(data));
    return { form: form.id, description: `form id ${short(id)}`, request, expect: 'refused' };
  }],
  headers: [1, (random, form, data) => {
    const language = random.pick(['en;q=abc', '*', 'x'.repeat(8000), 'de-DE,en;q=0.9,'.repeat(400), 'en-US;q=1e308', 'ü', ';;;,,,', 'zh-Hant-TW-x-private-a-b-c-d']);
    return { form: form.id, description: `accept-language ${short(language, 20)}`, request: post(form.id, envelope(data), { ...JSON_HEADERS, 'accept-language': language }) };
  }],
  oversized: [1, (random, form, data, ctx) => {
    const json = envelope(data);
    const pad = ctx.bodyLimitBytes - json.length + random.int(1, 100_000);
    const body = `{"data":${toJsonText(data).replace(/^\{/, `{"pad":"${'x'.repeat(pad)}",`)}}`;
    return { form: form.id, description: `body of ${body.length} bytes (limit ${ctx.bodyLimitBytes})`, request: post(form.id, body), expect: 'refused' };
  }],
  aborted: [1, (random, form, data) => {
    const body = Buffer.from(envelope(data));
    return { form: form.id, description: 'upload hangs up halfway', request: { ...post(form.id, body), abortAfterBytes: random.int(1, body.length - 1) } };
  }],
  'api-get': [3, (random, form) => {
    const reference = random.pick(['ABCD-EFGH-J', 'abcd-efgh-j', '2222-2222-2', '__proto__', 'x'.repeat(3000), percentEncode(hostileText(random).text), '%00', '%', '..%2f..%2f']);
    const token = random.pick(['', `token=${'A'.repeat(43)}`, 'token=a&token=b', `token=${'x'.repeat(10_000)}`, `token=${percentEncode(hostileText(random).text)}`, 'token[]=x', 'token[__proto__]=x']);
    const path = random.pick([
      `/api/submissions/${reference}?${token}`,
      `/api/submissions/${reference}/receipt.pdf?${token}`,
      `/api/forms/${percentEncode(random.pick([form.id, '__proto__', 'x', hostileText(random).text]))}`,
      '/api/forms', '/api/openapi.json', '/healthz', '/api/forms/%/submissions', '//api//forms', `/api/${'a/'.repeat(500)}`,
    ]);
    return { form: form.id, description: `GET ${short(path, 50)}`, request: { method: 'GET', path, headers: {} } };
  }],
};

/** Large inputs, each run alone; the first in this list come first in short runs. */
const giantMutations: Record<string, Mutation> = {
  'giant-array': (_random, form, data, ctx) => {
    const target = form.arrays.filter((p) => !p.includes('*'))[0] ?? '/x';
    const room = ctx.bodyLimitBytes - envelope(data).length - 64;
    const count = Math.floor(room / 3);
    setAt(data, target, new RawJson(`[${Array.from({ length: count }, () => '{}').join(',')}]`));
    return { form: form.id, description: `${count} empty objects in ${target}`, request: post(form.id, envelope(data)) };
  },
  'giant-string': (random, form, data, ctx) => {
    const target = random.pick(textPointers(form, data, (f) => f.freeText));
    const room = ctx.bodyLimitBytes - envelope(data).length - 64;
    const unit = random.pick(['A', 'ä', ' ', 'ⵜ\u200d']);
    setAt(data, target, unit.repeat(Math.floor(room / Buffer.byteLength(unit))));
    return { form: form.id, description: `${Math.floor(room / 1024)} KiB string of ${short(unit, 8)} in ${target}`, request: post(form.id, envelope(data)) };
  },
  'giant-keys': (_random, form, data, ctx) => {
    const extra: Data = {};
    const count = Math.floor((ctx.bodyLimitBytes - envelope(data).length - 64) / 12);
    for (let i = 0; i < count; i++) extra[`k${i.toString(36).padStart(5, '0')}`] = 1;
    Object.assign(data, extra);
    return { form: form.id, description: `${count} unknown keys in data`, request: post(form.id, envelope(data)) };
  },
  'giant-array-of-strings': (_random, form, data, ctx) => {
    const target = form.arrays.filter((p) => !p.includes('*'))[0] ?? '/x';
    const count = Math.floor((ctx.bodyLimitBytes - envelope(data).length - 64) / 9);
    setAt(data, target, new RawJson(`[${Array.from({ length: count }, () => '"\\u0001"').join(',')}]`));
    return { form: form.id, description: `${count} strings with a control character in ${target}`, request: post(form.id, envelope(data)) };
  },
  'gzip-bomb': (_random, form, data) => {
    const json = envelope(data);
    const inflated = `${json.slice(0, -1)}${' '.repeat(64 * 1024 * 1024)}}`;
    return { form: form.id, description: `gzip body inflating to ${Math.round(inflated.length / 1048576)} MiB`, request: post(form.id, gzipSync(inflated, { level: 9 }), { ...JSON_HEADERS, 'content-encoding': 'gzip' }), expect: 'refused' };
  },
};

export const API_GIANT_KINDS = Object.keys(giantMutations);

/** Giant lists need a form with a list (the dogs of hundesteuer-anmeldung). */
const NEEDS_LIST = new Set(['giant-array', 'giant-array-of-strings']);

function baseOf(random: Random, ctx: ApiContext, validOnly: boolean, needsList = false): { form: CatalogForm; data: Data; valid: boolean; name: string } {
  const withLists = ctx.forms.filter((f) => f.arrays.some((a) => !a.includes('*')));
  const form = random.pick(needsList && withLists.length > 0 ? withLists : ctx.forms);
  const pool = validOnly || random.chance(0.75) ? form.examples.filter((e) => e.valid) : form.examples.filter((e) => !e.valid);
  const example = random.pick(pool.length > 0 ? pool : form.examples);
  return { form, data: cloneJson(example.data), valid: example.valid, name: example.name };
}

/** One API case; `giantKind` set for the scheduled large ones. */
export function apiCase(random: Random, ctx: ApiContext, index: number, giantKind?: string): ApiCase {
  if (giantKind !== undefined) {
    const mutate = giantMutations[giantKind];
    if (!mutate) throw new Error(`unknown giant kind ${giantKind}`);
    const { form, data, name } = baseOf(random, ctx, true, NEEDS_LIST.has(giantKind));
    const built = mutate(random, form, data, ctx, index);
    return { kind: 'api', index, mutation: giantKind, giant: true, ...built, description: `${name}: ${built.description}` };
  }
  const entries = Object.entries(mutations);
  const [kind, mutate] = random.weighted(entries.map(([kind, [weight, fn]]) => [weight, [kind, fn]] as const));
  if (random.chance(0.04)) {
    const { form, data, valid, name } = baseOf(random, ctx, false);
    return { kind: 'api', index, mutation: 'example', giant: false, form: form.id, description: `${name} as it is`, request: post(form.id, envelope(data)), expect: valid ? 'accepted' : 'refused' };
  }
  const { form, data, name } = baseOf(random, ctx, false);
  const built = mutate(random, form, data, ctx, index);
  return { kind: 'api', index, mutation: kind, giant: false, ...built, description: `${name}: ${built.description}` };
}
