/** Step 1: create the transition sheet, or refresh its layout without touching pupil rows. */
import { useState } from 'react';
import {
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Dialog,
  DialogActions,
  DialogBody,
  DialogContent,
  DialogSurface,
  DialogTitle,
  Field,
  Input,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Subtitle2,
} from '@fluentui/react-components';
import { DocumentTableRegular, ArrowSyncRegular, AddRegular } from '@fluentui/react-icons';
import { academicYearOf as academicYearLabel } from '../../../shared/year';
import type { CreateResult } from '../../excel/transitionSheet';
import { ErrorBar, Section, plural, useCommonStyles } from '../common';
import type { TransitionModel } from './useTransition';
import type { DescribeError } from '../ports';
import { PrefillCtf } from './PrefillCtf';

export function SheetStep({ model, onNext, describe }: { model: TransitionModel; onNext: () => void; describe: DescribeError }): JSX.Element {
  const styles = useCommonStyles();
  const [year, setYear] = useState(String(model.year));
  const [receiving, setReceiving] = useState('');
  const [confirm, setConfirm] = useState<'refresh' | 'new' | undefined>();
  const [done, setDone] = useState<CreateResult | undefined>();
  const existing = model.workbook?.transitionSheets ?? [];
  const first = existing[0];
  const yearNumber = /^\d{4}$/.test(year.trim()) ? Number(year.trim()) : null;
  const yearError = year.trim() !== '' && yearNumber === null ? 'Type the four-digit year the pupils start Year 7, e.g. 2027.' : undefined;

  const run = async (whenExists: 'refresh' | 'new'): Promise<void> => {
    setConfirm(undefined);
    const result = await model.create({ year: yearNumber, receivingSecondary: receiving.trim() === '' ? null : receiving.trim(), whenExists });
    if (result) setDone(result);
  };

  return (
    <Section title="Transition sheet" id="sheet-heading">
      {model.workbookError ? <ErrorBar error={model.workbookError} /> : null}
      {model.busy === 'inspect' && !model.workbook ? <Spinner size="tiny" label="Looking at this workbook…" /> : null}
      {done ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{done.refreshed ? `Refreshed the layout of '${done.sheet}'` : `Created '${done.sheet}'`}</MessageBarTitle>{" "}
            {done.refreshed ? `${plural(done.keptRows, 'pupil row')} kept exactly as they were. ` : ''}
            Next: fill one row per pupil from row 10, then check the sheet.
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={onNext}>Go to Check</Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}

      {first ? (
        <Card>
          <CardHeader image={<DocumentTableRegular aria-hidden />} header={<Subtitle2>{`'${first.name}'`}</Subtitle2>} description={<Caption1>{plural(first.pupilRows, 'pupil')}</Caption1>} />
          <Body1>
            {first.receivingSecondary ? `For ${first.receivingSecondary}. ` : 'The receiving secondary (A7) is blank. '}
            {first.year ? `Transfer in September ${first.year} (${academicYearLabel(first.year)}).` : 'The transfer year (A4) is blank.'}
          </Body1>
          {existing.length > 1 ? <Caption1>{`And ${plural(existing.length - 1, 'more transition sheet')}: ${existing.slice(1).map((s) => `'${s.name}'`).join(', ')}.`}</Caption1> : null}
          <div className={styles.row}>
            <Button icon={<ArrowSyncRegular />} onClick={() => setConfirm('refresh')} disabled={model.busy !== undefined}>
              Refresh layout…
            </Button>
            <Button icon={<AddRegular />} onClick={() => setConfirm('new')} disabled={model.busy !== undefined}>
              Add a sheet for another secondary…
            </Button>
          </div>
          <PrefillCtf sheet={first.name} describe={describe} onWritten={() => void model.inspect()} />
        </Card>
      ) : (
        <>
          <Body1>
            Writes the &quot;Every Child Deserves a Good Start&quot; sheet into this workbook: headers, a dropdown on every coded column, input prompts, and the
            Instructions, Lists and Query explanations sheets.
          </Body1>
          <CreateFields year={year} setYear={setYear} yearError={yearError} receiving={receiving} setReceiving={setReceiving} />
          <div className={styles.row}>
            <Button appearance="primary" icon={<DocumentTableRegular />} disabled={model.busy !== undefined || yearError !== undefined} onClick={() => void run('refresh')}>
              Create transition sheet
            </Button>
            {model.busy === 'create' ? <Spinner size="tiny" label="Writing the sheet…" /> : null}
          </div>
          <Caption1>Then you can prefill pupils from your MIS&apos;s Common Transfer File (CTF).</Caption1>
        </>
      )}

      <Dialog open={confirm !== undefined} onOpenChange={(_, d) => (d.open ? undefined : setConfirm(undefined))}>
        <DialogSurface aria-describedby="confirm-text">
          <DialogBody>
            <DialogTitle>{confirm === 'new' ? 'Add another transition sheet?' : `Refresh the layout of '${first?.name ?? ''}'?`}</DialogTitle>
            <DialogContent id="confirm-text">
              {confirm === 'new' ? (
                <>
                  <Body1 block>A new sheet is added beside &apos;{first?.name}&apos;, for pupils going to another secondary. Nothing on the existing sheets changes.</Body1>
                  <CreateFields year={year} setYear={setYear} yearError={yearError} receiving={receiving} setReceiving={setReceiving} />
                </>
              ) : (
                <Body1>
                  The title block, headers, dropdowns and prompts are written again, and so are the Lists and Instructions sheets. Your {plural(first?.pupilRows ?? 0, 'pupil row')}, the
                  year in A4, the school in A7 and your query explanations stay exactly as they are.
                </Body1>
              )}
            </DialogContent>
            <DialogActions>
              <Button appearance="primary" onClick={() => void run(confirm ?? 'refresh')} disabled={confirm === 'new' && yearError !== undefined}>
                {confirm === 'new' ? 'Add sheet' : 'Refresh layout'}
              </Button>
              <Button onClick={() => setConfirm(undefined)}>Cancel</Button>
            </DialogActions>
          </DialogBody>
        </DialogSurface>
      </Dialog>
    </Section>
  );
}

function CreateFields(p: { year: string; setYear(v: string): void; yearError: string | undefined; receiving: string; setReceiving(v: string): void }): JSX.Element {
  return (
    <>
      <Field label="Transfer year (the September the pupils start Year 7)" validationMessage={p.yearError} hint={p.yearError ? undefined : 'Goes in cell A4.'}>
        <Input value={p.year} onChange={(_, d) => p.setYear(d.value)} inputMode="numeric" />
      </Field>
      <Field label="Receiving secondary school (optional)" hint="Name and LAESTAB for cell A7, e.g. Hillcrest Academy (3304001). The secondary usually fills it in.">
        <Input value={p.receiving} onChange={(_, d) => p.setReceiving(d.value)} />
      </Field>
    </>
  );
}
