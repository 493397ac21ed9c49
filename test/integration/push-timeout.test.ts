import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { performance } from 'node:perf_hooks';
import { Readable } from 'node:stream';
import { SETTINGS } from '../../src/config/config-schema';
import { ConfigError, loadConfig } from '../../src/config/load-config';
import { deliverOverHttp, pushTimeLimitMs, type PushTimeouts } from '../../src/delivery/http-channel';
import type { OutboundFile } from '../../src/delivery/outbound-payload';
import { signatureHeaders, verifyPayloadSignature } from '../../src/delivery/signature';
import type { DeliveryJob } from '../../src/storage/ports';
import { channelHarness, waitUntil } from '../support/channel-harness';
import { sha512Hex, submitWithFiles } from '../support/stored-attachments';
import { secretFor } from '../support/test-setup';

/**
 * The time limit of an http push (issue 15): DELIVERY_TIMEOUT_MS for a push without files, and
 * for one with files its body's size at DELIVERY_MIN_BYTES_PER_SECOND on top, so an authority
 * on a slow line gets large submissions at all, while a receiver that stops reading is still cut
 * off. Against a real node:http receiver that reads the body at a rate of its own (the kernel's
 * socket buffers take in part of the body either way: the receiver answers only once it has read
 * every byte, so how fast it reads decides when the answer comes).
 */
const SECRET = 'push-timeout-secret';
/** DELIVERY_TIMEOUT_MS at its minimum. */
const TIMEOUT_MS = 100;
/** What the test's pushes count as the slowest progress: 128 KiB/s. */
const MIN_RATE = 128 * 1024;
/** A file of 400 KiB: at the receiver's 512 KiB/s (below 400 KiB per 100 ms, above MIN_RATE) it needs about 0.8 s. */
const FILE_BYTES = 400 * 1024;
const RECEIVER_RATE = 512 * 1024;

function job(): DeliveryJob {
  return {
    id: 'job-1', submissionId: 'ABCD-EFGH-J', authorityId: 'a', channel: 'http', idempotencyKey: '5b0d7c1e-2f43-4a8e-9c61-7d2e4f9a1b03',
    contentType: 'application/xml; charset=utf-8', body: '<?xml version="1.0" encoding="UTF-8"?>\n<submission/>\n',
    state: 'in_flight', attempts: 1, nextAttemptAt: new Date(), lastError: null, createdAt: new Date(),
  };
}

/** A PDF-looking file of `size` random bytes, read in chunks of 16 KiB as the store reads it. */
function file(size: number): OutboundFile {
  const bytes = Buffer.concat([Buffer.from('%PDF-1.7\n'), randomBytes(size - 9)]);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += 16 * 1024) chunks.push(bytes.subarray(at, at + 16 * 1024));
  return {
    id: '44444444-4444-4444-8444-444444444444', fileName: 'nachweis.pdf', contentType: 'application/pdf', mediaType: 'application/pdf',
    sha512: sha512Hex(bytes), size, uploadedSize: size, kid: undefined, open: () => Readable.from(chunks),
  };
}

interface Arrival {
  /** Bytes of the body read so far. */
  read: number;
  /** Whether the signature over every byte held (set once the whole body was read). */
  signatureValid?: boolean;
  /** Whether the sender gave up on the request before its body was whole. */
  cutOff: boolean;
}

/**
 * A receiver reading each body at `rate` bytes per second (0: it takes the headers, then reads
 * nothing more and never answers), answering 204 `answerAfterMs` after the last byte.
 */
