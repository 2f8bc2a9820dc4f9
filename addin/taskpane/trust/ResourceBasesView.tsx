/**
 * The LA's resource base dataset: load the latest into a sheet, edit it in Excel, check it with
 * the shared schema (problems listed here and filled at their cells), then publish it. The
 * publish is conditional on the version the edit started from, so a colleague's publish in the
 * meantime is refused and explained, never silently overwritten. The RB.* functions then
 * recalculate on the new figures. A published year can be withdrawn (after a confirmation), as
 * the undo of a mistaken publish: `latest` goes back to the newest year that remains.
 */
import { useState } from 'react';
import { Body1, Button, Caption1, Link, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { ArrowDownloadRegular, CheckmarkCircleRegular, CloudArrowUpRegular, DeleteRegular } from '@fluentui/react-icons';
import type { ResourceBaseDataset } from '../../../shared/resourceBases/dataset';
import { DATASET_SHEET, type DatasetProblem } from '../../../shared/resourceBases/datasetSheet';
import { checkResourceBaseSheet, recalculateWorkbook, selectDatasetCell, writeResourceBaseSheet } from '../../excel/resourceBaseSheet';
import { ErrorBar, Progress, Section, plural, useAction, useCommonStyles, when } from '../common';
import type { DescribeError, PaneApi, TaggedDataset } from '../ports';
import { ReplaceSheet } from './ReplaceSheet';

type Phase = 'idle' | 'loading' | 'writing' | 'checking' | 'publishing' | 'withdrawing';

const PROGRESS: Record<Exclude<Phase, 'idle'>, string> = {
  loading: 'Fetching the latest dataset from Good Start…',
  writing: `Writing the '${DATASET_SHEET.sheetName}' sheet…`,
  checking: 'Checking the sheet…',
  publishing: 'Publishing…',
  withdrawing: 'Withdrawing…',
};

export function ResourceBasesView({ api, describe }: { api: PaneApi; describe: DescribeError }): JSX.Element {
  const common = useCommonStyles();
  const [phase, setPhase] = useState<Phase>('idle');
  /** The version the edit started from: its need codes and groups, and the ETag to publish against. */
  const [base, setBase] = useState<TaggedDataset | undefined>();
  const [occupied, setOccupied] = useState<TaggedDataset | undefined>();
  const [problems, setProblems] = useState<DatasetProblem[] | undefined>();
  const [published, setPublished] = useState<{ dataset: ResourceBaseDataset; replayed: boolean } | undefined>();
  /** Asking "withdraw this year?" before anything is sent. */
  const [confirming, setConfirming] = useState(false);
  const [withdrawn, setWithdrawn] = useState<{ year: string; latest: string | null } | undefined>();
  /** The write last tried, so a 412 is explained in its own terms. */
  const [attempt, setAttempt] = useState<'publish' | 'withdraw'>('publish');
  const action = useAction(describe);
  const { error } = action;

  /** The action's error handling; the phase (what the progress line says) goes back to idle however it ends. */
  const run = (work: () => Promise<void>): Promise<void> => action.run(work).finally(() => setPhase('idle'));

  const write = (latest: TaggedDataset, replace: boolean): Promise<void> =>
    run(async () => {
      setOccupied(undefined);
      setPhase('writing');
      const result = await writeResourceBaseSheet(latest.dataset, { replace });
      if (result.kind === 'occupied') {
        setOccupied(latest);
        return;
      }
      setBase(latest);
      setProblems(undefined);
      setPublished(undefined);
      setWithdrawn(undefined);
    });

  const load = (): Promise<void> =>
    run(async () => {
      setPhase('loading');
      const latest = await api.latestResourceBases();
      await write(latest, false);
    });

  /** Keeps the sheet as it is (e.g. edits from before the pane was reopened) and publishes against the latest version. */
  const keep = (): void => {
    setBase(occupied);
    setOccupied(undefined);
  };

  const check = async (): Promise<ResourceBaseDataset | undefined> => {
    if (!base) return undefined;
    setPhase('checking');
    const checked = await checkResourceBaseSheet(base.dataset);
    setProblems(checked.problems);
    return checked.dataset;
  };

  const publish = (): Promise<void> =>
    run(async () => {
      if (!base) return;
      setAttempt('publish');
      setPublished(undefined);
      const dataset = await check();
      if (!dataset) return;
      setPhase('publishing');
      // If-Match only for the year that was loaded: a new academic year is a new dataset.
      const sameYear = dataset.academicYear === base.dataset.academicYear;
      const result = await api.publishResourceBases(dataset, { idempotencyKey: api.newIdempotencyKey(), ...(sameYear && base.etag ? { ifMatch: base.etag } : {}) });
      setBase({ dataset: result.dataset, etag: result.etag });
      setPublished({ dataset: result.dataset, replayed: result.replayed });
      await recalculateWorkbook();
    });

  /** Withdraws the year as it was loaded or published (If-Match): a colleague's correction since is not withdrawn unseen. */
  const withdraw = (): Promise<void> =>
    run(async () => {
      setConfirming(false);
      if (!base?.etag) return;
      setAttempt('withdraw');
      setPhase('withdrawing');
      const year = base.dataset.academicYear;
      const { latest } = await api.withdrawResourceBases(year, { idempotencyKey: api.newIdempotencyKey(), ifMatch: base.etag });
      // Nothing is being edited against any more: the sheet keeps the withdrawn figures until the latest is loaded.
      setBase(undefined);
      setPublished(undefined);
      setProblems(undefined);
      setWithdrawn({ year, latest });
      await recalculateWorkbook();
    });

  const busy = phase !== 'idle';
  // Only a dataset the API holds can be withdrawn; the bundled review (no ETag) cannot.
  const withdrawable = base?.etag !== undefined && !occupied;
  return (
    <Section title="Resource base dataset" id="resource-bases-heading">
      <Body1>
        Load the latest published dataset into a sheet, change places and costs there, then publish it. Everyone&apos;s RB.* functions use the published figures.
      </Body1>
      <div className={common.row}>
        <Button appearance={base ? 'secondary' : 'primary'} icon={<ArrowDownloadRegular />} disabled={busy} onClick={() => void load()}>
          {base ? 'Reload the latest' : 'Edit resource bases'}
        </Button>
        {base ? (
          <>
            <Button icon={<CheckmarkCircleRegular />} disabled={busy} onClick={() => void run(async () => void (await check()))}>
              Check
            </Button>
            <Button appearance="primary" icon={<CloudArrowUpRegular />} disabled={busy} onClick={() => void publish()}>
              Publish
            </Button>
            {withdrawable ? (
              <Button icon={<DeleteRegular />} disabled={busy || confirming} onClick={() => setConfirming(true)}>
                {`Withdraw ${base.dataset.academicYear}…`}
              </Button>
            ) : null}
          </>
        ) : null}
      </div>
      {confirming && base ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{`Withdraw the ${base.dataset.academicYear} dataset?`}</MessageBarTitle> Everyone&apos;s RB.* functions stop using its figures and use the newest
            year that remains, or the bundled 2019-20 review if none does. Do this for a year published by mistake; the sheet keeps its figures, so it can be published again.
          </MessageBarBody>
          <MessageBarActions>
            <Button onClick={() => void withdraw()}>{`Withdraw ${base.dataset.academicYear}`}</Button>
            <Button appearance="primary" onClick={() => setConfirming(false)}>
              Keep it
            </Button>
          </MessageBarActions>
        </MessageBar>
      ) : null}
      {phase !== 'idle' ? <Progress label={PROGRESS[phase]} /> : null}
      {occupied ? (
        <ReplaceSheet
          sheet={DATASET_SHEET.sheetName}
          consequence="Replacing it loads the latest published figures and loses any edits on it that were not published. Keep it to check and publish what is on it now."
          keepLabel="Keep my sheet"
          onReplace={() => void write(occupied, true)}
          onKeep={keep}
        />
      ) : null}
      {error?.kind === 'stale' && attempt === 'withdraw' ? (
        <ErrorBar
          error={{
            ...error,
            title: 'The dataset changed after you loaded it.',
            detail: 'Nothing was withdrawn: a colleague published a correction since. Load the latest and look at it before withdrawing it.',
            next: 'Choose Edit resource bases to load the latest.',
          }}
        />
      ) : error?.kind === 'stale' ? (
        <ErrorBar
          error={{
            ...error,
            title: 'Someone else published the dataset after you loaded it.',
            detail: 'Nothing was published, so their figures are not lost. Your edits are still on the sheet.',
            next: "Copy your changed rows somewhere safe, choose Reload the latest (it replaces the sheet with their version), then make your changes again and publish.",
          }}
        />
      ) : error ? (
        <ErrorBar error={error} />
      ) : null}
      {base && !published && !occupied ? (
        <Caption1>{`Editing ${base.dataset.academicYear}${base.dataset.publishedAt ? `, published ${when(base.dataset.publishedAt)}` : ' (the bundled review figures)'}. Need codes: ${Object.keys(base.dataset.needCodes).join(', ')}.`}</Caption1>
      ) : null}
      {problems && problems.length > 0 ? <ProblemList problems={problems} /> : null}
      {problems && problems.length === 0 && !published && phase === 'idle' ? (
        <MessageBar intent="success">
          <MessageBarBody>No problems found: the sheet is ready to publish.</MessageBarBody>
        </MessageBar>
      ) : null}
      {withdrawn ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{`Withdrew ${withdrawn.year}`}</MessageBarTitle>{' '}
            {`The RB.* functions in this workbook have recalculated on ${withdrawn.latest ? `the ${withdrawn.latest} dataset, now the latest` : 'the bundled 2019-20 review: no published dataset remains'}; other users get it within a few minutes. The '${DATASET_SHEET.sheetName}' sheet still holds the withdrawn figures: choose Edit resource bases to load the latest.`}
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {published ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{`Published ${published.dataset.academicYear}`}</MessageBarTitle>{' '}
            {`${plural(published.dataset.rows.length, 'resource base row')}, ${plural(published.dataset.rows.reduce((n, r) => n + r.places, 0), 'commissioned place')}.`}
            {published.replayed ? ' (This publish had already reached Good Start; it was not sent twice.)' : ''} The RB.* functions in this workbook have recalculated on the new figures;
            other users get them within a few minutes.
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Section>
  );
}

function ProblemList({ problems }: { problems: DatasetProblem[] }): JSX.Element {
  return (
    <MessageBar intent="error" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{`${plural(problems.length, 'problem')} to fix before publishing`}</MessageBarTitle> The cells are filled red on the sheet.
        <ul aria-label="Problems in the dataset">
          {problems.map((p, i) => (
            <li key={`${p.cell ?? ''}-${i}`}>
              {p.cell ? (
                <Link as="button" onClick={() => void selectDatasetCell(p.cell as string)}>
                  {p.cell}
                </Link>
              ) : null}{' '}
              {p.message}
            </li>
          ))}
        </ul>
      </MessageBarBody>
    </MessageBar>
  );
}
