import { createHash } from 'node:crypto';
import { gunzipSync, inflateSync, brotliDecompressSync } from 'node:zlib';
import { parseMultipart } from '../support/multipart';
import type { FuzzCase, RequestSpec } from './cases';
import { pdfAttachment, xmlProblem } from './external-tools';
import type { FuzzServer } from './fuzz-server';
import { send, type Answer, type Target } from './http-client';
import { firstDifference } from './json-compare';
import { failureOf, type Failure } from './results';

/**
 * The checks every request and every accepted submission goes through, and the figures they
 * feed. One session per run; cases call `exchange` for each request they make.
 */
export interface Limits {
  /** Problem documents and other error answers that are not pages. */
  readonly problemBytes: number;
  /** Pages, PDFs and successful JSON answers. */
  readonly pageBytes: number;
  readonly answerMs: number;
  readonly eventLoopMs: number;
  /** The client gives up on an answer after this long (then "no answer"). */
  readonly requestTimeoutMs: number;
  /** How long to wait at the end for the worker to deliver every accepted submission. */
  readonly deliveryWaitMs: number;
}

export const DEFAULT_LIMITS: Limits = {
  problemBytes: 64 * 1024,
  pageBytes: 1024 * 1024,
  answerMs: 5000,
  eventLoopMs: 1000,
  requestTimeoutMs: 60_000,
  deliveryWaitMs: 60_000,
};

/** Enough of any answer to read a page's CSRF token or check a PDF; the rest is only counted. */
const KEEP_BYTES = 2 * 1024 * 1024;

/** An accepted submission whose delivery is checked once the worker has had its time. */
export interface PendingDelivery {
  readonly case: Pick<FuzzCase, 'index' | 'form' | 'mutation' | 'description'>;
  readonly id: string;
  readonly jobId: string;
  readonly idempotencyKey: string;
  readonly authorityId: string;
  readonly citizenJobId?: string;
}

/** The problem code (and first field pointer) of a problem answer, for the failure report. */
export function problemHint(answer: Answer): string | undefined {
  const text = answer.body.toString('utf8');
  if (answer.body.length === answer.bytes && /json/.test(String(answer.headers['content-type']))) {
    try {
      const doc = JSON.parse(text) as { code?: unknown; errors?: Array<{ pointer?: unknown }> };
      const pointers = Array.isArray(doc.errors) ? doc.errors.slice(0, 2).map((e) => String(e.pointer)) : [];
      return [typeof doc.code === 'string' ? doc.code : undefined, pointers.length > 0 ? `at ${pointers.join(', ')}${(doc.errors?.length ?? 0) > 2 ? ` (+${doc.errors!.length - 2})` : ''}` : undefined].filter(Boolean).join(' ');
    } catch {
      return 'answer is not JSON';
    }
  }
  return /"code":"([A-Z_]+)"/.exec(text.slice(0, 4096))?.[1];
}

/** What the server should have parsed from this body (undefined when it cannot be read). */
function sentJson(spec: RequestSpec): unknown {
  if (!spec.body) return undefined;
  const encoding = spec.headers['content-encoding'];
  const raw = encoding === 'gzip' ? gunzipSync(spec.body) : encoding === 'deflate' ? inflateSync(spec.body) : encoding === 'br' ? brotliDecompressSync(spec.body) : spec.body;
  const charset = /charset="?([\w-]+)/i.exec(spec.headers['content-type'] ?? '')?.[1]?.toLowerCase();
  const text = raw.toString(charset === 'utf-16' || charset === 'utf-16le' ? 'utf16le' : charset === 'latin1' || charset === 'iso-8859-1' ? 'latin1' : 'utf8');
  // A leading byte order mark is ignored, as RFC 8259 allows and body-parser does.
  return JSON.parse(text.replace(/^\ufeff/, ''));
}

export class FuzzSession {
  readonly failures: Failure[] = [];
  readonly statuses = new Map<number, number>();
  readonly times: number[] = [];
  readonly pending: PendingDelivery[] = [];
  requests = 0;
  hungCases = 0;
  accepted = 0;
  delivered = 0;
  maxBytes = 0;
  maxBytesAt = '';
  maxMs = 0;
  maxMsAt = '';
  /** Cases running now, for blaming an event-loop stall. */
  readonly inFlight = new Map<number, FuzzCase>();

  constructor(readonly server: FuzzServer, readonly target: Target, readonly limits: Limits) {}

  fail(fuzzCase: FuzzCase, route: string, problem: string, answer: { status: number; bytes: number; ms: number } = { status: 0, bytes: 0, ms: 0 }, detail?: string): void {
    this.failures.push(failureOf(fuzzCase, route, problem, answer, detail));
  }

