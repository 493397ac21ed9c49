import type { Agent } from 'node:http';
import path from 'node:path';
import type { RoutingTable } from '../routing/routing-table';
import { problem, StartupError } from '../startup-error';
import type { Logger } from '../support/logger';
import { loadClientIdentity } from './client-identity';
import { createDeliveryAgent } from './http-channel';
import { createPayloadEncrypter, encryptionKeyProblems, type PayloadEncrypter } from './payload-encryption';

/** What the tenant files name per authority, resolved once at start-up. */
export interface AuthorityCredentials {
  /** An HMAC secret by the name of its environment variable. */
  readonly secretOf: (envName: string) => string | undefined;
  /** The keep-alive agent of an http authority (with its client certificate for mutual TLS). */
  readonly agentOf: (authorityId: string) => Agent | undefined;
  /** The encrypter of an authority that has a public key; undefined: payloads go plain. */
  readonly encrypterOf: (authorityId: string) => PayloadEncrypter | undefined;
  /** Inbox authorities with the SHA-256 of their API key. */
  readonly inboxKeys: ReadonlyArray<{ readonly authorityId: string; readonly keyHash: string }>;
  /** Closes the agents' idle connections. */
  close(): void;
}

/**
 * Reads the secrets, API key hashes, client certificates and public keys the tenant files point
 * to. A missing secret or certificate variable is only a warning (`npm start` works without them;
 * deliveries wait and retry). A broken public key, an unreadable certificate file, a malformed or
 * shared inbox key hash stop the start, since sending would be unsafe or impossible; in
 * production so do a missing inbox key hash and e-mail delivery without SMTP_URL.
 */
export async function loadAuthorityCredentials(
  routing: RoutingTable,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  tenantsDir: string,
  /** In production, what would silently never arrive stops the start (see below). */
  settings: { readonly production: boolean; readonly smtpConfigured: boolean } = { production: false, smtpConfigured: true },
): Promise<AuthorityCredentials> {
  const secrets = new Map<string, string>();
  const agents = new Map<string, Agent>();
  const encrypters = new Map<string, PayloadEncrypter>();
  const inboxKeys: Array<{ authorityId: string; keyHash: string }> = [];
  const problems: string[] = [];

  for (const tenant of routing.tenants()) {
    const file = path.join(tenantsDir, `${tenant.id}.json`);
    const addKey = (authorityId: string, variable: string, hash: string, at: string): void => {
      if (!/^[0-9a-f]{64}$/.test(hash)) problems.push(problem(file, at, `${variable} must hold the SHA-256 of the API key as 64 lower-case hex digits`));
      else if (inboxKeys.some((k) => k.keyHash === hash)) problems.push(problem(file, at, `${variable} holds the same key hash as another inbox authority; each needs its own key`));
      else inboxKeys.push({ authorityId, keyHash: hash });
    };
    for (const [i, authority] of tenant.authorities.entries()) {
      const pointer = `/authorities/${i}`;
      const missing = (variable: string): void => logger.warn('config.secret_missing', { authority: authority.id, variable });
      const target = authority.delivery;
      if (target.type === 'http') {
        const secret = env[target.secretEnv];
        if (secret) secrets.set(target.secretEnv, secret);
        else missing(target.secretEnv);
        const cert = target.clientCertificate;
        const files = cert ? { cert: env[cert.certFileEnv], key: env[cert.keyFileEnv], ca: cert.caFileEnv ? env[cert.caFileEnv] : undefined } : undefined;
        // Without it Node's default CAs would judge the authority's certificate: say so.
        if (cert?.caFileEnv && !files?.ca) missing(cert.caFileEnv);
        if (cert && (!files?.cert || !files.key)) {
          if (!files?.cert) missing(cert.certFileEnv);
          if (!files?.key) missing(cert.keyFileEnv);
          agents.set(authority.id, createDeliveryAgent(target.url));
        } else if (files?.cert && files.key) {
          try {
            const identity = loadClientIdentity({ cert: files.cert, key: files.key, ...(files.ca ? { ca: files.ca } : {}) });
            agents.set(authority.id, createDeliveryAgent(target.url, identity));
          } catch (err) {
            problems.push(problem(file, `${pointer}/delivery/clientCertificate`, err instanceof Error ? err.message : String(err)));
          }
        } else {
          agents.set(authority.id, createDeliveryAgent(target.url));
        }
      } else if (target.type === 'inbox') {
        // Without a key nobody can ever fetch: in production that would strand submissions.
        const hash = env[target.apiKeyHashEnv];
        const at = `${pointer}/delivery/apiKeyHashEnv`;
        if (!hash && settings.production) problems.push(problem(file, at, `${target.apiKeyHashEnv} is not set; the authority could never fetch its submissions`));
        else if (!hash) missing(target.apiKeyHashEnv);
        else addKey(authority.id, target.apiKeyHashEnv, hash, at);
      } else {
        if (settings.production && !settings.smtpConfigured) {
          // Without SMTP_URL e-mails become files in DATA_DIR/mail: the authority would get nothing
          // while the applicant is told it was delivered.
          problems.push(problem(file, `${pointer}/delivery`, 'e-mail delivery needs SMTP_URL when NODE_ENV=production'));
        }
        // Optional: with a key, the authority fetches files too large for its e-mail from the inbox API.
        if (target.apiKeyHashEnv !== undefined) {
          const hash = env[target.apiKeyHashEnv];
          const at = `${pointer}/delivery/apiKeyHashEnv`;
          // Named but not set: in production a stop, as for an inbox (its large files would wait for a fetch that cannot come).
          if (!hash && settings.production) problems.push(problem(file, at, `${target.apiKeyHashEnv} is not set; the authority could never fetch the files too large for its e-mail`));
          else if (!hash) missing(target.apiKeyHashEnv);
          else addKey(authority.id, target.apiKeyHashEnv, hash, at);
        }
      }
      if (authority.encryptionKey) {
        const keyProblems = encryptionKeyProblems(authority.encryptionKey);
        if (keyProblems.length > 0) keyProblems.forEach((reason) => problems.push(problem(file, `${pointer}/encryptionKey`, reason)));
        else encrypters.set(authority.id, await createPayloadEncrypter({ ...authority.encryptionKey }));
      }
    }
  }
  if (problems.length > 0) throw new StartupError(problems);

  return {
    secretOf: (name) => secrets.get(name),
    agentOf: (id) => agents.get(id),
    encrypterOf: (id) => encrypters.get(id),
    inboxKeys,
    close() {
      for (const agent of agents.values()) agent.destroy();
    },
  };
}
