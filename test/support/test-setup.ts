import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Config } from '../../src/config/config-schema';
import { loadConfig } from '../../src/config/load-config';
import { createContainer, type Container, type ContainerOptions } from '../../src/container';
import type { Tenant } from '../../src/routing/tenant';
import { createMemoryLogger } from '../../src/support/logger';

export const REPO = path.resolve(__dirname, '../..');
export const SAMPLE_FORMS = path.join(REPO, 'forms');
export const SAMPLE_TENANT = path.join(REPO, 'tenants', 'thueringen.json');
/** Forms used only by tests (e.g. one without any `ui`), kept apart from the samples. */
export const FIXTURE_FORMS = path.join(REPO, 'test', 'fixtures', 'forms');

export function readJson<T = unknown>(file: string): T {
  return JSON.parse(readFileSync(file, 'utf8')) as T;
}

export function example(formId: string, name: string): Record<string, unknown> {
  return readJson(path.join(SAMPLE_FORMS, formId, 'examples', `${name}.json`));
}

/** The shared secret each test authority gets, derived from its id. */
export function secretFor(authorityId: string): string {
  return `test-secret-of-${authorityId}`;
}

/**
 * Writes the sample Thüringen tenant into `dir` with every authority's URL pointing at
 * `receiverUrl/<authority-id>`; returns the env record holding their secrets.
 */
export function writeSampleTenant(
  dir: string,
  receiverUrl: string,
  extraForms: readonly string[] = [],
  /** Replacements per authority id, e.g. another `delivery` or an `encryptionKey`. */
  overrides: Readonly<Record<string, Partial<Tenant['authorities'][number]>>> = {},
): Record<string, string> {
  const tenant = readJson<Tenant>(SAMPLE_TENANT);
  const env: Record<string, string> = {};
  const authorities = tenant.authorities.map((a, i) => {
    if (a.delivery.type === 'http') env[a.delivery.secretEnv] = secretFor(a.id);
    // Extra (test) forms are served by the first authority for the whole tenant.
    const serves = i === 0 && extraForms.length > 0 ? [...a.serves, { forms: [...extraForms], regions: [...tenant.regions] }] : a.serves;
    return { ...a, serves, delivery: { ...a.delivery, url: `${receiverUrl}/${a.id}` }, ...overrides[a.id] };
  });
  writeFileSync(path.join(dir, `${tenant.id}.json`), JSON.stringify({ ...tenant, authorities }, null, 2));
  return env;
}

/** Tests send many requests from one address; rate limits are off unless a test sets them. */
export const NO_RATE_LIMITS: Readonly<Record<string, string>> = { RATE_LIMIT_DRAFTS: '0', RATE_LIMIT_STEPS: '0', RATE_LIMIT_SUBMISSIONS: '0' };

/**
 * RECEIPT_THREADS 0 unless a test sets it: under ts-jest a render thread compiles the receipt
 * modules with tsx when it starts (seconds of CPU per container on the CI's two cores); the
 * threads themselves are tested in receipt-render-pool.test.ts and, through the container, in
 * stored-receipts.test.ts; processes started from the build use the default.
 */
export function testConfig(overrides: Record<string, string>): Config {
  return loadConfig({ NODE_ENV: 'test', DELIVERY_POLL_INTERVAL_MS: '50', DELIVERY_TIMEOUT_MS: '5000', TEMPLATES_DIR: path.join(REPO, 'templates'), RECEIPT_THREADS: '0', ...NO_RATE_LIMITS, ...overrides });
}

/**
 * The samples (forms and the Thüringen tenant) in `dir`, deliveries pointing nowhere
 * (127.0.0.1:9) and the worker not started: for tests of the API and pages themselves.
 */
export async function sampleContainer(dir: string): Promise<Awaited<ReturnType<typeof buildContainer>>> {
  const tenants = path.join(dir, 'tenants');
  mkdirSync(tenants, { recursive: true });
  const env = writeSampleTenant(tenants, 'http://127.0.0.1:9');
  return buildContainer({ ...env, FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenants, DATA_DIR: path.join(dir, 'data') });
}

export async function buildContainer(
  env: Record<string, string>,
  options: Partial<Pick<ContainerOptions, 'now' | 'random' | 'retryPolicy'>> = {},
): Promise<Container & { logger: ReturnType<typeof createMemoryLogger> }> {
  const logger = createMemoryLogger();
  const container = await createContainer({
    config: testConfig(env),
    env,
    logger,
    product: { name: 'efa-forms', version: '0.0.0-test' },
    ...options,
  });
  return Object.assign(container, { logger });
}
