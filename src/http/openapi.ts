import { ADMIN_SECURITY, adminPaths, adminSchemas, adminSecuritySchemes } from './openapi-admin';
import { coveragePaths, coverageSchemas } from './openapi-coverage';
import { routingApiPaths, routingApiSchemas } from './openapi-routing-api';

/**
 * The OpenAPI 3.1 description of the JSON API, served at /api/openapi.json.
 * test/integration/openapi.test.ts checks that every documented operation answers as written.
 */
export function openApiDocument(version: string): Record<string, unknown> {
  const problem = { $ref: '#/components/responses/Problem' };
  return {
    openapi: '3.1.0',
    info: {
      title: 'efa-forms API',
      version,
      description: 'Submit applications defined as JSON Schema forms; they are validated, stored and delivered as XML to the responsible authority. Texts are German by default; send `Accept-Language: en` for English.',
      license: { name: 'EUPL-1.2', identifier: 'EUPL-1.2' },
    },
    paths: {
      ...authorityAndAdminPaths(problem),
      ...routingApiPaths(problem),
      '/healthz': {
        get: { operationId: 'health', summary: 'Liveness check', responses: { '200': { description: 'The server is up.', content: { 'application/json': { schema: { type: 'object', properties: { status: { const: 'ok' } } } } } } } },
      },
      '/readyz': {
        get: {
          operationId: 'ready',
          summary: 'Readiness: the store is writable and, where this process delivers, the worker polls',
          responses: {
            '200': { description: 'Ready.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
            '503': { description: 'Not ready; `checks` says why (no personal data).', content: { 'application/json': { schema: { $ref: '#/components/schemas/Readiness' } } } },
          },
        },
      },
      '/api/openapi.json': {
        get: { operationId: 'openapi', summary: 'This document', responses: { '200': { description: 'OpenAPI 3.1 document.' } } },
      },
      '/api/forms': {
        get: {
          operationId: 'listForms',
          summary: 'List the forms this server offers',
          responses: { '200': { description: 'Forms.', content: { 'application/json': { schema: { type: 'array', items: { $ref: '#/components/schemas/FormSummary' } } } } } },
        },
      },
      '/api/forms/{formId}': {
        get: {
          operationId: 'getForm',
          summary: 'A form definition (id, version, serviceKey, title, schema, ui, routing)',
          parameters: [{ $ref: '#/components/parameters/FormId' }],
          responses: {
            '200': { description: 'The definition, see docs/form-definition.md.', content: { 'application/json': { schema: { type: 'object' } } } },
            '404': problem,
          },
        },
      },
      '/api/forms/{formId}/schema.xsd': {
        get: {
          operationId: 'getPayloadXsd',
          summary: 'The XSD of the XML payload (v1) an authority receives for this form version',
          parameters: [{ $ref: '#/components/parameters/FormId' }],
          responses: {
            '200': { description: 'XML Schema 1.0 for namespace urn:efa-forms:payload:v1, see docs/payload-v1.md#xsd.', content: { 'application/xml': { schema: { type: 'string' } } } },
            '404': problem,
          },
        },
      },
      '/api/forms/{formId}/submissions': {
        post: {
          operationId: 'submit',
          summary: 'Submit an application',
          parameters: [{ $ref: '#/components/parameters/FormId' }, { $ref: '#/components/parameters/AcceptLanguage' }],
          requestBody: {
            required: true,
            content: { 'application/json': { schema: { type: 'object', required: ['data'], additionalProperties: false, properties: { data: { type: 'object', description: "The answers, valid against the form's schema." } } } } },
          },
          responses: {
            '201': {
              description: 'Accepted: stored together with its delivery job.',
              headers: { Location: { description: 'Same as statusUrl.', schema: { type: 'string' } } },
              content: { 'application/json': { schema: { $ref: '#/components/schemas/Accepted' } } },
            },
            '400': problem,
            '404': problem,
            '413': problem,
            '415': problem,
            '422': problem,
            '429': { description: 'Too many submissions from this client (RATE_LIMITED); try again after Retry-After seconds.', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            '503': { description: 'The store cannot be written just now (STORAGE_UNAVAILABLE); nothing was stored; try again after Retry-After seconds.', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
          },
        },
      },
      '/api/forms/{formId}/attachments': {
        post: {
          operationId: 'uploadAttachment',
          summary: 'Upload one file for a file question (Nachweis)',
          description: 'Streams one file into the store and scans it (clamd, when configured); the answer\'s id is then named in the submission\'s answers at that question (an array of ids). The media type is decided from the file\'s content, never its name. An id is taken by one submission only; one not referenced is deleted after ATTACHMENT_UPLOAD_TTL_HOURS. In a submission, an unknown id, one uploaded for another form or question, or one already used is 400 VALIDATION_FAILED with the pointer of that item (e.g. /fahrzeug/zulassungsbescheinigung/0); files together over ATTACHMENT_MAX_SUBMISSION_BYTES are 413.',
          parameters: [
            { $ref: '#/components/parameters/FormId' }, { $ref: '#/components/parameters/AcceptLanguage' },
            { name: 'field', in: 'query', required: true, description: 'JSON pointer of the file question in the answers (a field with ui widget "file").', schema: { type: 'string' }, example: '/fahrzeug/zulassungsbescheinigung' },
          ],
          requestBody: {
            required: true,
            content: { 'multipart/form-data': { schema: { type: 'object', required: ['file'], properties: { file: { type: 'string', format: 'binary', description: 'Exactly one file; its name is kept (cleaned) as the file name.' } } } } },
          },
          responses: {
            '201': { description: 'Stored (and scanned clean, or unscanned when no scanner is configured or scanning is off).', content: { 'application/json': { schema: { $ref: '#/components/schemas/UploadedAttachment' } } } },
            '400': { description: 'Empty file (VALIDATION_FAILED, at the question), no or more than one file, a body that is not readable multipart (MALFORMED_REQUEST), or `field` is no file question (INVALID_PARAMETER).', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            '404': problem,
            '413': { description: 'The file is larger than the question\'s maxFileBytes or ATTACHMENT_MAX_FILE_BYTES (PAYLOAD_TOO_LARGE); nothing is kept.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            '415': { description: 'Not multipart/form-data, or the file\'s content is none of the question\'s accepted types (UNSUPPORTED_MEDIA_TYPE).', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            '422': { description: 'clamd found malware (MALWARE_FOUND); the file is deleted.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            '429': { description: 'Too many requests from this client (RATE_LIMITED).', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
            '503': { description: 'Scanning is required and clamd cannot scan just now (SCAN_UNAVAILABLE), or the store cannot be written (STORAGE_UNAVAILABLE); nothing is kept; try again after Retry-After seconds.', headers: { 'Retry-After': { schema: { type: 'integer' } } }, content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
          },
        },
      },
      '/api/submissions/{reference}/receipt.pdf': {
        get: {
          operationId: 'getReceipt',
          summary: 'Confirmation of receipt (Eingangsbestätigung) as PDF, with the XML payload attached',
          parameters: [
            { name: 'reference', in: 'path', required: true, schema: { type: 'string', examples: ['K7M3-Q9XD-P'] } },
            { name: 'token', in: 'query', required: true, description: 'The token from statusUrl / receiptUrl.', schema: { type: 'string' } },
          ],
          responses: {
            '200': {
              description: 'The receipt (A4, PDF/A-3b structure, the delivered XML as associated file).',
              headers: {
                'Content-Disposition': { description: 'attachment; filename="Eingangsbestaetigung-<reference>.pdf"', schema: { type: 'string' } },
                'Cache-Control': { description: 'no-store', schema: { type: 'string' } },
              },
              content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } } },
            },
            '404': problem,
            // SUBMISSION_DATA_DELETED: the answers were deleted after the retention period (docs/retention.md).
            '410': problem,
          },
        },
      },
      '/api/submissions/{reference}': {
        get: {
          operationId: 'getStatus',
          summary: 'Status of a submission (the statusUrl returned on submit)',
          parameters: [
            { name: 'reference', in: 'path', required: true, schema: { type: 'string', examples: ['K7M3-Q9XD-P'] } },
            { name: 'token', in: 'query', required: true, description: 'The unguessable token from statusUrl.', schema: { type: 'string' } },
          ],
          responses: {
            '200': { description: 'Status and events.', content: { 'application/json': { schema: { $ref: '#/components/schemas/Status' } } } },
            '404': problem,
          },
        },
      },
    },
    components: {
      securitySchemes: {
        AuthorityKey: { type: 'http', scheme: 'bearer', description: "An inbox authority's API key (the tenant file names the variable holding its SHA-256)." },
        ...adminSecuritySchemes(),
      },
      parameters: {
        FormId: { name: 'formId', in: 'path', required: true, schema: { type: 'string', examples: ['anwohnerparkausweis'] } },
        AcceptLanguage: { name: 'Accept-Language', in: 'header', required: false, schema: { type: 'string', examples: ['en'] } },
      },
      responses: {
        Problem: { description: 'RFC 9457 problem details.', content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } } },
      },
      schemas: {
        LocalText: { type: 'object', required: ['de'], properties: { de: { type: 'string' }, en: { type: 'string' } } },
        InboxAttachments: {
          type: 'object', required: ['id', 'items'],
          properties: {
            id: { type: 'string', description: 'The reference number.' },
            items: {
              type: 'array',
              items: {
                type: 'object', required: ['id', 'fileName', 'mediaType', 'contentType', 'size', 'sha512', 'kid', 'url'],
                properties: {
                  id: { type: 'string', format: 'uuid' },
                  fileName: { type: 'string', description: 'The cleaned name of the upload, with .jwe appended when sealed.' },
                  mediaType: { type: 'string', description: 'The file\'s own media type (decided from its content).' },
                  contentType: { type: 'string', description: 'What the download is: the media type, or application/jose for a sealed file.' },
                  size: { type: 'integer', description: 'Bytes of the download.' },
                  sha512: { type: 'string', pattern: '^[0-9a-f]{128}$', description: 'SHA-512 of the file as uploaded (of the decrypted bytes when sealed), as the payload lists it.' },
                  kid: { type: ['string', 'null'], description: 'The key id a sealed file is encrypted to; null when plain.' },
                  url: { type: 'string', description: 'The download.' },
                },
              },
            },
          },
        },
        FormSummary: { type: 'object', required: ['id', 'version', 'title'], properties: { id: { type: 'string' }, version: { type: 'string' }, title: { $ref: '#/components/schemas/LocalText' } } },
        Accepted: {
          type: 'object',
          required: ['id', 'statusUrl', 'receiptUrl', 'authority'],
          properties: {
            id: { type: 'string', description: 'Reference number (Vorgangsnummer), XXXX-XXXX-C.', pattern: '^[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]{4}-[2-9A-HJ-NP-Z]$' },
            statusUrl: { type: 'string', description: 'Path of the status resource, with an unguessable token.' },
            receiptUrl: { type: 'string', description: 'Path of the PDF receipt, with the same token as statusUrl.' },
            authority: { type: 'object', required: ['id', 'name'], properties: { id: { type: 'string' }, name: { type: 'string' } } },
          },
        },
        UploadedAttachment: {
          type: 'object',
          required: ['id', 'fileName', 'mediaType', 'size', 'hash', 'scanned'],
          properties: {
            id: { type: 'string', format: 'uuid', description: 'Name it in the submission\'s answers at the question.' },
            fileName: { type: 'string', description: 'The name sent, cleaned (no path, no control characters) and ending in the extension of its actual type.' },
            mediaType: { enum: ['application/pdf', 'image/jpeg', 'image/png', 'image/tiff', 'image/webp', 'image/heic'], description: 'Decided from the content.' },
            size: { type: 'integer', minimum: 1 },
            hash: { type: 'object', required: ['type', 'content'], properties: { type: { const: 'sha512' }, content: { type: 'string', pattern: '^[0-9a-f]{128}$' } }, description: 'As FIT-Connect describes an attachment\'s hash.' },
            scanned: { type: 'boolean', description: 'Whether clamd scanned it clean.' },
          },
        },
        Status: {
          type: 'object',
          required: ['id', 'status', 'events'],
          properties: {
            id: { type: 'string' },
            status: { enum: ['accepted', 'in_progress', 'delivered', 'acknowledged'], description: 'in_progress: the authority could not be reached yet; delivery is retried.' },
            events: { type: 'array', items: { type: 'object', required: ['type', 'at'], properties: { type: { enum: ['accepted', 'delivered', 'acknowledged'] }, at: { type: 'string', format: 'date-time' } } } },
          },
        },
        ...adminSchemas(),
        ...coverageSchemas(),
        ...routingApiSchemas(),
        Readiness: {
          type: 'object',
          required: ['status', 'checks'],
          properties: {
            status: { enum: ['ready', 'not-ready'] },
            checks: { type: 'object', properties: { store: { type: 'string' }, worker: { type: 'string' } } },
          },
        },
        Problem: {
          type: 'object',
          required: ['type', 'title', 'status', 'code'],
          properties: {
            type: { type: 'string', format: 'uri' },
            title: { type: 'string', description: 'Citizen-facing summary in the negotiated language.' },
            status: { type: 'integer' },
            code: { type: 'string', description: 'Stable error code, see docs/errors.md.' },
            detail: { type: 'string' },
            errorsTruncated: { type: 'boolean', description: 'True when there were more than the 100 field errors listed.' },
            errors: {
              type: 'array',
              maxItems: 100,
              items: {
                type: 'object',
                required: ['pointer', 'message'],
                properties: {
                  pointer: { type: 'string', description: 'JSON pointer into `data` to the field to fix.' },
                  message: { type: 'string', description: 'Citizen-facing message naming the field by its label.' },
                },
              },
            },
          },
        },
      },
    },
  };
}

/** The pull channel for authorities and the operators' endpoints (openapi-admin.ts, openapi-coverage.ts). */
function authorityAndAdminPaths(problem: Record<string, string>): Record<string, unknown> {
  const reference = { name: 'reference', in: 'path', required: true, schema: { type: 'string', examples: ['K7M3-Q9XD-P'] } };
  const authority = { security: [{ AuthorityKey: [] }], tags: ['authority'] };
  const admin = { security: ADMIN_SECURITY, tags: ['admin'] };
  const payload = {
    'application/xml': { schema: { type: 'string' } },
    'application/jose': { schema: { type: 'string', description: 'JWE compact serialization (RSA-OAEP-256, A256GCM) when the authority has an encryption key.' } },
  };
  return {
    '/api/authority/inbox': {
      get: {
        ...authority, operationId: 'listInbox', summary: 'Submissions waiting for the calling authority (until acknowledged)',
        responses: { '200': { description: 'The inbox, oldest first.', content: { 'application/json': { schema: { type: 'object' } } } }, '401': problem },
      },
    },
    '/api/authority/inbox/{reference}': {
      get: {
        ...authority, operationId: 'fetchFromInbox', summary: 'The XML payload (or its JWE); the first fetch marks the submission delivered',
        parameters: [reference],
        responses: { '200': { description: 'The payload, the same bytes on every fetch.', content: payload }, '401': problem, '404': problem, '410': problem },
      },
    },
    '/api/authority/inbox/{reference}/receipt.pdf': {
      get: {
        ...authority, operationId: 'fetchReceiptFromInbox', summary: 'The PDF receipt (or its JWE)',
        parameters: [reference],
        responses: { '200': { description: 'The receipt.', content: { 'application/pdf': { schema: { type: 'string', format: 'binary' } }, 'application/jose': { schema: { type: 'string' } } } }, '401': problem, '404': problem, '410': problem },
      },
    },
    '/api/authority/inbox/{reference}/attachments': {
      get: {
        ...authority, operationId: 'listInboxAttachments', summary: "The submission's files (uploaded documents), in the order of the answers",
        description: 'Also for an authority that takes its payloads by e-mail and has an API key (files too large for the e-mail). Looking records nothing. The payload lists the same files with their SHA-512; a sealed file is a JWE of its own (cty: its media type), and the hash is that of the decrypted bytes.',
        parameters: [reference],
        responses: {
          '200': { description: 'The files.', content: { 'application/json': { schema: { $ref: '#/components/schemas/InboxAttachments' } } } },
          '401': problem, '404': problem, '410': problem,
        },
      },
    },
    '/api/authority/inbox/{reference}/attachments/{attachmentId}': {
      get: {
        ...authority, operationId: 'fetchInboxAttachment', summary: 'One file: as uploaded, or its JWE when the authority has an encryption key; streamed, the same bytes on every fetch',
        description: 'Headers: `Content-Type` (the media type, or application/jose), `Content-Length`, `Content-Disposition` (attachment; filename, and filename* for names that are not ASCII), `Efa-Attachment-Id`, `Efa-Attachment-Media-Type`, `Efa-Attachment-Sha512` (of the file as uploaded). Fetching a file records nothing; a `HEAD` answers the headers alone.',
        parameters: [reference, { name: 'attachmentId', in: 'path', required: true, schema: { type: 'string', format: 'uuid' } }],
        responses: {
          '200': {
            description: 'The file.',
            content: {
              'application/pdf': { schema: { type: 'string', format: 'binary' } }, 'image/jpeg': { schema: { type: 'string', format: 'binary' } },
              'image/png': { schema: { type: 'string', format: 'binary' } }, 'image/tiff': { schema: { type: 'string', format: 'binary' } },
              'image/webp': { schema: { type: 'string', format: 'binary' } }, 'image/heic': { schema: { type: 'string', format: 'binary' } },
              'application/jose': payload['application/jose'],
            },
          },
          '401': problem, '404': problem, '410': problem,
        },
      },
    },
    '/api/authority/inbox/{reference}/ack': {
      post: {
        ...authority, operationId: 'acknowledge', summary: 'Confirms receipt; the submission leaves the inbox and becomes acknowledged',
        parameters: [reference],
        responses: { '200': { description: 'Acknowledged (repeating is harmless).', content: { 'application/json': { schema: { type: 'object' } } } }, '401': problem, '404': problem },
      },
    },
    ...adminPaths(admin, problem),
    ...coverageScoped(coveragePaths(admin, problem)),
  };
}

/** The coverage operation (openapi-coverage.ts) with what a tenant operator sees of it. */
function coverageScoped(paths: Record<string, unknown>): Record<string, unknown> {
  const path = paths['/api/admin/coverage'] as { get: Record<string, unknown> } | undefined;
  if (!path) return paths;
  const scoped = { description: 'A tenant operator gets its own tenant only: without `tenant` its own report, and another tenant\'s id answers 400 exactly as an unknown one (listing only its own tenant as known). The installation admin gets every tenant.' };
  return { ...paths, '/api/admin/coverage': { ...path, get: { ...path.get, description: [path.get.description, scoped.description].filter(Boolean).join(' ') } } };
}
