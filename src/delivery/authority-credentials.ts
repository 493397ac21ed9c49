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
 * to. A missing secret, key hash or certificate variable is only a warning (`npm start` works
 * without them; deliveries wait and retry, the inbox refuses the authority); a broken public key
 * or an unreadable certificate file stops the start, since sending would be unsafe or impossible.
 */
export async function loadAuthorityCredentials(
  routing: RoutingTable,
  env: Readonly<Record<string, string | undefined>>,
  logger: Logger,
  tenantsDir: string,
): Promise<AuthorityCredentials> {
  const secrets = new Map<string, string>();
  const agents = new Map<string, Agent>();
  const encrypters = new Map<string, PayloadEncrypter>();
  const inboxKeys: Array<{ authorityId: string; keyHash: string }> = [];
  const problems: string[] = [];

  for (const tenant of routing.tenants()) {
    const file = path.join(tenantsDir, `${tenant.id}.json`);
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
        if (cert && (!files?.cert || !files.key)) {
          missing(!files?.cert ? cert.certFileEnv : cert.keyFileEnv);
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
        const hash = env[target.apiKeyHashEnv];
        if (!hash) missing(target.apiKeyHashEnv);
        else if (!/^[0-9a-f]{64}$/.test(hash)) problems.push(problem(file, `${pointer}/delivery/apiKeyHashEnv`, `${target.apiKeyHashEnv} must hold the SHA-256 of the API key as 64 lower-case hex digits`));
        else inboxKeys.push({ authorityId: authority.id, keyHash: hash });
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
