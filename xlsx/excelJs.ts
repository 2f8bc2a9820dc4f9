/**
 * exceljs, loaded when the first workbook is written rather than when a module that writes one is
 * loaded. (design) Loading it takes about 0.4 s, most of the API's cold start before this seam
 * (issue 26), and only a few requests write a workbook (a cohort or return as .xlsx, the chase
 * list); every other request, and every scale-out of the Function App, would pay for it. The
 * bundler still follows this literal require, so the deployed bundle holds exceljs.
 */
import type * as ExcelJS from 'exceljs';

export function excelJs(): typeof ExcelJS {
  return require('exceljs') as typeof ExcelJS;
}
