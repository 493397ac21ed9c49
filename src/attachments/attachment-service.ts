import type { Readable } from 'node:stream';
import type { AttachmentFiles, AttachmentRecord, AttachmentRepository } from '../storage/attachment-ports';
import { cleanFileName } from './file-name';
import { maxBytesOfQuestion, type QuestionLimits } from './question-limits';

export type { QuestionLimits } from './question-limits';
import { createUploadCheck, type UploadRefusal } from './upload-check';
import { clamdScanner, type VirusScanner } from './clamd-scanner';
import type { Config } from '../config/config-schema';
import type { Store } from '../storage/ports';
import type { Logger } from '../support/logger';

/** Why an upload was refused, as stable codes (i18n/attachment-texts.ts words them for citizens). */
export type AttachmentRefusal = UploadRefusal | 'too many' | 'draft full';

export interface UploadRequest {
  readonly formId: string;
  /** The file question's pointer in the answers. */
  readonly fieldPointer: string;
  readonly question: QuestionLimits;
  /** The name the browser or client sent; cleaned before it is kept (never a path). */
  readonly fileName: string;
  readonly content: AsyncIterable<Buffer>;
  /** On the pages: the draft's key. Absent for an API upload. */
  readonly draftKey?: string;
  /** How many files the question holds already (the draft's answer): one more than maxFiles is refused. */
  readonly filesAtQuestion?: number;
}

export type UploadResult =
  | { readonly ok: true; readonly attachment: AttachmentRecord }
  | { readonly ok: false; readonly refusal: AttachmentRefusal };

/** Why a referenced id cannot go with a submission. */
export type ReferenceProblem = 'unknown' | 'foreign' | 'used' | 'wrong question';

export interface ReferenceCheck {
  /** Per referenced id that cannot be used: its pointer in the answers (…/0) and why. */
  readonly problems: ReadonlyArray<{ readonly pointer: string; readonly problem: ReferenceProblem }>;
  /** The referenced attachments, in the order of the answers. */
  readonly attachments: readonly AttachmentRecord[];
  readonly totalBytes: number;
}

export interface AttachmentLimits {
  readonly maxFileBytes: number;
  readonly maxSubmissionBytes: number;
  readonly maxDraftBytes: number;
}

/** Documents with an application: taking uploads in, checking references, reading them for delivery, cleaning up. */
export interface AttachmentService {
  readonly limits: AttachmentLimits;
  /** The bytes one question's file may have: its own cap within the installation's. */
  maxBytesFor(question: QuestionLimits): number;
  /** Streams one upload into the store, scans it, and records it for its draft (or for the API). */
  upload(request: UploadRequest): Promise<UploadResult>;
  /** The files of a draft not yet sent. */
  ofDraft(draftKey: string): Promise<AttachmentRecord[]>;
  /** Removes a file no submission took (a request that failed after storing it); false when it is taken. */
  discard(id: string): Promise<boolean>;
  /** Removes a draft's file (its citizen pressed "remove"); false when it is not that draft's or already sent. */
  removeFromDraft(draftKey: string, id: string): Promise<boolean>;
  /**
   * Checks the ids a submission's answers reference at its file questions: each must exist, be
   * of this form and question, be the draft's (pages) or an API upload (API), and not be used.
   */
  checkReferences(formId: string, references: ReadonlyArray<{ readonly pointer: string; readonly ids: readonly string[] }>, draftKey?: string): Promise<ReferenceCheck>;
  find(id: string): Promise<AttachmentRecord | undefined>;
  ofSubmission(submissionId: string): Promise<AttachmentRecord[]>;
  /** A stored file's bytes (an attachment's, or its sealed copy's by `sealed.fileId`). */
  read(fileId: string): Readable;
  /** Removes unused files of drafts that are gone and API uploads older than `apiUploadTtlMs`; answers how many. */
  sweep(now: Date): Promise<number>;
}

export interface AttachmentServiceOptions {
  readonly repository: AttachmentRepository;
  readonly files: AttachmentFiles;
  readonly scanner: VirusScanner | undefined;
  readonly scanRequired: boolean;
  readonly limits: AttachmentLimits;
  /** How long an API upload not referenced by a submission is kept. */
  readonly apiUploadTtlMs: number;
  readonly now: () => Date;
}

