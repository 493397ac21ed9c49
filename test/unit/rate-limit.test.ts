import { createRateLimiter } from '../../src/http/rate-limit';

describe('rate limiter (fixed windows per client and bucket)', () => {
  let clock = 0;
  const now = () => new Date(clock);
  const limiter = (limits = { drafts: 2, steps: 3, submissions: 0 }, maxClients?: number) =>
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
    const l = limiter({ drafts: 1, steps: 1, submissions: 1 }, 100);
    for (let i = 0; i < 10_000; i++) l.take('drafts', `10.0.${i >> 8}.${i & 255}`);
    // The earliest clients were forgotten, the latest are still counted.
    expect(l.take('drafts', '10.0.0.0')).toBeUndefined();
    expect(l.take('drafts', '10.0.39.15')).toBe(60);
  });
});