  /** Sends one request of a case and checks what every answer must satisfy. */
  async exchange(fuzzCase: FuzzCase, route: string, spec: RequestSpec): Promise<Answer> {
    const answer = await send(this.target, spec, KEEP_BYTES, this.limits.requestTimeoutMs);
    this.requests++;
    this.statuses.set(answer.status, (this.statuses.get(answer.status) ?? 0) + 1);
    this.times.push(answer.ms);
    if (answer.bytes > this.maxBytes) {
      this.maxBytes = answer.bytes;
      this.maxBytesAt = `#${fuzzCase.index} ${route} ${fuzzCase.mutation}`;
    }
    if (answer.ms > this.maxMs) {
      this.maxMs = answer.ms;
      this.maxMsAt = `#${fuzzCase.index} ${route} ${fuzzCase.mutation}`;
    }
    const type = String(answer.headers['content-type'] ?? '');
    if (answer.status === -1) this.fail(fuzzCase, route, 'request could not be sent (fuzzer bug)', answer, answer.error);
    else if (answer.status === 0 && spec.abortAfterBytes === undefined) this.fail(fuzzCase, route, 'no answer', answer, answer.error);
    else if (answer.status >= 500) this.fail(fuzzCase, route, '5xx', answer, problemHint(answer));
    const limit = answer.status >= 400 && !/html/.test(type) ? this.limits.problemBytes : this.limits.pageBytes;
    if (answer.bytes > limit) this.fail(fuzzCase, route, `answer larger than ${limit / 1024} KiB`, answer, problemHint(answer));
    if (answer.ms > this.limits.answerMs) this.fail(fuzzCase, route, `answer slower than ${this.limits.answerMs} ms`, answer, problemHint(answer));
    return answer;
  }

  /**
   * A 201 (or a confirmation page) promised a stored submission: it is in the store with the
   * answers sent, its payload is well-formed XML queued unchanged for the authority, and the
   * receipt is a PDF carrying exactly that XML. Delivery is checked later (`verifyDeliveries`).
   */
  async checkAccepted(fuzzCase: FuzzCase, route: string, id: string, receiptUrl: string, sent: RequestSpec | undefined): Promise<void> {
    this.accepted++;
    const { store } = this.server.container;
    const record = await store.submissions.find(id);
    if (!record) {
      this.fail(fuzzCase, route, 'accepted but not stored', { status: 201, bytes: 0, ms: 0 }, id);
      return;
    }
    if (sent) {
      let expected: unknown;
      try {
        expected = (sentJson(sent) as { data?: unknown } | undefined)?.data;
      } catch (err) {
        this.fail(fuzzCase, route, 'accepted a body that is not JSON', { status: 201, bytes: 0, ms: 0 }, err instanceof Error ? err.message.slice(0, 80) : String(err));
      }
      const difference = expected === undefined ? undefined : firstDifference(JSON.parse(record.dataJson), expected);
      if (difference !== undefined) this.fail(fuzzCase, route, 'stored answers differ from those sent', { status: 201, bytes: 0, ms: 0 }, `first at ${difference}`);
    }
    const jobs = await store.deliveries.jobsOf(id);
    const authorityJobs = jobs.filter((j) => j.channel === 'http');
    const job = authorityJobs[0];
    if (authorityJobs.length !== 1 || !job) {
      this.fail(fuzzCase, route, 'accepted without exactly one delivery job', { status: 201, bytes: 0, ms: 0 }, `${authorityJobs.length} http jobs`);
      return;
    }
    if (job.body !== record.payloadXml) this.fail(fuzzCase, route, 'queued payload differs from the stored one', { status: 201, bytes: 0, ms: 0 });
    const xml = await xmlProblem(record.payloadXml);
    if (xml !== undefined) this.fail(fuzzCase, route, 'payload is not well-formed XML', { status: 201, bytes: 0, ms: 0 }, xml);
    const citizenJob = jobs.find((j) => j.channel === 'email-citizen');
    this.pending.push({
      case: { index: fuzzCase.index, form: fuzzCase.form, mutation: fuzzCase.mutation, description: fuzzCase.description },
      id, jobId: job.id, idempotencyKey: job.idempotencyKey, authorityId: job.authorityId, ...(citizenJob ? { citizenJobId: citizenJob.id } : {}),
    });

    const receipt = await this.exchange(fuzzCase, 'GET /api/submissions/:id/receipt.pdf', { method: 'GET', path: receiptUrl, headers: {} });
    if (receipt.status >= 500 || receipt.status === 0) return;
    const isPdf = receipt.status === 200 && receipt.headers['content-type'] === 'application/pdf' && receipt.body.subarray(0, 5).toString('latin1') === '%PDF-';
    if (!isPdf) {
      this.fail(fuzzCase, 'GET /api/submissions/:id/receipt.pdf', 'no PDF receipt', receipt, String(receipt.headers['content-type']));
      return;
    }
    if (receipt.body.length !== receipt.bytes) return;
    try {
      const attached = await pdfAttachment(receipt.body, `${id}.xml`, this.server.scratchDir, String(fuzzCase.index));
      if (!attached.equals(Buffer.from(record.payloadXml, 'utf8'))) this.fail(fuzzCase, 'GET /api/submissions/:id/receipt.pdf', 'receipt carries other XML than stored', receipt);
    } catch (err) {
      this.fail(fuzzCase, 'GET /api/submissions/:id/receipt.pdf', 'receipt has no readable XML attachment', receipt, err instanceof Error ? err.message.slice(0, 120) : String(err));
    }
  }

