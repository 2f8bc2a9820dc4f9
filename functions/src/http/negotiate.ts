/**
 * The one content-negotiation rule (RFC 9110 §12.5.1), applied by every endpoint through
 * withErrors' `produces`: the first type offered is the default (no Accept, or `*\/*`), so `*\/*`
 * alone never selects a workbook from an endpoint that defaults to JSON; Accept picks among the
 * offers by q-value; an Accept naming none of them is 406.
 */
import type { HttpRequest } from '@azure/functions';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
export const JSON_MEDIA_TYPE = 'application/json';

interface AcceptEntry {
  type: string;
  q: number;
}

function parseAccept(header: string | null): AcceptEntry[] {
  if (header === null || header.trim() === '') return [];
  return header.split(',').flatMap((part) => {
    const [range, ...params] = part.split(';').map((s) => s.trim().toLowerCase());
    if (!range) return [];
    let q = 1;
    for (const p of params) {
      const m = /^q=([01](?:\.\d{0,3})?)$/.exec(p);
      if (m?.[1] !== undefined) q = Number(m[1]);
    }
    return [{ type: range, q }];
  });
}

function qualityFor(entries: AcceptEntry[], mediaType: string): number | undefined {
  const [major] = mediaType.split('/');
  const exact = entries.find((e) => e.type === mediaType);
  if (exact) return exact.q;
  const partial = entries.find((e) => e.type === `${major}/*`);
  return partial?.q;
}

/**
 * The best of `offered` (first one wins ties; the first is the default when Accept is absent
 * or `*\/*`), or undefined when none is acceptable, which the caller answers with 406.
 */
export function negotiate(request: HttpRequest, offered: readonly string[]): string | undefined {
  const entries = parseAccept(request.headers.get('accept'));
  if (entries.length === 0) return offered[0];
  let best: { type: string; q: number } | undefined;
  for (const type of offered) {
    const q = qualityFor(entries, type.toLowerCase()) ?? entries.find((e) => e.type === '*/*')?.q ?? 0;
    if (q > 0 && (best === undefined || q > best.q)) best = { type, q };
  }
  return best?.type;
}
