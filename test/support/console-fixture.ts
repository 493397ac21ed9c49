import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import express, { type Express } from 'express';
import { baseApp } from '../../src/app';
import { loadAuthorityCredentials, type AuthorityCredentials } from '../../src/delivery/authority-credentials';
import { createChannelDispatcher, createHttpPush, type SendJob } from '../../src/delivery/channels';
import { createOutboundPayloads } from '../../src/delivery/outbound-payload';
import { AppError } from '../../src/errors';
import { loadFormRegistry, type FormRegistry } from '../../src/forms/form-registry';
import type { ConsoleReload, ConsoleSet } from '../../src/http/console/create-operator-console';
import { createOperatorConsole, loadConsoleTemplates } from '../../src/http/console/create-operator-console';
import { errorHandler } from '../../src/http/problem';
import { createRateLimiter } from '../../src/http/rate-limit';
import { loadOperatorAccess } from '../../src/operators/operator-access';
import { loadTenantFiles } from '../../src/routing/load-tenants';
import { buildRoutingTable } from '../../src/routing/routing-table';
import type { Tenant } from '../../src/routing/tenant';
import { StartupError } from '../../src/startup-error';
import type { Store } from '../../src/storage/ports';
import { openSqliteStore } from '../../src/storage/sqlite/sqlite-store';
import { createMemoryLogger } from '../../src/support/logger';
import { sha256Hex } from '../../src/support/sha256';
import { createTestDeliveries } from '../../src/test-delivery/test-delivery';
import { startReceiver, type TestReceiver } from './http-receiver';
import { tempDir } from './temp-dir';
import { REPO, SAMPLE_FORMS } from './test-setup';

/**
 * The operator console composed as production composes it (baseApp, the console's router, the
 * one error handler) on real parts: a SQLite store in a temporary folder, two tenants (A and B,
 * one operator each) in real tenant files loaded by the real loaders, a real HTTP receiver for
 * test deliveries sent by the real TestDeliveries over the real http push with the tenants'
 * secrets, and a reload that reads the files again (a broken file is refused, the set stays).
 */

export const ADMIN_TOKEN = 'admin-token-of-the-installation';
export const TOKEN_A = 'operator-token-of-land-a';
export const TOKEN_B = 'operator-token-of-land-b';
export const IDLE_MINUTES = 30;

const secretOf = (authorityId: string) => `secret-of-${authorityId}`;
const links = { imprintUrl: 'https://example.org/impressum', privacyUrl: 'https://example.org/datenschutz', accessibilityUrl: 'https://example.org/barrierefreiheit' };

function tenantA(receiverUrl: string): Tenant {
  return {
    id: 'land-a', name: { de: 'Land Alpha', en: 'State Alpha' }, regions: ['15'], links,
    districts: [{ ars: '15001', name: 'Kreis Alpha-Nord' }, { ars: '15002', name: 'Kreis Alpha-Süd' }],
    municipalities: [
      { ars: '150010001001', name: 'Alphastadt', population: 12000, postalCodes: ['11111'] },
      { ars: '150010002002', name: 'Alphadorf', population: 800, postalCodes: ['11112'] },
      { ars: '150020001001', name: 'Südalpha', population: 4000, postalCodes: ['11113'] },
    ],
    authorities: [
      {
        id: 'a-gewerbeamt', name: 'Gewerbeamt Alpha', email: 'gewerbe@alpha.example.org',
        delivery: { type: 'http', url: `${receiverUrl}/a-gewerbeamt`, secretEnv: 'SECRET_A_GEWERBEAMT' },
        serves: [{ forms: ['gewerbeanmeldung'], regions: ['15001'] }],
      },
      {
        id: 'a-sued', name: 'Landratsamt Alpha-Süd', email: 'sued@alpha.example.org',
        delivery: { type: 'http', url: `${receiverUrl}/a-sued`, secretEnv: 'SECRET_A_SUED' },
        serves: [{ forms: ['gewerbeanmeldung'], regions: ['15002'], rollout: 'planned', plannedFrom: '2027-03-01' }],
      },
    ],
    operators: [{ id: 'ops-alpha', tokenHash: sha256Hex(TOKEN_A) }],
  };
}

function tenantB(receiverUrl: string): Tenant {
  return {
    id: 'land-b', name: { de: 'Land Bravo', en: 'State Bravo' }, regions: ['16'], links,
    municipalities: [{ ars: '160010001001', name: 'Bravohausen', population: 5000, postalCodes: ['22222'] }],
    authorities: [{
      id: 'b-bravoamt', name: 'Bravoamt Zentral', email: 'amt@bravo.example.org',
      delivery: { type: 'http', url: `${receiverUrl}/b-bravoamt`, secretEnv: 'SECRET_B_BRAVOAMT' },
      serves: [{ forms: ['gewerbeanmeldung'], regions: ['16'] }],
    }],
    operators: [{ id: 'ops-bravo', tokenHash: sha256Hex(TOKEN_B) }],
  };
}

