import type { CompiledForm } from '../../forms/compiled-form';
import { KIND_XSD_TYPES } from '../../forms/kinds/index';
import { PAYLOAD_V1_MESSAGE_TYPE, PAYLOAD_V1_NAMESPACE } from '../xml/v1';
import { DataTypes, GLOBAL_TYPES, nilAttribute, NS_PREFIX, type GlobalType } from './data-types';
import { el, textElement, writeDocument, type XmlNode } from '../../support/xml-writer';

/**
 * The XSD of payload v1 (docs/payload-v1.md#xsd) for one form version: the envelope exactly as
 * src/payloads/xml/v1.ts writes it, with the form's id, version and service key fixed, and `data`
 * typed from the form's JSON Schema. The XSD accepts every payload buildPayloadV1 produces for
 * answers the form accepted; where XSD 1.0 cannot express a JSON Schema rule it is more permissive
 * than the form, never stricter.
 */

const XS = 'http://www.w3.org/2001/XMLSchema';
const NIL_DOC = 'A JSON null: an empty element with nil="true" (an attribute without namespace, not xsi:nil).';
const HEADER_NAMES = ['Submission', 'Header'];

function fixedString(name: string, value: string): XmlNode {
  return el('xs:element', { name, type: 'xs:string', fixed: value });
}

function stringElement(name: string): XmlNode {
  return el('xs:element', { name, type: 'xs:string' });
}

function patterned(name: string, base: string, pattern: string): XmlNode {
  return el('xs:element', { name }, [el('xs:simpleType', {}, [el('xs:restriction', { base }, [el('xs:pattern', { value: pattern })])])]);
}

function group(name: string, children: readonly XmlNode[]): XmlNode {
  return el('xs:element', { name }, [el('xs:complexType', {}, [el('xs:sequence', {}, children)])]);
}

function party(name: string, directory: string): XmlNode {
  return group(name, [fixedString('directory', directory), stringElement('id'), stringElement('name')]);
}

/** The header elements, in the order buildPayloadV1 writes them. */
function headerType(form: CompiledForm): XmlNode {
  const { id, version, serviceKey } = form.definition;
  return el('xs:complexType', { name: 'Header' }, [el('xs:sequence', {}, [
    patterned('messageId', 'xs:string', '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'),
    fixedString('messageType', PAYLOAD_V1_MESSAGE_TYPE),
    patterned('createdAt', 'xs:dateTime', '[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9]{2}:[0-9]{2}:[0-9]{2}\\.[0-9]{3}Z'),
    patterned('reference', 'xs:string', '[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]'),
    group('form', [fixedString('id', id), fixedString('version', version), fixedString('serviceKey', serviceKey)]),
    patterned('regionArs', 'xs:string', '[0-9]{12}'),
    group('tenant', [stringElement('id'), stringElement('name')]),
    party('author', 'efa-forms:tenant'),
    party('reader', 'efa-forms:authority'),
    group('product', [stringElement('name'), stringElement('version')]),
  ])]);
}

function documentation(text: string): XmlNode {
  return el('xs:annotation', {}, [textElement('xs:documentation', text)]);
}

/** Helper types shared by all locations that need them. */
function globalType(name: GlobalType): XmlNode {
  const anyChildren = el('xs:sequence', {}, [el('xs:any', { namespace: '##targetNamespace', processContents: 'skip', minOccurs: 0, maxOccurs: 'unbounded' })]);
  switch (name) {
    case 'AnyValue':
      return el('xs:complexType', { name, mixed: 'true' }, [
        documentation('Any value: the schema does not say enough here (no type, several types, a recursive $ref). Not checked.'),
        anyChildren,
        nilAttribute(),
      ]);
    case 'OpenObject':
      return el('xs:complexType', { name }, [
        documentation('An object that allows properties its schema does not declare. Its content is not checked: XSD 1.0 cannot mix declared elements with a wildcard in the same namespace (Unique Particle Attribution).'),
        anyChildren,
      ]);
    case 'Null':
      return el('xs:complexType', { name }, [documentation(NIL_DOC), el('xs:attribute', { name: 'nil', type: 'xs:boolean', use: 'required' })]);
    case 'Empty':
      return el('xs:simpleType', { name }, [documentation(NIL_DOC), el('xs:restriction', { base: 'xs:string' }, [el('xs:length', { value: 0 })])]);
  }
  // A kind's own type (forms/kinds: the date kind's Date); GLOBAL_TYPES names no other.
  const own = KIND_XSD_TYPES.find((t) => t.typeName === name);
  if (!own) throw new Error(`no global XSD type ${name}`);
  return own.definition(name);
}

/** Builds the XSD for one form version; the same definition always gives the same bytes. */
export function buildXsdV1(form: CompiledForm): string {
  const { id, version } = form.definition;
  const data = new DataTypes(form.definition.schema, form.fields, HEADER_NAMES);
  const dataType = data.dataType();
  const dataElement = el('xs:element', { name: 'data', type: 'qname' in dataType ? dataType.qname : undefined }, 'node' in dataType ? [dataType.node] : []);
  const schema = el('xs:schema', {
    'xmlns:xs': XS,
    [`xmlns:${NS_PREFIX}`]: PAYLOAD_V1_NAMESPACE,
    targetNamespace: PAYLOAD_V1_NAMESPACE,
    elementFormDefault: 'qualified',
    attributeFormDefault: 'unqualified',
    version: `${id} ${version}`,
  }, [
    documentation(`Payload v1 of the form ${id}, version ${version}: see docs/payload-v1.md.`),
    el('xs:element', { name: 'submission', type: `${NS_PREFIX}:Submission` }),
    el('xs:complexType', { name: 'Submission' }, [
      el('xs:sequence', {}, [el('xs:element', { name: 'header', type: `${NS_PREFIX}:Header` }), dataElement]),
      el('xs:attribute', { name: 'version', type: 'xs:string', use: 'required', fixed: '1' }),
    ]),
    headerType(form),
    ...data.definitions,
    ...GLOBAL_TYPES.filter((name) => data.usedGlobals.has(name)).map(globalType),
  ]);
  return writeDocument(schema, `Generated by efa-forms from the form ${id} ${version}. Do not edit.`);
}
