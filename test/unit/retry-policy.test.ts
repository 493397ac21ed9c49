import { DEFAULT_RETRY_POLICY, nextRetryDelayMs, parseRetryAfter, type RetryPolicy } from '../../src/delivery/retry-policy';

const low = (): number => 0;
const high = (): number => 0.999;
const NOW = new Date('2026-11-02T10:00:00.000Z');

describe('DEFAULT_RETRY_POLICY', () => {
  it('starts at 2 s and is capped at one hour', () => {
    expect(DEFAULT_RETRY_POLICY).toEqual({ baseDelayMs: 2_000, maxDelayMs: 3_600_000 });
  });
});

describe('nextRetryDelayMs', () => {
  const policy = DEFAULT_RETRY_POLICY;

  it('doubles the delay with every attempt (random() = 0 gives the lower half)', () => {
    const delays = [1, 2, 3, 4, 5, 6].map((attempts) => nextRetryDelayMs(attempts, policy, low));
    expect(delays).toEqual([1_000, 2_000, 4_000, 8_000, 16_000, 32_000]);
  });

  it('stays just below the ceiling with random() = 0.999', () => {
    expect(nextRetryDelayMs(1, policy, high)).toBe(1_999); // 1000 + 0.999 * 1000
    expect(nextRetryDelayMs(2, policy, high)).toBe(3_998);
    expect(nextRetryDelayMs(3, policy, high)).toBe(7_996);
  });

  it('keeps every jittered delay between half the ceiling and the ceiling', () => {
    for (let attempts = 1; attempts <= 15; attempts++) {
      const ceiling = Math.min(2_000 * 2 ** (attempts - 1), 3_600_000);
      for (let i = 0; i < 50; i++) {
        const delay = nextRetryDelayMs(attempts, policy, Math.random);
        expect(delay).toBeGreaterThanOrEqual(ceiling / 2);
        expect(delay).toBeLessThanOrEqual(ceiling);
        expect(Number.isInteger(delay)).toBe(true);
      }
    }
  });

  it('uses the random value: different draws give different delays', () => {
    expect(nextRetryDelayMs(4, policy, () => 0.25)).toBe(10_000); // ceiling 16 s: 8 s + 2 s
    expect(nextRetryDelayMs(4, policy, () => 0.5)).toBe(12_000);
  });

  it('is capped at maxDelayMs once the doubling passes it', () => {
    // 2 s * 2^11 = 4096 s > 1 h: the ceiling is one hour from attempt 12 on.
    expect(nextRetryDelayMs(11, policy, low)).toBe(1_024_000);
    expect(nextRetryDelayMs(12, policy, low)).toBe(1_800_000);
    expect(nextRetryDelayMs(12, policy, high)).toBe(3_598_200);
    expect(nextRetryDelayMs(50, policy, low)).toBe(1_800_000);
  });

  it('stays finite for absurd attempt counts', () => {
    expect(nextRetryDelayMs(10_000, policy, low)).toBe(1_800_000);
    expect(nextRetryDelayMs(Number.MAX_SAFE_INTEGER, policy, high)).toBe(3_598_200);
  });

  it('treats attempt 0 and negative counts like the first attempt', () => {
    expect(nextRetryDelayMs(0, policy, low)).toBe(1_000);
    expect(nextRetryDelayMs(-3, policy, low)).toBe(1_000);
  });

  it('follows a custom policy', () => {
    const custom: RetryPolicy = { baseDelayMs: 100, maxDelayMs: 500 };
    expect([1, 2, 3, 4, 5].map((a) => nextRetryDelayMs(a, custom, low))).toEqual([50, 100, 200, 250, 250]);
  });

  describe('with Retry-After', () => {
    it('waits as long as the receiver asks when that is longer than the backoff', () => {
      expect(nextRetryDelayMs(1, policy, high, 120_000)).toBe(120_000);
    });

    it('keeps the backoff when Retry-After is shorter', () => {
      expect(nextRetryDelayMs(5, policy, low, 1_000)).toBe(16_000);
      expect(nextRetryDelayMs(1, policy, low, 0)).toBe(1_000);
    });

    it('may exceed maxDelayMs but not 24 times it', () => {
      expect(nextRetryDelayMs(1, policy, low, 7_200_000)).toBe(7_200_000);
      expect(nextRetryDelayMs(1, policy, low, 86_400_000)).toBe(86_400_000);
      expect(nextRetryDelayMs(1, policy, low, 10 * 86_400_000)).toBe(86_400_000);
    });

    it('combines with parseRetryAfter', () => {
      expect(nextRetryDelayMs(1, policy, low, parseRetryAfter('120', NOW))).toBe(120_000);
      expect(nextRetryDelayMs(1, policy, low, parseRetryAfter(null, NOW))).toBe(1_000);
    });
  });
});

describe('parseRetryAfter', () => {
  it('returns undefined when the header is missing or empty', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter('', NOW)).toBeUndefined();
    expect(parseRetryAfter('   ', NOW)).toBeUndefined();
  });

  it.each([
    ['120', 120_000],
    ['0', 0],
    ['1', 1_000],
    [' 30 ', 30_000],
    ['86400', 86_400_000],
  ])('reads delay-seconds %j as %d ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('reads an HTTP-date as the time until then', () => {
    expect(parseRetryAfter('Mon, 02 Nov 2026 10:02:00 GMT', NOW)).toBe(120_000);
    expect(parseRetryAfter('Mon, 02 Nov 2026 11:00:00 GMT', NOW)).toBe(3_600_000);
  });

  it('gives 0 for an HTTP-date in the past', () => {
    expect(parseRetryAfter('Wed, 21 Oct 2015 07:28:00 GMT', NOW)).toBe(0);
    expect(parseRetryAfter('Mon, 02 Nov 2026 09:59:59 GMT', NOW)).toBe(0);
  });

  it('depends on the given now, not the clock', () => {
    const later = new Date(NOW.getTime() + 60_000);
    expect(parseRetryAfter('Mon, 02 Nov 2026 10:02:00 GMT', later)).toBe(60_000);
  });

  it.each(['soon', '5s', '120 seconds', '1e3', '0x10', 'Mon, 32 Foo 2026'])('returns undefined for %j', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });
});
