/**
 * The coverage report's part of the OpenAPI document (openapi.ts): GET /api/admin/coverage and
 * the shape of its report (src/coverage/coverage.ts, the authorities section
 * src/coverage/coverage-authorities.ts); docs/operators.md explains the numbers.
 */
export function coveragePaths(admin: Record<string, unknown>, problem: Record<string, string>): Record<string, unknown> {
  return {
    '/api/admin/coverage': {
      get: {
        ...admin, operationId: 'coverage',
        summary: 'How many municipalities and inhabitants can apply online, per form, tenant and district (Kreis), with the municipalities still missing, and per authority its rollout counts and last deliveries',
        parameters: [
          {
            name: 'tenant', in: 'query', required: false,
            description: 'Only this tenant. A tenant operator\'s report is its own tenant\'s; naming any other tenant answers 400 INVALID_PARAMETER exactly as an unknown tenant does (the detail lists only the caller\'s own tenant as known), never 404: a query naming a tenant is a parameter error, while objects asked for by id answer 404.',
            schema: { type: 'string' },
          },
          { name: 'form', in: 'query', required: false, description: 'Only this form (also in the authorities section: only the responsibilities naming it).', schema: { type: 'string' } },
          {
            name: 'csv', in: 'query', required: false,
            description: 'Which table a CSV answer holds: `areas` (default; one row per form, tenant and area) or `authorities` (one row per authority). The JSON answer always holds both.',
            schema: { type: 'string', enum: ['areas', 'authorities'], default: 'areas' },
          },
        ],
        responses: {
          '200': {
            description: 'The report: JSON, or CSV with `Accept: text/csv` (RFC 4180, comma-separated, header row; `?csv=` chooses the table; see docs/operators.md).',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CoverageReport' } }, 'text/csv': { schema: { type: 'string' } } },
          },
          '400': { ...problem, description: 'INVALID_PARAMETER: an unknown form, CSV table or tenant; for a tenant operator any tenant but its own counts as unknown.' },
          '401': problem,
        },
      },
    },
  };
}

/** The report of GET /api/admin/coverage. */
export function coverageSchemas(): Record<string, unknown> {
  const count = {
    type: 'object', required: ['total', 'online', 'percent'],
    properties: {
      total: { type: 'integer' }, online: { type: 'integer' },
      percent: { type: ['number', 'null'], description: 'online / total in percent, rounded down to one decimal (100 only when all); null when total is 0.' },
    },
  };
  const area = {
    municipalities: { $ref: '#/components/schemas/CoverageCount' },
    inhabitants: {
      allOf: [{ $ref: '#/components/schemas/CoverageCount' }],
      type: 'object', required: ['populationUnknown'],
      properties: { populationUnknown: { type: 'integer', description: 'Municipalities without a population; they count as 0 inhabitants.' } },
    },
    complete: { type: 'boolean', description: 'Every municipality of the area can apply online (flaechendeckend).' },
    notLive: {
      type: 'object', required: ['planned', 'testing', 'paused'],
      description: 'Not online, but an authority is responsible and its route is planned, testing or paused: municipalities and inhabitants per state, counted apart from online (they are among the missing).',
      properties: Object.fromEntries(['planned', 'testing', 'paused'].map((state) => [state, { $ref: '#/components/schemas/CoverageRolloutCount' }])),
    },
  };
  const areaRequired = ['municipalities', 'inhabitants', 'complete', 'notLive'];
  const deliveryTime = (what: string) => ({
    type: ['string', 'null'], format: 'date-time',
    description: `When the authority's channel last took ${what} (null: never). Only when deliveriesKnown.`,
  });
  return {
    CoverageCount: count,
    CoverageRolloutCount: {
      type: 'object', required: ['municipalities', 'inhabitants'],
      properties: { municipalities: { type: 'integer' }, inhabitants: { type: 'integer' } },
    },
    CoverageAuthority: {
      type: 'object', required: ['id', 'name', 'channel', 'responsibilities'],
      properties: {
        id: { type: 'string' }, name: { type: 'string' }, channel: { type: 'string', enum: ['http', 'email', 'inbox'] },
        responsibilities: {
          type: 'object', required: ['planned', 'testing', 'live', 'paused'],
          description: 'How many of its responsibilities (serves entries; with ?form=, those naming the form) are in each rollout state.',
          properties: Object.fromEntries(['planned', 'testing', 'live', 'paused'].map((state) => [state, { type: 'integer', minimum: 0 }])),
        },
        lastSuccessfulTestAt: deliveryTime('a test delivery'),
        lastRealDeliveryAt: deliveryTime('a real (not test) delivery'),
        liveWithoutDelivery: {
          type: 'boolean',
          description: 'It has a live responsibility, and its channel never took a delivery, test or real: send a test delivery. Only when deliveriesKnown.',
        },
      },
    },
    CoverageReport: {
      type: 'object', required: ['generatedAt', 'items', 'deliveriesKnown', 'authorities'],
      properties: {
        generatedAt: { type: 'string', format: 'date-time' },
        deliveriesKnown: {
          type: 'boolean',
          description: 'Whether the last deliveries were read from the store (always over HTTP; the CLI without a database in DATA_DIR: false, and the authorities carry no delivery fields).',
        },
        authorities: {
          type: 'array', description: 'Per tenant (the same filters, the same scope), its authorities in the order of its file.',
          items: {
            type: 'object', required: ['tenant', 'authorities'],
            properties: {
              tenant: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { $ref: '#/components/schemas/LocalText' } } },
              authorities: { type: 'array', items: { $ref: '#/components/schemas/CoverageAuthority' } },
            },
          },
        },
        items: {
          type: 'array', description: 'One per form and tenant.',
          items: {
            type: 'object', required: ['form', 'tenant', 'state', 'districts'],
            properties: {
              form: { type: 'object', required: ['id', 'title'], properties: { id: { type: 'string' }, title: { $ref: '#/components/schemas/LocalText' } } },
              tenant: {
                type: 'object', required: ['id', 'name', 'regions'],
                properties: { id: { type: 'string' }, name: { $ref: '#/components/schemas/LocalText' }, regions: { type: 'array', items: { type: 'string' } } },
              },
              state: { type: 'object', description: 'The whole tenant.', required: areaRequired, properties: area },
              districts: {
                type: 'array', description: 'Districts (first 5 digits of the ARS) with at least one municipality, in key order.',
                items: {
                  type: 'object', required: ['key', 'name', ...areaRequired, 'missing'],
                  properties: {
                    key: { type: 'string', pattern: '^[0-9]{5}$' }, name: { type: 'string', description: "From the tenant's districts; the key when it names none." },
                    ...area,
                    missing: {
                      type: 'array', description: 'Municipalities that cannot apply online yet, in ARS order.',
                      items: {
                        type: 'object', required: ['ars', 'name'],
                        properties: {
                          ars: { type: 'string', pattern: '^[0-9]{12}$' }, name: { type: 'string' },
                          rollout: {
                            type: 'string', enum: ['planned', 'testing', 'paused'],
                            description: 'When an authority is responsible, but its route is not live: its rollout state (absent: nobody is responsible).',
                          },
                          plannedFrom: { type: 'string', format: 'date', description: 'With rollout planned: the day it is meant to go live, when the tenant file says.' },
                        },
                      },
                    },
                  },
                },
              },
            },
          },
        },
      },
    },
  };
}
