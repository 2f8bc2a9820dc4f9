/**
 * The workbook's two toolkit tables, as data: `Pupils` (the pupil list) and `Toolkit history`
 * (one row per pupil × toolkit × thread × assessment date). The validator, the zod schemas, the
 * functions' readers and the writers all read these tables, so a column is one row here.
 *
 * (design) Columns are found by their header text, in any order; columns a school adds to
 * either table are kept, not refused. Rows are keyed by UPN, so a pupil who changes class or
 * leaves keeps their history.
 */
import { z } from 'zod';
import { AREAS_OF_NEED, type Code, EAL, SEN_PROVISION, SEX, YES_NO } from '../codes';
import type { ColumnType } from '../transition/layout';
import { BAND_CODES, TEXT_LIMITS } from '../transition/layout';
import { BANDS, PRE_FIRST_BAND } from './continuum';
import { TOOLKIT_IDS } from './threads';

export interface TableColumn {
  /** Stable key used in code and JSON. */
  readonly key: string;
  /** The header text in the table's header row (matched ignoring case and spacing). */
  readonly header: string;
  readonly type: ColumnType;
  readonly required: boolean;
  /** Plain-English help for the cell's prompt and the README. */
  readonly help: string;
}

/** N, R, then Years 1–13: the toolkits are used above Year 6 for pupils working below it. */
export const YEAR_GROUP_CODES: readonly Code[] = [
  { code: 'N', label: 'Nursery' },
  { code: 'R', label: 'Reception' },
  ...Array.from({ length: 13 }, (_, i) => ({ code: String(i + 1), label: `Year ${i + 1}` })),
];

const codes = (list: readonly string[]): readonly Code[] => list.map((c) => ({ code: c, label: c }));
const text = (maxLength: number): ColumnType => ({ kind: 'text', maxLength });
const code = (list: readonly Code[]): ColumnType => ({ kind: 'code', codes: list });

export const PUPILS_TABLE = {
  name: 'Pupils',
  columns: [
    { key: 'upn', header: 'UPN', type: { kind: 'upn' }, required: true, help: 'The 13-character unique pupil number from your MIS: the key the history is kept by.' },
    { key: 'surname', header: 'Legal surname', type: text(TEXT_LIMITS.name), required: true, help: "The pupil's legal surname." },
    { key: 'forename', header: 'Forename', type: text(TEXT_LIMITS.name), required: true, help: "The pupil's forename." },
    { key: 'class', header: 'Class', type: text(30), required: false, help: 'The class or form, e.g. 5B.' },
    { key: 'yearGroup', header: 'Year group', type: code(YEAR_GROUP_CODES), required: true, help: 'The year group now: N, R or 1–13.' },
    { key: 'senProvision', header: 'SEN provision', type: code(SEN_PROVISION), required: true, help: 'E (EHC plan), K (SEN support) or N (no SEN), as in the school census.' },
    { key: 'areaOfNeed', header: 'Broad area of need', type: code(codes(AREAS_OF_NEED)), required: false, help: 'The SEND Code of Practice area of the main need, or None.' },
    { key: 'fsmPp', header: 'PP/FSM', type: code(YES_NO), required: false, help: 'Y if the pupil attracts Pupil Premium or has free school meals, else N.' },
    { key: 'eal', header: 'EAL', type: code(EAL), required: false, help: 'N, Y, or Y with the proficiency in English stage (Y-A … Y-E).' },
    { key: 'sex', header: 'Sex', type: code(SEX), required: false, help: 'M or F, as in the school census.' },
  ],
} as const satisfies { name: string; columns: readonly TableColumn[] };

export const HISTORY_TABLE = {
  name: 'Toolkit history',
  columns: [
    { key: 'upn', header: 'UPN', type: { kind: 'upn' }, required: true, help: "The pupil's UPN, as on the Pupils table." },
    { key: 'toolkit', header: 'Toolkit', type: code(codes(TOOLKIT_IDS)), required: true, help: 'Literacy or Maths.' },
    { key: 'thread', header: 'Thread', type: text(40), required: true, help: "The toolkit's thread, e.g. RD2 (a thread of the toolkit loaded)." },
    { key: 'date', header: 'Assessment date', type: { kind: 'date' }, required: true, help: 'The day of the assessment, not in the future.' },
    { key: 'band', header: 'Band reached', type: code(BAND_CODES), required: true, help: 'The band reached on the continuum: Pre-N.1, N.1 … Y6.2.' },
    { key: 'assessor', header: 'Assessor', type: text(TEXT_LIMITS.name), required: false, help: 'Who assessed: initials or a role, never an e-mail address.' },
    { key: 'note', header: 'Note', type: text(TEXT_LIMITS.shortNote), required: false, help: 'Optional: anything that explains the band.' },
  ],
} as const satisfies { name: string; columns: readonly TableColumn[] };

