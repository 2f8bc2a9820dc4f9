/**
 * Entity tags and conditional requests, by RFC 9110: an ETag is a quoted string (`"abc"`, or
 * weak `W/"abc"`); If-Match compares strongly (a weak tag never matches), If-None-Match weakly;
 * `*` means "any current representation". The store's own etags (Cosmos `_etag`) are quoted by
 * real Cosmos DB and bare on the embedded server; `httpEtag` gives both the same HTTP form.
 */

export interface EntityTag {
  weak: boolean;
  opaque: string;
}

/** The store's etag as an HTTP entity tag: quoted, whatever the store gave. */
export function httpEtag(storeEtag: string | undefined): string | undefined {
  if (storeEtag === undefined || storeEtag === '') return undefined;
  return /^(W\/)?".*"$/.test(storeEtag) ? storeEtag : `"${storeEtag.replace(/"/g, '')}"`;
}

function parseTag(text: string): EntityTag | undefined {
  const m = /^(W\/)?"([\x21\x23-\x7e\x80-\xff]*)"$/.exec(text.trim());
  return m ? { weak: m[1] !== undefined, opaque: m[2] ?? '' } : undefined;
}

/** An If-Match / If-None-Match value: `*`, or the entity tags it lists (malformed members match nothing). */
export function parseEtagList(header: string): '*' | EntityTag[] {
  if (header.trim() === '*') return '*';
  return header.split(',').flatMap((part) => {
    const tag = parseTag(part);
    return tag ? [tag] : [];
  });
}

/** RFC 9110 §13.1.1: true when the current representation (its HTTP etag, undefined when none) satisfies If-Match. */
export function ifMatchHolds(header: string, current: string | undefined): boolean {
  const tag = current === undefined ? undefined : parseTag(current);
  if (tag === undefined) return false;
  const list = parseEtagList(header);
  if (list === '*') return true;
  return !tag.weak && list.some((t) => !t.weak && t.opaque === tag.opaque);
}

/** RFC 9110 §13.1.2: true when If-None-Match names the current representation (weak comparison), i.e. the condition fails. */
export function ifNoneMatchMatches(header: string, current: string | undefined): boolean {
  const tag = current === undefined ? undefined : parseTag(current);
  if (tag === undefined) return false;
  const list = parseEtagList(header);
  return list === '*' || list.some((t) => t.opaque === tag.opaque);
}
