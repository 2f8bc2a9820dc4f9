/**
 * The primary SENCo's flow as state and actions: build the sheet, check it (and re-check the
 * rows the user edits), explain queries, and submit once. Views render this; Excel work goes
 * through addin/excel and HTTP through the PaneApi, never from a component.
 */
import { useCallback, useEffect, useMemo, useRef, useState } from 'react';
import { currentTransferYear } from '../../../shared/year';
import type { TransitionReturn, ValidationIssue, ValidationReport } from '../../../shared/transition/schema';
import { validateReturn } from '../../../shared/transition/validate';
import { checkWorkbook, createTransitionSheet, type CreateOptions, type CreateResult, inspectWorkbook, recheckRows, type RowsRead, saveExplanation, selectCell, watchTransitionSheets, type WorkbookInfo } from '../../excel/transitionSheet';
import { isOwnChange } from '../../excel/run';
import type { CrossSchoolNotice, DescribeError, HistoryEntry, PaneApi, PaneError, RemoteReturn, SubmitResult } from '../ports';

/** A UPN's shape (letter, 11 digits, digit or letter): only these are worth asking the API about. */
const UPN_SHAPE = /^[A-Z]\d{11}[0-9A-Z]$/;

/** (design) How long edits settle before the changed rows are re-checked. */
export const RECHECK_DEBOUNCE_MS = 600;

export interface CheckState {
  ret: TransitionReturn;
  report: ValidationReport;
  at: number;
  /** Sheets the check read, for the live re-check. */
  sheets: string[];
}

export type SubmitPhase =
  | { kind: 'idle' }
  | { kind: 'reading' }
  | { kind: 'sending'; status: 'draft' | 'submitted'; attempt?: number; of?: number }
  | { kind: 'done'; result: SubmitResult; status: 'draft' | 'submitted' }
  | { kind: 'failed'; error: PaneError; status: 'draft' | 'submitted' };

export interface RemoteState {
  loading: boolean;
  current: RemoteReturn | null | undefined;
  history: HistoryEntry[];
  error?: PaneError;
}

export interface TransitionModel {
  laestab: string;
  workbook: WorkbookInfo | undefined;
  workbookError: PaneError | undefined;
  busy: 'inspect' | 'create' | 'check' | 'explain' | undefined;
  check: CheckState | undefined;
  checkError: PaneError | undefined;
  live: boolean;
  setLive(on: boolean): void;
  /** Rows re-checked by the last live pass, e.g. "rows 12–14". */
  lastRecheck: string | undefined;
  remote: RemoteState;
  /** The last check's pupils also on another school's submitted return, as the API answered (undefined: not asked, or it could not answer). */
  crossSchool: CrossSchoolNotice | undefined;
  submit: SubmitPhase;
  /** The transfer year the pane works with: A4 of the sheet, else the current cycle. */
  year: number;
  inspect(): Promise<void>;
  create(options: Omit<CreateOptions, 'year'> & { year: number | null }): Promise<CreateResult | undefined>;
  runCheck(): Promise<void>;
  select(issue: ValidationIssue): Promise<void>;
  explain(issue: ValidationIssue, text: string): Promise<boolean>;
  loadRemote(): Promise<void>;
  send(status: 'draft' | 'submitted'): Promise<void>;
  dismissSubmit(): void;
}

const same = (a: { rule: string; sheet: string; cell: string }, b: { rule: string; sheet: string; cell: string }): boolean => a.rule === b.rule && a.sheet === b.sheet && a.cell === b.cell;

