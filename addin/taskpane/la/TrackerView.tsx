/**
 * The submission tracker: every expected school's state for the year, filtered and sorted, with
 * the chase list written to a sheet (refreshed in place) and the chased schools' contact
 * addresses copied for a BCC. The LA sees the city; a trust, as the API scopes it, its own schools.
 */
import { useEffect, useState } from 'react';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Field,
  Input,
  MessageBar,
  MessageBarBody,
  MessageBarTitle,
  Select,
  Table,
  TableBody,
  TableCell,
  TableHeader,
  TableHeaderCell,
  TableRow,
  Textarea,
} from '@fluentui/react-components';
import { ArrowClockwiseRegular, CopyRegular, MailRegular, TableRegular } from '@fluentui/react-icons';
import { chaseAddresses, needsChasing } from '../../../shared/chaseList';
import { SCHOOL_STATES, STATUS_LABELS, type SchoolState } from '../../../shared/status';
import { daysToDeadline, returnDeadline } from '../../../shared/timetable';
import { academicYearOf, currentTransferYear } from '../../../shared/year';
import { type ChaseListResult, writeChaseList } from '../../excel/laSheets';
import { ErrorBar, Progress, Section, plural, useCommonStyles, when } from '../common';
import type { DescribeError, PaneApi, PaneError, TrackerCrossSchool, TrackerView as Tracker } from '../ports';
import { ALL, NO_FILTER, TRACKER_SORTS, type TrackerFilter, type TrackerSort, filterTracker, optionsOf, sharedUpnLines } from './trackerModel';

const STATUS_COLOUR: Record<SchoolState, 'danger' | 'warning' | 'success'> = { outstanding: 'danger', draft: 'warning', submitted: 'success' };