  /**
   * Checks the accepted submissions whose authority job is delivered: the receiver got it
   * exactly once, byte for byte as queued, signed, at the authority's URL. With `final`, the
   * rest count as not delivered, and anything else the receiver got is reported.
   */
  async verifyDeliveries(final: boolean): Promise<void> {
    const { store } = this.server.container;
    const requests = this.server.receiver.requests;
    const byKey = new Map<string, number[]>();
    requests.forEach((r, i) => {
      const key = String(r.headers['idempotency-key'] ?? '');
      byKey.set(key, [...(byKey.get(key) ?? []), i]);
    });
    const consumed = new Set<number>();
    const still: PendingDelivery[] = [];
    for (const p of this.pending) {
      const job = await store.deliveries.findJob(p.jobId);
      const citizen = p.citizenJobId === undefined ? undefined : await store.deliveries.findJob(p.citizenJobId);
      const done = job?.state === 'delivered' && (p.citizenJobId === undefined || citizen?.state === 'delivered');
      if (!done && !final) {
        still.push(p);
        continue;
      }
      const fake = { ...p.case, kind: 'api', giant: false, request: { method: 'GET', path: '', headers: {} } } as FuzzCase;
      const route = 'delivery to the authority';
      const at = { status: 201, bytes: 0, ms: 0 };
      if (p.citizenJobId !== undefined && citizen?.state !== 'delivered') {
        this.fail(fake, 'confirmation e-mail to the applicant', 'not sent', at, citizen ? `${citizen.state}: ${citizen.lastError ?? ''}`.slice(0, 160) : 'job missing');
      }
      if (!job || job.state !== 'delivered') {
        this.fail(fake, route, 'not delivered', at, job ? `${job.state} after ${job.attempts} attempts: ${job.lastError ?? ''}`.slice(0, 160) : 'job missing');
        continue;
      }
      const got = byKey.get(p.idempotencyKey) ?? [];
      got.forEach((i) => consumed.add(i));
      const first = got[0] === undefined ? undefined : requests[got[0]];
      if (!first) this.fail(fake, route, 'marked delivered but never received', at);
      else {
        if (got.length !== 1) this.fail(fake, route, 'received more than once', at, `${got.length} times`);
        // With files the push is multipart/mixed: the payload first, then each file (docs/delivery.md).
        const multipart = String(first.headers['content-type'] ?? '').startsWith('multipart/');
        let parts: ReturnType<typeof parseMultipart> = [];
        try {
          parts = multipart ? parseMultipart(first.headers['content-type'], first.raw) : [];
        } catch (err) {
          this.fail(fake, route, 'multipart push not readable', { ...at, bytes: first.raw.length }, err instanceof Error ? err.message : String(err));
        }
        const payload = multipart ? parts[0]?.body.toString('utf8') : first.body;
        if (payload !== job.body) this.fail(fake, route, 'received body differs from the stored payload', { ...at, bytes: first.raw.length });
        const files = (await store.attachments.ofSubmission(p.id)).map((a) => a.sha512);
        const received = parts.slice(1).map((part) => createHash('sha512').update(part.body).digest('hex'));
        if (received.length !== files.length || received.some((h) => !files.includes(h))) {
          this.fail(fake, route, 'received files differ from the stored attachments', at, `${received.length} of ${files.length}`);
        }
        if (!first.signatureValid) this.fail(fake, route, 'signature invalid', at);
        if (first.path !== `/${p.authorityId}`) this.fail(fake, route, 'sent to the wrong authority', at, first.path);
      }
      const submission = await store.submissions.find(p.id);
      if (submission?.status !== 'delivered' && submission?.status !== 'acknowledged') this.fail(fake, route, 'job delivered but submission not marked delivered', at, submission?.status);
      else this.delivered++;
    }
    // Keep what is not accounted for yet; what was checked no longer takes memory.
    const rest = requests.filter((_, i) => !consumed.has(i));
    requests.splice(0, requests.length, ...rest);
    this.pending.splice(0, this.pending.length, ...still);
    if (final && rest.length > 0) {
      const fake = { index: -1, form: '-', mutation: '-', description: 'deliveries nobody accepted', kind: 'api', giant: false, request: { method: 'GET', path: '', headers: {} } } as FuzzCase;
      this.fail(fake, 'delivery to the authority', 'unexpected delivery', { status: 0, bytes: 0, ms: 0 }, `${rest.length} requests`);
    }
  }
}
