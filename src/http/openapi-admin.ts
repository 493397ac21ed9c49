/**
 * The operators' part of the OpenAPI document (openapi.ts): deliveries, a submission's trail, the
 * operator audit trail, reload and the loaded versions (the coverage report is openapi-coverage.ts).
 * Every operation takes the installation admin's token or a tenant operator's; what a tenant
 * operator sees is its own tenant only (docs/operators.md, "Operators per tenant").
 */

/** The security of every admin operation: either kind of operator token. */
export const ADMIN_SECURITY = [{ AdminToken: [] }, { OperatorToken: [] }];

/** Said by every scoped operation (a `description`, so the citizen-text scan knows it for documentation). */
/**
 * The scoping rule every admin operation states. Objects asked for by id (a job, a reference, an
 * authority) that belong to another tenant answer 404 as unknown ones; a query parameter naming
 * another tenant is a parameter error (400), answered as for a tenant that does not exist.
 */
const SCOPE = {
  description: 'A tenant operator sees only what belongs to its own tenant; the installation admin sees every tenant. Another tenant\'s object asked for by id answers 404, exactly as an unknown id does; a query parameter naming another tenant (`?tenant=`) answers 400 INVALID_PARAMETER, exactly as an unknown tenant does. Either way nothing tells that the other tenant or its object exists.',
};

export function adminSecuritySchemes(): Record<string, unknown> {
  return {
    AdminToken: { type: 'http', scheme: 'bearer', description: "The installation admin's token (its SHA-256 is ADMIN_TOKEN_HASH): every tenant. Also the only token /metrics takes." },
    OperatorToken: {
      type: 'http', scheme: 'bearer',
      description: "A tenant operator's token (its SHA-256 is in the tenant file's `operators`, or in the variable it names): the admin API for that tenant only. Another tenant's job or reference answers 404, exactly as one that does not exist.",
    },
  };
}

