import { DEFAULT_LIMIT, MAX_LIMIT, MAX_SEARCH_TERM_LENGTH, MAX_SEARCH_TERMS } from '../routing-api/query-parameters';

/**
 * The Routing API's part of the OpenAPI document (openapi.ts): the operations of FIT-Connect's
 * Routing API v2 with its parameter names and answer shapes, restated in OpenAPI 3.1, and the
 * JWKS that verifies the routes' signatures. docs/routing-api.md explains them for portals.
 */
export function routingApiPaths(problem: Record<string, string>): Record<string, unknown> {
  const tags = ['routing'];
  const paging = [
    { name: 'offset', in: 'query', required: false, description: 'Start of the page in the whole result.', schema: { type: 'integer', minimum: 0, default: 0 } },
    { name: 'limit', in: 'query', required: false, description: 'Size of the page.', schema: { type: 'integer', minimum: 1, maximum: MAX_LIMIT, default: DEFAULT_LIMIT } },
  ];
  const cached = { 'Cache-Control': { description: 'public, max-age=300: answers change only when tenant files do.', schema: { type: 'string' } } };
  return {
    '/api/routes': {
      get: {
        tags, operationId: 'routes',
        summary: 'The authorities responsible for a service (Leistungsschlüssel) in an area, as FIT-Connect routes',
        description: 'Exactly one of ars, ags and areaId. For a municipality the one responsible authority; for a larger area the authority for the area as a whole first, then those for parts of it. Only responsibilities whose rollout state is live count: a planned, testing or paused one answers as if unserved. Each route carries a destinationSignature verifiable with /.well-known/jwks.json, and the local parameters of its responsibility.',
        parameters: [
          { name: 'leikaKey', in: 'query', required: true, description: "Leistungsschlüssel: the forms' serviceKey.", schema: { type: 'string', pattern: '^99[0-9]{12}$' }, example: '99036011012000' },
          { name: 'ars', in: 'query', required: false, description: 'Amtlicher Regionalschlüssel of the area.', schema: { type: 'string', pattern: '^([0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{9}|[0-9]{12})$' }, example: '160510000000' },
          { name: 'ags', in: 'query', required: false, description: 'Amtlicher Gemeindeschlüssel of the area.', schema: { type: 'string', pattern: '^([0-9]{2}|[0-9]{3}|[0-9]{5}|[0-9]{8})$', examples: ['16051000'] } },
          { name: 'areaId', in: 'query', required: false, description: 'An id from /api/areas (an ARS).', schema: { type: 'string', pattern: '^[0-9]{1,12}$' } },
          ...paging,
        ],
        responses: {
          '200': { description: 'One page of routes.', headers: cached, content: { 'application/json': { schema: { $ref: '#/components/schemas/RouteResult' } } } },
          '400': problem,
        },
      },
    },
    '/api/areas': {
      get: {
        tags, operationId: 'areas',
        summary: 'Areas (Land, district, association, municipality) by name or postal code; their ids are ARS keys',
        parameters: [
          {
            name: 'areaSearchexpression', in: 'query', required: true, style: 'form', explode: true,
            description: 'Search terms, all of which must match: a name where * stands for any characters ("Erf*" finds each area with a word starting with Erf), or a postal code (with * allowed).',
            schema: { type: 'array', minItems: 1, maxItems: MAX_SEARCH_TERMS, items: { type: 'string', maxLength: MAX_SEARCH_TERM_LENGTH, pattern: '^(\\*?([^\\*]{2,})\\*?)*$' } },
            example: 'Erf*',
          },
          ...paging,
        ],
        responses: {
          '200': { description: 'One page of areas, by name.', headers: cached, content: { 'application/json': { schema: { $ref: '#/components/schemas/AreaResult' } } } },
          '400': problem,
        },
      },
    },
    '/api/info': {
      get: {
        tags, operationId: 'routingInfo', summary: 'The version of the Routing API description this API follows (FIT-Connect Routing API 2.0.0)',
        responses: { '200': { description: 'The version.', content: { 'application/json': { schema: { $ref: '#/components/schemas/RoutingInfo' } } } } },
      },
    },
    '/.well-known/jwks.json': {
      get: {
        tags, operationId: 'routingJwks', summary: "The public key that verifies the routes' destinationSignature (RFC 7517)",
        responses: { '200': { description: 'The key set.', headers: cached, content: { 'application/json': { schema: { $ref: '#/components/schemas/Jwks' } } } } },
      },
    },
  };
}

/** German and, when translated, English text. */
function localText({ description }: { readonly description: string }): Record<string, unknown> {
  return { type: 'object', required: ['de'], description, properties: { de: { type: 'string' }, en: { type: 'string' } } };
}

/** FIT-Connect's text members: `{description: {de, en?}}`, HTML. */
function htmlText({ description }: { readonly description: string }): Record<string, unknown> {
  return { type: 'object', required: ['description'], description, properties: { description: localText({ description: 'HTML per language.' }) } };
}

