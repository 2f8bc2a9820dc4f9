/**
 * The workbook reader's XML events (shared/workbook/xml.ts, on htmlparser2's tokenizer): the
 * same events however the input is cut into pieces, entities decoded in text and attributes,
 * prefixes dropped from names, only the attributes asked for, elements that do not nest
 * refused, and one stream reused for every document: a document given up part way (a handler
 * throws) leaves nothing behind for the next.
 */
import { parseXml, XmlError, type XmlHandlers, XmlStream } from '../../shared/workbook/xml';

type Event = ['open', string, Record<string, string>] | ['close', string] | ['text', string];

/** Handlers that record every event into `out` (neighbouring text joined, so cuts in the input do not show). */
function recorder(out: Event[], attributes?: ReadonlySet<string>): XmlHandlers {
  return {
    open: (name, a) => void out.push(['open', name, { ...a }]),
    close: (name) => void out.push(['close', name]),
    text: (t) => {
      const last = out[out.length - 1];
      if (last?.[0] === 'text') last[1] += t;
      else out.push(['text', t]);
    },
    ...(attributes ? { attributes } : {}),
  };
}

/** A document's events, read as the workbook reader reads every part: through parseXml and this thread's stream. */
function events(pieces: readonly string[], attributes?: ReadonlySet<string>): Event[] {
  const out: Event[] = [];
  parseXml(recorder(out, attributes), (write) => pieces.forEach(write));
  return out;
}

/** The same, through a stream made for this document alone. */
function freshEvents(pieces: readonly string[]): Event[] {
  const out: Event[] = [];
  const xml = new XmlStream();
  xml.begin(recorder(out));
  for (const p of pieces) xml.write(p);
  xml.end();
  return out;
}

const SHEET =
  '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n' +
  '<x:worksheet xmlns:x="urn:main" xmlns:r="urn:rel"><x:sheetData>' +
  '<x:row r="10" spans="1:3"><x:c r="A10" s="3" t="inlineStr"><x:is><x:t xml:space="preserve"> Tom &amp; &#233;mile &lt;3 </x:t></x:is></x:c>' +
  '<x:c r="B10" t="s"><x:v>7</x:v></x:c><x:c r="C10"/></x:row>' +
  '<x:row r="11"><x:c r="A11" t="str"><x:f>A1</x:f><x:v><![CDATA[a<b]]></x:v></x:c></x:row>' +
  '</x:sheetData><!-- a comment --></x:worksheet>';

describe('the reader\'s XML events', () => {
  it('gives names without prefixes, decoded text and attributes, CDATA as text, and self-closing elements as open then close', () => {
    const got = events([SHEET]);
    expect(got.slice(0, 10)).toEqual([
      // The line break after the declaration is text too (outside any element; the reader keeps text only where it reads a value).
      ['text', '\n'],
      ['open', 'worksheet', { 'xmlns:x': 'urn:main', 'xmlns:r': 'urn:rel' }],
      ['open', 'sheetData', {}],
      ['open', 'row', { r: '10', spans: '1:3' }],
      ['open', 'c', { r: 'A10', s: '3', t: 'inlineStr' }],
      ['open', 'is', {}],
      ['open', 't', { 'xml:space': 'preserve' }],
      ['text', ' Tom & émile <3 '],
      ['close', 't'],
      ['close', 'is'],
    ]);
    expect(got).toContainEqual(['open', 'c', { r: 'C10' }]);
    expect(got[got.indexOf(got.find((e) => e[0] === 'open' && e[2].r === 'C10')!) + 1]).toEqual(['close', 'c']);
    expect(got).toContainEqual(['text', 'a<b']);
    expect(got[got.length - 1]).toEqual(['close', 'worksheet']);
  });

  it('gives the same events however the input is cut: at every place in two, and a character at a time', () => {
    const whole = events([SHEET]);
    for (let i = 1; i < SHEET.length; i++) expect(events([SHEET.slice(0, i), SHEET.slice(i)])).toEqual(whole);
    expect(events([...SHEET])).toEqual(whole);
  });

  it('copies out only the attributes asked for', () => {
    const got = events([SHEET], new Set(['r', 't']));
    expect(got).toContainEqual(['open', 'c', { r: 'A10', t: 'inlineStr' }]);
    expect(got).toContainEqual(['open', 'row', { r: '10' }]);
    expect(got[1]).toEqual(['open', 'worksheet', {}]);
  });

  it('refuses elements that do not nest, and elements never closed', () => {
    expect(() => events(['<a><b></a>'])).toThrow(XmlError);
    expect(() => events(['<a><b>text</b>'])).toThrow('<a> is never closed');
    expect(() => events(['<a></b></a>'])).toThrow('</b> does not close the element open');
  });

  it('expands no entity a document declares for itself', () => {
    const got = events(['<!DOCTYPE a [<!ENTITY e "boom">]><a>&e;</a>']);
    expect(got.filter((e) => e[0] === 'text').map((e) => e[1]).join('')).not.toContain('boom');
  });

  it('reads a document whole after one given up part way, wherever it stopped: in a tag, an attribute, an entity, CDATA, a comment or a closing tag', () => {
    const whole = freshEvents([SHEET]);
    const stop = new Error('stop');
    // The reader stops a part by throwing from its feed or a handler (STOP, at the end of a sheet's values, or an error).
    const prefixes = ['<a b="x&am', '<a b="1"><!-- half', '<a><![CDATA[half', '<a>t &#23', '<a>t &#x', '<x:c r="A1', '<a></', '<a b', '<?xml versi', '<a c=\'q'];
    for (const prefix of prefixes) {
      expect(() =>
        parseXml({ open() {} }, (write) => {
          write(prefix);
          throw stop;
        }),
      ).toThrow(stop);
      expect(events([SHEET])).toEqual(whole);
    }
    // A handler that throws at the k-th element, the input cut anywhere.
    for (let k = 1; k <= 12; k++) {
      for (const cut of [1, 37, 120, SHEET.length - 1]) {
        let n = 0;
        expect(() =>
          parseXml({
            open: () => {
              if (++n === k) throw stop;
            },
          }, (write) => {
            write(SHEET.slice(0, cut));
            write(SHEET.slice(cut));
          }),
        ).toThrow(stop);
        expect(events([SHEET.slice(0, cut), SHEET.slice(cut)])).toEqual(whole);
      }
    }
    // And a document that is not well-formed, refused at its end.
    expect(() => events(['<a><b>'])).toThrow(XmlError);
    expect(events([SHEET])).toEqual(whole);
  });

  it('gives the same events through the reused stream as through a stream of its own, however the input is cut', () => {
    for (let i = 1; i < SHEET.length; i += 7) {
      const pieces = [SHEET.slice(0, i), SHEET.slice(i)];
      expect(events(pieces)).toEqual(freshEvents([SHEET]));
    }
  });

  it('gives a document begun inside another\'s handler a stream of its own, and both read whole', () => {
    const inner: Event[][] = [];
    const outer: Event[] = [];
    const h = recorder(outer);
    parseXml({
      ...h,
      open: (name, a) => {
        h.open(name, a);
        if (name === 'row') inner.push(events(['<p q="1">in &amp; out</p>']));
      },
    }, (write) => write(SHEET));
    expect(outer).toEqual(freshEvents([SHEET]));
    expect(inner).toEqual([
      [['open', 'p', { q: '1' }], ['text', 'in & out'], ['close', 'p']],
      [['open', 'p', { q: '1' }], ['text', 'in & out'], ['close', 'p']],
    ]);
  });
});
