import { isIP } from 'node:net';

/**
 * The one configuration schema: every setting efa-forms reads, its environment variable,
 * default, parser and whether it is a secret. README's configuration table is generated from
 * the same list (see test/unit/config.test.ts, which fails when README and schema drift apart).
 */

export interface Config {
  readonly port: number;
  readonly formsDir: string;
  readonly tenantsDir: string;
  readonly dataDir: string;
  readonly bodyLimitBytes: number;
  readonly production: boolean;
  readonly deliveryPollIntervalMs: number;
  readonly deliveryTimeoutMs: number;
  /** The slowest rate (bytes per second) at which an http push with files still counts as progressing: it gets DELIVERY_TIMEOUT_MS plus its size at this rate. */
  readonly deliveryMinBytesPerSecond: number;
  readonly deliveryConcurrency: number;
  readonly receiptThreads: number;
  readonly deliveryGiveUpAfterHours: number;
  readonly shutdownTimeoutMs: number;
  readonly templatesDir: string;
  readonly draftTtlDays: number;
  /** Days after delivery (inbox: acknowledgement) until a submission's personal data is deleted; per form `retentionDays` wins. */
  readonly retentionDays: number;
  readonly retentionIntervalMinutes: number;
  readonly siteTenant: string;
  readonly publicBaseUrl: string;
  readonly smtpUrl: string;
  readonly mailFrom: string;
  readonly deliveryWorker: boolean;
  readonly adminTokenHash: string;
  readonly trustedProxies: readonly string[];
  readonly rateLimitWindowSeconds: number;
  readonly rateLimitDrafts: number;
  readonly rateLimitSteps: number;
  readonly rateLimitSubmissions: number;
  readonly rateLimitSignIn: number;
  readonly consoleIdleMinutes: number;
  readonly configPollSeconds: number;
  /** postgres://… (secret); empty: SQLite in DATA_DIR. */
  readonly databaseUrl: string;
  readonly databasePoolSize: number;
  readonly databaseStatementTimeoutMs: number;
  readonly httpHeadersTimeoutMs: number;
  readonly httpRequestTimeoutMs: number;
  readonly httpKeepAliveTimeoutMs: number;
  readonly metricsPort: number | undefined;
  readonly metricsHost: string;
  readonly routingSigningKeyFile: string;
  /** tcp://host:port or unix:///path of clamd; empty: no virus scanner. */
  readonly clamdUrl: string;
  readonly clamdTimeoutMs: number;
  readonly clamdStreamMaxBytes: number;
  /** 'auto': required when CLAMD_URL is set; 'on': required (CLAMD_URL must be set); 'off': unscannable files are kept, marked unscanned. */
  readonly attachmentScan: 'auto' | 'on' | 'off';
  readonly attachmentMaxFileBytes: number;
  readonly attachmentMaxSubmissionBytes: number;
  readonly attachmentMaxDraftBytes: number;
  readonly attachmentUploadTtlHours: number;
  /** Up to this many bytes of attachments go into the authority's e-mail; beyond, the e-mail points to the inbox. */
  readonly emailAttachmentMaxBytes: number;
}

export interface SettingSpec<K extends keyof Config = keyof Config> {
  readonly key: K;
  readonly env: string;
  readonly default: string;
  readonly description: string;
  readonly secret: boolean;
  /** Turns the raw string into the typed value or throws an Error whose message is the reason. */
  readonly parse: (raw: string) => Config[K];
}

function integer(min: number, max: number): (raw: string) => number {
  return (raw) => {
    if (!/^[0-9]+$/.test(raw)) throw new Error(`must be a whole number from ${min} to ${max}`);
    const value = Number(raw);
    if (value < min || value > max) throw new Error(`must be a whole number from ${min} to ${max}`);
    return value;
  };
}

function directory(raw: string): string {
  if (raw.trim() === '') throw new Error('must be a directory path');
  return raw;
}

const SIZE_UNITS: Record<string, number> = { b: 1, kb: 1024, mb: 1024 * 1024 };

/** Parses sizes as express does ("100kb", "1mb"), refusing anything ambiguous. */
export function parseByteSize(raw: string): number {
  const match = /^([0-9]+)(b|kb|mb)$/i.exec(raw.trim());
  const unit = match?.[2]?.toLowerCase();
  if (!match?.[1] || unit === undefined) throw new Error('must be a size like 512kb or 1mb');
  const bytes = Number(match[1]) * (SIZE_UNITS[unit] ?? 1);
  if (bytes < 1024 || bytes > 50 * 1024 * 1024) throw new Error('must be between 1kb and 50mb');
  return bytes;
}