export function useTransition(options: { laestab: string; api: PaneApi; describe: DescribeError }): TransitionModel {
  const { laestab, api, describe } = options;
  const [workbook, setWorkbook] = useState<WorkbookInfo | undefined>();
  const [workbookError, setWorkbookError] = useState<PaneError | undefined>();
  const [busy, setBusy] = useState<TransitionModel['busy']>();
  const [check, setCheck] = useState<CheckState | undefined>();
  const [checkError, setCheckError] = useState<PaneError | undefined>();
  const [live, setLive] = useState(true);
  const [lastRecheck, setLastRecheck] = useState<string | undefined>();
  const [remote, setRemote] = useState<RemoteState>({ loading: false, current: undefined, history: [] });
  const [submit, setSubmit] = useState<SubmitPhase>({ kind: 'idle' });
  const [crossSchool, setCrossSchool] = useState<CrossSchoolNotice | undefined>();

  const checkRef = useRef<CheckState | undefined>(undefined);
  checkRef.current = check;
  /** The key of the submission in flight or last failed for a retryable reason: reused on retry. */
  const pendingKey = useRef<{ key: string; status: 'draft' | 'submitted'; hash: string } | undefined>(undefined);
  const sending = useRef(false);
  const stopWatching = useRef<(() => Promise<void>) | undefined>(undefined);
  const pending = useRef(new Map<string, [number, number]>());
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const year = check?.ret.year ?? workbook?.transitionSheets[0]?.year ?? currentTransferYear();
  const validate = useCallback((ret: TransitionReturn) => validateReturn(ret, { year: ret.year ?? year, school: laestab }).report, [laestab, year]);

  const inspect = useCallback(async () => {
    setBusy('inspect');
    try {
      setWorkbook(await inspectWorkbook());
      setWorkbookError(undefined);
    } catch (e) {
      setWorkbookError(describe(e));
    } finally {
      setBusy(undefined);
    }
  }, [describe]);

  const create = useCallback<TransitionModel['create']>(
    async (o) => {
      setBusy('create');
      try {
        const result = await createTransitionSheet(o);
        setWorkbook(await inspectWorkbook());
        setWorkbookError(undefined);
        return result;
      } catch (e) {
        setWorkbookError(describe(e));
        return undefined;
      } finally {
        setBusy(undefined);
      }
    },
    [describe],
  );

  /** Live re-check: the changed rows are read and merged into the last check, then validated. */
  const flush = useCallback(async () => {
    const batch = [...pending.current.entries()];
    pending.current.clear();
    for (const [sheet, [from, to]] of batch) {
      const base = checkRef.current;
      if (!base) return;
      let next: CheckState | undefined;
      try {
        await recheckRows(sheet, from, to, base.sheets, (read: RowsRead) => {
          const sheets = base.ret.sheets.map((s) => {
            if (s.name !== read.sheet) return s;
            const kept = s.rows.filter((r) => r.row < read.from || r.row > read.to);
            return { ...s, rows: [...kept, ...read.rows].sort((a, b) => a.row - b.row) };
          });
          const ret = { ...base.ret, sheets };
          const rep = validate(ret);
          next = { ...base, ret, report: rep, at: Date.now() };
          return rep;
        });
        if (next) setCheck(next);
        setLastRecheck(from === to ? `row ${from} of '${sheet}'` : `rows ${from}–${to} of '${sheet}'`);
      } catch (e) {
        setCheckError(describe(e));
      }
    }
  }, [describe, validate]);

  const onSheetChange = useCallback(
    (sheet: string, from: number, to: number, event: { triggerSource?: string }) => {
      if (isOwnChange(event)) return;
      const prev = pending.current.get(sheet);
      pending.current.set(sheet, prev ? [Math.min(prev[0], from), Math.max(prev[1], to)] : [from, to]);
      if (timer.current) clearTimeout(timer.current);
      timer.current = setTimeout(() => void flush(), RECHECK_DEBOUNCE_MS);
    },
    [flush],
  );

  const watch = useCallback(
    async (sheets: string[]) => {
      await stopWatching.current?.();
      stopWatching.current = undefined;
      if (!live || sheets.length === 0) return;
      try {
        stopWatching.current = await watchTransitionSheets(sheets, onSheetChange);
      } catch {
        // Hosts without worksheet events still have the Check button.
      }
    },
    [live, onSheetChange],
  );

  /**
   * Asks the API which of the sheet's UPNs another school's latest submitted return holds (issue
   * 29), after the local check: the answer names rows of this sheet, never the other school. The
   * check itself never waits on or fails for this; an API that cannot answer leaves it unsaid.
   */
  const askCrossSchool = useCallback(
    async (ret: TransitionReturn) => {
      const rows = ret.sheets.flatMap((s) => s.rows.map((r) => ({ sheet: s.name, row: r.row, upn: String(r.values.upn ?? '').trim().toUpperCase() })));
      const upns = [...new Set(rows.map((r) => r.upn).filter((u) => UPN_SHAPE.test(u)))];
      if (upns.length === 0 || ret.year === null) return setCrossSchool(undefined);
      try {
        const answer = await api.crossSchoolCheck(laestab, ret.year, upns);
        const others = new Map(answer.upns.map((u) => [u.upn.toUpperCase(), u.otherReturns]));
        const pupils = rows.filter((r) => others.has(r.upn)).map((r) => ({ sheet: r.sheet, row: r.row, otherReturns: others.get(r.upn) as number }));
        setCrossSchool({ pupils, notice: answer.notice });
      } catch {
        setCrossSchool(undefined);
      }
    },
    [api, laestab],
  );

  const runCheck = useCallback(async () => {
    setBusy('check');
    try {
      const checked = await checkWorkbook(validate);
      const sheets = checked.sheets.map((s) => s.name);
      setCheck({ ret: checked.ret, report: checked.report, at: Date.now(), sheets });
      setWorkbook((w) => (w ? { ...w, transitionSheets: checked.sheets } : { transitionSheets: checked.sheets, sheetNames: sheets }));
      setCheckError(undefined);
      setLastRecheck(undefined);
      void askCrossSchool(checked.ret);
      await watch(sheets);
    } catch (e) {
      setCheckError(describe(e));
    } finally {
      setBusy(undefined);
    }
  }, [askCrossSchool, describe, validate, watch]);

  useEffect(() => {
    if (!live) {
      void stopWatching.current?.();
      stopWatching.current = undefined;
    } else if (checkRef.current) void watch(checkRef.current.sheets);
  }, [live, watch]);

  useEffect(
    () => () => {
      if (timer.current) clearTimeout(timer.current);
      void stopWatching.current?.();
    },
    [],
  );

  const select = useCallback(
    async (issue: ValidationIssue) => {
      try {
        await selectCell(issue.sheet, issue.cell);
      } catch (e) {
        setCheckError(describe(e));
      }
    },
    [describe],
  );

  const explain = useCallback(
    async (issue: ValidationIssue, text: string): Promise<boolean> => {
      setBusy('explain');
      try {
        await saveExplanation({ rule: issue.rule, sheet: issue.sheet, cell: issue.cell, text });
        // Re-check from the workbook: the explained query loses its highlight, and the list agrees with the sheet.
        const checked = await checkWorkbook(validate);
        setCheck({ ret: checked.ret, report: checked.report, at: Date.now(), sheets: checked.sheets.map((s) => s.name) });
        return true;
      } catch (e) {
        setCheckError(describe(e));
        return false;
      } finally {
        setBusy(undefined);
      }
    },
    [describe, validate],
  );

  const loadRemote = useCallback(async () => {
    setRemote((r) => ({ ...r, loading: true }));
    try {
      const [current, history] = await Promise.all([api.currentReturn(laestab, year), api.history(laestab, year)]);
      setRemote({ loading: false, current, history });
    } catch (e) {
      setRemote((r) => ({ ...r, loading: false, error: describe(e) }));
    }
  }, [api, describe, laestab, year]);

  const send = useCallback(
    async (status: 'draft' | 'submitted') => {
      if (sending.current) return;
      sending.current = true;
      setSubmit({ kind: 'reading' });
      try {
        // Read the sheet as it is now, changing nothing in it (not even highlights).
        const checked = await checkWorkbook(validate, { highlight: false });
        const sheets = checked.sheets.map((s) => s.name);
        setCheck({ ret: checked.ret, report: checked.report, at: Date.now(), sheets });
        const ret = checked.ret;
        const submittable = checked.report.summary.errors === 0 && (status === 'draft' || checked.report.summary.unexplainedQueries === 0);
        if (!submittable || ret.year === null) {
          setSubmit({
            kind: 'failed',
            status,
            error: {
              kind: 'validation',
              title: checked.report.summary.errors > 0 ? 'Fix the errors first' : 'Explain or fix every query first',
              detail:
                checked.report.summary.errors > 0
                  ? `The sheet has ${checked.report.summary.errors} error(s). They are listed under Check.`
                  : `${checked.report.summary.unexplainedQueries} query(ies) still need a fix or an explanation. You can save a draft meanwhile.`,
            },
          });
          return;
        }
        // One key per intent: a retry of the same content and status reuses it, so the API stores one version.
        const hash = JSON.stringify(ret);
        const key = pendingKey.current && pendingKey.current.status === status && pendingKey.current.hash === hash ? pendingKey.current.key : api.newIdempotencyKey();
        pendingKey.current = { key, status, hash };
        setSubmit({ kind: 'sending', status });
        const ifMatch = remote.current?.etag;
        const result = await api.submitReturn(laestab, ret.year, ret, {
          status,
          idempotencyKey: key,
          ...(ifMatch ? { ifMatch } : {}),
          onRetry: (attempt, of) => setSubmit({ kind: 'sending', status, attempt, of }),
        });
        pendingKey.current = undefined;
        setSubmit({ kind: 'done', result, status });
        setRemote((r) => ({
          ...r,
          current: { version: result.receipt.version, status: result.receipt.status, submittedAt: result.receipt.submittedAt, contentHash: result.receipt.contentHash, etag: result.etag, seenBy: r.current?.seenBy ?? [] },
        }));
        void loadRemote();
      } catch (e) {
        const error = describe(e);
        // Only an answer that settles the request frees the key; an outage keeps it for the retry.
        if (error.kind !== 'offline') pendingKey.current = undefined;
        setSubmit({ kind: 'failed', error, status });
      } finally {
        sending.current = false;
      }
    },
    [api, describe, laestab, loadRemote, remote, validate],
  );

  const dismissSubmit = useCallback(() => setSubmit({ kind: 'idle' }), []);

  useEffect(() => {
    void inspect();
  }, [inspect]);

  return useMemo(
    () => ({ laestab, workbook, workbookError, busy, check, checkError, live, setLive, lastRecheck, remote, crossSchool, submit, year, inspect, create, runCheck, select, explain, loadRemote, send, dismissSubmit }),
    [laestab, workbook, workbookError, busy, check, checkError, live, lastRecheck, remote, crossSchool, submit, year, inspect, create, runCheck, select, explain, loadRemote, send, dismissSubmit],
  );
}

/** True when the query has an explanation in the last check. */
export const isExplained = (issue: ValidationIssue, check: CheckState | undefined): boolean =>
  issue.explanation !== undefined || (check?.ret.explanations ?? []).some((e) => same(e, issue) && e.text.trim() !== '');
