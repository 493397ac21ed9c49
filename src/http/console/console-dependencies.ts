import type { FormRegistry } from '../../forms/form-registry';
import type { Actor, OperatorAccess } from '../../operators/operator-access';
import type { RoutingTable } from '../../routing/routing-table';
import type { Store } from '../../storage/ports';
import type { Logger } from '../../support/logger';
import type { TestDeliveries } from '../../test-delivery/test-delivery';
import type { RateLimiter } from '../rate-limit';
import type { ConsoleTemplates } from './console-templates';

/**
 * What the console needs of one loaded set of forms and tenants. A live reload replaces the set,
 * so the console asks for the current one once per request (a served set can be passed as it is
 * once it carries its test deliveries).
 */
export interface ConsoleSet {
  readonly routing: Pick<RoutingTable, 'tenants' | 'authority' | 'resolve'>;
  /** Who a session's token hash belongs to, asked on every request: a removed token ends its sessions. */
  readonly access: Pick<OperatorAccess, 'identify' | 'identifyHash'>;
  readonly forms: Pick<FormRegistry, 'list'>;
  readonly testDeliveries: TestDeliveries;
}

export interface ConsoleSetSource {
  current(): ConsoleSet;
}

/** The outcome of a reload, as src/live/ reports it (`problems`: `file: pointer: reason` lines). */
export type ConsoleReloadOutcome = { readonly ok: true } | { readonly ok: false; readonly problems: readonly string[] };

/**
 * Reading forms and tenants again (src/live/). `versions` names each tenant's file, so a tenant
 * operator is not shown problem lines that name another tenant's file or operator, only how many
 * there were (src/operators/reload-problems.ts, the API's rule too).
 */
export interface ConsoleReload {
  reload(): Promise<ConsoleReloadOutcome>;
  versions(): { readonly tenants: readonly { readonly tenantId: string; readonly file: string }[] };
}

export interface ConsoleDependencies {
  readonly sets: ConsoleSetSource;
  readonly store: Pick<Store, 'operatorSessions' | 'operatorAudit' | 'deliveries' | 'submissions'>;
  /** From loadConsoleTemplates, at start. */
  readonly templates: ConsoleTemplates;
  readonly reload: ConsoleReload;
  /** Counts sign-in attempts per client in the shared limiter's `sign-in` bucket (RATE_LIMIT_SIGN_IN). */
  readonly rateLimiter: Pick<RateLimiter, 'take'>;
  readonly logger: Logger;
  readonly now: () => Date;
  /** The delivery worker, asked to look for due jobs at once after a retry. */
  readonly worker: { nudge(): void };
  /** Secure on the session cookie (production: the console is only served over HTTPS). */
  readonly secureCookies: boolean;
  /** A session ends after this many minutes without a request (e.g. 30). */
  readonly idleMinutes: number;
}

/** Who is signed in on this request, and the session's CSRF token for its forms. */
export interface ConsoleCaller {
  readonly actor: Actor;
  readonly csrfToken: string;
  /** SHA-256 of the cookie value (the session's key). */
  readonly sessionKey: string;
}
