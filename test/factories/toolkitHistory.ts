/**
 * A synthetic school's Pupils and Toolkit history tables, seeded, for tests and the bench. No
 * real pupil: names are placeholders, UPNs are made for a fictional establishment.
 */
import { prng } from '../../samples/synthetic';
import { BANDS } from '../../shared/toolkit/continuum';
import { HISTORY_TABLE, PUPILS_TABLE } from '../../shared/toolkit/historyLayout';
import { SAMPLE_TOOLKITS } from '../../shared/toolkit/threads';
import { makeUpn } from '../../shared/upn';

export interface SchoolHistoryOptions {
  seed?: number;
  pupils?: number;
  /** Assessments a year, evenly spaced from the start date. */
  perYear?: number;
  years?: number;
  /** ISO date of the first assessment. */
  start?: string;
}

export interface SchoolHistory {
  /** The Pupils table: header row, then a row per pupil. */
  pupils: unknown[][];
  /** The Toolkit history table (literacy): header row, then a row per pupil × thread × date. */
  history: unknown[][];
  upns: string[];
}

const CLASSES = ['3A', '3B', '4A', '4B', '5A', '5B', '6A', '6B'];

const addMonths = (iso: string, months: number): string => {
  const d = new Date(`${iso}T00:00:00Z`);
  d.setUTCMonth(d.getUTCMonth() + months);
  return d.toISOString().slice(0, 10);
};

/** (design) 600 pupils × 14 literacy threads × 6 assessments a year × 3 years ≈ 150,000 rows by default: a whole school's history. */
export function schoolHistory(options: SchoolHistoryOptions = {}): SchoolHistory {
  const rand = prng(options.seed ?? 27);
  const count = options.pupils ?? 600;
  const perYear = options.perYear ?? 6;
  const years = options.years ?? 3;
  const start = options.start ?? '2023-09-15';
  const threads = (SAMPLE_TOOLKITS[0]?.strands ?? []).flatMap((s) => s.threads.map((t) => t.id));
  const pupils: unknown[][] = [PUPILS_TABLE.columns.map((c) => c.header)];
  const history: unknown[][] = [HISTORY_TABLE.columns.map((c) => c.header)];
  const upns: string[] = [];
  for (let p = 0; p < count; p++) {
    // Serials beyond 999 move to another fictional year code, so every UPN is distinct.
    const upn = makeUpn('330', '9990', String(10 + Math.floor(p / 1000)), String(p % 1000).padStart(3, '0'));
    upns.push(upn);
    const yearGroup = 3 + (p % 4);
    pupils.push([upn, `Surname${p}`, `Forename${p}`, CLASSES[(p % 4) * 2 + Math.floor(rand() * 2)], String(yearGroup), rand() < 0.15 ? 'K' : rand() < 0.03 ? 'E' : 'N', null, rand() < 0.3 ? 'Y' : 'N', rand() < 0.25 ? 'Y' : 'N', rand() < 0.5 ? 'F' : 'M']);
    // Each pupil progresses at their own pace: 0 to 4 bands a year, in whole-band steps.
    const pace = rand() * 4;
    for (const thread of threads) {
      let band = Math.max(0, 2 * (yearGroup - years) + Math.floor(rand() * 4));
      let owed = 0;
      for (let a = 0; a < perYear * years; a++) {
        if (a > 0) {
          owed += pace / perYear + (rand() - 0.5) * 0.4;
          const step = Math.trunc(owed);
          owed -= step;
          band = Math.min(BANDS.length, Math.max(0, band + step));
        }
        history.push([upn, 'Literacy', thread, addMonths(start, Math.floor((a * 12) / perYear)), band === 0 ? 'Pre-N.1' : BANDS[band - 1], 'TA', null]);
      }
    }
  }
  return { pupils, history, upns };
}
