/**
 * Why a workbook could not be read, as a code the caller can branch on and one plain-English
 * line that says what is wrong and what to do. Messages never carry a stack or pupil values.
 */
export const WORKBOOK_ERROR_CODES = [
  'too-large',
  'encrypted',
  'not-xlsx',
  'corrupt',
  'zip-bomb',
  'too-many-rows',
  'too-many-sheets',
  'formula',
  'hidden',
  'unknown-layout',
] as const;
export type WorkbookErrorCode = (typeof WORKBOOK_ERROR_CODES)[number];

export class WorkbookError extends Error {
  readonly code: WorkbookErrorCode;

  constructor(code: WorkbookErrorCode, message: string) {
    // One line, whatever the caller passed.
    super(message.replace(/\s*[\r\n]+\s*/g, ' ').trim());
    this.name = 'WorkbookError';
    this.code = code;
  }
}
