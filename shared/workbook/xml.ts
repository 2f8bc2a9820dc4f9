/**
 * A part's XML as events, through htmlparser2's tokenizer in XML mode: it reports each tag,
 * attribute and text run by its place in the input, so the reader builds strings only for
 * what it uses (saxes built a tag object and an attributes object for every element, and its
 * well-formedness checks were half the reading of a return). Fed in pieces, as the part is
 * inflated. Entities are decoded (the five of XML and numeric references); no DTD is read, so
 * nothing expands. The tokenizer accepts any nesting; elements that do not nest are an XmlError.
 */
import { Tokenizer, type TokenizerCallbacks } from 'htmlparser2';

/** What a part's reader does with its events. The functions are called on their own, not as methods of this object (no `this`). */
export interface XmlHandlers {
  /** An element starts: its local name (any prefix dropped) and its attributes, by qualified name, for this call only. */
  open(name: string, attributes: Readonly<Record<string, string>>): void;
  close?(name: string): void;
  /** Text (CDATA too), in pieces; an element's text may come in several. */
  text?(text: string): void;
  /** The attributes open() needs, by qualified name; without it, every attribute. The rest are never copied out of the input. */
  attributes?: ReadonlySet<string>;
}

export const localName = (name: string): string => {
  // A prefixed name has three characters at least ('x:c'); a sheet's own (c, v, is, t) have fewer, and need no search.
  if (name.length < 3) return name;
  const i = name.indexOf(':');
  return i < 0 ? name : name.slice(i + 1);
};

/** XML that is not well-formed: elements that do not nest. */
export class XmlError extends Error {}

/** For an event a document's handlers leave out. */
const ignore = (): void => undefined;

/** Handlers for no document: what a stream holds between documents, so it keeps nothing of the last. */
const NO_HANDLERS: XmlHandlers = { open: ignore };

/**
 * An XML parse fed in pieces: begin() with the document's handlers, write() each piece, then
 * end(). Whatever a handler throws passes through. The stream is the tokenizer's callbacks object
 * itself, its methods shared by every stream, so the tokenizer calls the same functions for every
 * part of every workbook (closures made per stream would be new functions each time, and each
 * call through them a call to an unknown one). A stream is begun anew for each document, ended or
 * not: parseXml() keeps one per thread for every part it reads (see there why).
 */
export class XmlStream implements TokenizerCallbacks {
  private readonly tokenizer: Tokenizer;
  /**
   * (design) The document's handlers, each function held here rather than called through the
   * handlers' object: every kind of part has handlers of its own shape, and a call through an
   * object of a shape not seen before threw away the tokenizer's optimised code (inlined with
   * these callbacks) to compile it again. Reading 450 returns in one thread: 8 such deopts and
   * 116 optimising compiles before, 2 deopts (neither here) and 104 compiles now.
   */
  private onOpen: XmlHandlers['open'] = ignore;
  private onClose: NonNullable<XmlHandlers['close']> = ignore;
  private onText: NonNullable<XmlHandlers['text']> = ignore;
  private wantedAttributes: ReadonlySet<string> | undefined = undefined;
  /** The pieces not yet wholly behind the tokenizer, and where the first begins in the whole input. */
  private chunks: string[] = [];
  private chunksStart = 0;
  private tag = '';
  private attributes: Record<string, string> = {};
  private attribute = '';
  private value = '';
  private wanted = false;
  /** The elements open, by qualified name: the tokenizer itself accepts any nesting, so each end tag is checked against its start. */
  private readonly open: string[] = [];

  constructor() {
    this.tokenizer = new Tokenizer({ xmlMode: true, decodeEntities: true }, this);
  }

  /** Starts a document for these handlers: whatever is left of the last one, ended or given up at a throw, is dropped. */
  begin(h: XmlHandlers): void {
    // The tokenizer's own reset: its state back to text, its input and places at zero. What it
    // leaves (an entity's decoder, a sequence's index) is set afresh as each entity or sequence starts.
    this.tokenizer.reset();
    this.onOpen = h.open;
    this.onClose = h.close ?? ignore;
    this.onText = h.text ?? ignore;
    this.wantedAttributes = h.attributes;
    this.chunks = [];
    this.chunksStart = 0;
    this.tag = '';
    this.attributes = {};
    this.attribute = '';
    this.value = '';
    this.wanted = false;
    this.open.length = 0;
  }

