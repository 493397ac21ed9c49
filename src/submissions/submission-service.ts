import { randomBytes, randomUUID } from 'node:crypto';
import { AppError, type FieldError } from '../errors';
import type { FormRegistry } from '../forms/form-registry';
import { getAtPointer } from '../support/json-pointer';
import { canonicalOrder } from '../forms/canonical-order';
import { normalizeAnswers } from '../forms/normalize-answers';
import { buildPayloadV1 } from '../payloads/xml/v1';
import type { RoutingTable } from '../routing/routing-table';
import { municipalityName, submissionRefusal, type TesterAccess } from '../routing/rollout-refusal';
import { AttachmentTakenError, DuplicateReferenceError, type AttachmentRecord, type Store, type SubmissionAttachment } from '../storage/ports';
import type { AttachmentService } from '../attachments/attachment-service';
import type { CompiledForm } from '../forms/compiled-form';
import { fileQuestionsOf, withoutEmptyFileAnswers } from '../forms/file-questions';
import { attachmentIds } from '../forms/kinds/file';
import { ATTACHMENT_REFUSAL_TEXTS } from '../i18n/attachment-texts';
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
  readonly payloads: Pick<OutboundPayloads, 'sealForAccept'> & {
    /** Each attachment's sealed copy for an authority with a key (outbound-payload.ts); none without. */
    readonly sealAttachments?: (authorityId: string, attachments: readonly AttachmentRecord[]) => Promise<SubmissionAttachment[]>;
    /** Removes the sealed copies of a submission that was not committed after all. */
    readonly discardSealed?: (taken: readonly SubmissionAttachment[]) => Promise<void>;
  };
  /** The uploaded documents: the ids at the file questions must name files this submission may take. */
  readonly attachments?: AttachmentService;
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
  /**
   * The draft the pages submit (its key): its own uploads are the files it may take. Without one
   * (the API) only files uploaded through the API, for this form, may be taken.
   */
  readonly draftKey?: string;
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

  /**
   * The attachments the answers reference at the file questions, checked: each must exist, be
   * this form's and question's, belong to the draft submitting (or be an API upload) and be
   * unused (400 with the pointer of each that is not); together within the submission's limit (413).
   */
  async function takeableAttachments(form: CompiledForm, data: unknown, language: Language, draftKey: string | undefined): Promise<readonly AttachmentRecord[]> {
    const references = fileQuestionsOf(form).map((q) => ({ pointer: q.pointer, ids: attachmentIds(getAtPointer(data, q.pointer)) }))
      .filter((r) => r.ids.length > 0);
    if (references.length === 0) return [];
    const service = options.attachments;
    if (!service) {
      throw new AppError('VALIDATION_FAILED', `form ${form.definition.id}: attachments referenced, none can be taken here`, {
        errors: references.map((r) => ({ pointer: `${r.pointer}/0`, message: ATTACHMENT_REFUSAL_TEXTS.unknown[language] })),
      });
    }
    const checked = await service.checkReferences(form.definition.id, references, draftKey);
    if (checked.problems.length > 0) {
      throw new AppError('VALIDATION_FAILED', `form ${form.definition.id}: ${checked.problems.length} attachment reference(s) refused`, {
        errors: checked.problems.map((p) => ({ pointer: p.pointer, message: ATTACHMENT_REFUSAL_TEXTS[p.problem][language] })),
      });
    }
    if (checked.totalBytes > service.limits.maxSubmissionBytes) {
      throw new AppError('PAYLOAD_TOO_LARGE', `form ${form.definition.id}: attachments of ${checked.totalBytes} bytes`, {
        detail: ATTACHMENT_REFUSAL_TEXTS['submission too large'],
        errors: references.map((r) => ({ pointer: r.pointer, message: ATTACHMENT_REFUSAL_TEXTS['submission too large'][language] })),
      });
    }
    return checked.attachments;
  }

  async function accept(formId: string, body: unknown, language: Language, acceptOptions: AcceptOptions = {}): Promise<AcceptedSubmission> {
    const form = forms.get(formId);
    if (!form) throw new AppError('FORM_NOT_FOUND', `unknown form ${formId}`);
    if (!isPlainObject(body) || !isPlainObject(body.data) || Object.keys(body).some((k) => k !== 'data')) {
      throw new AppError('MALFORMED_REQUEST', 'body is not {"data": {...}}', {
        detail: MALFORMED_BODY_DETAIL,
      });
    }
    // Trimmed and NFC as on the pages; what is then empty counts as not answered.
    const data = withoutEmptyFileAnswers(form, normalizeAnswers(body.data));
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
    // The files after the route: where nobody takes the application, its files do not matter yet.
    const files = await takeableAttachments(form, data, language, acceptOptions.draftKey);
    const { tenant, authority } = match;
    // What holds locally (fee, legal basis, ...) as at acceptance: stored, and sent in the header.
    const parameters = Object.keys(match.parameters).length > 0 ? match.parameters : undefined;
    const dataJson = JSON.stringify(canonicalOrder(data, form.fields));
    const emailField = form.definition.emailField;
    const email = emailField ? getAtPointer(data, emailField) : undefined;
    const wantsEmail = typeof email === 'string' && email !== '';
    const token = randomBytes(32).toString('base64url');

    // Each file sealed once for the authority (a JWE beside it) before the commit, so every
    // attempt over every channel carries the same bytes; removed again if nothing is committed.
    const taken: readonly SubmissionAttachment[] = files.length === 0 ? [] : options.payloads.sealAttachments
      ? await options.payloads.sealAttachments(authority.id, files).catch((err: unknown) => {
        throw err instanceof AttachmentTakenError ? goneMeanwhile(form, data, err, 'unknown', language) : err;
      })
      : files.map(({ id }) => ({ id }));
    const discardSealed = async () => {
      if (taken.some((t) => t.sealed)) await options.payloads.discardSealed?.(taken);
    };

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
        ...(files.length > 0 ? { attachments: files.map(({ id, fileName, mediaType, size, sha512, scanned }) => ({ id, fileName, mediaType, size, sha512, virusScanned: scanned })) } : {}),
      }, form.fields);
      const sealed = await options.payloads.sealForAccept(authority.id, xml);

      try {
        await store.submissions.create(
          {
            id, tokenHash: sha256Hex(token), formId, formVersion: form.definition.version, tenantId: tenant.id,
            authorityId: authority.id, regionArs: ars, language, dataJson, payloadXml: xml, createdAt,
            ...(parameters ? { parametersJson: JSON.stringify(parameters) } : {}),
            ...(test ? { test } : {}),
            ...(taken.length > 0 ? { attachments: taken } : {}),
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
        // The sealed copies go only when the store said it wrote nothing; after any other failure
        // (a commit whose answer was lost may have landed) they stay, and the clean-up removes
        // them once no row names them (attachment-service.ts removeStrays).
        if (err instanceof AttachmentTakenError || err instanceof DuplicateReferenceError) await discardSealed().catch(() => undefined);
        // Another submission took the file between the check and the commit, or it was removed.
        if (err instanceof AttachmentTakenError) throw goneMeanwhile(form, data, err, 'used', language);
        throw err;
      }
      options.onAccepted();
      return { id, token, authority: { id: authority.id, name: authority.name } };
    }
  }

  // Finding and showing a stored submission (findWithToken, statusOf): see submission-lookup.ts.
  return { accept, ...createSubmissionLookup(store) };
}

/**
 * A file that went between the references' check and the commit: 400 at its item, "used" when
 * the commit found it taken, "not found" when its bytes were gone as it was sealed.
 */
function goneMeanwhile(form: CompiledForm, data: unknown, err: AttachmentTakenError, problem: 'used' | 'unknown', language: Language): AppError {
  const pointer = pointerOf(form, data, err.attachmentId) ?? '';
  return new AppError('VALIDATION_FAILED', `form ${form.definition.id}: an attachment was ${problem === 'used' ? 'taken' : 'removed'} meanwhile`, {
    errors: [{ pointer, message: ATTACHMENT_REFUSAL_TEXTS[problem][language] }],
  });
}

/** Where the answers reference an attachment id (its file question's pointer and index). */
function pointerOf(form: CompiledForm, data: unknown, id: string): string | undefined {
  for (const q of fileQuestionsOf(form)) {
    const index = attachmentIds(getAtPointer(data, q.pointer)).indexOf(id);
    if (index >= 0) return `${q.pointer}/${index}`;
  }
  return undefined;
}