async function slowReceiver(rate: number, answerAfterMs = 0): Promise<{ url: string; arrivals: Arrival[]; close(): Promise<void> }> {
  const arrivals: Arrival[] = [];
  const server: Server = createServer((req: IncomingMessage, res) => {
    const arrival: Arrival = { read: 0, cutOff: false };
    arrivals.push(arrival);
    const chunks: Buffer[] = [];
    req.on('aborted', () => (arrival.cutOff = true));
    req.on('close', () => {
      if (!req.complete) arrival.cutOff = true;
    });
    if (rate === 0) {
      req.pause();
      return;
    }
    req.on('data', (chunk: Buffer) => {
      chunks.push(chunk);
      arrival.read += chunk.length;
      // Paused for as long as this chunk takes at the rate: the sender's bytes back up behind it.
      req.pause();
      setTimeout(() => req.resume(), (chunk.length * 1000) / rate);
    });
    req.on('end', () => {
      const secret = req.url === '/a' ? SECRET : secretFor((req.url ?? '/').slice(1));
      arrival.signatureValid = verifyPayloadSignature(secret, signatureHeaders(req.headers), Buffer.concat(chunks), Math.floor(Date.now() / 1000));
      setTimeout(() => res.writeHead(204).end(), answerAfterMs);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    arrivals,
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/** One push of `job()` with `files`, timed with a monotonic clock. */
async function push(url: string, timeouts: PushTimeouts, files: readonly OutboundFile[]) {
  const started = performance.now();
  const outcome = await deliverOverHttp(job(), { type: 'http', url: `${url}/a`, secretEnv: 'X' }, SECRET, { ...timeouts, now: () => new Date(), files });
  return { outcome, ms: performance.now() - started };
}

describe('the time limit of an http push', () => {
  let receiver: Awaited<ReturnType<typeof slowReceiver>> | undefined;
  afterEach(async () => {
    await receiver?.close();
    receiver = undefined;
  });

  test('a push with files read slower than its size per DELIVERY_TIMEOUT_MS but faster than the minimum rate arrives whole, where DELIVERY_TIMEOUT_MS alone cuts it off', async () => {
    receiver = await slowReceiver(RECEIVER_RATE);
    const files = [file(FILE_BYTES)];

    const { outcome } = await push(receiver.url, { timeoutMs: TIMEOUT_MS, minBytesPerSecond: MIN_RATE }, files);
    expect(outcome).toEqual({ ok: true, status: 204 });
    expect(receiver.arrivals[0]).toMatchObject({ cutOff: false, signatureValid: true });
    expect(receiver.arrivals[0]!.read).toBeGreaterThan(FILE_BYTES);

    // The rule before: the whole request within DELIVERY_TIMEOUT_MS, which this receiver cannot meet.
    const before = await push(receiver.url, { timeoutMs: TIMEOUT_MS }, files);
    expect(before.outcome).toEqual({ ok: false, error: 'request failed: TimeoutError' });
  });

  test('a receiver that stops reading is still cut off, once the body has had its time at the minimum rate', async () => {
    receiver = await slowReceiver(0);
    const files = [file(FILE_BYTES)];
    const limit = pushTimeLimitMs({ timeoutMs: TIMEOUT_MS, minBytesPerSecond: MIN_RATE }, FILE_BYTES + 1000);

    const { outcome, ms } = await push(receiver.url, { timeoutMs: TIMEOUT_MS, minBytesPerSecond: MIN_RATE }, files);
    expect(outcome).toEqual({ ok: false, error: 'request failed: TimeoutError' });
    // Not before the body's time was up (timers never fire early), and not left hanging either.
    expect(ms).toBeGreaterThanOrEqual(limit - 5);
    expect(ms).toBeLessThan(limit + 10_000);
    expect(receiver.arrivals).toHaveLength(1);
  });

  test('a push without files keeps DELIVERY_TIMEOUT_MS: a receiver answering later is cut off whatever the minimum rate', async () => {
    receiver = await slowReceiver(RECEIVER_RATE, 10 * TIMEOUT_MS);
    const { outcome, ms } = await push(receiver.url, { timeoutMs: TIMEOUT_MS, minBytesPerSecond: MIN_RATE }, []);
    expect(outcome).toEqual({ ok: false, error: 'request failed: TimeoutError' });
    expect(ms).toBeLessThan(10 * TIMEOUT_MS);
    expect(receiver.arrivals).toHaveLength(1);
  });

  test('a bound on every push (what the lease covers) wins over the allowance for the files', async () => {
    receiver = await slowReceiver(RECEIVER_RATE);
    const { outcome } = await push(receiver.url, { timeoutMs: TIMEOUT_MS, minBytesPerSecond: MIN_RATE, maxTimeoutMs: TIMEOUT_MS }, [file(FILE_BYTES)]);
    expect(outcome).toEqual({ ok: false, error: 'request failed: TimeoutError' });
  });

  test('the limit: DELIVERY_TIMEOUT_MS plus the body at the minimum rate, only with files, within the bound and what a timer can wait', () => {
    const defaults = { timeoutMs: 30_000, minBytesPerSecond: 262_144 };
    // 50 MB of files as JWEs, about 70 MB: 267 s on top of the 30 s.
    expect(pushTimeLimitMs(defaults, 70_000_000)).toBe(30_000 + Math.ceil(70_000_000_000 / 262_144));
    expect(pushTimeLimitMs(defaults, 0)).toBe(30_000);
    expect(pushTimeLimitMs({ timeoutMs: 30_000 }, 70_000_000)).toBe(30_000);
    expect(pushTimeLimitMs({ ...defaults, maxTimeoutMs: 60_000 }, 70_000_000)).toBe(60_000);
    expect(pushTimeLimitMs({ ...defaults, maxTimeoutMs: 1_000 }, 0)).toBe(30_000);
    expect(pushTimeLimitMs({ timeoutMs: 30_000, minBytesPerSecond: 1024 }, 4 * 2 ** 32)).toBe(2 ** 31 - 1);
  });
});

describe('a long push through the worker', () => {
  const harness = channelHarness();
  let receiver: Awaited<ReturnType<typeof slowReceiver>> | undefined;
  afterEach(async () => {
    await harness.close();
    await receiver?.close();
    receiver = undefined;
  });
  const AUTHORITY = 'stadt-erfurt-buergeramt';
  const pushJob = async (c: Awaited<ReturnType<typeof harness.start>>, submissionId: string) =>
    (await c.store.deliveries.jobsOf(submissionId)).find((j) => j.channel === 'http')!;

  test('outlasts the lease it was claimed with: renewed while it runs, no other worker can take the job, delivered once', async () => {
    // 256 KiB at 32 KiB/s: about 8 s, past the lease of 2 × 100 ms + 5 s; the minimum rate of 16 KiB/s allows 16 s.
    receiver = await slowReceiver(32 * 1024);
    const c = await harness.start(receiver.url, {}, { DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS), DELIVERY_MIN_BYTES_PER_SECOND: String(16 * 1024) });
    const { accepted } = await submitWithFiles(c, [{ fileName: 'nachweis.pdf', mediaType: 'application/pdf', size: 256 * 1024 }]);
    expect(accepted.authority.id).toBe(AUTHORITY);
    c.worker.start();
    await waitUntil(() => receiver!.arrivals.length === 1);
    const sendingSince = Date.now();

    // Past the first lease's end, the body still coming in: the job is held, no claim takes it.
    await new Promise((r) => setTimeout(r, 2 * TIMEOUT_MS + 5000 + 300));
    expect(receiver.arrivals[0]!.signatureValid).toBeUndefined();
    const claimed = await c.store.deliveries.claimDue({ now: new Date(), limit: 10, leaseMs: 60_000, owner: 'another-worker' });
    expect(claimed.filter((j) => j.channel === 'http')).toEqual([]);

    await waitUntil(async () => (await c.store.submissions.find(accepted.id))?.status === 'delivered', 20_000);
    expect(Date.now() - sendingSince).toBeGreaterThan(2 * TIMEOUT_MS + 5000);
    expect(receiver.arrivals).toHaveLength(1);
    expect(receiver.arrivals[0]).toMatchObject({ cutOff: false, signatureValid: true });
    expect(await pushJob(c, accepted.id)).toMatchObject({ state: 'delivered', attempts: 1 });
    expect(c.logger.lines.filter((l) => l.event.startsWith('delivery.lease'))).toEqual([]);
  }, 40_000);

  test('a receiver that stops reading: the push ends at its own limit and the attempt counts as failed', async () => {
    receiver = await slowReceiver(0);
    const c = await harness.start(receiver.url, {}, { DELIVERY_TIMEOUT_MS: String(TIMEOUT_MS), DELIVERY_MIN_BYTES_PER_SECOND: String(MIN_RATE) });
    const { accepted } = await submitWithFiles(c, [{ fileName: 'nachweis.pdf', mediaType: 'application/pdf', size: FILE_BYTES }]);
    c.worker.start();
    const failures = async () => ((await c.store.submissions.find(accepted.id))?.events ?? []).filter((e) => e.type === 'delivery_failed' && e.detail?.startsWith('http,') === true);
    await waitUntil(async () => (await failures()).length > 0, 20_000);
    // The push's own limit ended it (its size at the minimum rate), not the worker's bound on the attempt.
    expect((await failures())[0]!.detail).toBe('http, attempt 1: request failed: TimeoutError');
    expect((await c.store.submissions.find(accepted.id))?.status).not.toBe('delivered');
  }, 40_000);
});

describe('DELIVERY_MIN_BYTES_PER_SECOND', () => {
  test('defaults to 256 KiB/s, stands next to DELIVERY_TIMEOUT_MS and takes whole numbers from 1024 to 1 GiB', () => {
    expect(loadConfig({}).deliveryMinBytesPerSecond).toBe(262_144);
    expect(loadConfig({ DELIVERY_MIN_BYTES_PER_SECOND: '1024' }).deliveryMinBytesPerSecond).toBe(1024);
    expect(loadConfig({ DELIVERY_MIN_BYTES_PER_SECOND: '1073741824' }).deliveryMinBytesPerSecond).toBe(1_073_741_824);
    const envs = SETTINGS.map((s) => s.env);
    expect(envs.indexOf('DELIVERY_MIN_BYTES_PER_SECOND')).toBe(envs.indexOf('DELIVERY_TIMEOUT_MS') + 1);
  });

  test.each(['0', '1023', '1073741825', '256kb', '2.5', '-1', ' 262144'])('refuses %j with one line', (raw) => {
    let error: unknown;
    try {
      loadConfig({ DELIVERY_MIN_BYTES_PER_SECOND: raw });
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect((error as ConfigError).message).toBe(`DELIVERY_MIN_BYTES_PER_SECOND=${JSON.stringify(raw)} must be a whole number from 1024 to 1073741824`);
  });
});
