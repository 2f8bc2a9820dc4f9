/**
 * The README's column reference and rule catalogue, rendered from the layout and rule
 * tables (`npm run docs`), so the documentation is the code.
 */
import { FILLED_BY, SHEET_LAYOUT, TRANSITION_COLUMNS, type TransitionColumn } from './layout';
import { RULES, VALIDATION_THRESHOLDS } from './rules';

const cell = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');

function valuesOf(c: TransitionColumn): string {
  const t = c.type;
  switch (t.kind) {
    case 'text':
      return `text, up to ${t.maxLength} characters`;
    case 'date':
      return 'date (dd/mm/yyyy)';
    case 'number':
      return `${t.integer ? 'whole number' : 'number'} ${t.max === undefined ? `≥ ${t.min}` : `${t.min}–${t.max}`}`;
    case 'code':
      return t.codes.length > 10 ? `${t.codes[0]?.code} … ${t.codes[t.codes.length - 1]?.code} (${t.codes.length} codes)` : t.codes.map((x) => x.code).join(' / ');
    case 'codes':
      return `any of ${t.codes.map((x) => x.code).join(', ')}`;
    case 'codeWithText':
      return `${t.codes.map((x) => x.code).join(' / ')}, then optional text (≤ ${t.maxLength})`;
    case 'scoreOrCode':
      return `${t.min}–${t.max}, or ${t.codes.map((x) => x.code).join(' / ')}`;
    case 'upn':
      return '13-character UPN with a valid check letter';
    case 'school':
      return 'LAESTAB (7 digits) or URN (6 digits)';
  }
}

export function columnReferenceMarkdown(columns: readonly TransitionColumn[] = TRANSITION_COLUMNS): string {
  const lines = [
    `The receiving secondary (name and LAESTAB) goes in ${SHEET_LAYOUT.receivingCell} and the transfer year in ${SHEET_LAYOUT.yearCell}; headers are on row ${SHEET_LAYOUT.headerRow} and pupils start on row ${SHEET_LAYOUT.firstDataRow}. Column P is unassigned and stays empty.`,
    '',
    '| col | key | header | values | required | filled by |',
    '|---|---|---|---|---|---|',
  ];
  for (const c of columns) {
    const who = FILLED_BY[c.filledBy];
    const req = c.requirement === 'conditional' ? `when: ${c.condition ?? ''}` : c.requirement === 'required' ? 'yes' : 'no';
    lines.push(`| ${c.letter} | \`${c.key}\` | ${cell(c.header)} | ${cell(valuesOf(c))} | ${cell(req)} | ${who.who}, ${who.when} |`);
  }
  return lines.join('\n');
}

export function ruleCatalogueMarkdown(): string {
  const t = VALIDATION_THRESHOLDS;
  const lines = [
    'Errors (`GS1xxx`) block submission. Queries (`GS2xxxQ`) need a fix or an explanation, which is kept with the return.',
    `Thresholds (design, in \`shared/transition/rules.ts\`): attendance query below ${t.attendanceQueryBelow}%; a date of birth up to ${t.cohortToleranceDays} days outside the cohort is a query, further out an error; toolkit query at ${t.toolkitGapQueryBands} or more bands behind Y6.2.`,
    '',
    '| rule | severity | checks | how to fix |',
    '|---|---|---|---|',
  ];
  for (const r of RULES) lines.push(`| ${r.id} | ${r.severity} | ${cell(r.title)} | ${cell(r.fix)} |`);
  return lines.join('\n');
}
