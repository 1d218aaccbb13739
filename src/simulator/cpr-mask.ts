// Keeps whole CPR numbers out of everything the simulator writes: answers, the query API and error messages.

/**
 * Cuts 10-digit numbers (with or without the dash after the date) to their first six digits, the
 * date part. Digits that are part of a longer token (an OID, a UUID, a longer number) are left
 * alone: they are not CPR numbers.
 */
export function maskCpr(text: string): string {
  return text.replace(/(?<![A-Za-z0-9.])(\d{6})-?\d{4}(?![A-Za-z0-9.])/g, '$1…');
}
