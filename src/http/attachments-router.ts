import { Router, type Request } from 'express';
import type { AttachmentRefusal, AttachmentService, UploadResult } from '../attachments/attachment-service';
import { AppError, type ErrorCode } from '../errors';
import type { FormRegistry } from '../forms/form-registry';
import { fileQuestionsOf } from '../forms/file-questions';
import { ATTACHMENT_API_TEXTS, ATTACHMENT_REFUSAL_TEXTS } from '../i18n/attachment-texts';
import type { Language } from '../i18n/language';
import { negotiateLanguage } from './language';
import { readMultipart } from './multipart-file';
import type { RateLimiter } from './rate-limit';

/** The file's part must be called this. */
const FILE_FIELD = 'file';

/** How each refusal answers: the status follows HTTP's meaning (413 too large, 415 wrong type). */
const REFUSAL_CODES: Readonly<Record<AttachmentRefusal, ErrorCode>> = {
  'too large': 'PAYLOAD_TOO_LARGE',
  'draft full': 'PAYLOAD_TOO_LARGE',
  'type not accepted': 'UNSUPPORTED_MEDIA_TYPE',
  'empty': 'VALIDATION_FAILED',
  'too many': 'VALIDATION_FAILED',
  'malware': 'MALWARE_FOUND',
  'scan unavailable': 'SCAN_UNAVAILABLE',
};

function refusal(refused: AttachmentRefusal, pointer: string, language: Language): AppError {
  const text = ATTACHMENT_REFUSAL_TEXTS[refused];
  return new AppError(REFUSAL_CODES[refused], `upload refused: ${refused}`, {
    detail: text,
    errors: [{ pointer, message: text[language] }],
    ...(refused === 'scan unavailable' ? { retryAfterSeconds: 60 } : {}),
  });
}

/**
 * `POST /api/forms/{id}/attachments?field=<pointer>`: one file (multipart/form-data, part `file`)
 * for one file question of a form, streamed into the store and scanned; answers 201 with its id,
 * which the submission then names at that question. The file is never held whole in memory:
 * busboy hands it over as it arrives and cuts it off one byte past the limit.
 */
export function attachmentsRouter(forms: FormRegistry, attachments: AttachmentService, rateLimiter: RateLimiter): Router {
  const router = Router();

  router.post('/api/forms/:id/attachments', rateLimiter.middleware('steps'), async (req: Request, res) => {
    const language = negotiateLanguage(req.get('accept-language'));
    const form = forms.get(req.params.id as string);
    if (!form) throw new AppError('FORM_NOT_FOUND', 'upload for an unknown form');
    const pointer = typeof req.query.field === 'string' ? req.query.field : '';
    const question = fileQuestionsOf(form).find((q) => q.pointer === pointer);
    if (!question) {
      throw new AppError('INVALID_PARAMETER', 'upload for a field that is not a file question', {
        detail: ATTACHMENT_API_TEXTS.notFileQuestion,
      });
    }
    if (!req.is('multipart/form-data')) {
      throw new AppError('UNSUPPORTED_MEDIA_TYPE', `upload with content-type ${req.get('content-type') ?? '(none)'}`, {
        detail: ATTACHMENT_API_TEXTS.notMultipart,
      });
    }
    let result: UploadResult | undefined;
    const outcome = await readMultipart(req, {
      fileFields: new Set([FILE_FIELD]), maxFileBytes: attachments.maxBytesFor(question), bodyLimitBytes: 4096, maxFields: 4,
      wantsFile: () => true,
      async takeFile(part) {
        result = await attachments.upload({ formId: form.definition.id, fieldPointer: pointer, question, fileName: part.fileName, content: part.content });
      },
    });
    if (outcome.outcome !== 'read') {
      // A file stored before the body turned out unusable (a second file, a broken end) goes again.
      if (result?.ok) await attachments.discard(result.attachment.id);
      const tooLarge = outcome.outcome === 'bad' && outcome.status === 413;
      throw new AppError(tooLarge ? 'PAYLOAD_TOO_LARGE' : 'MALFORMED_REQUEST', `upload not readable (${outcome.outcome})`, { detail: ATTACHMENT_API_TEXTS.unreadable });
    }
    if (!result) {
      throw new AppError('VALIDATION_FAILED', 'upload without a file', { errors: [{ pointer, message: ATTACHMENT_REFUSAL_TEXTS.empty[language] }] });
    }
    if (!result.ok) throw refusal(result.refusal, pointer, language);
    const { attachment } = result;
    res.status(201).set('cache-control', 'no-store').json({
      id: attachment.id, fileName: attachment.fileName, mediaType: attachment.mediaType, size: attachment.size,
      hash: { type: 'sha512', content: attachment.sha512 }, scanned: attachment.scanned,
    });
  });

  return router;
}
