import { clientKey, createRateLimiter } from '../../src/http/rate-limit';

describe('rate limiter (fixed windows per client and bucket)', () => {
  let clock = 0;
  const now = () => new Date(clock);
  const limiter = (limits = { drafts: 2, steps: 3, submissions: 0, 'sign-in': 0 }, maxClients?: number) =>
    createRateLimiter({ windowMs: 60_000, limits, now, ...(maxClients !== undefined ? { maxClients } : {}) });

  beforeEach(() => {
    clock = 1_000_000;
  });

  test('allows the limit per window, then says how long to wait; a new window starts afresh', () => {
    const l = limiter();
    expect([l.take('drafts', 'a'), l.take('drafts', 'a')]).toEqual([undefined, undefined]);
    clock += 15_000;
    expect(l.take('drafts', 'a')).toBe(45);
    expect(l.take('drafts', 'a')).toBe(45); // refused requests are not counted
    clock += 45_000;
    expect(l.take('drafts', 'a')).toBeUndefined();
  });

  test('clients and buckets count apart; 0 means no limit', () => {
    const l = limiter();
    l.take('drafts', 'a');
    l.take('drafts', 'a');
    expect(l.take('drafts', 'b')).toBeUndefined();
    expect(l.take('steps', 'a')).toBeUndefined();
    for (let i = 0; i < 1000; i++) expect(l.take('submissions', 'a')).toBeUndefined();
  });

  test('remembers at most maxClients: memory stays bounded under many addresses', () => {
    const l = limiter({ drafts: 1, steps: 1, submissions: 1, 'sign-in': 1 }, 100);
    for (let i = 0; i < 10_000; i++) l.take('drafts', `10.0.${i >> 8}.${i & 255}`);
    // The earliest clients were forgotten, the latest are still counted.
    expect(l.take('drafts', '10.0.0.0')).toBeUndefined();
    expect(l.take('drafts', '10.0.39.15')).toBe(60);
  });
});

describe('clientKey: whom a request is counted for', () => {
  test.each([
    ['203.0.113.7', '203.0.113.7'],
    ['::ffff:203.0.113.7', '203.0.113.7'],
    ['2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['2001:db8:1:2:ffff:ffff:ffff:ffff', '2001:db8:1:2::/64'],
    ['2001:0db8:0001:0002::1', '2001:db8:1:2::/64'],
    ['2001:db8::1', '2001:db8:0:0::/64'],
    ['::1', '0:0:0:0::/64'],
    ['fe80::1%eth0', 'fe80:0:0:0::/64'],
  ])('%s counts as %s', (address, key) => {
    expect(clientKey(address)).toBe(key);
  });

  test('all addresses of one IPv6 /64 share one limit', () => {
    const l = createRateLimiter({ windowMs: 60_000, limits: { drafts: 1, steps: 1, submissions: 1, 'sign-in': 1 }, now: () => new Date(0) });
    expect(l.take('drafts', clientKey('2001:db8:1:2::a'))).toBeUndefined();
    expect(l.take('drafts', clientKey('2001:db8:1:2::b'))).toBe(60);
    expect(l.take('drafts', clientKey('2001:db8:1:3::a'))).toBeUndefined();
  });
});
