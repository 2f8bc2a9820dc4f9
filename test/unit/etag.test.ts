/**
 * Entity tags and conditional requests by RFC 9110 (functions/src/http/etag.ts): quoted on the
 * wire whatever the store gave; If-Match compares strongly, If-None-Match weakly; `*` matches any
 * current representation and nothing when there is none.
 */
import { httpEtag, ifMatchHolds, ifNoneMatchMatches, parseEtagList } from '../../functions/src/http/etag';

describe('httpEtag', () => {
  it('quotes a bare store etag (the embedded server) and keeps a quoted one (Azure Cosmos DB)', () => {
    expect(httpEtag('3c18df03-0000')).toBe('"3c18df03-0000"');
    expect(httpEtag('"0000d2a1-0000-0d00-0000-65f0a2b40000"')).toBe('"0000d2a1-0000-0d00-0000-65f0a2b40000"');
    expect(httpEtag('W/"abc"')).toBe('W/"abc"');
    expect(httpEtag(undefined)).toBeUndefined();
    expect(httpEtag('')).toBeUndefined();
  });
});

describe('parseEtagList', () => {
  it('reads *, and a list of strong and weak tags; malformed members are dropped', () => {
    expect(parseEtagList(' * ')).toBe('*');
    expect(parseEtagList('"a", W/"b" ,"c"')).toEqual([
      { weak: false, opaque: 'a' },
      { weak: true, opaque: 'b' },
      { weak: false, opaque: 'c' },
    ]);
    expect(parseEtagList('a, "b')).toEqual([]);
  });
});

describe('ifMatchHolds (strong comparison)', () => {
  const current = '"v2"';
  it('holds for the current tag, quoted, alone or in a list, and for *', () => {
    expect(ifMatchHolds('"v2"', current)).toBe(true);
    expect(ifMatchHolds('"v1", "v2"', current)).toBe(true);
    expect(ifMatchHolds('*', current)).toBe(true);
  });
  it('fails for a stale, weak or unquoted tag, and for * when nothing exists', () => {
    expect(ifMatchHolds('"v1"', current)).toBe(false);
    expect(ifMatchHolds('W/"v2"', current)).toBe(false);
    expect(ifMatchHolds('v2', current)).toBe(false);
    expect(ifMatchHolds('"v2"', 'W/"v2"')).toBe(false);
    expect(ifMatchHolds('*', undefined)).toBe(false);
  });
});

describe('ifNoneMatchMatches (weak comparison)', () => {
  it('matches the current tag strong or weak, and * when something exists', () => {
    expect(ifNoneMatchMatches('W/"v2"', '"v2"')).toBe(true);
    expect(ifNoneMatchMatches('"v1", "v2"', '"v2"')).toBe(true);
    expect(ifNoneMatchMatches('*', '"v2"')).toBe(true);
  });
  it('does not match another tag, or anything when nothing exists', () => {
    expect(ifNoneMatchMatches('"v1"', '"v2"')).toBe(false);
    expect(ifNoneMatchMatches('*', undefined)).toBe(false);
  });
});
