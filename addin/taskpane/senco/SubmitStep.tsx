/**
 * Step 3: submit the return to the LA, once. Shows the school's status and history from the
 * API, sends with an Idempotency-Key (kept for a retry after an outage), and ends with a
 * receipt. A submission reads the sheet and changes nothing in it.
 */
import { useEffect } from 'react';
import {
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  MessageBar,
  MessageBarBody,
  Spinner,
  Subtitle2,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Text,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { ReceiptRegular, SendRegular, SaveRegular, ArrowClockwiseRegular } from '@fluentui/react-icons';
import { ErrorBar, Progress, Section, plural, useCommonStyles, when } from '../common';
import { academicYearOf as academicYearLabel } from '../../../shared/year';
import type { TransitionModel } from './useTransition';
import { CrossSchoolNoticeBar } from './CrossSchoolNotice';

const useStyles = makeStyles({
  receipt: { borderLeft: `4px solid ${tokens.colorPaletteGreenBorder2}` },
  dl: { display: 'grid', gridTemplateColumns: 'max-content 1fr', columnGap: tokens.spacingHorizontalM, rowGap: tokens.spacingVerticalXXS, margin: 0 },
  dd: { margin: 0, overflowWrap: 'anywhere' },
  hash: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
});

const statusLabel = (s: string): string => (s.toLowerCase() === 'draft' ? 'Draft' : s.toLowerCase() === 'submitted' ? 'Submitted' : s);

export function SubmitStep({ model, onCheck }: { model: TransitionModel; onCheck: () => void }): JSX.Element {
  const common = useCommonStyles();
  const { check, remote, submit } = model;
  const summary = check?.report.summary;
  const unexplained = summary?.unexplainedQueries;
  const errors = summary?.errors;
  const ready = summary !== undefined && errors === 0 && unexplained === 0;
  const draftable = summary !== undefined && errors === 0;
  const busy = submit.kind === 'reading' || submit.kind === 'sending';
  const loadRemote = model.loadRemote;

  useEffect(() => {
    void loadRemote();
  }, [loadRemote]);

  const reason =
    summary === undefined
      ? 'Check the sheet first: submission is enabled once it has no errors and every query is fixed or explained.'
      : errors && errors > 0
        ? `Fix ${plural(errors, 'error')} first (see Check).`
        : unexplained && unexplained > 0
          ? `Fix or explain ${plural(unexplained, 'query', 'queries')} first, or save a draft meanwhile.`
          : undefined;

  return (
    <Section title="Submit to the LA" id="submit-heading">
      <Card>
        <CardHeader
          header={<Subtitle2>{`Your return for ${academicYearLabel(model.year)}`}</Subtitle2>}
          action={
            <Button appearance="subtle" icon={<ArrowClockwiseRegular />} onClick={() => void loadRemote()} disabled={remote.loading} aria-label="Reload status">
              Reload
            </Button>
          }
        />
        {remote.loading && remote.current === undefined ? <Spinner size="tiny" label="Loading your status…" /> : null}
        {remote.error ? <ErrorBar error={remote.error} /> : null}
        {remote.current === null ? <Body1>Nothing has been sent to the LA yet.</Body1> : null}
        {remote.current ? (
          <Body1>{`${statusLabel(remote.current.status)}: version ${remote.current.version}, ${when(remote.current.submittedAt)}.`}</Body1>
        ) : null}
        {remote.current && remote.current.seenBy.length > 0 ? (
          <div aria-label="Opened by receiving secondaries">
            <Caption1 block>Opened by the receiving secondaries:</Caption1>
            <ul style={{ margin: 0, paddingLeft: 20 }}>
              {remote.current.seenBy.map((s) => (
                <li key={`${s.secondary}-${s.version}`}>
                  <Caption1>{`${s.secondary}: version ${s.version}, ${when(s.at)}`}</Caption1>
                </li>
              ))}
            </ul>
          </div>
        ) : remote.current ? (
          <Caption1>No receiving secondary has opened it yet.</Caption1>
        ) : null}
      </Card>

      {reason ? (
        <MessageBar intent="info" layout="multiline">
          <MessageBarBody>
            {reason}{' '}
            {summary === undefined || (errors ?? 0) > 0 || (unexplained ?? 0) > 0 ? (
              <Button size="small" onClick={onCheck}>
                Go to Check
              </Button>
            ) : null}
          </MessageBarBody>
        </MessageBar>
      ) : null}

      <div className={common.row}>
        <Button appearance="primary" icon={<SendRegular />} disabled={!ready || busy} onClick={() => void model.send('submitted')}>
          Submit to the LA
        </Button>
        <Button icon={<SaveRegular />} disabled={!draftable || busy} onClick={() => void model.send('draft')}>
          Save draft
        </Button>
      </div>
      <Caption1>A submission sends the sheet as it is now and changes nothing in it. Sending again without changes stores nothing new.</Caption1>

      {submit.kind === 'reading' ? <Progress label="Reading the sheet…" /> : null}
      {submit.kind === 'sending' ? (
        <Progress label={submit.attempt ? `The service is busy; trying again (${submit.attempt} of ${submit.of ?? '?'})…` : submit.status === 'draft' ? 'Saving the draft…' : 'Sending the return to the LA…'} />
      ) : null}
      {submit.kind === 'failed' ? (
        <ErrorBar
          error={submit.error}
          actions={
            submit.error.kind === 'stale' ? (
              <Button
                onClick={() => {
                  model.dismissSubmit();
                  void loadRemote();
                }}
              >
                Reload status
              </Button>
            ) : submit.error.kind === 'offline' ? (
              <Button onClick={() => void model.send(submit.status)}>Try again</Button>
            ) : submit.error.kind === 'validation' ? (
              <Button onClick={onCheck}>Go to Check</Button>
            ) : undefined
          }
        />
      ) : null}
      {submit.kind === 'done' ? <ReceiptCard model={model} /> : null}

      <History model={model} />
    </Section>
  );
}

function ReceiptCard({ model }: { model: TransitionModel }): JSX.Element | null {
  const styles = useStyles();
  if (model.submit.kind !== 'done') return null;
  const { result, status } = model.submit;
  const r = result.receipt;
  const rep = r.report?.summary;
  return (
    <Card className={styles.receipt} role="region" aria-label="Receipt">
      <CardHeader image={<ReceiptRegular aria-hidden />} header={<Subtitle2>{status === 'draft' ? 'Draft saved' : 'Submitted to the LA'}</Subtitle2>} />
      {!result.created ? (
        <MessageBar intent="info">
          <MessageBarBody>{`No change since version ${r.version}: nothing new was stored.`}</MessageBarBody>
        </MessageBar>
      ) : null}
      <dl className={styles.dl}>
        <dt>Version</dt>
        <dd className={styles.dd}>{r.version}</dd>
        <dt>Status</dt>
        <dd className={styles.dd}>{statusLabel(r.status)}</dd>
        <dt>Time</dt>
        <dd className={styles.dd}>{when(r.submittedAt)}</dd>
        <dt>Pupils</dt>
        <dd className={styles.dd}>{rep?.rows ?? '—'}</dd>
        <dt>Queries</dt>
        <dd className={styles.dd}>{rep ? `${rep.queries} (${rep.queries - rep.unexplainedQueries} explained)` : '—'}</dd>
        <dt>Content hash</dt>
        <dd className={`${styles.dd} ${styles.hash}`}>{r.contentHash}</dd>
      </dl>
      <CrossSchoolNoticeBar notice={r.crossSchool} />
      <Caption1>Keep this receipt: the LA sees the same version and hash.</Caption1>
    </Card>
  );
}

function History({ model }: { model: TransitionModel }): JSX.Element | null {
  const { history } = model.remote;
  if (history.length === 0) return null;
  return (
    <div>
      <Text as="h3" weight="semibold">
        History
      </Text>
      <Table size="small" aria-label="Versions sent to the LA">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Version</TableHeaderCell>
            <TableHeaderCell>Status</TableHeaderCell>
            <TableHeaderCell>When</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {history.map((h) => (
            <TableRow key={h.version}>
              <TableCell>{h.version}</TableCell>
              <TableCell>{statusLabel(h.status)}</TableCell>
              <TableCell>{when(h.submittedAt)}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
    </div>
  );
}
