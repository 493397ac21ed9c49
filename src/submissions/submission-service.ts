import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, type FieldError } from '../errors';
import type { FormRegistry } from '../forms/form-registry';
import { getAtPointer } from '../support/json-pointer';
import { canonicalOrder } from '../forms/canonical-order';
import { normalizeAnswers } from '../forms/normalize-answers';
import { buildPayloadV1 } from '../payloads/xml/v1';
import type { RoutingTable } from '../routing/routing-table';
import { municipalityName, submissionRefusal, type TesterAccess } from '../routing/rollout-refusal';
import { DuplicateReferenceError, type Store } from '../storage/ports';
import type { OutboundPayloads } from '../delivery/outbound-payload';
import { sha256Hex } from '../support/sha256';
import { createSubmissionLookup, type SubmissionLookup } from './submission-lookup';
import { newReferenceNumber } from './reference-number';
import type { Language } from '../i18n/language';
import { localize } from '../i18n/language';
import { MALFORMED_BODY_DETAIL } from '../i18n/error-texts';
import { NO_AUTHORITY_FOR_MUNICIPALITY, REGION_MISSING } from '../i18n/routing-texts';

export interface AcceptedSubmission {
  readonly id: string;
  /** Unguessable token for the status URL; returned once, only its hash is stored. */
  readonly token: string;
  readonly authority: { readonly id: string; readonly name: string };
}

