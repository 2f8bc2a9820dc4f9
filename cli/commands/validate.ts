import { parse } from '../args';
import { CliError, readCapped } from '../io';
import type { Io } from '../main';
import { directoryFor } from '../returns';
import { readReturn } from '../read';
import { validateReturn } from '../../shared/transition/validate';
import type { ValidationIssue, ValidationReport } from '../../shared/transition/schema';
import { submittability, type Verdict } from '../../shared/transition/submittability';
import { sheetsLeftOut } from '../../shared/consolidation';
import { terminalText } from '../../shared/text';

export async function validateCommand(args: string[], io: Io): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean', default: false },
    schools: { type: 'string' },
  });
  if (positionals.length !== 1) throw new CliError('give exactly one workbook: goodstart validate <file.xlsx>');
  const file = positionals[0] as string;
  // The same directory rule as consolidate's: the LA's list given with --schools, or none (codes checked for form only).
  const { directory, source } = await directoryFor(values.schools);
  const ret = readReturn(file, readCapped(file));
  const { report } = validateReturn(ret, { directory });
  const leftOut = sheetsLeftOut(ret, report);
  if (values.json) {
    const schools = directory ? { checked: true, directory: source } : { checked: false, note: source };
    io.out(`${JSON.stringify({ ...report, schools, ...(leftOut.length > 0 ? { sheetsLeftOut: leftOut } : {}) }, null, 2)}\n`);
  } else {
    const notes = [...leftOut, ...(directory ? [] : [`${source[0]?.toUpperCase()}${source.slice(1)}; pass --schools <file> to check them.`])];
    io.out(formatReport(file, report, ret.sheets.length > 1, notes));
  }
  return submittability(report.summary).verdict === 'has-errors' ? 1 : 0;
}

const VERDICT: Record<Verdict, string> = {
  'has-errors': 'cannot be submitted until the errors are fixed',
  'unexplained-queries': 'has no errors; each query needs a fix or an explanation before submission',
  ready: 'is ready to submit',
};

/** One issue as a line: `rule id · severity · cell · message · how to fix`. The sheet's name and the school's explanation are the school's text, shown as terminalText. */
export function issueLine(i: ValidationIssue, showSheet = false): string {
  const where = showSheet ? `'${i.sheet}'!${i.cell}` : i.cell;
  const explained = i.explanation ? ` · explained: ${i.explanation}` : '';
  return `${terminalText(`${i.rule} · ${i.severity} · ${where} · ${i.message} · ${i.fix}${explained}`)}\n`;
}

/** One issue a line, then any `notes` (a line each: sheets left out, schools not checked), then a summary line. */
export function formatReport(file: string, report: ValidationReport, showSheet: boolean, notes: readonly string[] = []): string {
  const line = (i: ValidationIssue): string => issueLine(i, showSheet);
  const s = report.summary;
  const verdict = VERDICT[submittability(s).verdict];
  return [
    ...report.errors.map(line),
    ...report.queries.map(line),
    ...(report.more ? [`${report.more}\n`] : []),
    ...notes.map((n) => `${terminalText(n)}\n`),
    `${file}: ${s.rows} pupil${s.rows === 1 ? '' : 's'} on ${s.sheets} sheet${s.sheets === 1 ? '' : 's'}, ` +
      `${s.errors} error${s.errors === 1 ? '' : 's'}, ${s.queries} quer${s.queries === 1 ? 'y' : 'ies'} ` +
      `(${s.unexplainedQueries} unexplained): ${verdict}.\n`,
  ].join('');
}
