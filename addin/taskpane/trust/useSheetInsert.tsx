/**
 * Inserting a sheet the add-in writes whole (a toolkit grid, a costing sheet): progress while it
 * writes, the question when the sheet already has content, the error in plain English, and the
 * result. Nothing is replaced until the user says so.
 */
import { useState } from 'react';
import type { SheetOccupied } from '../../excel/ownSheet';
import { ErrorBar, Progress, useAction } from '../common';
import type { DescribeError, PaneError } from '../ports';
import { ReplaceSheet } from './ReplaceSheet';

export interface SheetInsert<R> {
  busy: boolean;
  occupied: boolean;
  result: R | undefined;
  error: PaneError | undefined;
  /** Writes the sheet; with `replace` false, an occupied sheet is asked about instead. */
  insert: (replace: boolean) => Promise<void>;
  keep: () => void;
}

/** `ready` false (an input is invalid): insert does nothing, as the disabled button says. */
export function useSheetInsert<R>(describe: DescribeError, write: (replace: boolean) => Promise<R | SheetOccupied>, ready = true): SheetInsert<R> {
  const { busy, error, run } = useAction(describe);
  const [occupied, setOccupied] = useState(false);
  const [result, setResult] = useState<R | undefined>();
  const insert = async (replace: boolean): Promise<void> => {
    if (!ready) return;
    setOccupied(false);
    setResult(undefined);
    await run(async () => {
      const r = await write(replace);
      if (typeof r === 'object' && r !== null && (r as { kind?: unknown }).kind === 'occupied') setOccupied(true);
      else setResult(r as R);
    });
  };
  return { busy, occupied, result, error, insert, keep: () => setOccupied(false) };
}

/** Progress, the replace question and the error of an insert; the caller shows its own result. */
export function InsertStatus<R>({ state, progress, sheet, consequence }: { state: SheetInsert<R>; progress: string; sheet: string; consequence: string }): JSX.Element {
  return (
    <>
      {state.busy ? <Progress label={progress} /> : null}
      {state.occupied ? <ReplaceSheet sheet={sheet} consequence={consequence} onReplace={() => void state.insert(true)} onKeep={state.keep} /> : null}
      {state.error ? <ErrorBar error={state.error} /> : null}
    </>
  );
}