export function adminPaths(admin: Record<string, unknown>, problem: Record<string, string>): Record<string, unknown> {
  const reference = { name: 'reference', in: 'path', required: true, schema: { type: 'string', examples: ['K7M3-Q9XD-P'] } };
  const limit = (fallback: number) => ({ name: 'limit', in: 'query', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: fallback } });
  const versions = { 'application/json': { schema: { $ref: '#/components/schemas/LoadedVersions' } } };
  return {
    '/api/admin/deliveries': {
      get: {
        ...admin, operationId: 'listDeliveries', summary: 'Delivery jobs in one state, oldest first',
        description: `${SCOPE.description} A tenant operator gets the jobs of its tenant's authorities.`,
        parameters: [
          { name: 'state', in: 'query', required: false, schema: { enum: ['pending', 'in_flight', 'delivered', 'failed', 'dead'], default: 'dead' } },
          limit(100),
        ],
        responses: {
          '200': { description: 'Jobs (never their payload).', content: { 'application/json': { schema: { type: 'object', properties: { state: { type: 'string' }, items: { type: 'array', items: { $ref: '#/components/schemas/DeliveryJob' } } } } } } },
          '400': problem, '401': problem,
        },
      },
    },
    '/api/admin/deliveries/{jobId}/retry': {
      post: {
        ...admin, operationId: 'retryDelivery', summary: 'Makes a failed or dead job pending again, due now, with a fresh give-up period',
        description: `${SCOPE.description} A job of another tenant's authority answers 404 DELIVERY_NOT_FOUND (never 403: nothing tells that it exists) and is not retried. Every call is written to the operator audit trail (action delivery.retry, outcome ok or refused).`,
        parameters: [{ name: 'jobId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: { '200': { description: 'The job, now pending.', content: { 'application/json': { schema: { $ref: '#/components/schemas/DeliveryJob' } } } }, '401': problem, '404': problem, '409': problem, '410': problem },
      },
    },
    '/api/admin/submissions/{reference}': {
      get: {
        ...admin, operationId: 'auditTrail', summary: "A submission's status and audit trail (events with details, no personal data)",
        description: `${SCOPE.description} Another tenant's reference answers 404 SUBMISSION_NOT_FOUND, as an unknown one does.`,
        parameters: [reference],
        responses: { '200': { description: 'Status and events.', content: { 'application/json': { schema: { type: 'object' } } } }, '401': problem, '404': problem },
      },
    },
    '/api/admin/audit': {
      get: {
        ...admin, operationId: 'operatorAudit', summary: 'The operator audit trail: who did what, when, newest first (no personal data)',
        description: `${SCOPE.description} A tenant operator gets its tenant's entries (its own and the admin's actions on that tenant); entries of the whole installation (a reload, a refused request for a job the caller may not see) have no tenant and only the admin sees them; calls refused for no or a wrong token are not recorded. A ?tenant= naming any tenant but the caller's own answers 400 INVALID_PARAMETER with the same document as an unknown tenant (its detail names only the caller's own tenant as known).`,
        parameters: [
          { name: 'tenant', in: 'query', required: false, description: "Only this tenant's entries (the admin: any tenant id; a tenant operator: its own only).", schema: { type: 'string' } },
          limit(100),
        ],
        responses: {
          '200': { description: 'Entries, newest first.', content: { 'application/json': { schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: '#/components/schemas/OperatorAuditEntry' } } } } } } },
          '400': problem, '401': problem,
        },
      },
    },
    '/api/admin/authorities': {
      get: {
        ...admin, operationId: 'listAuthorities', summary: 'Authorities with their responsibilities, rollout states and last deliveries (real and test)',
        description: `${SCOPE.description} \`liveWithoutDelivery\` flags an authority with a live responsibility whose channel has never taken a delivery, real or test.`,
        responses: {
          '200': { description: 'The authorities.', content: { 'application/json': { schema: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: { $ref: '#/components/schemas/AuthorityStatus' } } } } } } },
          '401': problem,
        },
      },
    },
    '/api/admin/authorities/{authorityId}/test-delivery': {
      post: {
        ...admin, operationId: 'testDelivery', summary: "Sends a test payload over the authority's real channel and answers with the outcome",
        description: `${SCOPE.description} The test is a submission of its own, marked as a test in the payload header (\`<test>true</test>\`), by the HTTP header \`efa-test: true\` or the e-mail subject prefix \`[TEST] \` and header \`X-Efa-Test: true\`; sealed to the authority's key, signed, with its client certificate. It is tried at once and not retried when it fails. Inbox: queued until the authority fetches it. Another tenant's authority answers 404 AUTHORITY_NOT_FOUND as an unknown one. Written to the operator audit trail. No request body.`,
        parameters: [{ name: 'authorityId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '200': { description: 'The outcome.', content: { 'application/json': { schema: { $ref: '#/components/schemas/TestDeliveryResult' } } } },
          '401': problem, '404': problem,
        },
      },
    },
    '/api/admin/authorities/{authorityId}/test-links': {
      post: {
        ...admin, operationId: 'issueTestLink', summary: "A link for the authority's testers: the real pages, its testing route allowed, every submission a test",
        description: `${SCOPE.description} Body: none, or \`{"formId": "...", "validDays": 1..90}\` (default: the first form the authority serves, 14 days). The token is in the link only; the store keeps its SHA-256. Another tenant's authority answers 404.`,
        parameters: [{ name: 'authorityId', in: 'path', required: true, schema: { type: 'string' } }],
        responses: {
          '201': { description: 'The link (shown once).', content: { 'application/json': { schema: { $ref: '#/components/schemas/TestLink' } } } },
          '400': problem, '401': problem, '404': problem,
        },
      },
    },
    '/api/admin/reload': {
      post: {
        ...admin, operationId: 'reload', summary: 'Reads forms and tenant files again; serves the new set only when it has no problems',
        description: 'The files are the whole installation\'s, so any operator may reload; the reload is written to the operator audit trail (not attributed to a tenant). No request body. A tenant operator sees only its own tenant file among the versions.',
        responses: {
          '200': { description: 'Reloaded: the versions now served.', content: versions },
          '401': problem,
          '422': {
            description: 'CONFIGURATION_REFUSED: the new set has problems; the running one stays. `problems` lists them as `file: pointer: reason` lines, as the start-up does. The admin gets every line; a tenant operator only lines that name no other tenant\'s file and no other tenant\'s operator (its own tenant file, the forms and other shared files), and `problemsInOtherTenants` counts the lines left out.',
            content: {
              'application/problem+json': {
                schema: {
                  allOf: [{ $ref: '#/components/schemas/Problem' }], type: 'object', required: ['problems'],
                  properties: {
                    problems: { type: 'array', items: { type: 'string' } },
                    problemsInOtherTenants: { type: 'integer', minimum: 1, description: 'Only for a tenant operator, and only when lines were left out: how many.' },
                  },
                },
              },
            },
          },
        },
      },
    },
    '/api/admin/config': {
      get: {
        ...admin, operationId: 'loadedConfiguration', summary: 'Which version (SHA-256, time) of each form and tenant file is served',
        description: 'Forms are shared by every tenant; a tenant operator sees only its own tenant file.',
        responses: { '200': { description: 'The loaded versions.', content: versions }, '401': problem },
      },
    },
  };
}

