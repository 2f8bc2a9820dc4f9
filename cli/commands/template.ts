import { parse, parseYear } from '../args';
import { CliError, writeAtomically } from '../io';
import type { Io } from '../main';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { SHEET_LAYOUT } from '../../shared/transition/layout';
import { laestabInText } from '../../shared/schools';
import { currentTransferYear } from '../../shared/year';

export async function templateCommand(args: string[], io: Io): Promise<number> {
  const { values } = parse(args, {
    out: { type: 'string' },
    year: { type: 'string' },
    secondary: { type: 'string' },
    force: { type: 'boolean', default: false },
  }, { positionals: false });
  if (!values.out) throw new CliError('--out <file.xlsx> is required');
  if (!/\.xlsx$/i.test(values.out)) throw new CliError('--out must name an .xlsx file');
  const year = parseYear(values.year, currentTransferYear());
  const secondary = values.secondary ?? null;
  if (secondary !== null && laestabInText(secondary) === undefined) {
    throw new CliError('--secondary must include the school\'s 7-digit LAESTAB, e.g. "Alder Park Academy (3304001)"');
  }
  const bytes = await writeTransitionWorkbook({
    year,
    sheets: secondary === null ? undefined : [{ name: SHEET_LAYOUT.sheetName, receivingSecondary: secondary, rows: [] }],
  });
  await writeAtomically(values.out, bytes, { force: values.force });
  io.out(`Wrote ${values.out}: the Y6/7 transition workbook for transfer in September ${year}.\n`);
  return 0;
}
