import path from 'node:path';

const REPO = path.resolve(__dirname, '../..');

/**
 * The environment of a web server or worker a bench starts from a build of the working tree,
 * with production settings as an operator would run it: NODE_ENV=production, a public base URL,
 * an admin token hash and a routing signing key file (all three required in production), the
 * checkout's templates, and the per-client rate limits off (one load generator is one client:
 * the limits would turn most answers into 429s). Nothing of the bench's own environment leaks
 * in except PATH; `overrides` comes last (experiments such as DELIVERY_CONCURRENCY=16).
 */
export function productionEnv(options: {
  readonly formsDir: string;
  readonly tenantsDir: string;
  readonly dataDir: string;
  readonly routingSigningKeyFile: string;
  /** The HTTP authorities' secrets, by variable name. */
  readonly secrets: Readonly<Record<string, string>>;
  /** smtp://127.0.0.1:<port> of the bench's SMTP sink; needed in production for e-mail authorities. */
  readonly smtpUrl?: string;
  readonly port?: number;
  readonly deliveryWorker: boolean;
  readonly overrides?: Readonly<Record<string, string>>;
}): Record<string, string> {
  return {
    PATH: process.env.PATH ?? '',
    // The build lives outside the checkout: its imports are found in the checkout's node_modules.
    NODE_PATH: path.join(REPO, 'node_modules'),
    NODE_ENV: 'production',
    PORT: String(options.port ?? 0),
    PUBLIC_BASE_URL: 'https://antrag.example.de',
    ADMIN_TOKEN_HASH: 'f'.repeat(64),
    ROUTING_SIGNING_KEY_FILE: options.routingSigningKeyFile,
    FORMS_DIR: options.formsDir,
    TENANTS_DIR: options.tenantsDir,
    TEMPLATES_DIR: path.join(REPO, 'templates'),
    DATA_DIR: options.dataDir,
    RATE_LIMIT_DRAFTS: '0', RATE_LIMIT_STEPS: '0', RATE_LIMIT_SUBMISSIONS: '0',
    DELIVERY_WORKER: options.deliveryWorker ? 'on' : 'off',
    ...(options.smtpUrl ? { SMTP_URL: options.smtpUrl } : {}),
    ...options.secrets,
    ...options.overrides,
  };
}

/**
 * BENCH_<PREFIX>_APP_<SETTING>=value from the bench's environment, as { <SETTING>: value }: how a
 * bench lets an experiment set e.g. DELIVERY_CONCURRENCY in every process it starts.
 */
export function appOverrides(prefix: string): Record<string, string> {
  const start = `BENCH_${prefix}_APP_`;
  return Object.fromEntries(Object.entries(process.env)
    .filter((e): e is [string, string] => e[0].startsWith(start) && e[1] !== undefined)
    .map(([k, v]) => [k.slice(start.length), v]));
}
