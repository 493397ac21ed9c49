import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SETTINGS, parseByteSize } from '../../src/config/config-schema';
import { ConfigError, loadConfig } from '../../src/config/load-config';

const DEFAULTS = {
  port: 3000,
  formsDir: './forms',
  tenantsDir: './tenants',
  dataDir: './data',
  bodyLimitBytes: 1_048_576,
  production: false,
  deliveryPollIntervalMs: 1000,
  deliveryTimeoutMs: 30_000,
  deliveryMinBytesPerSecond: 262_144,
  deliveryConcurrency: 16,
  receiptThreads: 1,
  deliveryGiveUpAfterHours: 72,
  shutdownTimeoutMs: 10_000,
  templatesDir: './templates',
  draftTtlDays: 30,
  retentionDays: 30,
  retentionIntervalMinutes: 60,
  siteTenant: '',
  publicBaseUrl: '',
  smtpUrl: '',
  mailFrom: 'efa-forms <noreply@localhost>',
  deliveryWorker: true,
  adminTokenHash: '',
  trustedProxies: [],
  rateLimitWindowSeconds: 60,
  rateLimitDrafts: 20,
  rateLimitSteps: 300,
  rateLimitSubmissions: 20,
  rateLimitSignIn: 10,
  consoleIdleMinutes: 30,
  configPollSeconds: 5,
  databaseUrl: '',
  databasePoolSize: 10,
  databaseStatementTimeoutMs: 10000,
  httpHeadersTimeoutMs: 10_000,
  httpRequestTimeoutMs: 180_000,
  httpKeepAliveTimeoutMs: 5000,
  metricsPort: undefined,
  metricsHost: '127.0.0.1',
  routingSigningKeyFile: '',
  clamdUrl: '',
  clamdTimeoutMs: 30_000,
  clamdStreamMaxBytes: 26_214_400,
  attachmentScan: 'auto',
  attachmentMaxFileBytes: 10_485_760,
  attachmentMaxSubmissionBytes: 52_428_800,
  attachmentMaxDraftBytes: 52_428_800,
  attachmentUploadTtlHours: 24,
  emailAttachmentMaxBytes: 10_485_760,
};

/** SHA-256 of "test": what an operator would set as ADMIN_TOKEN_HASH. */
const ADMIN_HASH = '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08';

/** Runs loadConfig and returns the ConfigError it throws (fails the test when it does not throw). */
function configError(env: Record<string, string>): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw new Error(`expected a ConfigError, got ${String(err)}`);
  }
  throw new Error(`expected a ConfigError for ${JSON.stringify(env)}`);
}

