import type { Config } from './config/config-schema';
import { loadAuthorityCredentials, type AuthorityCredentials } from './delivery/authority-credentials';
import { loadMailTemplates, type MailTemplates } from './delivery/email/mail-templates';
import { loadFormRegistry, type FormRegistry } from './forms/form-registry';
import { loadReceiptFonts, type ReceiptFonts } from './receipts/receipt-fonts';
import { loadPageRenderer, type PageRenderer } from './render/templates';
import { loadTenantFiles } from './routing/load-tenants';
import { buildRoutingTable, type RoutingTable, type TenantSource } from './routing/routing-table';
import { siteTenantOf } from './routing/site-tenant';
import { loadOperatorAccess, type OperatorAccess } from './operators/operator-access';
import { loadConsoleTemplates, type ConsoleTemplates } from './http/console/console-templates';
import { loadRoutingSigningKey, type RoutingSigningKeySource } from './routing-api/signing-key';
import type { Tenant } from './routing/tenant';
import { problem, StartupError } from './startup-error';
import { fileSystemReason } from './support/config-file';
import type { Logger } from './support/logger';

/** Everything the operators provide, loaded and checked: what the server needs before it opens the store. */
export interface OperatorFiles {
  readonly forms: FormRegistry;
  /** The tenant files as read, with their paths (for `file: pointer` lines). */
  readonly tenants: readonly TenantSource[];
  readonly routing: RoutingTable;
  /** Holds keep-alive agents: whoever does not go on to serve must call close(). */
  readonly credentials: AuthorityCredentials;
  readonly renderer: PageRenderer;
  readonly receiptFonts: ReceiptFonts;
  readonly mailTemplates: MailTemplates;
  readonly siteTenant: Tenant;
  /** The Routing API's signing key (ROUTING_SIGNING_KEY_FILE; required in production). */
  readonly routingSigningKey: RoutingSigningKeySource;
  /** Who may use the admin API and console: the installation admin and each tenant's operators. */
  readonly operatorAccess: OperatorAccess;
  /** The operator console's templates (templates/console/); the console is built once, from the start's. */
  readonly consoleTemplates: ConsoleTemplates;
}

/**
 * Loads and checks forms, tenants and the routing table, the authorities' credentials from the
 * environment, page and mail templates, the receipt fonts, SITE_TENANT and the routing signing key: all the server checks
 * at start-up before anything is opened. The server (src/container.ts) and `efa-forms check` call
 * this one function, so the check can never pass what the server would refuse.
 *
 * Parts that do not depend on each other are all tried, so one run reports every problem (a broken
 * form and a broken template together); what depends on a broken part is skipped. Any problem
 * throws one StartupError with all lines; missing secrets are warnings on the logger, as before.
 */
export async function loadOperatorFiles(config: Config, env: Readonly<Record<string, string | undefined>>, logger: Logger): Promise<OperatorFiles> {
  const problems: string[] = [];
  /** The part, or undefined when it failed with problems (which are kept). */
  async function attempt<T>(where: string, load: () => Promise<T> | T): Promise<T | undefined> {
    try {
      return await load();
    } catch (err) {
      if (err instanceof StartupError) problems.push(...err.problems);
      // A missing or unreadable folder is the operator's to fix: one line, not a stack.
      else if (typeof (err as NodeJS.ErrnoException | null)?.code === 'string') problems.push(problem(where, '', fileSystemReason(err)));
      else throw err;
      return undefined;
    }
  }

  const forms = await attempt(config.formsDir, () => loadFormRegistry(config.formsDir));
  const tenants = await attempt(config.tenantsDir, () => loadTenantFiles(config.tenantsDir));
  const renderer = await attempt(config.templatesDir, () => loadPageRenderer(config.templatesDir));
  const mailTemplates = await attempt(config.templatesDir, () => loadMailTemplates(config.templatesDir));
  const consoleTemplates = await attempt(config.templatesDir, () => loadConsoleTemplates(config.templatesDir));
  // The receipt's fonts are read and parsed once, here, before anything is opened.
  const receiptFonts = await attempt('dejavu-fonts-ttf', () => loadReceiptFonts());
  const routingSigningKey = await attempt('ROUTING_SIGNING_KEY_FILE', () => loadRoutingSigningKey({ file: config.routingSigningKeyFile, dataDir: config.dataDir, production: config.production }));
  const routing = forms && tenants ? await attempt(config.tenantsDir, () => buildRoutingTable(tenants, new Set(forms.ids()))) : undefined;
  const siteTenant = routing ? await attempt(config.tenantsDir, () => siteTenantOf(routing, config.siteTenant, config.tenantsDir)) : undefined;
  // Secrets, API key hashes, client certificates and public keys, once, before anything is opened.
  const credentials = routing
    ? await attempt(config.tenantsDir, () => loadAuthorityCredentials(routing, env, logger, config.tenantsDir, { production: config.production, smtpConfigured: config.smtpUrl !== '' }))
    : undefined;

  const operatorAccess = tenants
    ? await attempt(config.tenantsDir, () => loadOperatorAccess({ tenants, env, adminTokenHash: config.adminTokenHash, production: config.production, logger }))
    : undefined;

  // Two parts read from one folder (templates): a missing folder is said once.
  const distinct = [...new Set(problems)];
  if (problems.length > 0 || !forms || !tenants || !routing || !siteTenant || !credentials || !renderer || !mailTemplates || !receiptFonts || !routingSigningKey || !operatorAccess || !consoleTemplates) {
    credentials?.close();
    throw new StartupError(distinct);
  }
  return { forms, tenants, routing, credentials, renderer, receiptFonts, mailTemplates, siteTenant, routingSigningKey, operatorAccess, consoleTemplates };
}