function optionalTenantId(raw: string): string {
  if (raw !== '' && !/^[a-z0-9][a-z0-9-]{0,62}[a-z0-9]$/.test(raw)) throw new Error('must be a tenant id (the file name without .json)');
  return raw;
}

function optionalBaseUrl(raw: string): string {
  if (raw === '') return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be an absolute http(s) URL such as https://antrag.example.de');
  }
  if (!['http:', 'https:'].includes(url.protocol) || url.search || url.hash) throw new Error('must be an absolute http(s) URL without query or fragment');
  return raw.replace(/\/+$/, '');
}

function optionalSmtpUrl(raw: string): string {
  if (raw === '') return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error('must be a URL such as smtps://user:password@mail.example.de:465');
  }
  if (url.protocol !== 'smtp:' && url.protocol !== 'smtps:') throw new Error('must start with smtp:// or smtps://');
  return raw;
}

function optionalPostgresUrl(raw: string): string {
  if (raw === '') return raw;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    // Never echo the value: it may hold a password.
    throw new Error('must be a URL such as postgres://efa:password@db.example.de:5432/efa');
  }
  if (url.protocol !== 'postgres:' && url.protocol !== 'postgresql:') throw new Error('must start with postgres:// or postgresql://');
  return raw;
}

function mailbox(raw: string): string {
  if (!/^[^<>\r\n]*<[^\s<>@]+@[^\s<>@]+>$|^[^\s<>@]+@[^\s<>@]+$/.test(raw)) {
    throw new Error('must be an address like "Stadt Erfurt <noreply@erfurt.de>" or noreply@erfurt.de');
  }
  return raw;
}

function nodeEnv(raw: string): boolean {
  if (!['production', 'development', 'test'].includes(raw)) {
    throw new Error('must be production, development or test');
  }
  return raw === 'production';
}

function onOff(raw: string): boolean {
  if (raw !== 'on' && raw !== 'off') throw new Error('must be on or off');
  return raw === 'on';
}

function optionalClamdUrl(raw: string): string {
  if (raw === '') return '';
  if (/^tcp:\/\/[A-Za-z0-9.-]+:\d{1,5}$/.test(raw) || /^tcp:\/\/\[[0-9A-Fa-f:]+\]:\d{1,5}$/.test(raw) || /^unix:\/\/\/\S+$/.test(raw)) return raw;
  throw new Error('must be tcp://host:port or unix:///path/to/clamd.ctl');
}

function scanMode(raw: string): 'auto' | 'on' | 'off' {
  if (raw !== 'auto' && raw !== 'on' && raw !== 'off') throw new Error('must be auto, on or off');
  return raw;
}

function optionalSha256Hex(raw: string): string {
  if (raw !== '' && !/^[0-9a-f]{64}$/.test(raw)) throw new Error('must be the SHA-256 of the token as 64 lower-case hex digits');
  return raw;
}

/** Names express understands for address ranges (proxy-addr), next to IPs and CIDR ranges. */
const PROXY_RANGE_NAMES = new Set(['loopback', 'linklocal', 'uniquelocal']);

/**
 * The proxies whose X-Forwarded-For is believed, as express's "trust proxy" takes them. Empty:
 * none, the socket's address is the client's (anything else would let every client pick its own
 * address and escape the rate limits).
 */
function proxyList(raw: string): readonly string[] {
  if (raw.trim() === '') return Object.freeze([]);
  const entries = raw.split(',').map((e) => e.trim());
  for (const entry of entries) {
    const [address, prefix, extra] = entry.split('/');
    const version = isIP(address ?? '');
    const prefixOk = prefix === undefined || (/^[0-9]{1,3}$/.test(prefix) && Number(prefix) <= (version === 6 ? 128 : 32));
    if (!PROXY_RANGE_NAMES.has(entry) && (version === 0 || !prefixOk || extra !== undefined)) {
      throw new Error(`must be a comma-separated list of IP addresses, CIDR ranges or loopback/linklocal/uniquelocal ("${entry}" is none)`);
    }
  }
  return Object.freeze(entries);
}

function ipAddress(raw: string): string {
  if (isIP(raw) === 0) throw new Error('must be an IP address such as 127.0.0.1 or 10.0.0.5');
  return raw;
}

