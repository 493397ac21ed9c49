import express, { Router, type RequestHandler } from 'express';
import { AppError } from '../errors';
import type { Receipts } from '../receipts/receipt-service';
import type { SubmissionService } from '../submissions/submission-service';
import { exceedsValueBudget } from '../forms/input-limits';
import { negotiateLanguage } from './language';
import type { RateLimiter } from './rate-limit';
import { TOO_MANY_VALUES_TYPE } from './problem';
import { receiptFileName } from '../i18n/receipt-texts';
import { SEND_AS_JSON_DETAIL } from '../i18n/error-texts';

/** 415 for anything but JSON, before the body is read at all. */
const requireJson: RequestHandler = (req, _res, next) => {
  if (!req.is(['application/json', 'application/*+json'])) {
    next(new AppError('UNSUPPORTED_MEDIA_TYPE', `content-type ${req.get('content-type') ?? '(none)'}`, { detail: SEND_AS_JSON_DETAIL }));
    return;
  }
  next();
};

export function statusPath(id: string, token: string): string {
  return `/api/submissions/${encodeURIComponent(id)}?token=${encodeURIComponent(token)}`;
}

/** The PDF receipt (Eingangsbestätigung), behind the same token as the status URL. */
export function receiptPath(id: string, token: string): string {
  return `/api/submissions/${encodeURIComponent(id)}/receipt.pdf?token=${encodeURIComponent(token)}`;
}

/** Accepting submissions and telling the applicant where they stand. */
export function submissionsRouter(service: SubmissionService, receipts: Receipts, bodyLimitBytes: number, rateLimiter: RateLimiter): Router {
  const router = Router();
  const parseJson = express.json({
    limit: bodyLimitBytes, strict: true, type: () => true,
    // Too many values are refused before JSON.parse spends time on them (see input-limits.ts).
    verify: (_req, _res, buffer) => {
      if (exceedsValueBudget(buffer)) throw Object.assign(new Error('too many JSON values'), { type: TOO_MANY_VALUES_TYPE });
    },
  });

  // Counted before the body is read, so a flood costs no parsing.
  router.post('/api/forms/:id/submissions', rateLimiter.middleware('submissions'), requireJson, parseJson, async (req, res) => {
    const language = negotiateLanguage(req.get('accept-language'));
    const accepted = await service.accept(req.params.id as string, req.body as unknown, language);
    const statusUrl = statusPath(accepted.id, accepted.token);
    res.status(201).location(statusUrl).set('cache-control', 'no-store').json({
      id: accepted.id,
      statusUrl,
      receiptUrl: receiptPath(accepted.id, accepted.token),
      authority: accepted.authority,
    });
  });

  router.get('/api/submissions/:id', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const record = await service.findWithToken(req.params.id, token);
    if (!record) throw new AppError('SUBMISSION_NOT_FOUND', 'unknown reference or wrong token');
    const view = await service.statusOf(record);
    res.set('cache-control', 'no-store').json({
      id: record.id,
      status: view.status,
      events: view.events.map((e) => ({ type: e.type, at: e.at.toISOString() })),
    });
  });

  router.get('/api/submissions/:id/receipt.pdf', async (req, res) => {
    const token = typeof req.query.token === 'string' ? req.query.token : undefined;
    const record = await service.findWithToken(req.params.id, token);
    if (!record) throw new AppError('SUBMISSION_NOT_FOUND', 'receipt for unknown reference or wrong token');
    // Only after the token matched: whether a reference was purged is not told to strangers.
    if (record.purgedAt) throw new AppError('SUBMISSION_DATA_DELETED', 'receipt of a purged submission');
    const receipt = await receipts.receiptOf(record);
    res.status(200).set({
      'content-type': 'application/pdf',
      'content-disposition': `attachment; filename="${receiptFileName(receipt.reference)}"`,
      'cache-control': 'no-store',
    }).send(receipt.pdf);
  });

  return router;
}
