/** SEND.* custom functions over the UPN and SEN code core. */
import { areaOfNeed, SEN_NEED } from '../codes';
import { DomainInputError } from '../errors';
import { upnCheckLetter, upnProblem } from '../upn';
import { type Cell, cellText, isBlank, perCell } from './cells';

export function sendUpnCheck(upn: unknown[][]): Cell[][] {
  return perCell([upn], (u) => (isBlank(u) ? '' : upnProblem(cellText(u)) === undefined));
}

export function sendUpnLetter(upn: unknown[][]): Cell[][] {
  return perCell([upn], (u) => {
    if (isBlank(u)) return '';
    const v = cellText(u);
    const letter = upnCheckLetter(v.length === 13 ? v.slice(1) : v);
    if (letter === undefined) {
      throw new DomainInputError(
        'invalidValue',
        `"${v}" is not a UPN body: 11 digits then a digit (or a letter for a temporary UPN), with or without the check letter`,
      );
    }
    return letter;
  });
}

export function sendNeedArea(code: unknown[][]): Cell[][] {
  return perCell([code], (c) => {
    if (isBlank(c)) return '';
    const area = areaOfNeed(cellText(c));
    if (area === undefined) {
      throw new DomainInputError('invalidValue', `"${cellText(c)}" is not a DfE SEN type code: use ${SEN_NEED.map((n) => n.code).join(', ')}`);
    }
    return area;
  });
}
