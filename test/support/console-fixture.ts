import { createServer } from 'node:http';
import { mkdirSync, writeFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import type { Express } from 'express';
import type { Container } from '../../src/container';
import type { ServedSet } from '../../src/live/served-set';
import type { Tenant } from '../../src/routing/tenant';
import type { Store } from '../../src/storage/ports';
import { listening } from '../../src/support/listening';
import { sha256Hex } from '../../src/support/sha256';
import { startReceiver, type TestReceiver } from './http-receiver';
import { testRoutingSigningKeyFile } from './routing-signing-key';
import { tempDir } from './temp-dir';
import { buildContainer, SAMPLE_FORMS, secretFor } from './test-setup';

/**
 * The operator console as production runs it: the real container (src/container.ts) on two
 * tenant files of this fixture's own (A and B, one operator each: A's token hash in its file,
 * B's in the variable its file names), ADMIN_TOKEN_HASH in the environment, a SQLite store in a
 * temporary folder, a real HTTP receiver for every authority (signatures checked with
 * secretFor), and a clock of the test's own (real time plus an offset the test moves on, so
 * idle sessions can expire while signed pushes still carry a current timestamp). Reloads go
 * through the console's POST, i.e. the live configuration's real reload; the delivery worker is
 * the container's, started only by a test that wants it (`container.worker.start()`).
 */

export const ADMIN_TOKEN = 'admin-token-of-the-installation';
export const TOKEN_A = 'operator-token-of-land-a';
export const TOKEN_B = 'operator-token-of-land-b';
export const IDLE_MINUTES = 30;
/** The variable tenant B's file names for its operator's token hash. */
const TOKEN_B_HASH_ENV = 'EFA_OPERATOR_LAND_B';

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
    operators: [{ id: 'ops-bravo', tokenHashEnv: TOKEN_B_HASH_ENV }],
  };
}

/** Strings of tenant B that must never appear on a page tenant A's operator sees. */
export const TENANT_B_MARKERS = ['land-b', 'Land Bravo', 'State Bravo', 'b-bravoamt', 'Bravoamt', 'Bravohausen', 'ops-bravo'];
/** Strings of tenant A that must never appear in what tenant B's operator sees. */
export const TENANT_A_MARKERS = ['land-a', 'Land Alpha', 'State Alpha', 'a-gewerbeamt', 'Gewerbeamt Alpha', 'a-sued', 'Alphastadt', 'ops-alpha'];

export interface ConsoleFixture {
  /** The container as the entry points build it; its worker is not started. */
  readonly container: Container;
  /** The container's app: what production serves. */
  readonly app: Express;
  readonly store: Store;
  readonly receiver: TestReceiver;
  readonly tenantsDir: string;
  readonly logger: Awaited<ReturnType<typeof buildContainer>>['logger'];
  /** The container's clock: reading it gives its current time, setting it moves it (e.g. to let sessions expire). */
  clock: Date;
  /** The served set new requests start on (replaced by a successful reload only). */
  current(): ServedSet;
  /** The container's app on 127.0.0.1 through node:http, as main.ts listens. */
  listen(): Promise<{ readonly url: string; close(): Promise<void> }>;
  close(): Promise<void>;
}

export interface ConsoleFixtureOptions {
  /** RATE_LIMIT_SIGN_IN (0: no limit, the default here). */
  readonly signInLimit?: number;
  /** NODE_ENV=production (with what production requires), so the console's cookies are Secure. */
  readonly production?: boolean;
}

export async function startConsoleFixture(options: ConsoleFixtureOptions = {}): Promise<ConsoleFixture> {
  const dir = tempDir('efa-console-');
  const tenantsDir = path.join(dir.path, 'tenants');
  mkdirSync(tenantsDir);
  const receiver = await startReceiver(secretFor);
  writeFileSync(path.join(tenantsDir, 'land-a.json'), JSON.stringify(tenantA(receiver.url), null, 2));
  writeFileSync(path.join(tenantsDir, 'land-b.json'), JSON.stringify(tenantB(receiver.url), null, 2));
  const env: Record<string, string> = {
    SECRET_A_GEWERBEAMT: secretFor('a-gewerbeamt'), SECRET_A_SUED: secretFor('a-sued'), SECRET_B_BRAVOAMT: secretFor('b-bravoamt'),
    [TOKEN_B_HASH_ENV]: sha256Hex(TOKEN_B),
    ADMIN_TOKEN_HASH: sha256Hex(ADMIN_TOKEN),
    FORMS_DIR: SAMPLE_FORMS, TENANTS_DIR: tenantsDir, DATA_DIR: path.join(dir.path, 'data'),
    RATE_LIMIT_SIGN_IN: String(options.signInLimit ?? 0),
    CONSOLE_IDLE_MINUTES: String(IDLE_MINUTES),
    ...(options.production
      ? { NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.org', ROUTING_SIGNING_KEY_FILE: testRoutingSigningKeyFile() }
      : {}),
  };

  // Real time plus an offset: moving the clock moves the offset, the clock keeps running.
  let offsetMs = 0;
  const now = () => new Date(Date.now() + offsetMs);
  let container: Awaited<ReturnType<typeof buildContainer>>;
  try {
    container = await buildContainer(env, { now });
  } catch (err) {
    await receiver.close();
    dir.remove();
    throw err;
  }

  return {
    container,
    app: container.app,
    store: container.store,
    receiver,
    tenantsDir,
    logger: container.logger,
    get clock() {
      return now();
    },
    set clock(to: Date) {
      offsetMs = to.getTime() - Date.now();
    },
    current: () => container.live.current(),
    async listen() {
      const server = createServer(container.app);
      server.listen(0, '127.0.0.1');
      await listening(server);
      return {
        url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
        close: () => new Promise<void>((resolve, reject) => {
          server.close((err) => (err ? reject(err) : resolve()));
          server.closeAllConnections();
        }),
      };
    },
    async close() {
      await container.close(2000);
      await receiver.close();
      dir.remove();
    },
  };
}

/** The value of the first hidden `_csrf` field of a page. */
export function csrfOf(html: string): string {
  const match = /name="_csrf" value="([^"]+)"/.exec(html);
  if (!match) throw new Error('no _csrf field on the page');
  return match[1]!;
}
