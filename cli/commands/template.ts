import { parse, parseYear } from '../args';
import { CliError, writeAtomically } from '../io';
import type { Io } from '../main';
import { readCtfFile } from '../ctf';
import { issueLine } from './validate';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { SHEET_LAYOUT } from '../../shared/transition/layout';
import type { RowInput } from '../../shared/transition/schema';
import { validateReturn } from '../../shared/transition/validate';
import { laestabInText } from '../../shared/codes';
import { currentTransferYear } from '../../shared/year';
import { CTF_PREFILLED_COLUMNS, prefillFromCtf, prefillSummary } from '../../shared/ctf';
import { terminalText } from '../../shared/text';

const PREFILLED: ReadonlySet<string> = new Set(CTF_PREFILLED_COLUMNS);

export async function templateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    out: { type: 'string' },
    year: { type: 'string' },
    secondary: { type: 'string' },
    'from-ctf': { type: 'string' },
    force: { type: 'boolean', default: false },
  }, { positionals: false });
  if (!values.out) throw new CliError('--out <file.xlsx> is required');
  if (!/\.xlsx$/i.test(values.out)) throw new CliError('--out must name an .xlsx file');
  const year = parseYear(values.year, currentTransferYear());
  const secondary = values.secondary ?? null;
  if (secondary !== null && laestabInText(secondary) === undefined) {
    throw new CliError('--secondary must include the school\'s 7-digit LAESTAB, e.g. "Alder Park Academy (3304001)"');
  }
  const ctfFile = values['from-ctf'];
  const prefill = ctfFile === undefined ? undefined : prefillFromCtf(await readCtfFile(ctfFile));
  const rows: RowInput[] = (prefill?.rows ?? []).map((values, i) => ({ row: SHEET_LAYOUT.firstDataRow + i, values }));
  const sheet = { name: SHEET_LAYOUT.sheetName, receivingSecondary: secondary, rows };
  const bytes = await writeTransitionWorkbook({
    year,
    sheets: secondary === null && rows.length === 0 ? undefined : [sheet],
  });
  await writeAtomically(values.out, bytes, { force: values.force });
  if (prefill === undefined) {
    io.out(`Wrote ${values.out}: the Y6/7 transition workbook for transfer in September ${year}.\n`);
    return 0;
  }
  // The school's name is the CTF's text: a right-to-left override or a control in it must not reach the terminal as one.
  io.out(`${terminalText(prefillSummary(prefill))}\n`);
  // The validator's own words for what the CTF brought in (a bad UPN, a date of birth outside
  // the cohort): queries for the SENCo, never a reason to drop a pupil.
  // Every issue, not a report's first REPORT_ISSUE_LIMIT: those of the prefilled columns would be
  // cut off behind the blank columns' errors (a CTF fills few columns; the school fills the rest).
  const { report } = validateReturn({ year, sheets: [sheet], explanations: [] }, { issueLimit: Infinity });
  const issues = [...report.errors, ...report.queries].filter((i) => i.field !== undefined && PREFILLED.has(i.field));
  issues.sort((a, b) => a.row - b.row);
  for (const i of issues) io.out(issueLine(i));
  const outsideCohort = issues.filter((i) => i.field === 'dob' && (i.rule === 'GS2020Q' || i.rule === 'GS1020')).length;
  if (outsideCohort * 2 > rows.length) {
    io.out(`Most dates of birth are outside the Year 6 cohort for transfer in September ${year}: if that is the wrong year, run again with --year.\n`);
  }
  io.out(`Wrote ${values.out}: the Y6/7 transition workbook for transfer in September ${year}` +
    (issues.length === 0 ? '.\n' : `, with ${issues.length} issue${issues.length === 1 ? '' : 's'} in the prefilled columns to check.\n`));
  return 0;
}