  /** Lets go of the document's handlers and text, so nothing of it outlives it while the stream waits for the next. */
  release(): void {
    this.begin(NO_HANDLERS);
  }

  write(chunk: string): void {
    this.chunks.push(chunk);
    this.tokenizer.write(chunk);
  }

  end(): void {
    this.tokenizer.end();
    if (this.open.length > 0) throw new XmlError(`<${this.open[this.open.length - 1] ?? ''}> is never closed`);
  }

  // The tokenizer's callbacks: each place it reports is in the whole input, and the text there is copied out only when used.

  onopentagname(start: number, end: number): void {
    this.tag = this.slice(start, end);
    this.attributes = {};
  }

  onattribname(start: number, end: number): void {
    this.attribute = this.slice(start, end);
    this.wanted = this.wantedAttributes === undefined || this.wantedAttributes.has(this.attribute);
    this.value = '';
  }

  onattribdata(start: number, end: number): void {
    if (this.wanted) this.value += this.slice(start, end);
  }

  onattribentity(codepoint: number): void {
    if (this.wanted) this.value += String.fromCodePoint(codepoint);
  }

  onattribend(): void {
    if (this.wanted) this.attributes[this.attribute] = this.value;
  }

  onopentagend(): void {
    this.open.push(this.tag);
    this.onOpen(localName(this.tag), this.attributes);
  }

  onselfclosingtag(): void {
    const name = localName(this.tag);
    this.onOpen(name, this.attributes);
    this.onClose(name);
  }

  onclosetag(start: number, end: number): void {
    const name = this.slice(start, end);
    if (this.open.pop() !== name) throw new XmlError(`</${name}> does not close the element open`);
    this.onClose(localName(name));
  }

  ontext(start: number, end: number): void {
    this.onText(this.slice(start, end));
  }

  ontextentity(codepoint: number): void {
    this.onText(String.fromCodePoint(codepoint));
  }

  /** The end given is past the closing ]]; the offset says how far. */
  oncdata(start: number, end: number, offset: number): void {
    this.onText(this.slice(start, end - offset));
  }

  oncomment(): void {}
  ondeclaration(): void {}
  onprocessinginstruction(): void {}
  onend(): void {}

  /** The input between two places in it, which may span pieces; pieces wholly before `start` are let go (places only ever move on). */
  private slice(start: number, end: number): string {
    let first = this.chunks[0] ?? '';
    while (this.chunks.length > 1 && start >= this.chunksStart + first.length) {
      this.chunksStart += first.length;
      this.chunks.shift();
      first = this.chunks[0] ?? '';
    }
    const from = start - this.chunksStart;
    const to = end - this.chunksStart;
    if (to <= first.length) return first.slice(from, to);
    let out = first.slice(from);
    let at = first.length;
    for (let i = 1; i < this.chunks.length && at < to; i++) {
      const c = this.chunks[i] ?? '';
      out += c.slice(0, to - at);
      at += c.length;
    }
    return out;
  }
}

/**
 * The stream this thread reuses, while no parse holds it. (design) One tokenizer for every part
 * of every workbook, not one per part: V8 threw away the optimised code of the whole tokenizer
 * each time the tokenizer it was made with was let go ("weak objects": 21 times in the first pass
 * over 450 returns in one thread), to compile it again. Kept alive, the tokenizer (or its entity
 * decoder, which calls back through a closure made with it) stopped that; the handlers kept alive
 * did not. That first pass compiled 294 functions with a tokenizer per part, 110 with one per thread.
 */
let spare: XmlStream | undefined;

/** Parses one document, fed in pieces by `feed` through the `write` it is given. A parse begun inside a handler gets a stream of its own. */
export function parseXml(h: XmlHandlers, feed: (write: (chunk: string) => void) => void): void {
  const xml = spare ?? new XmlStream();
  spare = undefined;
  try {
    xml.begin(h);
    feed((chunk) => xml.write(chunk));
    xml.end();
  } finally {
    xml.release();
    spare = xml;
  }
}
