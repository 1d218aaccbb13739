// HL7 values read from a CDA header: white space, dates, and TS timestamps converted to UTC; shared by validation and the XDS builder.

/** Collapses runs of white space (CDA names are often pretty-printed across lines). */
export function normalizeSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

const DAYS_IN_MONTH = [31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31] as const;

function isLeap(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

/** Whether year, month (1–12) and day form a date of the Gregorian calendar. */
export function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) {
    return false;
  }
  const max = month === 2 && !isLeap(year) ? 28 : (DAYS_IN_MONTH[month - 1] ?? 0);
  return day <= max;
}

export type TimeConversion =
  | { readonly ok: true; readonly value: string }
  | { readonly ok: false; readonly reason: 'format' | 'no-offset' | 'no-time' | 'range' };

const TS_PATTERN = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})?(\d{2})?(?:\.\d{1,4})?)?([+-]\d{4})?$/;

/**
 * Converts a CDA `TS` with a UTC offset (`YYYYMMDDhh[mm[ss[.ffff]]]±ZZZZ`) to a UTC DTM at second
 * precision. Missing minutes and seconds are zero (the value says nothing finer); fractions are cut.
 * A time without an offset, or a date without a time, cannot be placed in UTC and is refused rather
 * than guessed.
 */
export function cdaTimeToUtcDtm(ts: string): TimeConversion {
  const m = TS_PATTERN.exec(ts.trim());
  if (!m) {
    return { ok: false, reason: 'format' };
  }
  const [, ys, mos, ds, hs, mis, ss, zone] = m;
  if (hs === undefined) {
    return { ok: false, reason: 'no-time' };
  }
  if (zone === undefined) {
    return { ok: false, reason: 'no-offset' };
  }
  const [y, mo, d, h, mi, s] = [ys, mos, ds, hs, mis ?? '0', ss ?? '0'].map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  const zh = Number(zone.slice(1, 3));
  const zm = Number(zone.slice(3, 5));
  if (!isRealDate(y, mo, d) || h > 23 || mi > 59 || s > 59 || zh > 14 || zm > 59) {
    return { ok: false, reason: 'range' };
  }
  const offsetMinutes = (zone.startsWith('-') ? -1 : 1) * (zh * 60 + zm);
  const utc = new Date(Date.UTC(y, mo - 1, d, h, mi, s) - offsetMinutes * 60_000);
  return { ok: true, value: formatUtcDtm(utc) };
}

/** A Date as a UTC DTM at second precision. */
export function formatUtcDtm(date: Date): string {
  const p = (n: number, w = 2): string => String(n).padStart(w, '0');
  return (
    p(date.getUTCFullYear(), 4) +
    p(date.getUTCMonth() + 1) +
    p(date.getUTCDate()) +
    p(date.getUTCHours()) +
    p(date.getUTCMinutes()) +
    p(date.getUTCSeconds())
  );
}

/** The date part (`YYYYMMDD`) of a CDA TS, as written (a birth date is not moved across time zones). */
export function cdaDatePart(ts: string): string | null {
  const m = /^(\d{4})(\d{2})(\d{2})/.exec(ts.trim());
  if (!m) {
    return null;
  }
  return isRealDate(Number(m[1]), Number(m[2]), Number(m[3])) ? m[0] : null;
}