function optionalPort(raw: string): number | undefined {
  if (raw === '') return undefined;
  return integer(1, 65535)(raw);
}

function optionalFile(raw: string): string {
  if (raw !== '' && raw.trim() === '') throw new Error('must be a file path');
  return raw;
}

function spec<K extends keyof Config>(s: SettingSpec<K>): SettingSpec<K> {
  return s;
}

export const SETTINGS = [
  spec({ key: 'port', env: 'PORT', default: '3000', secret: false, parse: integer(0, 65535),
    description: 'TCP port of the HTTP server (0 picks a free port).' }),
  spec({ key: 'formsDir', env: 'FORMS_DIR', default: './forms', secret: false, parse: directory,
    description: 'Folder with one sub-folder per form, each holding form.json.' }),
  spec({ key: 'tenantsDir', env: 'TENANTS_DIR', default: './tenants', secret: false, parse: directory,
    description: 'Folder with one <tenant-id>.json per tenant; together they form the routing table.' }),
  spec({ key: 'dataDir', env: 'DATA_DIR', default: './data', secret: false, parse: directory,
    description: 'Folder for the SQLite database (created if missing).' }),
  spec({ key: 'bodyLimitBytes', env: 'BODY_LIMIT', default: '1mb', secret: false, parse: parseByteSize,
    description: 'Largest accepted request body; larger ones get 413.' }),
  spec({ key: 'production', env: 'NODE_ENV', default: 'development', secret: false, parse: nodeEnv,
    description: 'production, development or test.' }),
  spec({ key: 'deliveryPollIntervalMs', env: 'DELIVERY_POLL_INTERVAL_MS', default: '1000', secret: false,
    parse: integer(10, 3_600_000), description: 'How often the delivery worker looks for due jobs (ms).' }),
  spec({ key: 'deliveryTimeoutMs', env: 'DELIVERY_TIMEOUT_MS', default: '30000', secret: false,
    parse: integer(100, 600_000), description: 'Timeout of one delivery attempt (ms).' }),
  spec({ key: 'deliveryMinBytesPerSecond', env: 'DELIVERY_MIN_BYTES_PER_SECOND', default: '262144', secret: false,
    parse: integer(1024, 1_073_741_824), description: 'Slowest transfer rate an http push with files may have (bytes per second): such a push gets DELIVERY_TIMEOUT_MS plus its body\'s size at this rate.' }),
  spec({ key: 'deliveryConcurrency', env: 'DELIVERY_CONCURRENCY', default: '16', secret: false,
    parse: integer(1, 64), description: 'Deliveries sent in parallel by one worker.' }),
  spec({ key: 'receiptThreads', env: 'RECEIPT_THREADS', default: '1', secret: false,
    parse: integer(0, 16), description: 'Threads that render PDF receipts beside the event loop (0: on the event loop).' }),
  spec({ key: 'deliveryGiveUpAfterHours', env: 'DELIVERY_GIVE_UP_AFTER_HOURS', default: '72', secret: false,
    parse: integer(1, 24 * 365), description: 'Hours after which a delivery that still fails is given up (dead) for an operator to look at.' }),
  spec({ key: 'shutdownTimeoutMs', env: 'SHUTDOWN_TIMEOUT_MS', default: '10000', secret: false,
    parse: integer(0, 600_000), description: 'How long SIGTERM waits for in-flight work (ms).' }),
  spec({ key: 'templatesDir', env: 'TEMPLATES_DIR', default: './templates', secret: false, parse: directory,
    description: 'Folder with the page templates, UI strings (locales) and assets.' }),
  spec({ key: 'draftTtlDays', env: 'DRAFT_TTL_DAYS', default: '30', secret: false, parse: integer(1, 365),
    description: 'Days an unfinished application is kept after its last change; then it is deleted.' }),
  spec({ key: 'retentionDays', env: 'RETENTION_DAYS', default: '30', secret: false, parse: integer(0, 3650),
    description: 'Days after delivery (inbox: acknowledgement) after which a submission\'s personal data is deleted, unless its form sets retentionDays (0: at the next clean-up).' }),
  spec({ key: 'retentionIntervalMinutes', env: 'RETENTION_INTERVAL_MINUTES', default: '60', secret: false, parse: integer(1, 1440),
    description: 'How often each web and worker process deletes the personal data of submissions past their retention (minutes).' }),
  spec({ key: 'siteTenant', env: 'SITE_TENANT', default: '', secret: false, parse: optionalTenantId,
    description: 'Tenant whose name and legal links frame the pages before a municipality is chosen (empty: the first tenant file).' }),
  spec({ key: 'publicBaseUrl', env: 'PUBLIC_BASE_URL', default: '', secret: false, parse: optionalBaseUrl,
    description: 'Public address used in "continue later" links (empty: taken from the request).' }),
  spec({ key: 'smtpUrl', env: 'SMTP_URL', default: '', secret: true, parse: optionalSmtpUrl,
    description: 'SMTP server for e-mails to applicants and authorities (empty: e-mails are written as .eml files to DATA_DIR/mail; not allowed in production when an authority gets e-mail).' }),
  spec({ key: 'mailFrom', env: 'MAIL_FROM', default: 'efa-forms <noreply@localhost>', secret: false, parse: mailbox,
    description: 'Sender of e-mails to applicants.' }),
  spec({ key: 'deliveryWorker', env: 'DELIVERY_WORKER', default: 'on', secret: false, parse: onOff,
    description: 'on: the web server also delivers; off: only `npm run worker` processes deliver (scale them apart).' }),
  spec({ key: 'adminTokenHash', env: 'ADMIN_TOKEN_HASH', default: '', secret: true, parse: optionalSha256Hex,
    description: 'SHA-256 (hex) of the operators\' bearer token for /api/admin (required in production; empty: admin API off).' }),
  spec({ key: 'trustedProxies', env: 'TRUSTED_PROXIES', default: '', secret: false, parse: proxyList,
    description: 'Reverse proxies whose X-Forwarded-For names the client (IPs, CIDR ranges or loopback/linklocal/uniquelocal, comma-separated; empty: the connection\'s address is the client).' }),
  spec({ key: 'rateLimitWindowSeconds', env: 'RATE_LIMIT_WINDOW_SECONDS', default: '60', secret: false, parse: integer(1, 86_400),
    description: 'Length of the window the RATE_LIMIT_* counts apply to (seconds).' }),
  spec({ key: 'rateLimitDrafts', env: 'RATE_LIMIT_DRAFTS', default: '20', secret: false, parse: integer(0, 1_000_000),
    description: 'Applications (drafts) one client may start per window; then 429 with Retry-After (0: no limit).' }),
  spec({ key: 'rateLimitSteps', env: 'RATE_LIMIT_STEPS', default: '300', secret: false, parse: integer(0, 1_000_000),
    description: 'Page steps one client may save per window (0: no limit).' }),
  spec({ key: 'rateLimitSubmissions', env: 'RATE_LIMIT_SUBMISSIONS', default: '20', secret: false, parse: integer(0, 1_000_000),
    description: 'Submissions (API and pages) one client may send per window (0: no limit).' }),
  spec({ key: 'rateLimitSignIn', env: 'RATE_LIMIT_SIGN_IN', default: '10', secret: false, parse: integer(0, 1_000_000),
    description: 'Sign-in attempts at the operator console one client may make per window (0: no limit).' }),
  spec({ key: 'consoleIdleMinutes', env: 'CONSOLE_IDLE_MINUTES', default: '30', secret: false, parse: integer(1, 1440),
    description: 'Minutes without a request after which an operator console session ends.' }),
  spec({ key: 'databaseUrl', env: 'DATABASE_URL', default: '', secret: true, parse: optionalPostgresUrl,
    description: 'PostgreSQL database for several processes and machines (postgres://user:password@host:5432/db); empty: SQLite in DATA_DIR.' }),
  spec({ key: 'databasePoolSize', env: 'DATABASE_POOL_SIZE', default: '10', secret: false, parse: integer(1, 200),
    description: 'Connections each process keeps to PostgreSQL at most.' }),
  spec({ key: 'databaseStatementTimeoutMs', env: 'DATABASE_STATEMENT_TIMEOUT_MS', default: '10000', secret: false, parse: integer(100, 600_000),
    description: 'PostgreSQL cancels any statement of efa-forms that runs longer (ms).' }),
  spec({ key: 'configPollSeconds', env: 'CONFIG_POLL_SECONDS', default: '5', secret: false, parse: integer(1, 3600),
    description: 'How often each process (web server and worker) looks whether another process reloaded forms and tenants, and then reloads too (seconds).' }),
  spec({ key: 'httpHeadersTimeoutMs', env: 'HTTP_HEADERS_TIMEOUT_MS', default: '10000', secret: false, parse: integer(1000, 600_000),
    description: 'Time a client has to send the request headers (ms); slower ones are disconnected.' }),
  spec({ key: 'httpRequestTimeoutMs', env: 'HTTP_REQUEST_TIMEOUT_MS', default: '180000', secret: false, parse: integer(1000, 3_600_000),
    description: 'Time a client has to send a whole request, body included (ms); slower ones get 408. Uploads need it: 10 MB in 180 s is about 0.5 Mbit/s.' }),
  spec({ key: 'httpKeepAliveTimeoutMs', env: 'HTTP_KEEP_ALIVE_TIMEOUT_MS', default: '5000', secret: false, parse: integer(100, 600_000),
    description: 'How long an idle keep-alive connection stays open (ms).' }),
  spec({ key: 'metricsPort', env: 'METRICS_PORT', default: '', secret: false, parse: optionalPort,
    description: 'Port of a separate listener serving /metrics without a token, for a scraper on an internal network (empty: /metrics only on the main port, behind ADMIN_TOKEN_HASH).' }),
  spec({ key: 'metricsHost', env: 'METRICS_HOST', default: '127.0.0.1', secret: false, parse: ipAddress,
    description: 'Address the METRICS_PORT listener binds to (an IP of an internal interface; 0.0.0.0 or :: for all).' }),
  spec({ key: 'routingSigningKeyFile', env: 'ROUTING_SIGNING_KEY_FILE', default: '', secret: true, parse: optionalFile,
    description: 'PEM file with the RSA private key (4096 bits or more) that signs the Routing API\'s destinationSignature (required in production; empty: a development key generated into DATA_DIR).' }),
  spec({ key: 'clamdUrl', env: 'CLAMD_URL', default: '', secret: false, parse: optionalClamdUrl,
    description: 'clamd for scanning every uploaded file (tcp://127.0.0.1:3310 or unix:///run/clamav/clamd.ctl); empty: no scanner (files are accepted unscanned, the payload says so, and with NODE_ENV=production the start logs attachments.no_virus_scanner).' }),
  spec({ key: 'clamdTimeoutMs', env: 'CLAMD_TIMEOUT_MS', default: '30000', secret: false, parse: integer(100, 600_000),
    description: 'Longest time one virus scan may take, from connecting to the verdict (milliseconds); longer counts as not scannable.' }),
  spec({ key: 'clamdStreamMaxBytes', env: 'CLAMD_STREAM_MAX_BYTES', default: '26214400', secret: false, parse: integer(1, 4_294_967_295),
    description: 'clamd\'s StreamMaxLength (clamd.conf; its default is 25 MB): a longer file counts as not scannable.' }),
  spec({ key: 'attachmentScan', env: 'ATTACHMENT_SCAN', default: 'auto', secret: false, parse: scanMode,
    description: 'Whether every upload must be scanned clean: auto (when CLAMD_URL is set), on (CLAMD_URL must be set) or off (a file clamd cannot scan is kept, marked unscanned).' }),
  spec({ key: 'attachmentMaxFileBytes', env: 'ATTACHMENT_MAX_FILE_BYTES', default: '10485760', secret: false, parse: integer(1, 1_073_741_824),
    description: 'Largest file one upload may have (bytes; a question\'s maxFileBytes may only lower it).' }),
  spec({ key: 'attachmentMaxSubmissionBytes', env: 'ATTACHMENT_MAX_SUBMISSION_BYTES', default: '52428800', secret: false, parse: integer(1, 4_294_967_296),
    description: 'Largest total of the files one submission may carry (bytes).' }),
  spec({ key: 'attachmentMaxDraftBytes', env: 'ATTACHMENT_MAX_DRAFT_BYTES', default: '52428800', secret: false, parse: integer(1, 4_294_967_296),
    description: 'Largest total of the files one unfinished application on the pages may hold (bytes).' }),
  spec({ key: 'attachmentUploadTtlHours', env: 'ATTACHMENT_UPLOAD_TTL_HOURS', default: '24', secret: false, parse: integer(1, 720),
    description: 'Hours a file uploaded through the API is kept while no submission references it.' }),
  spec({ key: 'emailAttachmentMaxBytes', env: 'EMAIL_ATTACHMENT_MAX_BYTES', default: '10485760', secret: false, parse: integer(0, 1_073_741_824),
    description: 'Largest total of attachments an authority\'s e-mail carries (bytes); with more, the e-mail says the files are in the inbox instead.' }),
] as const satisfies readonly SettingSpec[];