export type PupilsKey = (typeof PUPILS_TABLE.columns)[number]['key'];
export type HistoryKey = (typeof HISTORY_TABLE.columns)[number]['key'];

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/);
const upn = z.string().length(13);
const oneOf = (list: readonly Code[]) => z.enum(list.map((c) => c.code) as [string, ...string[]]);

/** A Pupils row after validation. `extra` holds the columns the school added, by their header. */
export const pupilRecordSchema = z.strictObject({
  row: z.number().int(),
  upn,
  surname: z.string().max(TEXT_LIMITS.name),
  forename: z.string().max(TEXT_LIMITS.name),
  class: z.string().max(30).nullable(),
  yearGroup: oneOf(YEAR_GROUP_CODES),
  senProvision: oneOf(SEN_PROVISION),
  areaOfNeed: z.enum(AREAS_OF_NEED as [string, ...string[]]).nullable(),
  fsmPp: oneOf(YES_NO).nullable(),
  eal: oneOf(EAL).nullable(),
  sex: oneOf(SEX).nullable(),
  extra: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type PupilRecord = z.infer<typeof pupilRecordSchema>;

/** A Toolkit history row after validation. */
export const historyRecordSchema = z.strictObject({
  row: z.number().int(),
  upn,
  toolkit: z.enum(TOOLKIT_IDS),
  thread: z.string().min(1).max(40),
  date: isoDate,
  band: z.enum([PRE_FIRST_BAND, ...BANDS] as [string, ...string[]]),
  assessor: z.string().max(TEXT_LIMITS.name).nullable(),
  note: z.string().max(TEXT_LIMITS.shortNote).nullable(),
});
export type HistoryRecord = z.infer<typeof historyRecordSchema>;

/** The Pupils columns a group count may be broken down by (the trackers' usual groups). */
export const GROUP_COLUMNS: readonly PupilsKey[] = ['class', 'yearGroup', 'senProvision', 'fsmPp', 'eal', 'sex', 'areaOfNeed'];

/** Errors make a row unusable; a notice says something worth knowing that is not wrong. */
export type TableSeverity = 'error' | 'notice';

export interface TableRule {
  /** `GS3xxx` for errors, `GS3xxxN` for notices. */
  readonly id: string;
  readonly severity: TableSeverity;
  readonly title: string;
  readonly fix: string;
}

const error = (id: string, title: string, fix: string): TableRule => ({ id, severity: 'error', title, fix });
const notice = (id: string, title: string, fix: string): TableRule => ({ id, severity: 'notice', title, fix });

/** The rules the Pupils and Toolkit history tables are checked by, in the transition rule table's style. Ids are stable. */
export const TOOLKIT_TABLE_RULES = [
  error('GS3001', 'A required cell is blank', 'Fill in the cell; the column header says what it needs.'),
  error('GS3002', 'The value is not one of the codes allowed for the column', "Use one of the values the column's help lists."),
  error('GS3003', 'Text is too long, or holds a character a workbook cannot keep', 'Shorten or retype the text.'),
  error('GS3004', 'A date is not a real date', 'Type the date as dd/mm/yyyy, e.g. 15/01/2026.'),
  error('GS3005', 'A column the table needs is missing from its header row', 'Add the column with the header shown, or rename the column that holds it.'),
  error('GS3010', 'The UPN is not 13 characters of the right form, or its check letter is wrong', 'Copy the UPN from your MIS.'),
  error('GS3011', 'The same UPN is on the Pupils table twice', 'Keep one row per pupil: remove the duplicate or correct the UPN.'),
  error('GS3020', 'The band is not on the toolkit continuum', 'Use a band from Pre-N.1, N.1 … Y6.2, e.g. Y3.1.'),
  error('GS3021', 'The thread is not one of the toolkit\'s threads', "Use a thread of the toolkit named in the Toolkit column, as your loaded toolkit lists them."),
  error('GS3022', 'The assessment date is in the future', 'Check the date: an assessment is recorded on or after the day it was made.'),
  error('GS3023', 'The same pupil, toolkit, thread and date are recorded twice', 'Keep one band per thread per assessment: remove one of the rows, or correct its date.'),
  error('GS3024', 'The UPN is not on the Pupils table', 'Add the pupil to the Pupils table, or correct the UPN.'),
  notice('GS3050N', 'The pupil has a single assessment in this toolkit: no rate yet', 'Nothing to fix: a rate needs a second assessment at least 3 months later.'),
] as const satisfies readonly TableRule[];

export type ToolkitTableRuleId = (typeof TOOLKIT_TABLE_RULES)[number]['id'];

const rulesById = new Map<string, TableRule>(TOOLKIT_TABLE_RULES.map((r) => [r.id, r]));

export function toolkitTableRule(id: ToolkitTableRuleId): TableRule {
  return rulesById.get(id) as TableRule;
}
