/**
 * The coverage report's part of the OpenAPI document (openapi.ts): GET /api/admin/coverage and
 * the shape of its report (src/coverage/coverage.ts); docs/operators.md explains the numbers.
 */
export function coveragePaths(admin: Record<string, unknown>, problem: Record<string, string>): Record<string, unknown> {
  return {
    '/api/admin/coverage': {
      get: {
        ...admin, operationId: 'coverage',
        summary: 'How many municipalities and inhabitants can apply online, per form, tenant and district (Kreis), with the municipalities still missing',
        parameters: [
          { name: 'tenant', in: 'query', required: false, description: 'Only this tenant.', schema: { type: 'string' } },
          { name: 'form', in: 'query', required: false, description: 'Only this form.', schema: { type: 'string' } },
        ],
        responses: {
          '200': {
            description: 'The report: JSON, or CSV with `Accept: text/csv` (RFC 4180, comma-separated, header row, one row per form, tenant and area; see docs/operators.md).',
            content: { 'application/json': { schema: { $ref: '#/components/schemas/CoverageReport' } }, 'text/csv': { schema: { type: 'string' } } },
          },
          '400': problem, '401': problem,
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
  };
  return {
    CoverageCount: count,
    CoverageReport: {
      type: 'object', required: ['generatedAt', 'items'],
      properties: {
        generatedAt: { type: 'string', format: 'date-time' },
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
              state: { type: 'object', description: 'The whole tenant.', required: ['municipalities', 'inhabitants', 'complete'], properties: area },
              districts: {
                type: 'array', description: 'Districts (first 5 digits of the ARS) with at least one municipality, in key order.',
                items: {
                  type: 'object', required: ['key', 'name', 'municipalities', 'inhabitants', 'complete', 'missing'],
                  properties: {
                    key: { type: 'string', pattern: '^[0-9]{5}$' }, name: { type: 'string', description: "From the tenant's districts; the key when it names none." },
                    ...area,
                    missing: {
                      type: 'array', description: 'Municipalities that cannot apply online yet, in ARS order.',
                      items: { type: 'object', required: ['ars', 'name'], properties: { ars: { type: 'string', pattern: '^[0-9]{12}$' }, name: { type: 'string' } } },
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
