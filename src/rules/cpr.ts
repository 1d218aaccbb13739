// CPR number plausibility: the date part read with the official century rule, replacement numbers included.

export type CprProblem = 'format' | 'date';

/**
 * The birth year from the two-digit year and the 7th digit (the CPR register's century rule):
 * 0–3 → 1900s; 4 or 9 → 2000s up to yy 36, else 1900s; 5–8 → 2000s up to yy 57, else 1800s.
 */
export function cprBirthYear(yy: number, seventh: number): number {
  if (seventh <= 3) {
    return 1900 + yy;
  }
  if (seventh === 4 || seventh === 9) {
    return (yy <= 36 ? 2000 : 1900) + yy;
  }
  return (yy <= 57 ? 2000 : 1800) + yy;
}

function isRealDate(year: number, month: number, day: number): boolean {
  if (month < 1 || month > 12 || day < 1) {
    return false;
  }
  const leap = (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
  const days = [31, leap ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1] ?? 0;
  return day <= days;
}

/**
 * Why a CPR number is implausible, or null when it is plausible. Replacement numbers (issued when
 * a real one cannot be) add 60 to the day. No modulus-11 check: numbers without it have been
 * issued since 2007, and MedCom's validators do not apply it either.
 */
export function cprProblem(cpr: string): CprProblem | null {
  if (!/^\d{10}$/.test(cpr)) {
    return 'format';
  }
  const digit = (i: number): number => cpr.charCodeAt(i) - 48;
  let day = digit(0) * 10 + digit(1);
  const month = digit(2) * 10 + digit(3);
  const yy = digit(4) * 10 + digit(5);
  if (day > 60) {
    day -= 60;
  }
  return isRealDate(cprBirthYear(yy, digit(6)), month, day) ? null : 'date';
}

/**
 * The highest serial part (7th to 10th digit) of a replacement number that MedCom's CDA validator
 * accepts (CONF-PHMR-DK-4/5). The CPR office's guidance gives the serial part no range: it is a
 * running number whose 7th digit gives the century as in a real number, and whose 10th the sex.
 * The project follows MedCom's validator, whose refusal fails a certification (docs/rules.md).
 */
export const REPLACEMENT_SERIAL_MAX = 5999;

/** A replacement number: ten digits whose day is raised by 60 (61–91). */
export function isReplacementCpr(cpr: string): boolean {
  if (!/^\d{10}$/.test(cpr)) {
    return false;
  }
  const day = Number(cpr.slice(0, 2));
  return day >= 61 && day <= 91;
}

/** Whether a replacement number's serial part is beyond what MedCom's validator accepts (false for other numbers). */
export function replacementSerialOutOfRange(cpr: string): boolean {
  return isReplacementCpr(cpr) && Number(cpr.slice(6, 10)) > REPLACEMENT_SERIAL_MAX;
}
