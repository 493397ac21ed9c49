import { formatCalendarDate, formatEuroCents, formatLongDate, formatLongDateTime, formatNumber, formatReceivedAt } from '../../src/i18n/formatters';

/** Dates in Europe/Berlin whatever the server's time zone; German and British conventions. */
describe('i18n formatters', () => {
  const lateEvening = new Date('2026-07-01T22:30:00Z'); // 00:30 on 2 July in Berlin (CEST)

  it('formats dates and times in Berlin', () => {
    expect(formatLongDate(lateEvening, 'de')).toBe('2. Juli 2026');
    expect(formatLongDate(lateEvening, 'en')).toBe('2 July 2026');
    expect(formatLongDateTime(lateEvening, 'de')).toMatch(/^2\. Juli 2026.*00:30$/);
    expect(formatLongDateTime(new Date('2026-12-01T08:05:00Z'), 'en')).toMatch(/^1 December 2026.*09:05$/);
    expect(formatReceivedAt(lateEvening, 'de')).toBe('02.07.2026, 00:30 Uhr');
  });

  it('shows a calendar date as the day it names, and anything else as it is', () => {
    expect(formatCalendarDate('2026-03-29', 'de')).toBe('29. März 2026');
    expect(formatCalendarDate('2026-03-29', 'en')).toBe('29 March 2026');
    expect(formatCalendarDate('29.03.2026', 'de')).toBe('29.03.2026');
  });

  it('formats euro amounts from cents and numbers by language', () => {
    expect(formatEuroCents(1250, 'de').replace(/\s/g, ' ')).toBe('12,50 €');
    expect(formatEuroCents(123456, 'en')).toBe('€1,234.56');
    expect(formatNumber(1234.5, 'de')).toBe('1.234,5');
    expect(formatNumber(1234.5, 'en')).toBe('1,234.5');
  });
});
