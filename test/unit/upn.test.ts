import fc from 'fast-check';
import { isTemporaryUpn, isValidUpn, makeUpn, UPN_CHECK_ALPHABET, upnCheckLetter, upnProblem } from '../../shared/upn';

const digit = fc.constantFrom(...'0123456789'.split(''));
const body12 = fc.tuple(fc.array(digit, { minLength: 11, maxLength: 11 }), fc.constantFrom(...'0123456789'.split(''), ...UPN_CHECK_ALPHABET.split('')))
  .map(([d, last]) => `${d.join('')}${last}`);
/** Characters a mistyped UPN could hold: digits, letters (including I, O, S) and a few others. */
const anyChar = fc.constantFrom(...'0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ -/'.split(''));

/**
 * DfE: a letter in position 13 counts as its index in the check alphabet, so swapping a
 * final digit for the letter of the same value (0↔A … 9↔K) leaves the sum unchanged. That
 * is the one single-character change the algorithm cannot see.
 */
function sameFinalValue(a: string, b: string): boolean {
  const value = (c: string): number => (/\d/.test(c) ? Number(c) : UPN_CHECK_ALPHABET.indexOf(c));
  return value(a) === value(b);
}

describe('the UPN check letter (DfE algorithm)', () => {
  it('matches a worked example: weights 2–13, sum mod 23', () => {
    // 3·2+3·3+0·4+2·5+0·6+0·7+1·8+1·9+5·10+0·11+0·12+1·13 = 105; 105 mod 23 = 13 → P
    expect(upnCheckLetter('330200115001')).toBe('P');
    expect(isValidUpn('P330200115001')).toBe(true);
  });

  it('computes letters that always validate', () => {
    fc.assert(fc.property(body12, (body) => {
      const letter = upnCheckLetter(body);
      expect(letter).toBeDefined();
      expect(UPN_CHECK_ALPHABET).toContain(letter);
      expect(isValidUpn(`${letter}${body}`)).toBe(true);
    }), { numRuns: 2000 });
  });

  it('never uses I, O or S as a check letter', () => {
    fc.assert(fc.property(body12, (body) => !/[IOS]/.test(upnCheckLetter(body) ?? '')), { numRuns: 2000 });
  });

  it('rejects any single-character change (but the documented final digit↔letter swap)', () => {
    fc.assert(fc.property(body12, fc.integer({ min: 0, max: 12 }), anyChar, (body, position, replacement) => {
      const upn = `${upnCheckLetter(body)}${body}`;
      const original = upn.charAt(position);
      fc.pre(replacement !== original);
      if (position === 12) fc.pre(!sameFinalValue(original, replacement));
      const changed = `${upn.slice(0, position)}${replacement}${upn.slice(position + 1)}`;
      expect(isValidUpn(changed)).toBe(false);
    }), { numRuns: 5000 });
  });

  it('says why a UPN is invalid', () => {
    expect(upnProblem('P33020011500')).toBe('length');
    expect(upnProblem('I330200115001')).toBe('format');
    expect(upnProblem('P3302001150X1')).toBe('format');
    expect(upnProblem('A330200115001')).toBe('checkLetter');
    expect(upnProblem(' p330200115001 ')).toBeUndefined();
  });

  it('recognises temporary UPNs by their final letter', () => {
    const temporary = makeUpn('330', '2001', '15', '00A');
    expect(isValidUpn(temporary)).toBe(true);
    expect(isTemporaryUpn(temporary)).toBe(true);
    expect(isTemporaryUpn(makeUpn('330', '2001', '15', '001'))).toBe(false);
  });
});
