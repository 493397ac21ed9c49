import { mkdirSync, readdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { DeliveryJob } from '../../src/storage/ports';
import { mountSmallFileSystem, type SmallFileSystem } from '../support/small-filesystem';
import { tempDir } from '../support/temp-dir';
import { buildContainer, example, SAMPLE_FORMS, writeSampleTenant } from '../support/test-setup';

/**
 * The .eml file transport (no SMTP_URL) on a full disk, for real: DATA_DIR/mail is a small tmpfs
 * of its own, filled until the kernel answers ENOSPC, with a few KB left so the message is cut
 * off part-way, as on a real disk. No `.part` may stay behind; the attempt is a retryable
 * failure, and the e-mail is written once there is space again.
 */
describe('the applicant\'s e-mail as an .eml file on a full disk', () => {
  let dir: ReturnType<typeof tempDir>;
  let mail: SmallFileSystem;
  let container: Container | undefined;

  beforeEach(() => {
    dir = tempDir('efa-mail-faults-');
  });
  afterEach(async () => {
    await container?.close(2000);
    container = undefined;
    mail.remove();
    dir.remove();
  });

  async function until<T>(what: string, probe: () => Promise<T | undefined>): Promise<T> {
    for (const deadline = Date.now() + 10_000; ;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  test('leaves no .part file, keeps the job for a retry, and writes the e-mail once space is back', async () => {
    const tenants = path.join(dir.path, 'tenants');
    mkdirSync(tenants, { recursive: true });
    const dataDir = path.join(dir.path, 'data');
    mail = mountSmallFileSystem(path.join(dataDir, 'mail'), 1024 * 1024);
    // A message with its PDF receipt is far larger than the 8 KB left.
    mail.fill(8 * 1024);
    const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
    container = await buildContainer(
      { ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: dataDir, MAIL_FROM: 'noreply@example.org' },
      { retryPolicy: { baseDelayMs: 100, maxDelayMs: 300 } },
    );
    const c = container;
    c.worker.start();
    const res = await request(c.app).post('/api/forms/gewerbeanmeldung/submissions').send({ data: example('gewerbeanmeldung', 'valid-2') });
    expect(res.status).toBe(201);
    const id = (res.body as { id: string }).id;
    const mailJob = async (): Promise<DeliveryJob | undefined> => (await c.store.deliveries.jobsOf(id)).find((j) => j.channel === 'email-citizen');
    const files = () => readdirSync(mail.path).filter((f) => f !== '.filler');

    // Two failed attempts: each one cleaned up after itself.
    const failed = await until('two failed e-mail attempts', async () => {
      const job = await mailJob();
      return job && job.attempts >= 2 && job.state === 'failed' ? job : undefined;
    });
    expect(failed.lastError).toBe('e-mail not accepted: ENOSPC');
    expect(files()).toEqual([]);

    mail.free();
    const delivered = await until('the e-mail job delivered', async () => {
      const job = await mailJob();
      return job?.state === 'delivered' ? job : undefined;
    });
    expect(delivered.lastError).toBeNull();
    expect(files()).toEqual([expect.stringMatching(new RegExp(`^${id}-[0-9a-f-]{36}\\.eml$`))]);
  });
});
