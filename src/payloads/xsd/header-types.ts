import type { CompiledForm } from '../../forms/compiled-form';
import { el, type XmlNode } from '../../support/xml-writer';
import { PAYLOAD_V1_MESSAGE_TYPE } from '../xml/v1';
import { NS_PREFIX } from './data-types';

/**
 * The header part of the payload v1 XSD: the envelope exactly as src/payloads/xml/v1.ts writes it,
 * with the form's id, version and service key fixed, and the optional local parameters
 * (src/payloads/xml/parameters-v1.ts), test mark and attachments (attachments-v1.ts) at its end.
 */

/** The global type names this file defines; data types must not take them. */
export const HEADER_TYPE_NAMES: readonly string[] = ['Header', 'Parameters', 'LocalText', 'Attachments'];

const DURATION_UNITS = ['year', 'month', 'week', 'day', 'workday', 'hour'] as const;

function typed(name: string, type: string, occurs: { minOccurs?: number; maxOccurs?: string } = {}): XmlNode {
  return el('xs:element', { name, type, ...occurs });
}

function fixedString(name: string, value: string): XmlNode {
  return el('xs:element', { name, type: 'xs:string', fixed: value });
}

function stringElement(name: string): XmlNode {
  return typed(name, 'xs:string');
}

function optionalString(name: string): XmlNode {
  return typed(name, 'xs:string', { minOccurs: 0 });
}

function patterned(name: string, base: string, pattern: string): XmlNode {
  return el('xs:element', { name }, [el('xs:simpleType', {}, [el('xs:restriction', { base }, [el('xs:pattern', { value: pattern })])])]);
}

function group(name: string, children: readonly XmlNode[], occurs: { minOccurs?: number; maxOccurs?: string } = {}): XmlNode {
  return el('xs:element', { name, ...occurs }, [el('xs:complexType', {}, [el('xs:sequence', {}, children)])]);
}

function party(name: string, directory: string): XmlNode {
  return group(name, [fixedString('directory', directory), stringElement('id'), stringElement('name')]);
}

const localText = (name: string, occurs: { minOccurs?: number; maxOccurs?: string } = {}): XmlNode => typed(name, `${NS_PREFIX}:LocalText`, occurs);
const OPTIONAL = { minOccurs: 0 } as const;

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
    typed('parameters', `${NS_PREFIX}:Parameters`, OPTIONAL),
    el('xs:element', { name: 'test', type: 'xs:boolean', fixed: 'true', minOccurs: 0 }),
    typed('attachments', `${NS_PREFIX}:Attachments`, OPTIONAL),
  ])]);
}

/**
 * The uploaded files, as attachments-v1.ts writes them: at least one (the builder writes no empty
 * list). The id is a UUID in either case, the media type any type/subtype (the accepted types may
 * grow; the XSD is never stricter than what is produced), the size at least one byte, the SHA-512
 * 128 lower-case hex digits.
 */
function attachmentsType(): XmlNode {
  const mediaType = patterned('mediaType', 'xs:string', '[a-z0-9][a-z0-9!#$&^_.+-]*/[a-z0-9][a-z0-9!#$&^_.+-]*');
  const fileName = el('xs:element', { name: 'fileName' }, [el('xs:simpleType', {}, [el('xs:restriction', { base: 'xs:string' }, [el('xs:minLength', { value: 1 })])])]);
  return el('xs:complexType', { name: 'Attachments' }, [el('xs:sequence', {}, [group('attachment', [
    patterned('id', 'xs:string', '[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}'),
    fileName,
    mediaType,
    typed('size', 'xs:positiveInteger'),
    patterned('sha512', 'xs:string', '[0-9a-f]{128}'),
    typed('virusScanned', 'xs:boolean'),
  ], { maxOccurs: 'unbounded' })])]);
}

/** The local parameters, each optional, in the order parameters-v1.ts writes them. */
function parametersType(): XmlNode {
  const unit = el('xs:element', { name: 'unit' }, [el('xs:simpleType', {}, [
    el('xs:restriction', { base: 'xs:string' }, DURATION_UNITS.map((value) => el('xs:enumeration', { value }))),
  ])]);
  return el('xs:complexType', { name: 'Parameters' }, [el('xs:sequence', {}, [
    group('fee', [
      typed('amountCents', 'xs:nonNegativeInteger'),
      patterned('amount', 'xs:decimal', '[0-9]+\\.[0-9]{2}'),
      fixedString('currency', 'EUR'),
      localText('purpose'),
    ], OPTIONAL),
    localText('legalBasis', OPTIONAL),
    group('processingDuration', [typed('min', 'xs:nonNegativeInteger'), typed('max', 'xs:nonNegativeInteger'), unit], OPTIONAL),
    group('requiredDocuments', [localText('document', { maxOccurs: 'unbounded' })], OPTIONAL),
    localText('furtherInformation', OPTIONAL),
    group('contactPersons', [group('contactPerson', [
      stringElement('name'), localText('role', OPTIONAL), optionalString('tel'), optionalString('fax'), optionalString('email'),
    ], { maxOccurs: 'unbounded' })], OPTIONAL),
    group('address', [stringElement('street'), optionalString('houseNumber'), optionalString('additional'), stringElement('zip'), stringElement('city')], OPTIONAL),
  ])]);
}

/** A text in German with an optional English translation. */
function localTextType(): XmlNode {
  return el('xs:complexType', { name: 'LocalText' }, [el('xs:sequence', {}, [stringElement('de'), optionalString('en')])]);
}

/** The header's named types, in this order in every XSD. */
export function headerTypes(form: CompiledForm): XmlNode[] {
  return [headerType(form), parametersType(), localTextType(), attachmentsType()];
}
