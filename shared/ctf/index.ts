/**
 * Prefill from the school's MIS: everything a caller needs to turn a Common Transfer File into
 * transition rows. The CLI and the task pane import from here.
 *
 * In the pane: `checkCtfSize(file.size)`, then `readCtf(new Uint8Array(await file.arrayBuffer()))`
 * (or `readCtfStream` over the file's stream), `prefillFromCtf`, and for a sheet that already
 * has rows `planCtfMerge(sheetRows, prefill.rows)`. Every refusal is a `CtfError` whose message
 * is one line for the SENCo.
 */
export { CTF_LIMITS, CtfError, type CtfErrorCode, type CtfFile, type CtfPupil, CtfReader, checkCtfSize, readCtf, readCtfStream } from './reader';
export { CTF_PREFILLED_COLUMNS, type CtfPrefill, type CtfPrefilledKey, type PrefilledValues, currentSen, prefillFromCtf, prefillSummary } from './prefill';
export { applyCtfMerge, type CtfMergePlan, planCtfMerge } from './merge';
