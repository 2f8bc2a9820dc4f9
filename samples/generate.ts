/**
 * `npm run samples`: writes the synthetic sample files the local stack, the docs and the
 * tests use. Deterministic for a seed. Every pupil and school is invented.
 *
 *   samples/schools.json            the LA's school directory (committed)
 *   samples/workbooks/*.xlsx        one filled return per primary, plus one with deliberate problems
 *   samples/returns/*.json          the same returns as JSON, as the API accepts them
 *   samples/toolkit-grid.xlsx       a class toolkit grid with placeholder criteria
 *   samples/ctf/*.ctf.xml           one Common Transfer File per primary, as its MIS would export it
 */
import { promises as fs } from 'node:fs';
import * as path from 'node:path';
import ExcelJS from 'exceljs';
import { syntheticCity, withDeliberateProblems, prng, type SyntheticCityOptions } from './synthetic';
import { validateReturn } from '../shared/transition/validate';
import { writeTransitionWorkbook } from '../xlsx/template';
import { SchoolDirectory } from '../shared/schools';
import type { QueryExplanation, TransitionReturn } from '../shared/transition/schema';
import { BANDS } from '../shared/toolkit/continuum';
import { ctfSchoolName, sampleCtf } from './ctf';

/** Plausible explanations a SENCo might record for each kind of query. */
const EXPLANATIONS: Record<string, string> = {
  default: 'Checked with the class teacher and the family; the information is correct.',
};

/** Adds an explanation for every query, as a school that has reviewed its return would. */
export function explainAllQueries(ret: TransitionReturn, directory?: SchoolDirectory): TransitionReturn {
  const { report } = validateReturn(ret, { directory });
  const explanations: QueryExplanation[] = report.queries.map((q) => ({
    rule: q.rule,
    sheet: q.sheet,
    cell: q.cell,
    text: EXPLANATIONS[q.rule] ?? EXPLANATIONS.default ?? 'Checked and correct.',
  }));
  return { ...ret, explanations };
}

export interface GeneratedSamples {
  year: number;
  workbooks: string[];
  errorsWorkbook: string;
  /** One CTF per primary, in the order of `workbooks`. */
  ctfs: string[];
}

export async function generateSamples(outDir: string, options: SyntheticCityOptions = {}): Promise<GeneratedSamples> {
  const city = syntheticCity(options);
  const directory = new SchoolDirectory(city.schools);
  const wbDir = path.join(outDir, 'workbooks');
  const jsonDir = path.join(outDir, 'returns');
  await fs.mkdir(wbDir, { recursive: true });
  await fs.mkdir(jsonDir, { recursive: true });
  await fs.writeFile(path.join(outDir, 'schools.json'), `${JSON.stringify(city.schools, null, 2)}\n`);

  const ctfDir = path.join(outDir, 'ctf');
  await fs.mkdir(ctfDir, { recursive: true });
  const workbooks: string[] = [];
  const ctfs: string[] = [];
  for (const [i, { school, ret }] of city.returns.entries()) {
    const ctf = path.join(ctfDir, `${school.laestab}-${slug(school.name)}.ctf.xml`);
    await fs.writeFile(ctf, sampleCtf({ school, year: city.year, ret, seed: (options.seed ?? 20270) + i, style: i % 2 === 0 ? 0 : 1, schoolName: ctfSchoolName(school, i) }));
    ctfs.push(ctf);
    const explained = explainAllQueries(ret, directory);
    const file = path.join(wbDir, `${school.laestab}-${slug(school.name)}.xlsx`);
    await fs.writeFile(file, await writeTransitionWorkbook({ year: explained.year, sheets: explained.sheets, explanations: explained.explanations }));
    await fs.writeFile(path.join(jsonDir, `${school.laestab}.json`), `${JSON.stringify(explained, null, 2)}\n`);
    workbooks.push(file);
  }

  const first = city.returns[0];
  if (!first) throw new Error('the synthetic city has no primaries');
  const broken = withDeliberateProblems(first.ret);
  const errorsWorkbook = path.join(outDir, 'with-errors.xlsx');
  await fs.writeFile(errorsWorkbook, await writeTransitionWorkbook({ year: broken.year, sheets: broken.sheets }));

  await fs.writeFile(path.join(outDir, 'toolkit-grid.xlsx'), await toolkitGridWorkbook(options.seed ?? 20270));
  return { year: city.year, workbooks, errorsWorkbook, ctfs };
}

/**
 * A class toolkit grid: band labels in column A, one column of ticks per pupil (B–AE), and
 * placeholder criteria in AF. The real criteria are PSS's licensed text, which schools load
 * themselves. Row 123 bands the class with =TOOLKIT.BAND(A2:AE121).
 */
export async function toolkitGridWorkbook(seed: number): Promise<Uint8Array> {
  const rand = prng(seed);
  const pupils = 30;
  const wb = new ExcelJS.Workbook();
  wb.creator = 'Good Start sample generator';
  const ws = wb.addWorksheet('Literacy toolkit');
  ws.getRow(1).values = ['Band', ...Array.from({ length: pupils }, (_, i) => `Pupil ${String(i + 1).padStart(2, '0')}`), 'Criterion (placeholder: load your licensed toolkit text)'];
  ws.getRow(1).font = { bold: true };
  const reach = Array.from({ length: pupils }, () => 6 + Math.floor(rand() * 10));
  let r = 2;
  BANDS.forEach((band, b) => {
    const criteria = b % 2 === 0 ? 8 : 7; // 16 bands → 120 criteria rows
    for (let c = 1; c <= criteria; c++, r++) {
      const row = ws.getRow(r);
      row.getCell(1).value = band;
      for (let p = 0; p < pupils; p++) {
        const secured = b < (reach[p] as number) ? rand() < 0.93 : b === reach[p] ? rand() < 0.6 : rand() < 0.1;
        row.getCell(p + 2).value = secured ? 1 : null;
      }
      row.getCell(pupils + 2).value = `Placeholder criterion ${c} for ${band}`;
    }
  });
  ws.getCell(`A${r + 1}`).value = 'Band reached';
  ws.getCell(`B${r + 1}`).value = { formula: `TOOLKIT.BAND(A2:AE${r - 1})` } as ExcelJS.CellFormulaValue;
  ws.views = [{ state: 'frozen', xSplit: 1, ySplit: 1 }];
  ws.getColumn(pupils + 2).width = 50;
  return new Uint8Array(await wb.xlsx.writeBuffer());
}

function slug(name: string): string {
  return name.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-|-$/g, '');
}

if (require.main === module) {
  const outDir = path.resolve(__dirname);
  generateSamples(outDir)
    .then((g) => {
      process.stdout.write(`Wrote ${g.workbooks.length} sample returns for ${g.year} to samples/workbooks, samples/with-errors.xlsx, samples/toolkit-grid.xlsx and ${g.ctfs.length} CTFs to samples/ctf\n`);
    })
    .catch((e: unknown) => {
      process.stderr.write(`samples: ${(e as Error).message}\n`);
      process.exitCode = 1;
    });
}
