/**
 * shared/print.ts's print setup on an exceljs worksheet: the template's sheets, the cohort (the
 * template with pupils) and the chase list. The streaming writer (spreadsheetml.ts) states the
 * same setup in its own XML.
 */
import type * as ExcelJS from 'exceljs';
import { headerFooter, PAPER_A4, PRINT_MARGINS, PRINT_SETUP, type PrintKind, type PrintOwner, type PrintTitles, printTitleRefs } from '../shared/print';

export function applyPrintSetup(ws: ExcelJS.Worksheet, kind: PrintKind, who: PrintOwner, titles?: PrintTitles): void {
  const setup = PRINT_SETUP[kind];
  const refs = titles ? printTitleRefs(titles) : undefined;
  ws.pageSetup = {
    ...ws.pageSetup,
    paperSize: PAPER_A4 as ExcelJS.PaperSize,
    orientation: setup.orientation,
    margins: { ...PRINT_MARGINS },
    ...(setup.fit ? { fitToPage: true, fitToWidth: setup.fit.width, fitToHeight: setup.fit.height } : { fitToPage: false }),
    // exceljs takes "8:9" and "A:B" and writes the _xlnm.Print_Titles defined name itself.
    ...(refs ? { printTitlesRow: refs.rows.replace(/\$/g, '') } : {}),
    ...(refs?.columns ? { printTitlesColumn: refs.columns.replace(/\$/g, '') } : {}),
  };
  const { header, footer } = headerFooter(kind, who);
  ws.headerFooter = { ...ws.headerFooter, oddHeader: header, oddFooter: footer };
}
