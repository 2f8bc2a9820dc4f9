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

const indexes = new WeakMap<readonly ToolkitDefinition[], ReadonlyMap<string, ReadonlyMap<string, ThreadPlace>>>();

/**
 * Threads by toolkit, then by id as written and upper-cased, built once per set of toolkits: a
 * whole school's history asks 150,000 times, so the usual spelling is found without building a key.
 */
function threadIndex(toolkits: readonly ToolkitDefinition[]): ReadonlyMap<string, ReadonlyMap<string, ThreadPlace>> {
  let index = indexes.get(toolkits);
  if (!index) {
    const m = new Map<string, Map<string, ThreadPlace>>();
    for (const t of toolkits) {
      const threads = new Map<string, ThreadPlace>();
      let order = 0;
      for (const s of t.strands) {
        for (const thread of s.threads) {
          const place = { toolkit: t.id, strand: s.name, thread, order: order++ };
          threads.set(thread.id, place);
          threads.set(thread.id.toUpperCase(), place);
        }
      }
      m.set(t.id, threads);
    }
    index = m;
    indexes.set(toolkits, index);
  }
  return index;
}

/** Where a thread sits in a toolkit, or undefined when the toolkit has no such thread. */
export function threadPlace(toolkit: ToolkitId, thread: string, toolkits: readonly ToolkitDefinition[] = SAMPLE_TOOLKITS): ThreadPlace | undefined {
  const threads = threadIndex(toolkits).get(toolkit);
  return threads?.get(thread) ?? threads?.get(thread.trim().toUpperCase());
}
