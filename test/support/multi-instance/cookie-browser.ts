import { encodeForm } from '../page-form';

export interface BrowserResponse {
  readonly status: number;
  readonly location: string | undefined;
  readonly text: string;
}

export interface CookieBrowser {
  get(url: string): Promise<BrowserResponse>;
  post(url: string, fields: ReadonlyArray<readonly [string, string]>): Promise<BrowserResponse>;
  /** The names of the cookies the jar holds. */
  cookieNames(): string[];
}

/**
 * A citizen's browser over real HTTP: one cookie jar for whichever process answers (no sticky
 * sessions), redirects not followed so the test sees each step's 303. Cookies are kept by name
 * only: path, Secure and expiry do not matter for talking to 127.0.0.1 in a test.
 */
export function cookieBrowser(): CookieBrowser {
  const jar = new Map<string, string>();
  const send = async (url: string, init: RequestInit): Promise<BrowserResponse> => {
    const headers = new Headers(init.headers);
    if (jar.size > 0) headers.set('cookie', [...jar].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair = ''] = line.split(';');
      const at = pair.indexOf('=');
      jar.set(pair.slice(0, at), pair.slice(at + 1));
    }
    return { status: res.status, location: res.headers.get('location') ?? undefined, text: await res.text() };
  };
  return {
    get: (url) => send(url, { method: 'GET' }),
    post: (url, fields) => send(url, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: encodeForm(fields) }),
    cookieNames: () => [...jar.keys()],
  };
}
