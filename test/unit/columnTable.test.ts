/**
 * "A column is one row": every surface built from the transition layout is a function of the
 * columns table, so one extra row in a copy of the table shows up in all of them, and no other
 * file in shared/ lists the columns again.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import ExcelJS from 'exceljs';
import { YES_NO } from '../../shared/codes';
import { TRANSITION_COLUMNS, type TransitionColumn } from '../../shared/transition/layout';
import { cellText } from '../../shared/transition/normalise';
import { pupilRowSchema, pupilRowSchemaFor, type RowValues, type TransitionReturn } from '../../shared/transition/schema';
import { columnReferenceMarkdown } from '../../shared/transition/docs';
import { validateReturn } from '../../shared/transition/validate';
import { writeTransitionWorkbook } from '../../xlsx/template';
import { readTransitionWorkbook } from '../../shared/workbook/reader';
import { CONSOLIDATED_SHEETS, writeConsolidatedWorkbook } from '../../xlsx/consolidated';
import { buildOpenApiDocument } from '../../functions/src/openapi/document';
import { row, sheet, SECONDARY, TRANSFER_YEAR } from '../factories/transition';

/** One new column, after AM: whether the pupil needs travel support, and what is arranged. */
const TRAVEL = {
  letter: 'AN',
  key: 'travelSupport',
  header: 'Travel support',
  type: { kind: 'codeWithText', codes: YES_NO, maxLength: 100, fields: ['needed', 'arrangements'] },
  requirement: 'optional',
  filledBy: 'primary-june',
  help: 'Y or N, then what is arranged, e.g. "Y: shared taxi from home".',
  width: 20,
} as const satisfies TransitionColumn;

const COLUMNS: readonly TransitionColumn[] = [...TRANSITION_COLUMNS, TRAVEL];

/** A one-pupil return whose row fills the new column. */
function travelReturn(travel: string): TransitionReturn {
  const values = { ...row(1).values, travelSupport: travel } as RowValues;
  return { year: TRANSFER_YEAR, sheets: [sheet([{ row: 10, values }])], explanations: [] };
}

async function load(bytes: Uint8Array): Promise<ExcelJS.Workbook> {
  const wb = new ExcelJS.Workbook();
  await wb.xlsx.load(Buffer.from(bytes) as unknown as ArrayBuffer);
  return wb;
}