export function adminSchemas(): Record<string, unknown> {
  const file = { file: { type: 'string' }, sha256: { type: 'string', pattern: '^[0-9a-f]{64}$' }, loadedAt: { type: 'string', format: 'date-time' } };
  return {
    DeliveryJob: {
      type: 'object',
      required: ['id', 'submissionId', 'authorityId', 'channel', 'state', 'attempts', 'nextAttemptAt', 'lastError', 'createdAt'],
      properties: {
        id: { type: 'string' }, submissionId: { type: 'string' }, authorityId: { type: 'string' },
        channel: { enum: ['http', 'email', 'inbox', 'email-citizen'] }, state: { enum: ['pending', 'in_flight', 'delivered', 'failed', 'dead'] },
        attempts: { type: 'integer' }, nextAttemptAt: { type: 'string', format: 'date-time' },
        lastError: { type: ['string', 'null'], description: 'Status codes and error classes only, never personal data.' }, createdAt: { type: 'string', format: 'date-time' },
      },
    },
    OperatorAuditEntry: {
      type: 'object', required: ['at', 'actor', 'tenantId', 'action', 'target', 'outcome'],
      properties: {
        at: { type: 'string', format: 'date-time' },
        actor: { type: 'string', description: '`admin`, or `<tenant-id>/<operator-id>` of a tenant operator.' },
        tenantId: { type: ['string', 'null'], description: 'The tenant acted on; null for the whole installation (a reload).' },
        action: { type: 'string', examples: ['delivery.retry', 'reload'] },
        target: { type: ['string', 'null'], description: 'What was acted on: a job id, an authority id, a reference number.' },
        outcome: { enum: ['ok', 'refused', 'failed'] },
        detail: { type: 'string', description: 'A short reason: an error code, a count. Never personal data.' },
      },
    },
    AuthorityStatus: {
      type: 'object', required: ['id', 'name', 'tenantId', 'channel', 'encrypted', 'responsibilities', 'lastRealDeliveryAt', 'lastSuccessfulTestAt', 'liveWithoutDelivery'],
      properties: {
        id: { type: 'string' }, name: { type: 'string' }, tenantId: { type: 'string' }, channel: { enum: ['http', 'email', 'inbox'] }, encrypted: { type: 'boolean' },
        responsibilities: { type: 'array', items: { type: 'object', required: ['forms', 'regions', 'rollout'], properties: {
          forms: { type: 'array', items: { type: 'string' } }, regions: { type: 'array', items: { type: 'string' } },
          rollout: { enum: ['planned', 'testing', 'live', 'paused'] }, plannedFrom: { type: 'string', format: 'date' },
        } } },
        lastRealDeliveryAt: { type: ['string', 'null'], format: 'date-time' },
        lastSuccessfulTestAt: { type: ['string', 'null'], format: 'date-time' },
        liveWithoutDelivery: { type: 'boolean' },
      },
    },
    TestDeliveryResult: {
      type: 'object', required: ['authorityId', 'tenantId', 'channel', 'reference', 'formId', 'outcome', 'at'],
      properties: {
        authorityId: { type: 'string' }, tenantId: { type: 'string' }, channel: { enum: ['http', 'email', 'inbox'] },
        reference: { type: 'string', description: "The test submission's reference number." }, formId: { type: 'string' },
        outcome: { enum: ['delivered', 'failed', 'queued'] },
        detail: { type: 'string', description: 'Why it failed (a status code or error class), or that it waits in the inbox.' },
        at: { type: 'string', format: 'date-time' },
      },
    },
    TestLink: {
      type: 'object', required: ['url', 'authorityId', 'tenantId', 'formId', 'expiresAt'],
      properties: {
        url: { type: 'string', description: 'PUBLIC_BASE_URL + /test-access/<token> (a path when PUBLIC_BASE_URL is empty).' },
        authorityId: { type: 'string' }, tenantId: { type: 'string' }, formId: { type: 'string' }, expiresAt: { type: 'string', format: 'date-time' },
      },
    },
    LoadedVersions: {
      type: 'object', required: ['loadedAt', 'forms', 'tenants'],
      properties: {
        loadedAt: { type: 'string', format: 'date-time', description: 'When the served set was loaded (the start or the last successful reload).' },
        forms: { type: 'array', items: { type: 'object', required: ['formId', 'version', 'file', 'sha256', 'loadedAt'], properties: { formId: { type: 'string' }, version: { type: 'string' }, ...file } } },
        tenants: { type: 'array', items: { type: 'object', required: ['tenantId', 'file', 'sha256', 'loadedAt'], properties: { tenantId: { type: 'string' }, ...file } } },
      },
    },
  };
}