export interface SubmissionServiceOptions {
  readonly forms: FormRegistry;
  readonly routing: RoutingTable;
  readonly store: Store;
  readonly product: { readonly name: string; readonly version: string };
  readonly now: () => Date;
  /** Called after a commit so the delivery worker does not wait for its next poll. */
  readonly onAccepted: () => void;
  /**
   * What the authority's job carries: the XML as it is, or encrypted to the authority's key
   * (JWE). Fixed here, once, so every attempt sends the same bytes.
   */
  readonly payloads: Pick<OutboundPayloads, 'sealForAccept'>;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** How one submission may be routed. */
export interface AcceptOptions {
  /**
   * A tester's link (test-links.ts): the link's authority's `testing` route takes the submission
   * too, and the submission is a test wherever it goes (payload header, jobs, receipt, e-mails;
   * never counted as real). Without it only `live` routes take submissions.
   */
  readonly tester?: TesterAccess;
}

/** Accepting submissions, and finding them again with their status token. */
export interface SubmissionService extends SubmissionLookup {
  /**
   * Validates the answers, finds the responsible authority and commits submission and delivery
   * jobs in one transaction; throws AppError (VALIDATION_FAILED, NO_RESPONSIBLE_AUTHORITY,
   * SERVICE_NOT_YET_ONLINE and SERVICE_PAUSED for a route not in `options.allowedRollouts`, ...).
   */
  accept(formId: string, body: unknown, language: Language, options?: AcceptOptions): Promise<AcceptedSubmission>;
}

/**
 * Accepting a submission: validate on the server (the authority of truth), find the responsible
 * authority, build the payload once and commit submission and delivery job together.
 */
export function createSubmissionService(options: SubmissionServiceOptions): SubmissionService {
  const { forms, routing, store, product, now } = options;

  async function accept(formId: string, body: unknown, language: Language, acceptOptions: AcceptOptions = {}): Promise<AcceptedSubmission> {
    const form = forms.get(formId);
    if (!form) throw new AppError('FORM_NOT_FOUND', `unknown form ${formId}`);
    if (!isPlainObject(body) || !isPlainObject(body.data) || Object.keys(body).some((k) => k !== 'data')) {
      throw new AppError('MALFORMED_REQUEST', 'body is not {"data": {...}}', {
        detail: MALFORMED_BODY_DETAIL,
      });
    }
    // Trimmed and NFC as on the pages; what is then empty counts as not answered.
    const data = normalizeAnswers(body.data);
    const errors: FieldError[] = form.validate(data, language);
    const { regionField } = form.definition.routing;
    const ars = getAtPointer(data, regionField);
    if (errors.length === 0 && typeof ars !== 'string') {
      errors.push({ pointer: regionField, message: REGION_MISSING[language] });
    }
    if (errors.length > 0 || typeof ars !== 'string') {
      throw new AppError('VALIDATION_FAILED', `form ${formId}: ${errors.length} field error(s)`, { errors });
    }
    const match = routing.resolve(formId, ars);
    if (!match) {
      throw new AppError('NO_RESPONSIBLE_AUTHORITY', `form ${formId}: no authority for region ${ars}`, {
        errors: [{
          pointer: regionField,
          message: NO_AUTHORITY_FOR_MUNICIPALITY[language],
        }],
      });
    }
    // The longest prefix names who is responsible whatever its state; a route that is not open
    // to this submission is refused, never handed to a shorter prefix's authority.
    const refusal = submissionRefusal(match, municipalityName(match, ars), language, acceptOptions.tester);
    const test = acceptOptions.tester !== undefined;
    if (refusal) {
      throw new AppError(refusal.code, `form ${formId}: the route of authority ${match.authority.id} for region ${ars} is ${refusal.rollout}`, {
        errors: [{ pointer: regionField, message: refusal.message }],
      });
    }
    const { tenant, authority } = match;
    // What holds locally (fee, legal basis, ...) as at acceptance: stored, and sent in the header.
    const parameters = Object.keys(match.parameters).length > 0 ? match.parameters : undefined;
    const dataJson = JSON.stringify(canonicalOrder(data, form.fields));
    const emailField = form.definition.emailField;
    const email = emailField ? getAtPointer(data, emailField) : undefined;
    const wantsEmail = typeof email === 'string' && email !== '';
    const token = randomBytes(32).toString('base64url');

    // A clash of reference numbers is astronomically rare; draw again rather than fail.
    for (let attempt = 1; ; attempt++) {
      const id = newReferenceNumber();
      const createdAt = now();
      const xml = buildPayloadV1({
        messageId: randomUUID(),
        createdAt,
        reference: id,
        form: { id: form.definition.id, version: form.definition.version, serviceKey: form.definition.serviceKey },
        regionArs: ars,
        tenant: { id: tenant.id, name: localize(tenant.name, 'de') ?? tenant.id },
        author: { id: tenant.id, name: localize(tenant.name, 'de') ?? tenant.id },
        reader: { id: authority.id, name: authority.name },
        product,
        data,
        ...(parameters ? { parameters } : {}),
        ...(test ? { test } : {}),
      }, form.fields);
      const sealed = await options.payloads.sealForAccept(authority.id, xml);
      try {
        await store.submissions.create(
          {
            id, tokenHash: sha256Hex(token), formId, formVersion: form.definition.version, tenantId: tenant.id,
            authorityId: authority.id, regionArs: ars, language, dataJson, payloadXml: xml, createdAt,
            ...(parameters ? { parametersJson: JSON.stringify(parameters) } : {}),
            ...(test ? { test } : {}),
          },
          [
            {
              id: randomUUID(), submissionId: id, authorityId: authority.id, channel: authority.delivery.type,
              idempotencyKey: randomUUID(), contentType: sealed.contentType, body: sealed.body, ...(test ? { test } : {}),
            },
            // The applicant's confirmation e-mail goes through the same durable queue.
            ...(wantsEmail ? [{
              id: randomUUID(), submissionId: id, authorityId: authority.id, channel: 'email-citizen' as const,
              idempotencyKey: randomUUID(), contentType: 'message/rfc822', body: '', ...(test ? { test } : {}),
            }] : []),
          ],
        );
      } catch (err) {
        if (err instanceof DuplicateReferenceError && attempt < 5) continue;
        throw err;
      }
      options.onAccepted();
      return { id, token, authority: { id: authority.id, name: authority.name } };
    }
  }

  // Finding and showing a stored submission (findWithToken, statusOf): see submission-lookup.ts.
  return { accept, ...createSubmissionLookup(store) };
}
