import { randomBytes } from 'node:crypto';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import Database from 'better-sqlite3';
import { startReceiver, type ReceivedRequest, type TestReceiver } from '../support/http-receiver';
import { parseMultipart } from '../support/multipart';
import { killSpawnedProcesses, startServerProcess, type SpawnedProcess } from '../support/spawn-server';
import { tempDir } from '../support/temp-dir';
import { example, secretFor, writeSampleTenant } from '../support/test-setup';
import { parseXml, path as xmlPath, textOf } from '../support/xml';

/**
 * The outbox survives crashes: the real server process is killed with SIGKILL (no shutdown code
 * runs) while deliveries are in flight, several times, and restarted on the same DATA_DIR. Every
 * submission that got a 201 must still reach its authority, and every repeat must be the same
 * request again (same idempotency key, same body), never a different one. The parking permit
 * carries files (its vehicle registration is required), uploaded before each submission as a
 * portal does, so its pushes are multipart and the repeats carry the files too.
 */

/**
 * What is submitted, in turn, with the authority the sample tenant makes responsible. The two
 * Ilmenau entries share a municipality but not an authority (the town keeps dog tax, the district
 * office trade registrations), so a payload sent by region alone would be caught.
 */
const STREAM: ReadonlyArray<{ form: string; example: string; authority: string; files?: readonly [group: string, name: string] }> = [
  { form: 'anwohnerparkausweis', example: 'valid-1', authority: 'stadt-erfurt-buergeramt', files: ['fahrzeug', 'zulassungsbescheinigung'] },
  { form: 'anwohnerparkausweis', example: 'valid-2', authority: 'stadt-jena-buergeramt', files: ['fahrzeug', 'zulassungsbescheinigung'] },
  { form: 'hundesteuer-anmeldung', example: 'valid-3', authority: 'stadt-ilmenau' },
  { form: 'gewerbeanmeldung', example: 'valid-3', authority: 'landratsamt-ilm-kreis' },
];

const KILLS = 3;
const SUBMITTERS = 2;
/** A pause between one submitter's POSTs keeps the backlog small, so the test spends its time on kills, not on draining. */
const PAUSE_MS = 40;
/** Short attempts make the lease short (2 × timeout + 5 s), so jobs of a killed process come back soon. */
const DELIVERY_TIMEOUT_MS = 1000;

interface Accepted {
  readonly id: string;
  readonly authority: string;
  readonly expectedAuthority: string;
  /** The ids of the files uploaded for it (none for a form without a file question). */
  readonly files: readonly string[];
}

/** A small file the media-type check takes for a PDF (its signature, then random bytes). */
const pdf = (): Blob => new Blob([Buffer.concat([Buffer.from('%PDF-1.7\n', 'latin1'), randomBytes(2039)])], { type: 'application/pdf' });

