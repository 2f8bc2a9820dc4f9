/**
 * Prefill from MIS: the school's Common Transfer File, read in the browser (never uploaded),
 * turned into prefilled cells for its Year 6 pupils. On an empty sheet the rows are written
 * straight away; on a sheet with pupils, matched by UPN, the pane says what would change and
 * asks first, and never touches the columns the SENCo types.
 */
import { useRef, useState } from 'react';
import { Body1, Button, Caption1, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { DocumentArrowUpRegular } from '@fluentui/react-icons';
import { CTF_PREFILLED_COLUMNS, CtfError, type CtfMergePlan, checkCtfSize, planCtfMerge, prefillFromCtf, prefillSummary, readCtf } from '../../../shared/ctf';
import { columnByKey } from '../../../shared/transition/layout';
import { type CellWrite, readPupilRows, writeCells } from '../../excel/transitionSheet';
import { ErrorBar, Progress, plural, useCommonStyles } from '../common';
import type { DescribeError, PaneError } from '../ports';

type Phase =
  | { kind: 'idle' }
  | { kind: 'reading' }
  | { kind: 'confirm'; plan: CtfMergePlan; summary: string }
  | { kind: 'writing' }
  | { kind: 'done'; plan: CtfMergePlan; summary: string }
  | { kind: 'failed'; error: PaneError };

/** The cells a plan writes: every prefilled cell of a new pupil, and the changed cells of a matched one. */
export function cellsOf(plan: CtfMergePlan): CellWrite[] {
  const out: CellWrite[] = [];
  for (const a of plan.additions) for (const key of CTF_PREFILLED_COLUMNS) if (a.values[key] !== null) out.push({ row: a.row, key, value: a.values[key] });
  for (const u of plan.updates) for (const c of u.changes) out.push({ row: u.row, key: c.key, value: c.to });
  return out;
}

/** The columns the update would change, in the sheet's order: only these cells are written over. */
function changedHeaders(plan: CtfMergePlan): string {
  const changed = new Set(plan.updates.flatMap((u) => u.changes.map((c) => c.key)));
  return CTF_PREFILLED_COLUMNS.filter((k) => changed.has(k))
    .map((k) => columnByKey(k)?.header ?? k)
    .join(', ');
}

const PREFILLED_HEADERS = CTF_PREFILLED_COLUMNS.map((k) => columnByKey(k)?.header ?? k).join(', ');

export function PrefillCtf({ sheet, describe, onWritten }: { sheet: string; describe: DescribeError; onWritten: () => void }): JSX.Element {
  const common = useCommonStyles();
  const input = useRef<HTMLInputElement>(null);
  const [phase, setPhase] = useState<Phase>({ kind: 'idle' });

  const apply = async (plan: CtfMergePlan, summary: string): Promise<void> => {
    setPhase({ kind: 'writing' });
    try {
      await writeCells(sheet, cellsOf(plan));
      setPhase({ kind: 'done', plan, summary });
      onWritten();
    } catch (e) {
      setPhase({ kind: 'failed', error: describe(e) });
    }
  };

  const read = async (file: File): Promise<void> => {
    setPhase({ kind: 'reading' });
    try {
      checkCtfSize(file.size);
      const prefill = prefillFromCtf(readCtf(new Uint8Array(await file.arrayBuffer())));
      const rows = await readPupilRows(sheet);
      const plan = planCtfMerge(rows, prefill.rows);
      const summary = prefillSummary(prefill);
      if (rows.length === 0 || (plan.updates.length === 0 && plan.additions.length === 0)) await apply(plan, summary);
      else setPhase({ kind: 'confirm', plan, summary });
    } catch (e) {
      setPhase({
        kind: 'failed',
        error: e instanceof CtfError ? { kind: 'validation', title: 'This file cannot be used', detail: `${e.message}.`, next: 'Export the Common Transfer File from your MIS again and choose that file.' } : describe(e),
      });
    } finally {
      if (input.current) input.current.value = '';
    }
  };

  return (
    <div className={common.section}>
      <Body1>
        Prefill from your MIS: choose the Common Transfer File (CTF) your MIS exports. Its Year 6 pupils fill {PREFILLED_HEADERS}. The file is read here and never
        uploaded.
      </Body1>
      <input
        ref={input}
        type="file"
        accept=".xml,.ctf,application/xml,text/xml"
        hidden
        aria-hidden
        tabIndex={-1}
        data-testid="ctf-file"
        onChange={(e) => {
          const f = e.target.files?.[0];
          if (f) void read(f);
        }}
      />
      <div className={common.row}>
        <Button icon={<DocumentArrowUpRegular />} onClick={() => input.current?.click()} disabled={phase.kind === 'reading' || phase.kind === 'writing'}>
          Prefill from MIS (CTF)…
        </Button>
      </div>
      {phase.kind === 'reading' ? <Progress label="Reading the CTF…" /> : null}
      {phase.kind === 'writing' ? <Progress label="Writing the prefilled cells…" /> : null}
      {phase.kind === 'failed' ? <ErrorBar error={phase.error} /> : null}
      {phase.kind === 'done' ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{phase.summary}</MessageBarTitle>{' '}
            {`${plural(phase.plan.additions.length, 'pupil')} added, ${plural(phase.plan.updates.length, 'pupil')} updated.`}
            {phase.plan.missingFromCtf.length > 0 ? ` ${plural(phase.plan.missingFromCtf.length, 'pupil')} on the sheet ${phase.plan.missingFromCtf.length === 1 ? 'is' : 'are'} not in the CTF and kept: ${missingNames(phase.plan)}.` : ''} Next: fill the
            other columns, then check the sheet.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Dialog open={phase.kind === 'confirm'} onOpenChange={(_, d) => (d.open ? undefined : setPhase({ kind: 'idle' }))}>
        <DialogSurface aria-describedby="prefill-text">
          <DialogBody>
            <DialogTitle>Update the sheet from the CTF?</DialogTitle>
            <DialogContent id="prefill-text">
              {phase.kind === 'confirm' ? (
                <>
                  <Body1 block>{`${phase.summary.replace(/^Prefilled/, 'Found')}.`}</Body1>
                  <ul>
                    <li>{`${plural(phase.plan.additions.length, 'new pupil')} added below your rows.`}</li>
                    <li>
                      {phase.plan.updates.length > 0
                        ? `${plural(phase.plan.updates.length, 'pupil')} matched by UPN, with the CTF's values taking the place of yours in ${changedHeaders(phase.plan)}.`
                        : 'No pupil matched by UPN has a cell the CTF would change.'}
                    </li>
                    <li>{`${plural(phase.plan.unchanged, 'pupil')} already agree.`}</li>
                    {phase.plan.missingFromCtf.length > 0 ? <li>{`Not in the CTF, kept as they are: ${missingNames(phase.plan)}.`}</li> : null}
                  </ul>
                  <Caption1>Everything you typed in other columns stays exactly as it is.</Caption1>
                </>
              ) : null}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => (phase.kind === 'confirm' ? void apply(phase.plan, phase.summary) : undefined)}>
                Update the sheet
              </Button>
              <Button onClick={() => setPhase({ kind: 'idle' })}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </div>
  );
}

const missingNames = (plan: CtfMergePlan): string =>
  plan.missingFromCtf
    .map((m) => `${String(m.forename ?? '')} ${String(m.surname ?? '')}`.trim() || `row ${m.row}`)
    .slice(0, 10)
    .join(', ') + (plan.missingFromCtf.length > 10 ? ', …' : '');