export function createAttachmentService(options: AttachmentServiceOptions): AttachmentService {
  const { repository, files, limits, now } = options;
  const check = createUploadCheck({ files, scanner: options.scanner, scanRequired: options.scanRequired });
  const maxBytesFor = (question: QuestionLimits) => maxBytesOfQuestion(question, limits.maxFileBytes);

  return {
    limits,
    maxBytesFor,
    async upload(request) {
      if ((request.filesAtQuestion ?? 0) >= request.question.maxFiles) return { ok: false, refusal: 'too many' };
      let maxBytes = maxBytesFor(request.question);
      if (request.draftKey !== undefined) {
        const held = (await repository.ofDraft(request.draftKey)).reduce((sum, a) => sum + a.size, 0);
        if (held >= limits.maxDraftBytes) return { ok: false, refusal: 'draft full' };
        maxBytes = Math.min(maxBytes, limits.maxDraftBytes - held);
      }
      const outcome = await check.take(request.content, { maxBytes, accept: request.question.accept });
      if (!outcome.ok) {
        // Past the draft's room but within the question's limit: the draft is full, not the file too large.
        const draftFull = outcome.refusal === 'too large' && maxBytes < maxBytesFor(request.question);
        return { ok: false, refusal: draftFull ? 'draft full' : outcome.refusal };
      }
      const { file } = outcome;
      const attachment: AttachmentRecord = {
        id: file.id, formId: request.formId, fieldPointer: request.fieldPointer,
        ...(request.draftKey !== undefined ? { draftKey: request.draftKey } : {}),
        fileName: cleanFileName(request.fileName, file.mediaType), mediaType: file.mediaType, size: file.size,
        sha512: file.sha512, scanned: outcome.scanned, createdAt: now(),
      };
      try {
        await repository.add(attachment);
      } catch (err) {
        await files.remove(file.id);
        throw err;
      }
      return { ok: true, attachment };
    },
    ofDraft: (draftKey) => repository.ofDraft(draftKey),
    async discard(id) {
      if (!(await repository.removeUnused(id))) return false;
      await files.remove(id);
      return true;
    },
    async removeFromDraft(draftKey, id) {
      const found = await repository.find(id);
      if (!found || found.draftKey !== draftKey || found.submissionId !== undefined) return false;
      if (!(await repository.removeUnused(id))) return false;
      await files.remove(id);
      return true;
    },
    async checkReferences(formId, references, draftKey) {
      const problems: Array<{ pointer: string; problem: ReferenceProblem }> = [];
      const attachments: AttachmentRecord[] = [];
      const seen = new Set<string>();
      for (const { pointer, ids } of references) {
        for (const [i, id] of ids.entries()) {
          const at = `${pointer}/${i}`;
          const found = seen.has(id) ? undefined : await repository.find(id);
          if (seen.has(id)) problems.push({ pointer: at, problem: 'used' });
          else if (!found) problems.push({ pointer: at, problem: 'unknown' });
          else if (found.formId !== formId || found.draftKey !== draftKey) problems.push({ pointer: at, problem: 'foreign' });
          else if (found.submissionId !== undefined) problems.push({ pointer: at, problem: 'used' });
          else if (found.fieldPointer !== pointer) problems.push({ pointer: at, problem: 'wrong question' });
          else attachments.push(found);
          seen.add(id);
        }
      }
      return { problems, attachments, totalBytes: attachments.reduce((sum, a) => sum + a.size, 0) };
    },
    find: (id) => repository.find(id),
    ofSubmission: (submissionId) => repository.ofSubmission(submissionId),
    read: (fileId) => files.read(fileId),
    async sweep(at) {
      const cutoff = new Date(at.getTime() - options.apiUploadTtlMs);
      let removed = 0;
      for (;;) {
        const batch = await repository.orphans(cutoff, 100);
        for (const orphan of batch) {
          // The row first, and only while unused: a submission taking the file at this moment wins.
          if (!(await repository.removeUnused(orphan.id))) continue;
          await files.remove(orphan.id);
          removed += 1;
        }
        if (batch.length < 100) break;
      }
      return removed + (await removeStrays(cutoff));
    },
  };

  /**
   * Files no row names, older than an upload may wait for its row: a crash between a file and
   * its row (an upload, a sealed copy, a removal that took the row first) left them, and they
   * hold a citizen's document. Writes a crash cut off go too.
   */
  async function removeStrays(cutoff: Date): Promise<number> {
    let removed = 0;
    let batch: string[] = [];
    const settle = async () => {
      const named = await repository.namedFiles(batch);
      for (const id of batch) {
        if (named.has(id)) continue;
        await files.remove(id);
        removed += 1;
      }
      batch = [];
    };
    for await (const id of files.filesBefore(cutoff)) {
      batch.push(id);
      if (batch.length === 100) await settle();
    }
    await settle();
    return removed + (await files.removeUnfinished(cutoff));
  }
}

/** The settings the attachments take (config-schema.ts). */
export type AttachmentSettings = Pick<Config,
  'production' | 'clamdUrl' | 'clamdTimeoutMs' | 'clamdStreamMaxBytes' | 'attachmentScan' | 'attachmentMaxFileBytes'
  | 'attachmentMaxSubmissionBytes' | 'attachmentMaxDraftBytes' | 'attachmentUploadTtlHours'>;

/**
 * The service as the settings describe it: a clamd scanner with CLAMD_URL; scanning required
 * with ATTACHMENT_SCAN=on, or =auto (the default) when a scanner is configured. `on` without
 * CLAMD_URL stops the start (load-config.ts): no file would ever be accepted.
 */
export function attachmentServiceFromSettings(settings: AttachmentSettings, store: Pick<Store, 'attachments' | 'attachmentFiles'>, now: () => Date, logger?: Logger): AttachmentService {
  // Allowed (a trial, a scanner in front), but an operator must know that files go unscanned.
  if (settings.production && settings.clamdUrl === '') logger?.warn('attachments.no_virus_scanner', { setting: 'CLAMD_URL' });
  const scanner = settings.clamdUrl === '' ? undefined
    : clamdScanner({ url: settings.clamdUrl, timeoutMs: settings.clamdTimeoutMs, maxBytes: settings.clamdStreamMaxBytes });
  return createAttachmentService({
    repository: store.attachments, files: store.attachmentFiles, scanner,
    scanRequired: scanner !== undefined && settings.attachmentScan !== 'off',
    limits: { maxFileBytes: settings.attachmentMaxFileBytes, maxSubmissionBytes: settings.attachmentMaxSubmissionBytes, maxDraftBytes: settings.attachmentMaxDraftBytes },
    apiUploadTtlMs: settings.attachmentUploadTtlHours * 3_600_000,
    now,
  });
}