/** Polls `check` every 25 ms until it holds; fails with `what` after timeoutMs. */
async function until(check: () => boolean, timeoutMs: number, what: () => string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`not within ${timeoutMs} ms: ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('crash recovery of the real server process', () => {
  let receiver: TestReceiver;
  let dir: ReturnType<typeof tempDir>;

  beforeEach(async () => {
    receiver = await startReceiver(secretFor);
    dir = tempDir();
  });
  afterEach(async () => {
    await killSpawnedProcesses();
    await receiver.close();
    dir.remove();
  });

  test(`SIGKILL ${KILLS} times during deliveries: every 201 is delivered, to its authority, each key with one body`, async () => {
    // The receiver holds every request 100–300 ms (spread by arrival), so at any moment while
    // submissions stream in some deliveries are on the wire and unanswered.
    const answered = new Set<number>();
    receiver.respond = (_request, index) =>
      new Promise((resolve) =>
        setTimeout(() => {
          answered.add(index);
          resolve(204);
        }, 100 + ((index * 67) % 201)),
      );
    /** Indexes of the requests since `first` that the receiver has not answered yet. */
    const unansweredSince = (first: number): number[] => {
      const open: number[] = [];
      for (let i = first; i < receiver.requests.length; i++) if (!answered.has(i)) open.push(i);
      return open;
    };

    const tenants = path.join(dir.path, 'tenants');
    const data = path.join(dir.path, 'data');
    mkdirSync(tenants);
    const env = {
      ...writeSampleTenant(tenants, receiver.url),
      TENANTS_DIR: tenants,
      DATA_DIR: data,
      DELIVERY_POLL_INTERVAL_MS: '50',
      DELIVERY_TIMEOUT_MS: String(DELIVERY_TIMEOUT_MS),
      DELIVERY_CONCURRENCY: '8',
    };

    const accepted: Accepted[] = [];
    const otherAnswers: number[] = [];
    /** Submits in a loop until told to stop. A POST cut off by the kill gets no answer: it promised nothing. */
    const submitter = async (server: SpawnedProcess & { url: string }, offset: number, stop: () => boolean): Promise<void> => {
      for (let i = offset; !stop(); i += SUBMITTERS) {
        const sample = STREAM[i % STREAM.length]!;
        try {
          const data = example(sample.form, sample.example);
          const files: string[] = [];
          if (sample.files) {
            // One upload per file the example names, as a portal does before it submits.
            const [group, name] = sample.files;
            const answers = data[group] as Record<string, unknown>;
            const field = encodeURIComponent(`/${group}/${name}`);
            const count = (answers[name] as unknown[]).length;
            for (let n = 0; n < count; n++) {
              const form = new FormData();
              form.append('file', pdf(), `nachweis-${n + 1}.pdf`);
              const upload = await fetch(`${server.url}/api/forms/${sample.form}/attachments?field=${field}`, { method: 'POST', body: form });
              if (upload.status !== 201) {
                otherAnswers.push(upload.status);
                break;
              }
              files.push(((await upload.json()) as { id: string }).id);
            }
            if (files.length !== count) continue;
            answers[name] = files;
          }
          const res = await fetch(`${server.url}/api/forms/${sample.form}/submissions`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify({ data }),
          });
          if (res.status !== 201) {
            otherAnswers.push(res.status);
            continue;
          }
          const body = (await res.json()) as { id: string; authority: { id: string } };
          accepted.push({ id: body.id, authority: body.authority.id, expectedAuthority: sample.authority, files });
        } catch {
          // Cut off by the kill: no answer, so nothing was promised to this applicant.
        }
        await new Promise((r) => setTimeout(r, PAUSE_MS));
      }
    };
    const stream = (server: SpawnedProcess & { url: string }) => {
      let stopped = false;
      const running = Array.from({ length: SUBMITTERS }, (_, k) => submitter(server, accepted.length + k, () => stopped));
      return async () => {
        stopped = true;
        await Promise.all(running);
      };
    };

    // Kill, restart, kill …: each time once this process has had requests on the wire, and at a
    // moment when at least one of its deliveries is still unanswered.
    const kills: Array<{ requestsSeen: number; unansweredAtKill: number[] }> = [];
    for (let run = 0; run < KILLS; run++) {
      const server = await startServerProcess(env);
      const firstRequest = receiver.requests.length;
      const stopStream = stream(server);
      const wanted = 3 + 2 * run; // kill a little later each time, in other states
      await until(
        () => receiver.requests.length - firstRequest >= wanted && unansweredSince(firstRequest).length > 0,
        20_000,
        () => `run ${run}: ${receiver.requests.length - firstRequest} requests, ${unansweredSince(firstRequest).length} unanswered`,
      );
      // Nothing can run between the check above and the kill (no await): the count is the state at the kill.
      kills.push({ requestsSeen: receiver.requests.length - firstRequest, unansweredAtKill: unansweredSince(firstRequest) });
      server.kill('SIGKILL');
      const streamStopped = stopStream();
      const ended = await server.exited;
      expect(ended.signal).toBe('SIGKILL');
      await streamStopped;
    }

    // The last start is left running until all is delivered, taking a few more submissions first.
    const server = await startServerProcess(env);
    const stopStream = stream(server);
    const submittedBefore = accepted.length;
    await until(() => accepted.length >= submittedBefore + 8, 20_000, () => `${accepted.length - submittedBefore} submissions in the last run`);
    await stopStream();

    const references = (r: readonly ReceivedRequest[]) => new Set(r.map((req) => headerOf(req).reference));
    const db = new Database(path.join(data, 'efa-forms.sqlite'), { readonly: true, fileMustExist: true });
    const undelivered = db.prepare<[], { n: number }>("SELECT COUNT(*) AS n FROM delivery_jobs WHERE channel = 'http' AND state <> 'delivered'");
    try {
      // Jobs the kills left in flight are claimed again once their lease (7 s here) has run out.
      await until(
        () => {
          const received = references(receiver.requests);
          return accepted.every((a) => received.has(a.id)) && undelivered.get()?.n === 0;
        },
        30_000,
        () => `${accepted.filter((a) => !references(receiver.requests).has(a.id)).length} accepted not received, ${undelivered.get()?.n} jobs not delivered`,
      );
    } finally {
      db.close();
    }
    server.kill('SIGTERM');
    expect((await server.exited).code).toBe(0);

    // The kills happened while deliveries were on the wire: the process died without an answer.
    expect(kills).toHaveLength(KILLS);
    expect(kills.filter((k) => k.unansweredAtKill.length > 0).length).toBeGreaterThanOrEqual(1);
    // Every answer that came, to an upload or a submission, was a 201 (a kill cuts answers off; it
    // must not turn them into errors).
    expect(otherAnswers).toEqual([]);

    const bodiesByKey = new Map<string, Set<string>>();
    const keysByReference = new Map<string, Set<string>>();
    const received = new Map<string, ReceivedRequest[]>();
    for (const request of receiver.requests) {
      expect(request.signatureValid).toBe(true);
      const key = request.headers['idempotency-key'];
      expect(typeof key).toBe('string');
      const { reference, reader } = headerOf(request);
      // The bytes, not their UTF-8 reading: a push with files carries binary parts.
      bodiesByKey.set(key as string, (bodiesByKey.get(key as string) ?? new Set()).add(request.raw.toString('base64')));
      keysByReference.set(reference, (keysByReference.get(reference) ?? new Set()).add(key as string));
      received.set(reference, [...(received.get(reference) ?? []), request]);
      // The authority the payload is addressed to is the one whose endpoint got it.
      expect(request.path).toBe(`/${reader}`);
    }
    // No idempotency key ever came with two different bodies, and a submission never got two keys.
    expect([...bodiesByKey].filter(([, bodies]) => bodies.size > 1)).toEqual([]);
    expect([...keysByReference].filter(([, keys]) => keys.size > 1)).toEqual([]);

    for (const a of accepted) {
      // The 201 named the responsible authority, and only its endpoint received the submission.
      expect(a.authority).toBe(a.expectedAuthority);
      const arrivals = received.get(a.id) ?? [];
      expect(arrivals.length).toBeGreaterThanOrEqual(1);
      expect(new Set(arrivals.map((r) => r.path))).toEqual(new Set([`/${a.authority}`]));
      // Every arrival, the first and each repeat, carries exactly the files uploaded for it.
      for (const arrival of arrivals) expect(fileIdsOf(arrival)).toEqual(a.files);
    }
    // What was unanswered at a kill was never marked delivered, so it came again after a restart
    // (as the same request, checked above): the repeats this test is about really happened.
    const cutOff = kills.flatMap((k) => k.unansweredAtKill.map((i) => headerOf(receiver.requests[i]!).reference));
    expect(cutOff.filter((reference) => (received.get(reference) ?? []).length < 2)).toEqual([]);
  }, 60_000);
});

const headers = new WeakMap<ReceivedRequest, { reference: string; reader: string }>();

const isMultipart = (request: ReceivedRequest): boolean => /^multipart\/mixed;/i.test(request.headers['content-type'] ?? '');

/** The payload XML of a push: the body itself, or the first part of a push with files (docs/delivery.md#attachments). */
function payloadOf(request: ReceivedRequest): string {
  return isMultipart(request) ? parseMultipart(request.headers['content-type'], request.raw)[0]!.body.toString('utf8') : request.body;
}

/** The ids of the files a push carries, in order (none for a push without files). */
function fileIdsOf(request: ReceivedRequest): string[] {
  if (!isMultipart(request)) return [];
  return parseMultipart(request.headers['content-type'], request.raw).slice(1).map((part) => part.headers['efa-attachment-id'] ?? '');
}

/** Reference and addressed authority of a delivered payload, parsed (strictly, by xmllint) once per request. */
function headerOf(request: ReceivedRequest): { reference: string; reader: string } {
  let header = headers.get(request);
  if (!header) {
    const element = xmlPath(parseXml(payloadOf(request)).elements![0]!, 'header');
    header = { reference: textOf(xmlPath(element, 'reference')), reader: textOf(xmlPath(element, 'reader', 'id')) };
    headers.set(request, header);
  }
  return header;
}
