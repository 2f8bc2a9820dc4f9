/**
 * The toolkits a history records, with their strands and threads.
 *
 * (design) PSS's toolkits are licensed: their thread and criterion text is the school's to load.
 * What ships is a synthetic sample with placeholder threads in the toolkits' shape: the Language
 * & Literacy Toolkit's 14 threads across speaking & listening, reading and writing (DOMAIN.md),
 * and a Maths Toolkit with placeholder threads of its own. A school's own toolkits are passed
 * wherever these are the default.
 */

export const TOOLKIT_IDS = ['Literacy', 'Maths'] as const;
export type ToolkitId = (typeof TOOLKIT_IDS)[number];

export interface ToolkitThread {
  /** What the history's Thread column holds, e.g. "RD2". */
  readonly id: string;
  readonly name: string;
}

export interface ToolkitStrand {
  readonly name: string;
  readonly threads: readonly ToolkitThread[];
}

export interface ToolkitDefinition {
  readonly id: ToolkitId;
  readonly name: string;
  readonly strands: readonly ToolkitStrand[];
}

const placeholders = (prefix: string, strand: string, count: number): ToolkitThread[] =>
  Array.from({ length: count }, (_, i) => ({ id: `${prefix}${i + 1}`, name: `${strand} thread ${i + 1} (placeholder: load your licensed toolkit)` }));

const strand = (name: string, prefix: string, count: number): ToolkitStrand => ({ name, threads: placeholders(prefix, name, count) });

/** The sample toolkits: placeholders in the real toolkits' shape (14 literacy threads). */
export const SAMPLE_TOOLKITS: readonly ToolkitDefinition[] = [
  {
    id: 'Literacy',
    name: 'Language & Literacy Toolkit (sample)',
    strands: [strand('Speaking & listening', 'SL', 4), strand('Reading', 'RD', 5), strand('Writing', 'WR', 5)],
  },
  {
    id: 'Maths',
    name: 'Maths Toolkit (sample)',
    strands: [strand('Number', 'NU', 4), strand('Measurement', 'ME', 3), strand('Geometry & statistics', 'GS', 3)],
  },
];

/** A thread's place in its toolkit: its strand and its position in the toolkit's order. */
export interface ThreadPlace {
  readonly toolkit: ToolkitId;
  readonly strand: string;
  readonly thread: ToolkitThread;
  readonly order: number;
}

const indexes = new WeakMap<readonly ToolkitDefinition[], ReadonlyMap<string, ThreadPlace>>();

/** Threads by `toolkit|THREAD` (the id upper-cased), built once per set of toolkits. */
function threadIndex(toolkits: readonly ToolkitDefinition[]): ReadonlyMap<string, ThreadPlace> {
  let index = indexes.get(toolkits);
  if (!index) {
    const m = new Map<string, ThreadPlace>();
    for (const t of toolkits) {
      let order = 0;
      for (const s of t.strands) for (const thread of s.threads) m.set(`${t.id}|${thread.id.toUpperCase()}`, { toolkit: t.id, strand: s.name, thread, order: order++ });
    }
    index = m;
    indexes.set(toolkits, index);
  }
  return index;
}

/** Where a thread sits in a toolkit, or undefined when the toolkit has no such thread. */
export function threadPlace(toolkit: ToolkitId, thread: string, toolkits: readonly ToolkitDefinition[] = SAMPLE_TOOLKITS): ThreadPlace | undefined {
  return threadIndex(toolkits).get(`${toolkit}|${thread.trim().toUpperCase()}`);
}
