/**
 * Unique pupil numbers (DfE "Unique Pupil Numbers (UPN)" guidance).
 *
 * 13 characters: check letter, LA code (3), establishment (4), year of allocation (2),
 * serial (3). A temporary UPN ends in a letter instead of the last serial digit.
 */

/** The check-letter alphabet: I, O and S are never used (DfE). */
export const UPN_CHECK_ALPHABET = 'ABCDEFGHJKLMNPQRTUVWXYZ';

const BODY_PATTERN = /^\d{11}[0-9ABCDEFGHJKLMNPQRTUVWXYZ]$/;

/**
 * The check letter for the 12 characters after it, or undefined when the body is malformed.
 * Characters 2–13 are weighted 2–13; a letter in position 13 counts as its index in the
 * check alphabet; the sum mod 23 indexes the alphabet.
 */
export function upnCheckLetter(body12: string): string | undefined {
  const body = body12.trim().toUpperCase();
  if (!BODY_PATTERN.test(body)) return undefined;
  let sum = 0;
  for (let i = 0; i < 12; i++) {
    const ch = body.charAt(i);
    const value = i === 11 && /[A-Z]/.test(ch) ? UPN_CHECK_ALPHABET.indexOf(ch) : Number(ch);
    sum += value * (i + 2);
  }
  return UPN_CHECK_ALPHABET.charAt(sum % 23);
}

export type UpnProblem = 'length' | 'format' | 'checkLetter';

/** Why a UPN is not valid, or undefined when it is. */
export function upnProblem(upn: string): UpnProblem | undefined {
  const v = upn.trim().toUpperCase();
  if (v.length !== 13) return 'length';
  const letter = upnCheckLetter(v.slice(1));
  if (letter === undefined || !UPN_CHECK_ALPHABET.includes(v.charAt(0))) return 'format';
  return letter === v.charAt(0) ? undefined : 'checkLetter';
}

export function isValidUpn(upn: string): boolean {
  return upnProblem(upn) === undefined;
}

/** True for a temporary UPN (its last character is a letter). */
export function isTemporaryUpn(upn: string): boolean {
  return /[A-Z]$/i.test(upn.trim());
}

/** Builds a full UPN from LA code, establishment, year and serial, computing the check letter. */
export function makeUpn(la: string, estab: string, year: string, serial: string): string {
  const body = `${la}${estab}${year}${serial}`;
  const letter = upnCheckLetter(body);
  if (letter === undefined) throw new Error('UPN body must be 11 digits and a final digit or letter');
  return letter + body;
}