export function routingApiSchemas(): Record<string, unknown> {
  const page = {
    count: { type: 'integer', minimum: 0, maximum: MAX_LIMIT, description: 'Entries on this page.' },
    offset: { type: 'integer', minimum: 0 },
    totalCount: { type: 'integer', minimum: 0, description: 'Entries in the whole result.' },
  };
  const https = { type: 'string', format: 'uri', pattern: '^https://.+' };
  return {
    Route: {
      type: 'object',
      required: ['destinationId', 'destinationSignature', 'destinationName', 'customParameters', 'origin'],
      properties: {
        destinationId: { type: 'string', format: 'uuid', description: 'Stable per authority: UUID v5 of its tenant and authority id.' },
        destinationSignature: { type: 'string', pattern: '^[a-zA-Z0-9\\-_]+?\\.[a-zA-Z0-9\\-_]+?\\.[a-zA-Z0-9\\-_]+$', description: 'Compact JWS (PS512) over the addressing information: iss, submissionHost, services (gebietIDs, leistungIDs), destinationId, iat, jti.' },
        destinationName: { type: 'string', description: "The authority's name." },
        contactPersons: {
          type: 'array', minItems: 1,
          description: "The responsibility's contact persons from its local parameters; without them the authority's functional mailbox.",
          items: { type: 'object', required: ['name'], properties: { name: { type: 'string' }, tel: { type: 'string' }, fax: { type: 'string' }, email: { type: 'string', format: 'email' } } },
        },
        imprintUrl: https,
        privacyPolicyUrl: https,
        accessibilityUrl: https,
        legalBasis: htmlText({ description: 'The legal basis, as escaped HTML: <p>…</p>.' }),
        processingDuration: {
          type: 'object', required: ['minDuration', 'maxDuration', 'unit'],
          properties: { minDuration: { type: 'integer', minimum: 0 }, maxDuration: { type: 'integer', minimum: 0 }, unit: { enum: ['year', 'month', 'week', 'day', 'workday', 'hour'] } },
        },
        requiredDocuments: htmlText({ description: 'The required documents, as escaped HTML: <ul><li>…</li></ul>.' }),
        furtherInformation: htmlText({ description: 'Further information, as escaped HTML: <p>…</p>.' }),
        address: {
          type: 'object', required: ['street', 'zip', 'city'],
          properties: { street: { type: 'string' }, houseNumber: { type: 'string' }, additional: { type: 'string' }, zip: { type: 'string', pattern: '^[0-9]{5}$' }, city: { type: 'string' } },
        },
        customParameters: {
          type: 'object',
          required: ['authorityId', 'tenantId', 'formIds'],
          description: 'What a portal needs to submit through efa-forms: POST /api/forms/{formId}/submissions; and the fee, for which FIT-Connect has no member.',
          properties: {
            authorityId: { type: 'string' }, tenantId: { type: 'string' }, formIds: { type: 'array', items: { type: 'string' } },
            fee: {
              type: 'object', required: ['amountCents', 'currency', 'purpose'],
              properties: { amountCents: { type: 'integer', minimum: 0, description: 'The fee in cents.' }, currency: { const: 'EUR' }, purpose: localText({ description: 'What the fee is for, plain text (not HTML).' }) },
            },
          },
        },
        origin: { const: 'efa-forms' },
      },
    },
    RouteResult: {
      type: 'object', required: ['count', 'offset', 'totalCount', 'routes'],
      properties: { ...page, routes: { type: 'array', maxItems: MAX_LIMIT, items: { $ref: '#/components/schemas/Route' } } },
    },
    Area: {
      type: 'object', required: ['id', 'name', 'type'],
      properties: {
        id: { type: 'string', pattern: '^[0-9]{2,12}$', description: 'The ARS of the area.' },
        name: { type: 'string' },
        type: { type: 'string', description: 'Bundesland, Kreis, Landkreis, Verwaltungsgemeinschaft, Gemeinde, Stadt, Kreisfreie Stadt …' },
      },
    },
    AreaResult: {
      type: 'object', required: ['count', 'offset', 'totalCount', 'areas'],
      properties: { ...page, areas: { type: 'array', maxItems: MAX_LIMIT, items: { $ref: '#/components/schemas/Area' } } },
    },
    RoutingInfo: {
      type: 'object', required: ['version'],
      properties: { version: { type: 'object', required: ['major', 'minor', 'patch'], properties: { major: { type: 'integer' }, minor: { type: 'integer' }, patch: { type: 'integer' } } } },
    },
    Jwks: {
      type: 'object', required: ['keys'],
      properties: {
        keys: {
          type: 'array', minItems: 1,
          items: {
            type: 'object', required: ['kty', 'n', 'e', 'kid', 'alg', 'use', 'key_ops'],
            properties: {
              kty: { const: 'RSA' }, n: { type: 'string' }, e: { const: 'AQAB' }, kid: { type: 'string', description: 'RFC 7638 thumbprint; the JWS header names it.' },
              alg: { const: 'PS512' }, use: { const: 'sig' }, key_ops: { const: ['verify'] },
            },
          },
        },
      },
    },
  };
}