describe('hardening settings (issue 9)', () => {
  it('reads trusted proxies as IPs, CIDR ranges and the names express knows', () => {
    expect(loadConfig({ TRUSTED_PROXIES: '10.0.0.1, 192.168.0.0/16,loopback,::1,fd00::/8' }).trustedProxies)
      .toEqual(['10.0.0.1', '192.168.0.0/16', 'loopback', '::1', 'fd00::/8']);
  });

  it.each(['*', 'true', '10.0.0.0/33', '10.0.0.1/8/2', 'proxy.example.de', '1.2.3'])('refuses TRUSTED_PROXIES=%s with one line', (value) => {
    expect(configError({ TRUSTED_PROXIES: value }).message).toMatch(/^TRUSTED_PROXIES=".*" must be a comma-separated list of IP addresses/);
  });

  it('takes rate limits, timeouts and the metrics port, and refuses absurd ones', () => {
    const config = loadConfig({ RATE_LIMIT_SUBMISSIONS: '0', HTTP_REQUEST_TIMEOUT_MS: '60000', METRICS_PORT: '9464' });
    expect(config).toMatchObject({ rateLimitSubmissions: 0, httpRequestTimeoutMs: 60_000, metricsPort: 9464 });
    expect(configError({ HTTP_HEADERS_TIMEOUT_MS: '10' }).message).toBe('HTTP_HEADERS_TIMEOUT_MS="10" must be a whole number from 1000 to 600000');
    expect(configError({ METRICS_PORT: '0' }).message).toBe('METRICS_PORT="0" must be a whole number from 1 to 65535');
    expect(configError({ RATE_LIMIT_DRAFTS: '-1' }).message).toMatch(/^RATE_LIMIT_DRAFTS="-1" must be a whole number/);
    expect(configError({ HTTP_HEADERS_TIMEOUT_MS: '40000', HTTP_REQUEST_TIMEOUT_MS: '30000' }).message).toBe('HTTP_HEADERS_TIMEOUT_MS (40000) must not be longer than HTTP_REQUEST_TIMEOUT_MS (30000)');
    expect(configError({ METRICS_PORT: '3000' }).message).toBe('METRICS_PORT (3000) must differ from PORT');
    expect(configError({ ATTACHMENT_SCAN: 'on' }).message).toBe('ATTACHMENT_SCAN=on needs CLAMD_URL: without a scanner no upload could ever be accepted');
    expect(configError({ CLAMD_URL: 'tcp://127.0.0.1:3310', ATTACHMENT_MAX_FILE_BYTES: '30000000' }).message).toMatch(/^ATTACHMENT_MAX_FILE_BYTES \(30000000\) must not be larger than CLAMD_STREAM_MAX_BYTES \(26214400/);
    expect(configError({ CLAMD_URL: 'http://127.0.0.1:3310' }).message).toMatch(/^CLAMD_URL=.* must be tcp:\/\/host:port or unix:\/\/\/path/);
    expect(configError({ METRICS_HOST: 'intern.example.de' }).message).toBe('METRICS_HOST="intern.example.de" must be an IP address such as 127.0.0.1 or 10.0.0.5');
  });
});

describe('loadConfig defaults', () => {
  it('uses the documented defaults for an empty environment', () => {
    expect(loadConfig({})).toEqual(DEFAULTS);
  });

  it('treats an empty string like an unset variable', () => {
    const env = Object.fromEntries(SETTINGS.map((s) => [s.env, '']));
    expect(loadConfig(env)).toEqual(DEFAULTS);
  });

  it('ignores unrelated variables', () => {
    expect(loadConfig({ HOME: '/root', PATH: '/usr/bin', port: '1234' })).toEqual(DEFAULTS);
  });

  it('returns a frozen object that cannot be changed', () => {
    const config = loadConfig({});
    expect(Object.isFrozen(config)).toBe(true);
    expect(() => {
      (config as { port: number }).port = 1;
    }).toThrow(TypeError);
    expect(() => {
      (config as unknown as Record<string, unknown>).extra = true;
    }).toThrow(TypeError);
    expect(config.port).toBe(3000);
  });
});

describe('loadConfig values from the environment', () => {
  it('reads every variable', () => {
    const config = loadConfig({
      PORT: '8080',
      FORMS_DIR: '/srv/forms',
      TENANTS_DIR: '/srv/tenants',
      DATA_DIR: '/var/lib/efa',
      BODY_LIMIT: '512kb',
      NODE_ENV: 'production',
      DELIVERY_POLL_INTERVAL_MS: '250',
      DELIVERY_TIMEOUT_MS: '5000',
      DELIVERY_MIN_BYTES_PER_SECOND: '65536',
      DELIVERY_CONCURRENCY: '8',
      RECEIPT_THREADS: '2',
      SHUTDOWN_TIMEOUT_MS: '0',
      TEMPLATES_DIR: '/srv/templates',
      DRAFT_TTL_DAYS: '7',
      RETENTION_DAYS: '0',
      RETENTION_INTERVAL_MINUTES: '1440',
      SITE_TENANT: 'thueringen',
      PUBLIC_BASE_URL: 'https://antrag.example.de/',
      SMTP_URL: 'smtps://user:geheim@mail.example.de:465',
      MAIL_FROM: 'Freistaat Thüringen <noreply@example.de>',
      DELIVERY_WORKER: 'off',
      ADMIN_TOKEN_HASH: ADMIN_HASH,
      TRUSTED_PROXIES: '10.0.0.0/8',
      RATE_LIMIT_WINDOW_SECONDS: '300',
      RATE_LIMIT_DRAFTS: '5',
      RATE_LIMIT_STEPS: '50',
      RATE_LIMIT_SUBMISSIONS: '3',
      RATE_LIMIT_SIGN_IN: '4',
      CONSOLE_IDLE_MINUTES: '15',
      CONFIG_POLL_SECONDS: '30',
      DATABASE_URL: 'postgres://efa:geheim@db.example.de:5432/efa',
      DATABASE_POOL_SIZE: '20',
      DATABASE_STATEMENT_TIMEOUT_MS: '5000',
      HTTP_HEADERS_TIMEOUT_MS: '5000',
      HTTP_REQUEST_TIMEOUT_MS: '20000',
      HTTP_KEEP_ALIVE_TIMEOUT_MS: '1000',
      METRICS_PORT: '9464',
      METRICS_HOST: '10.0.0.5',
      ROUTING_SIGNING_KEY_FILE: '/run/secrets/routing-key.pem',
      CLAMD_URL: 'tcp://127.0.0.1:3310',
      CLAMD_TIMEOUT_MS: '5000',
      CLAMD_STREAM_MAX_BYTES: '104857600',
      ATTACHMENT_SCAN: 'on',
      ATTACHMENT_MAX_FILE_BYTES: '5000000',
      ATTACHMENT_MAX_SUBMISSION_BYTES: '20000000',
      ATTACHMENT_MAX_DRAFT_BYTES: '30000000',
      ATTACHMENT_UPLOAD_TTL_HOURS: '2',
      EMAIL_ATTACHMENT_MAX_BYTES: '0',
    });
    expect(config).toEqual({
      port: 8080,
      formsDir: '/srv/forms',
      tenantsDir: '/srv/tenants',
      dataDir: '/var/lib/efa',
      bodyLimitBytes: 524_288,
      production: true,
      deliveryPollIntervalMs: 250,
      deliveryTimeoutMs: 5000,
      deliveryMinBytesPerSecond: 65_536,
      deliveryConcurrency: 8,
      receiptThreads: 2,
      deliveryGiveUpAfterHours: 72,
      shutdownTimeoutMs: 0,
      templatesDir: '/srv/templates',
      draftTtlDays: 7,
      retentionDays: 0,
      retentionIntervalMinutes: 1440,
      siteTenant: 'thueringen',
      publicBaseUrl: 'https://antrag.example.de',
      smtpUrl: 'smtps://user:geheim@mail.example.de:465',
      deliveryWorker: false,
      adminTokenHash: ADMIN_HASH,
      mailFrom: 'Freistaat Thüringen <noreply@example.de>',
      trustedProxies: ['10.0.0.0/8'],
      rateLimitWindowSeconds: 300,
      rateLimitDrafts: 5,
      rateLimitSteps: 50,
      rateLimitSubmissions: 3,
      rateLimitSignIn: 4,
      consoleIdleMinutes: 15,
      configPollSeconds: 30,
      databaseUrl: 'postgres://efa:geheim@db.example.de:5432/efa',
      databasePoolSize: 20,
      databaseStatementTimeoutMs: 5000,
      httpHeadersTimeoutMs: 5000,
      httpRequestTimeoutMs: 20_000,
      httpKeepAliveTimeoutMs: 1000,
      metricsPort: 9464,
      metricsHost: '10.0.0.5',
      routingSigningKeyFile: '/run/secrets/routing-key.pem',
      clamdUrl: 'tcp://127.0.0.1:3310',
      clamdTimeoutMs: 5000,
      clamdStreamMaxBytes: 104_857_600,
      attachmentScan: 'on',
      attachmentMaxFileBytes: 5_000_000,
      attachmentMaxSubmissionBytes: 20_000_000,
      attachmentMaxDraftBytes: 30_000_000,
      attachmentUploadTtlHours: 2,
      emailAttachmentMaxBytes: 0,
    });
  });

  it.each([
    ['DRAFT_TTL_DAYS', '0'],
    ['DRAFT_TTL_DAYS', '366'],
    ['RETENTION_DAYS', '-1'],
    ['RETENTION_DAYS', '3651'],
    ['RETENTION_DAYS', '1.5'],
    ['RETENTION_INTERVAL_MINUTES', '0'],
    ['RETENTION_INTERVAL_MINUTES', '1441'],
    ['CONFIG_POLL_SECONDS', '0'],
    ['DATABASE_URL', 'mysql://db/efa'],
    ['DATABASE_POOL_SIZE', '0'],
    ['CONFIG_POLL_SECONDS', '3601'],
    ['SITE_TENANT', 'Thüringen'],
    ['PUBLIC_BASE_URL', 'antrag.example.de'],
    ['PUBLIC_BASE_URL', 'ftp://antrag.example.de'],
    ['PUBLIC_BASE_URL', 'https://antrag.example.de/?x=1'],
    ['SMTP_URL', 'http://mail.example.de'],
    ['MAIL_FROM', 'kein mailbox'],
  ])('refuses %s=%s with a one-line reason', (env, raw) => {
    const error = configError({ [env]: raw });
    expect(error.message.startsWith(`${env}=`)).toBe(true);
    // A secret is never echoed back, not even when it is malformed.
    if (env === 'SMTP_URL') expect(error.message).not.toContain(raw);
    expect(error.message).not.toContain('\n');
  });

  it.each([
    ['0', 0],
    ['1', 1],
    ['65535', 65_535],
  ])('accepts PORT=%s', (raw, expected) => {
    expect(loadConfig({ PORT: raw }).port).toBe(expected);
  });

  it.each([
    ['production', true],
    ['development', false],
    ['test', false],
  ])('reads NODE_ENV=%s as production=%s', (raw, expected) => {
    expect(loadConfig({ NODE_ENV: raw, PUBLIC_BASE_URL: 'https://antrag.example.de', ADMIN_TOKEN_HASH: ADMIN_HASH }).production).toBe(expected);
  });
});

describe('loadConfig errors', () => {
  it.each(['abc', '70000', '65536', '-1', '3000.5', '1e3', ' 3000', '0x50', '３０００'])(
    'rejects PORT=%j with a one-line ConfigError naming PORT',
    (raw) => {
      const err = configError({ PORT: raw });
      expect(err).toBeInstanceOf(Error);
      expect(err.name).toBe('ConfigError');
      expect(err.message.startsWith('PORT=')).toBe(true);
      expect(err.message).toContain(JSON.stringify(raw));
      expect(err.message).toContain('whole number from 0 to 65535');
      expect(err.message).not.toMatch(/[\r\n]/);
    },
  );

  it('keeps the message on one line even when the value contains a newline', () => {
    const err = configError({ PORT: '30\n00' });
    expect(err.message).toMatch(/^PORT="30\\n00" /);
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it('refuses production without PUBLIC_BASE_URL, in one line', () => {
    const err = configError({ NODE_ENV: 'production' });
    expect(err.message).toBe('PUBLIC_BASE_URL must be set when NODE_ENV=production (the public https address of the service)');
  });

  it('refuses production without ADMIN_TOKEN_HASH, in one line', () => {
    const err = configError({ NODE_ENV: 'production', PUBLIC_BASE_URL: 'https://antrag.example.de' });
    expect(err.message).toBe("ADMIN_TOKEN_HASH must be set when NODE_ENV=production (SHA-256 hex of the operators' admin token)");
  });

  it.each(['abc', 'A'.repeat(64), `${'0'.repeat(63)}g`])('rejects ADMIN_TOKEN_HASH=%j without echoing it', (raw) => {
    const err = configError({ ADMIN_TOKEN_HASH: raw });
    expect(err.message).toBe('ADMIN_TOKEN_HASH=(secret) must be the SHA-256 of the token as 64 lower-case hex digits');
  });

  it.each(['yes', 'true', 'ON'])('rejects DELIVERY_WORKER=%j', (raw) => {
    expect(configError({ DELIVERY_WORKER: raw }).message).toBe(`DELIVERY_WORKER=${JSON.stringify(raw)} must be on or off`);
  });

  it.each(['staging', 'Production', 'prod', ' production'])('rejects NODE_ENV=%j', (raw) => {
    const err = configError({ NODE_ENV: raw });
    expect(err.message).toMatch(/^NODE_ENV=/);
    expect(err.message).toContain('production, development or test');
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it.each(['1gb', 'lots', '1 mb', '1.5mb', '-1mb', '0kb', '1023b', '51mb'])('rejects BODY_LIMIT=%j', (raw) => {
    const err = configError({ BODY_LIMIT: raw });
    expect(err.message).toMatch(/^BODY_LIMIT=/);
    expect(err.message).toContain(JSON.stringify(raw));
    expect(err.message).not.toMatch(/[\r\n]/);
  });

  it.each(['   ', '\t'])('rejects a blank directory path %j', (raw) => {
    expect(configError({ FORMS_DIR: raw }).message).toMatch(/^FORMS_DIR=.* must be a directory path$/);
    expect(configError({ TENANTS_DIR: raw }).message).toMatch(/^TENANTS_DIR=/);
    expect(configError({ DATA_DIR: raw }).message).toMatch(/^DATA_DIR=/);
  });

  it.each([
    ['DELIVERY_POLL_INTERVAL_MS', '9'],
    ['DELIVERY_POLL_INTERVAL_MS', '3600001'],
    ['DELIVERY_TIMEOUT_MS', '99'],
    ['DELIVERY_TIMEOUT_MS', '600001'],
    ['DELIVERY_MIN_BYTES_PER_SECOND', '1023'],
    ['DELIVERY_CONCURRENCY', '0'],
    ['DELIVERY_CONCURRENCY', '65'],
    ['RECEIPT_THREADS', '-1'],
    ['RECEIPT_THREADS', '17'],
    ['SHUTDOWN_TIMEOUT_MS', '600001'],
    ['SHUTDOWN_TIMEOUT_MS', '-1'],
  ])('rejects %s=%s outside its range', (variable, raw) => {
    expect(configError({ [variable]: raw }).message.startsWith(`${variable}=`)).toBe(true);
  });

  it('reports the first bad setting in schema order', () => {
    expect(configError({ BODY_LIMIT: 'lots', PORT: 'abc' }).message).toMatch(/^PORT=/);
  });
});

describe('parseByteSize', () => {
  it.each([
    ['512kb', 524_288],
    ['1mb', 1_048_576],
    ['1MB', 1_048_576],
    ['1Kb', 1024],
    ['1024b', 1024],
    ['50mb', 52_428_800],
    [' 2mb ', 2_097_152],
  ])('reads %j as %d bytes', (raw, expected) => {
    expect(parseByteSize(raw)).toBe(expected);
  });

  it.each(['1gb', 'lots', '', 'mb', '100', '1.5mb', '1 mb', '0b', '1023b', '51mb'])('rejects %j', (raw) => {
    expect(() => parseByteSize(raw)).toThrow(/must be/);
  });
});

describe('SETTINGS', () => {
  it('has unique keys and environment variable names', () => {
    expect(new Set(SETTINGS.map((s) => s.key)).size).toBe(SETTINGS.length);
    expect(new Set(SETTINGS.map((s) => s.env)).size).toBe(SETTINGS.length);
  });

  it('names environment variables in upper snake case and describes each setting', () => {
    for (const setting of SETTINGS) {
      expect(setting.env).toMatch(/^[A-Z][A-Z0-9_]*$/);
      expect(setting.description.length).toBeGreaterThan(10);
    }
  });

  it('covers every key of the loaded config', () => {
    expect(SETTINGS.map((s) => s.key).sort()).toEqual(Object.keys(loadConfig({})).sort());
  });
});

describe('README configuration table', () => {
  // config-schema.ts promises that this test fails when README and schema drift apart.
  const readme = readFileSync(join(__dirname, '..', '..', 'README.md'), 'utf8');
  const section = readme.split(/^## Configuration$/m)[1]?.split(/^## /m)[0] ?? '';
  // An empty default is written "(empty)" in the table.
  const rows = [...section.matchAll(/^\| `([A-Z0-9_]+)` \| (?:`([^`]*)`|\(empty\)) \|/gm)].map((m) => ({ env: m[1], default: m[2] ?? '' }));

  it('has a configuration section with a table', () => {
    expect(rows.length).toBeGreaterThan(0);
  });

  it('lists exactly the variables of the schema, in schema order, with their defaults', () => {
    expect(rows).toEqual(SETTINGS.map((s) => ({ env: s.env, default: s.default })));
  });
});
