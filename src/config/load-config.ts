import { SETTINGS, type Config } from './config-schema';

/** Raised when the environment does not describe a valid configuration; its message is one line. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
}

/**
 * Builds the configuration from an environment record (only src/main.ts passes process.env).
 * Every setting is parsed strictly; the first bad value stops the start with a one-line reason.
 * The result is frozen so no part of the program can change it later.
 */
export function loadConfig(env: Readonly<Record<string, string | undefined>>): Config {
  const values: Record<string, unknown> = {};
  for (const setting of SETTINGS) {
    const raw = env[setting.env];
    const given = raw !== undefined && raw !== '';
    try {
      values[setting.key] = setting.parse(given ? raw : setting.default);
    } catch (err) {
      const reason = err instanceof Error ? err.message : String(err);
      // Secrets are never echoed back, not even in a start-up error.
      const shown = setting.secret ? '(secret)' : JSON.stringify(raw);
      throw new ConfigError(`${setting.env}=${shown} ${reason}`);
    }
  }
  const config = values as unknown as Config;
  // Unsafe in production: "continue later" links would be built from the request's Host header.
  if (config.production && config.publicBaseUrl === '') {
    throw new ConfigError('PUBLIC_BASE_URL must be set when NODE_ENV=production (the public https address of the service)');
  }
  // Unsafe in production: the admin API would be open or, as built here, unusable by operators.
  if (config.production && config.adminTokenHash === '') {
    throw new ConfigError('ADMIN_TOKEN_HASH must be set when NODE_ENV=production (SHA-256 hex of the operators\' admin token)');
  }
  // Node refuses a header timeout longer than the whole request's (and would throw at listen).
  if (config.httpHeadersTimeoutMs > config.httpRequestTimeoutMs) {
    throw new ConfigError(`HTTP_HEADERS_TIMEOUT_MS (${config.httpHeadersTimeoutMs}) must not be longer than HTTP_REQUEST_TIMEOUT_MS (${config.httpRequestTimeoutMs})`);
  }
  // Scanning required without a scanner would refuse every upload ("try again later") forever.
  if (config.attachmentScan === 'on' && config.clamdUrl === '') {
    throw new ConfigError('ATTACHMENT_SCAN=on needs CLAMD_URL: without a scanner no upload could ever be accepted');
  }
  // A file clamd cannot take whole is never scannable: within the limit, but refused every time.
  if (config.clamdUrl !== '' && config.attachmentMaxFileBytes > config.clamdStreamMaxBytes) {
    throw new ConfigError(`ATTACHMENT_MAX_FILE_BYTES (${config.attachmentMaxFileBytes}) must not be larger than CLAMD_STREAM_MAX_BYTES (${config.clamdStreamMaxBytes}, clamd's StreamMaxLength): larger files could never be scanned`);
  }
  if (config.metricsPort !== undefined && config.metricsPort === config.port) {
    throw new ConfigError(`METRICS_PORT (${config.metricsPort}) must differ from PORT`);
  }
  return Object.freeze(config);
}
