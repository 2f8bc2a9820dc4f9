/**
 * Issue 32's worst case, within today's limits: the largest JSON return the body cap (2 MiB) and
 * the row cap (2,000 pupils a return) let through, with as many issues as rows can hold: every
 * row a bad code, 13 required cells blank and an over-long note that fills the body. Shared by the
 * API test of the bounded report and `npm run bench:api`.
 */
import { WORKBOOK_LIMITS } from '../../shared/transition/layout';
import { TRANSFER_YEAR } from './transition';

export function worstCaseReturn(receivingSecondary = 'Testbrook Academy (3304001)'): string {
  const sheets = 4;
  const perSheet = WORKBOOK_LIMITS.maxRowsPerReturn / sheets;
  return JSON.stringify({
    year: TRANSFER_YEAR,
    sheets: Array.from({ length: sheets }, (_, s) => ({
      name: `Sheet ${s + 1}`,
      receivingSecondary,
      rows: Array.from({ length: perSheet }, (_, i) => ({ row: 10 + i, values: { sex: 'X', keyProvision: 'x'.repeat(990) } })),
    })),
    explanations: [],
  });
}