export function TrackerView({ api, describe, scope }: { api: PaneApi; describe: DescribeError; scope: string }): JSX.Element {
  const common = useCommonStyles();
  const [year, setYear] = useState(String(currentTransferYear()));
  const [tracker, setTracker] = useState<Tracker | undefined>();
  const [filter, setFilter] = useState<TrackerFilter>(NO_FILTER);
  const [sort, setSort] = useState<TrackerSort>('status');
  const [busy, setBusy] = useState<'loading' | 'writing' | undefined>();
  const [error, setError] = useState<PaneError | undefined>();
  const [chase, setChase] = useState<ChaseListResult | undefined>();
  const [copied, setCopied] = useState<{ addresses: string[]; onClipboard: boolean } | undefined>();
  const y = /^\d{4}$/.test(year.trim()) ? Number(year.trim()) : undefined;

  const load = async (): Promise<Tracker | undefined> => {
    if (y === undefined) return undefined;
    setError(undefined);
    setBusy('loading');
    try {
      const t = await api.tracker(y);
      setTracker(t);
      return t;
    } catch (e) {
      setError(describe(e));
      return undefined;
    } finally {
      setBusy(undefined);
    }
  };

  useEffect(() => {
    void load();
    // Load once for the default year; later loads are the user's.
  }, []);

  const writeList = async (): Promise<void> => {
    // The sheet is written from fresh data, so "Refresh" means what it says.
    const t = await load();
    if (!t) return;
    setBusy('writing');
    try {
      setChase(
        await writeChaseList({
          year: t.year,
          academicYear: academicYearOf(t.year),
          schools: t.schools,
          today: new Date(),
          ...(t.crossSchool ? { crossSchool: { line: t.crossSchool.line, groups: sharedUpnLines(t.crossSchool, t.schools) } } : {}),
        }),
      );
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(undefined);
    }
  };

  const copyAddresses = async (): Promise<void> => {
    if (!tracker) return;
    const addresses = chaseAddresses(tracker.schools);
    let onClipboard = false;
    try {
      await navigator.clipboard.writeText(addresses.join('; '));
      onClipboard = true;
    } catch {
      // Some Office hosts block the clipboard: the addresses are shown to copy by hand instead.
    }
    setCopied({ addresses, onClipboard });
  };

  const shown = tracker ? filterTracker(tracker.schools, filter, sort) : [];
  const toChase = tracker ? tracker.schools.filter(needsChasing).length : 0;
  const days = tracker ? daysToDeadline(tracker.year, new Date()) : undefined;

  return (
    <Section title="Submission tracker" id="tracker-heading">
      <Body1>Every school expected to send a return for {scope}: who has submitted, who has a draft, and who has sent nothing yet.</Body1>
      <div className={common.row}>
        <Field label="Transfer year (the September they start Year 7)" validationMessage={y === undefined ? 'Type a four-digit year, e.g. 2027.' : undefined}>
          <Input value={year} onChange={(_, d) => setYear(d.value)} inputMode="numeric" />
        </Field>
        <Button icon={<ArrowClockwiseRegular />} disabled={busy !== undefined || y === undefined} onClick={() => void load()}>
          Refresh
        </Button>
      </div>
      {busy === 'loading' ? <Progress label="Fetching the tracker from Good Start…" /> : null}
      {busy === 'writing' ? <Progress label="Writing the chase list sheet…" /> : null}
      {error ? <ErrorBar error={error} /> : null}
      {tracker ? (
        <>
          <MessageBar intent={toChase === 0 ? 'success' : 'info'} layout="multiline">
            <MessageBarBody>
              <MessageBarTitle>{`${tracker.schools.length - toChase} of ${plural(tracker.schools.length, 'school')} submitted`}</MessageBarTitle>{' '}
              {toChase === 0
                ? 'Nobody to chase.'
                : `${plural(toChase, 'school')} to chase. Returns are due ${returnDeadline(tracker.year).toLocaleDateString('en-GB', { dateStyle: 'long', timeZone: 'UTC' })}${
                    days !== undefined && days >= 0 ? ` (${plural(days, 'day')} to go)` : ' (the deadline has passed)'
                  }.`}
            </MessageBarBody>
          </MessageBar>
          {tracker.crossSchool && tracker.crossSchool.upns > 0 ? <SharedUpns crossSchool={tracker.crossSchool} schools={tracker.schools} /> : null}
          <div className={common.row}>
            <Button appearance="primary" icon={<TableRegular />} disabled={busy !== undefined} onClick={() => void writeList()}>
              {chase ? 'Refresh chase list' : 'Chase list'}
            </Button>
            <Button icon={<MailRegular />} disabled={busy !== undefined || toChase === 0} onClick={() => void copyAddresses()}>
              Copy e-mail addresses
            </Button>
          </div>
          {chase ? (
            <MessageBar intent="success">
              <MessageBarBody>
                <MessageBarTitle>{`'${chase.sheet}' ${chase.created ? 'created' : 'refreshed'}`}</MessageBarTitle> {plural(chase.schools, 'school')} to chase, with the days left to the deadline.
              </MessageBarBody>
            </MessageBar>
          ) : null}
          {copied ? <CopiedAddresses {...copied} /> : null}
          <div className={common.row}>
            <Field label="Status">
              <Select value={filter.status} onChange={(_, d) => setFilter({ ...filter, status: d.value as TrackerFilter['status'] })}>
                <option value={ALL}>All statuses</option>
                {SCHOOL_STATES.map((s) => (
                  <option key={s} value={s}>
                    {STATUS_LABELS[s]}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Locality area">
              <Select value={filter.area} onChange={(_, d) => setFilter({ ...filter, area: d.value })}>
                <option value={ALL}>All areas</option>
                {optionsOf(tracker.schools, 'area').map((a) => (
                  <option key={a}>{a}</option>
                ))}
              </Select>
            </Field>
            <Field label="Phase">
              <Select value={filter.phase} onChange={(_, d) => setFilter({ ...filter, phase: d.value })}>
                <option value={ALL}>All phases</option>
                {optionsOf(tracker.schools, 'phase').map((p) => (
                  <option key={p} value={p}>
                    {p === 'primary' ? 'Primary' : p === 'secondary' ? 'Secondary' : p}
                  </option>
                ))}
              </Select>
            </Field>
            <Field label="Sort by">
              <Select value={sort} onChange={(_, d) => setSort(d.value as TrackerSort)}>
                {Object.entries(TRACKER_SORTS).map(([k, label]) => (
                  <option key={k} value={k}>
                    {label}
                  </option>
                ))}
              </Select>
            </Field>
          </div>
          <Caption1 role="status" aria-live="polite">{`Showing ${plural(shown.length, 'school')} of ${tracker.schools.length}.`}</Caption1>
          <Table size="small" aria-label="Schools and their returns">
            <TableHeader>
              <TableRow>
                <TableHeaderCell>School</TableHeaderCell>
                <TableHeaderCell>Status</TableHeaderCell>
                <TableHeaderCell>Last sent</TableHeaderCell>
              </TableRow>
            </TableHeader>
            <TableBody>
              {shown.map((s) => (
                <TableRow key={s.school}>
                  <TableCell>
                    {s.name}
                    <Caption1 block>{`${s.school} · ${s.area}`}</Caption1>
                  </TableCell>
                  <TableCell>
                    <Badge appearance="tint" color={STATUS_COLOUR[s.status]}>
                      {STATUS_LABELS[s.status]}
                    </Badge>
                    {s.status === 'outstanding' ? null : <Caption1 block>{`${plural(s.errors, 'error')}, ${plural(s.queries, 'query', 'queries')}`}</Caption1>}
                    {s.crossSchoolUpns ? <Caption1 block>{`${plural(s.crossSchoolUpns, 'UPN')} also on another school's return`}</Caption1> : null}
                  </TableCell>
                  <TableCell>{s.submittedAt ? when(s.submittedAt) : 'Never'}</TableCell>
                </TableRow>
              ))}
            </TableBody>
          </Table>
        </>
      ) : null}
    </Section>
  );
}

/** Issue 29: UPNs on more than one school's return, the schools sharing them, and how the city tables count them. */
function SharedUpns({ crossSchool, schools }: { crossSchool: TrackerCrossSchool; schools: Tracker['schools'] }): JSX.Element {
  const lines = sharedUpnLines(crossSchool, schools);
  return (
    <MessageBar intent="warning" layout="multiline" aria-label="UPNs on more than one school's return">
      <MessageBarBody>
        <MessageBarTitle>{`${plural(crossSchool.upns, 'UPN')} on more than one school's return`}</MessageBarTitle> {crossSchool.line}
        {lines.length > 0 ? (
          <ul>
            {lines.map((l) => (
              <li key={l}>{l}</li>
            ))}
          </ul>
        ) : null}
      </MessageBarBody>
    </MessageBar>
  );
}

function CopiedAddresses({ addresses, onClipboard }: { addresses: string[]; onClipboard: boolean }): JSX.Element {
  if (addresses.length === 0) return <Body1>The directory has no contact address for the schools to chase.</Body1>;
  return (
    <>
      <MessageBar intent={onClipboard ? 'success' : 'warning'} layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{onClipboard ? `${plural(addresses.length, 'address', 'addresses')} copied` : 'Copy the addresses below'}</MessageBarTitle>{' '}
          {onClipboard ? 'Paste them into the BCC line of your e-mail, so schools do not see each other’s addresses.' : 'This Office host does not let add-ins use the clipboard. Select the text below and copy it, then paste it into BCC.'}
        </MessageBarBody>
      </MessageBar>
      <Field label="Addresses of the schools to chase">
        <Textarea readOnly value={addresses.join('; ')} resize="vertical" />
      </Field>
      <Caption1>
        <CopyRegular aria-hidden /> Addresses come from the LA&apos;s school directory.
      </Caption1>
    </>
  );
}