/** Strings of tenant B that must never appear on a page tenant A's operator sees. */
export const TENANT_B_MARKERS = ['land-b', 'Land Bravo', 'State Bravo', 'b-bravoamt', 'Bravoamt', 'Bravohausen', 'ops-bravo'];

export interface ConsoleFixture {
  readonly app: Express;
  readonly store: Store;
  readonly receiver: TestReceiver;
  readonly tenantsDir: string;
  readonly logger: ReturnType<typeof createMemoryLogger>;
  /** The console's clock: tests move it on to let sessions expire. */
  clock: Date;
  current(): ConsoleSet;
  close(): Promise<void>;
}

const unusedChannel: SendJob = () => Promise.resolve({ ok: false, error: 'no e-mail channel in this fixture', permanent: true });

export async function startConsoleFixture(options: { readonly signInLimit?: number; readonly secureCookies?: boolean } = {}): Promise<ConsoleFixture> {
  const dir = tempDir('efa-console-');
  const tenantsDir = path.join(dir.path, 'tenants');
  mkdirSync(tenantsDir);
  const receiver = await startReceiver(secretOf);
  writeFileSync(path.join(tenantsDir, 'land-a.json'), JSON.stringify(tenantA(receiver.url), null, 2));
  writeFileSync(path.join(tenantsDir, 'land-b.json'), JSON.stringify(tenantB(receiver.url), null, 2));
  const env: Record<string, string> = {
    SECRET_A_GEWERBEAMT: secretOf('a-gewerbeamt'), SECRET_A_SUED: secretOf('a-sued'), SECRET_B_BRAVOAMT: secretOf('b-bravoamt'),
  };
  const logger = createMemoryLogger();
  const store = openSqliteStore(path.join(dir.path, 'data'));
  const forms: FormRegistry = await loadFormRegistry(SAMPLE_FORMS);
  const fixture = { clock: new Date('2026-12-01T09:00:00Z') };
  const now = () => fixture.clock;
  const credentialsInUse: AuthorityCredentials[] = [];

  async function loadSet(): Promise<ConsoleSet> {
    const sources = await loadTenantFiles(tenantsDir);
    const routing = buildRoutingTable(sources, new Set(forms.list().map((f) => f.definition.id)));
    const access = loadOperatorAccess({ tenants: sources, env, adminTokenHash: sha256Hex(ADMIN_TOKEN), production: false, logger });
    const credentials = await loadAuthorityCredentials(routing, env, logger, tenantsDir);
    credentialsInUse.push(credentials);
    const outbound = createOutboundPayloads({ encrypterOf: credentials.encrypterOf, submissions: store.submissions, deliveries: store.deliveries });
    const send = createChannelDispatcher({
      http: createHttpPush({ routing, secretOf: credentials.secretOf, agentOf: credentials.agentOf, timeoutMs: 5000, now: () => new Date() }),
      email: unusedChannel, citizenEmail: unusedChannel,
    });
    const testDeliveries = createTestDeliveries({
      formsDir: SAMPLE_FORMS, forms, routing, store, outbound, send, product: { name: 'efa-forms', version: '0.0.0-test' },
      now, logger, timeoutMs: 5000, ownerId: 'console-fixture',
    });
    return { routing, access, forms, testDeliveries };
  }

  let current = await loadSet();
  const reload: ConsoleReload = {
    async reload() {
      try {
        current = await loadSet();
        return { ok: true };
      } catch (err) {
        if (err instanceof StartupError) return { ok: false, problems: err.problems };
        throw err;
      }
    },
    versions: () => ({ tenants: current.routing.tenants().map((t) => ({ tenantId: t.id, file: path.join(tenantsDir, `${t.id}.json`) })) }),
  };

  const templates = await loadConsoleTemplates(path.join(REPO, 'templates'));
  const operatorConsole = createOperatorConsole({
    sets: { current: () => current },
    store, templates, reload, logger, now,
    rateLimiter: createRateLimiter({ windowMs: 60_000, limits: { drafts: 0, steps: 0, submissions: 0, 'sign-in': options.signInLimit ?? 0 }, now }),
    secureCookies: options.secureCookies ?? false,
    idleMinutes: IDLE_MINUTES,
  });
  const app = baseApp();
  app.use('/assets', express.static(path.join(REPO, 'templates', 'assets'), { index: false }));
  app.use(operatorConsole.router);
  app.use((req, _res, next) => next(new AppError('NOT_FOUND', `no route ${req.method} ${req.path}`)));
  app.use(errorHandler(logger));

  return Object.assign(fixture, {
    app, store, receiver, tenantsDir, logger,
    current: () => current,
    async close() {
      for (const c of credentialsInUse) c.close();
      await store.close();
      await receiver.close();
      dir.remove();
    },
  });
}

/** The value of the first hidden `_csrf` field of a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field on the page');
  return match[1]!;
}
