/**
 * Why a workbook could not be read, as a code the caller can branch on and one plain-English
 * line that says what is wrong and what to do. Messages never carry a stack or pupil values.
 */
export type WorkbookErrorCode =
  | 'too-large'
  | 'encrypted'
  | 'not-xlsx'
  | 'corrupt'
  | 'zip-bomb'
  | 'too-many-rows'
  | 'too-many-sheets'
  | 'formula'
  | 'hidden'
  | 'unknown-layout';

export class WorkbookError extends Error {
  readonly code: WorkbookErrorCode;

  constructor(code: WorkbookErrorCode, message: string) {
    // One line, whatever the caller passed.
    super(message.replace(/\s*[\r\n]+\s*/g, ' ').trim());
    this.name = 'WorkbookError';
    this.code = code;
  }
}