describe('a columns table with one extra row', () => {
  const { report, pupils } = validateReturn(travelReturn('y: shared taxi from home'), { columns: COLUMNS });
  const pupil = pupils[0] as unknown as Record<string, unknown>;

  it('is validated and normalised: the cell becomes a typed member of the pupil row', () => {
    expect(report.errors).toEqual([]);
    expect(pupils).toHaveLength(1);
    expect(pupil.travelSupport).toEqual({ needed: 'Y', arrangements: 'shared taxi from home' });
  });

  it('has its cells checked against its type, with its own letter in the issue', () => {
    const bad = validateReturn(travelReturn('Maybe'), { columns: COLUMNS }).report;
    expect(bad.errors.map((e) => `${e.rule}@${e.cell}:${e.field ?? ''}`)).toEqual(['GS1002@AN10:travelSupport']);
  });

  it('is a member of the derived PupilRow schema, and unknown to the default one', () => {
    expect(pupilRowSchemaFor(COLUMNS).parse(pupil)).toEqual(pupil);
    expect(pupilRowSchemaFor(COLUMNS).safeParse({ ...pupil, travelSupport: { needed: 'Maybe', arrangements: null } }).success).toBe(false);
    expect(pupilRowSchema.safeParse(pupil).success).toBe(false);
  });

  it('is formatted back to sheet text by cellText', () => {
    expect(cellText(pupil, TRAVEL)).toBe('Y: shared taxi from home');
    expect(cellText({ travelSupport: { needed: 'N', arrangements: null } }, TRAVEL)).toBe('N');
  });

  it('is in the template: header, width, input prompt, dropdown and a column on the Lists sheet', async () => {
    const wb = await load(await writeTransitionWorkbook({ year: TRANSFER_YEAR, columns: COLUMNS }));
    const ws = wb.getWorksheet('Transition') as ExcelJS.Worksheet;
    expect(ws.getCell('AN9').value).toBe('Travel support');
    expect(ws.getColumn('AN').width).toBe(20);
    const model = (ws as unknown as { dataValidations: { model: Record<string, { type: string; formulae?: string[]; prompt?: string }> } }).dataValidations.model;
    expect(model.AN9).toMatchObject({ type: 'any', prompt: TRAVEL.help });
    const list = Object.entries(model).find(([range]) => range.startsWith('AN10'))?.[1];
    expect(list?.type).toBe('list');
    const lists = wb.getWorksheet('Lists') as ExcelJS.Worksheet;
    const headers = (lists.getRow(1).values as unknown[]).filter((v) => v !== undefined && v !== null);
    expect(headers[headers.length - 1]).toBe('Travel support');
    const listLetter = String(list?.formulae?.[0]).match(/!\$([A-Z]+)\$2:/)?.[1] ?? '';
    expect([lists.getCell(`${listLetter}2`).value, lists.getCell(`${listLetter}3`).value]).toEqual(['Y', 'N']);
    const instructions = wb.getWorksheet('Instructions') as ExcelJS.Worksheet;
    const text: string[] = [];
    instructions.eachRow((r) => r.eachCell((c) => text.push(String(c.value))));
    expect(text).toContain('AN');
    expect(text.some((t) => t.includes(TRAVEL.help))).toBe(true);
  });

  it('is read back by the reader, under its key, from its header and cells', async () => {
    const ret = travelReturn('Y: shared taxi from home');
    const bytes = await writeTransitionWorkbook({ year: TRANSFER_YEAR, sheets: ret.sheets, columns: COLUMNS });
    const read = await readTransitionWorkbook(bytes, { columns: COLUMNS });
    expect((read.sheets[0]?.rows[0]?.values as Record<string, unknown>).travelSupport).toBe('Y: shared taxi from home');
    await expect(readTransitionWorkbook(await writeTransitionWorkbook({ year: TRANSFER_YEAR }), { columns: COLUMNS })).rejects.toThrow(
      /cell AN9 is empty but the layout expects 'Travel support'/,
    );
  });

  it('is a column of the consolidated export', async () => {
    const bytes = await writeConsolidatedWorkbook({
      year: TRANSFER_YEAR,
      generatedAt: '2027-07-01T00:00:00.000Z',
      pupils: pupils.map((p) => ({ ...p, sourceSchool: SECONDARY })),
      tracker: [],
      tables: [],
      columns: COLUMNS,
    });
    const ws = (await load(bytes)).getWorksheet(CONSOLIDATED_SHEETS.pupils) as ExcelJS.Worksheet;
    const headers = (ws.getRow(1).values as unknown[]).map(String);
    const at = headers.indexOf('Travel support');
    expect(at).toBeGreaterThan(0);
    expect(ws.getRow(2).getCell(at).value).toBe('Y: shared taxi from home');
  });

  it('is described in the OpenAPI TransitionReturn schema, with its letter, header and help', () => {
    const schemas = (doc: Record<string, unknown>) => JSON.stringify((doc.components as { schemas: { TransitionReturn: unknown } }).schemas.TransitionReturn);
    const withTravel = schemas(buildOpenApiDocument([], { version: 'test', columns: COLUMNS }));
    expect(withTravel).toContain('"travelSupport":{');
    expect(withTravel).toContain(`Column AN, Travel support: ${TRAVEL.help.replace(/"/g, '\\"')}`);
    expect(schemas(buildOpenApiDocument([], { version: 'test' }))).not.toContain('travelSupport');
  });

  it("is a row of the README's column reference", () => {
    expect(columnReferenceMarkdown(COLUMNS)).toContain('| AN | `travelSupport` | Travel support | Y / N, then optional text (≤ 100) | no | Primary school, by mid-June |');
    expect(columnReferenceMarkdown()).not.toContain('travelSupport');
  });
});

describe('the layout table', () => {
  it('is the only file in shared/ that lists the column keys wholesale', async () => {
    const keys = TRANSITION_COLUMNS.map((c) => c.key);
    const files = await sourceFiles(path.resolve(__dirname, '../../shared'));
    // The cross-column census rules name about half of the columns; a second list names them all.
    const listing = files
      .map(async (file) => {
        const text = await fs.readFile(file, 'utf8');
        return { file: path.relative(path.resolve(__dirname, '../..'), file), keys: keys.filter((k) => new RegExp(`\\b${k}\\b`).test(text)).length };
      });
    const wholesale = (await Promise.all(listing)).filter((f) => f.keys > (keys.length * 2) / 3).map((f) => f.file);
    expect(wholesale).toEqual([path.join('shared', 'transition', 'layout.ts')]);
  });
});

async function sourceFiles(dir: string): Promise<string[]> {
  const out: string[] = [];
  for (const entry of await fs.readdir(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...(await sourceFiles(full)));
    else if (entry.name.endsWith('.ts')) out.push(full);
  }
  return out;
}
