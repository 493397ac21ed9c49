import { mkdirSync } from 'node:fs';
import path from 'node:path';
import request from 'supertest';
import type { Container } from '../../src/container';
import type { Tenant } from '../../src/routing/tenant';
import { startReceiver, type TestReceiver } from './http-receiver';
import { tempDir } from './temp-dir';
import { withUploads } from './with-uploads';
import { buildContainer, SAMPLE_FORMS, secretFor, writeSampleTenant } from './test-setup';

export const FAST_RETRIES = { baseDelayMs: 20, maxDelayMs: 200 };

type AuthorityOverrides = Readonly<Record<string, Partial<Tenant['authorities'][number]>>>;

/**
 * One container per test on the sample forms and the Thüringen tenant, with per-authority
 * changes (delivery channel, encryption key) and extra environment; cleaned up by close().
 */
export function channelHarness() {
  let dir: ReturnType<typeof tempDir> | undefined;
  let container: Awaited<ReturnType<typeof buildContainer>> | undefined;
  let lastEnv: Record<string, string> = {};
  let lastUrl = '';

  return {
    async start(receiverUrl: string, overrides: AuthorityOverrides = {}, extraEnv: Record<string, string> = {}) {
      lastUrl = receiverUrl;
      dir = tempDir();
      const tenants = path.join(dir.path, 'tenants');
      mkdirSync(tenants);
      const env = writeSampleTenant(tenants, receiverUrl, [], overrides);
      lastEnv = { ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir.path, 'data'), ...extraEnv };
      container = await buildContainer(lastEnv, { retryPolicy: FAST_RETRIES });
      return container;
    },
    /**
     * A new container on the same files and settings (a restart); the old one must be closed.
     * With `overrides`, the tenant file is written anew first (an operator changed it).
     */
    async restart(overrides?: AuthorityOverrides) {
      if (overrides) writeSampleTenant(lastEnv.TENANTS_DIR!, lastUrl, [], overrides);
      container = await buildContainer(lastEnv, { retryPolicy: FAST_RETRIES });
      return container;
    },
    async close() {
      await container?.close(2000);
      container = undefined;
      dir?.remove();
      dir = undefined;
    },
  };
}

/** Submits through the API, uploading a file first for each attachment id the answers name (withUploads). */
export async function submit(container: Container, formId: string, data: unknown) {
  const res = await request(container.app).post(`/api/forms/${formId}/submissions`).send({ data: await withUploads(container.app, formId, data) });
  expect(res.status).toBe(201);
  return res.body as { id: string; statusUrl: string; receiptUrl: string; authority: { id: string } };
}

export async function waitUntil(check: () => Promise<boolean> | boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 25));
  }
}

/**
 * For a describe block: a fresh real HTTP receiver (signatures checked with secretFor) and a
 * channel harness per test, both closed after it. `receiver` is the current test's receiver.
 */
export function withReceiver() {
  const harness = channelHarness();
  let current: TestReceiver | undefined;
  beforeEach(async () => {
    current = await startReceiver(secretFor);
  });
  afterEach(async () => {
    await harness.close();
    await current?.close();
    current = undefined;
  });
  return {
    harness,
    get receiver(): TestReceiver {
      if (!current) throw new Error('no receiver outside a test');
      return current;
    },
  };
}
