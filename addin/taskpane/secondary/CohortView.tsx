/**
 * The secondary SENCo's pane: pull every incoming Year 7 pupil from every feeder primary into
 * one sheet named for the year, and refresh it in place. Columns the school added right of AM
 * stay with their pupil; pupils who left are listed, never dropped.
 */
import { useState } from 'react';
import { Body1, Button, Caption1, Field, Input, MessageBar, MessageBarBody, MessageBarTitle, Table, TableBody, TableCell, TableHeader, TableHeaderCell, TableRow, Text } from '@fluentui/react-components';
import { ArrowDownloadRegular } from '@fluentui/react-icons';
import { currentTransferYear } from '../../../shared/year';
import type { CohortPupil } from '../../../shared/transition/cohortPlan';
import { type CohortResult, pullCohortSheet } from '../../excel/cohortSheet';
import { ErrorBar, Progress, Section, plural, useCommonStyles } from '../common';
import type { DescribeError, PaneApi, PaneError, SchoolEntry } from '../ports';
import { academicYearOf as academicYearLabel } from '../../../shared/year';
import { cohortCrossSchoolNotice } from '../../../shared/crossSchool';

export function CohortView({ school, api, describe }: { school: SchoolEntry; api: PaneApi; describe: DescribeError }): JSX.Element {
  const common = useCommonStyles();
  const [year, setYear] = useState(String(currentTransferYear()));
  const [phase, setPhase] = useState<'idle' | 'fetching' | 'writing'>('idle');
  const [result, setResult] = useState<CohortResult | undefined>();
  const [shared, setShared] = useState<SharedPupil[]>([]);
  const [error, setError] = useState<PaneError | undefined>();
  const y = /^\d{4}$/.test(year.trim()) ? Number(year.trim()) : undefined;

  const pull = async (): Promise<void> => {
    if (y === undefined) return;
    setError(undefined);
    setPhase('fetching');
    try {
      const cohort = await api.cohort(school.laestab, y);
      setPhase('writing');
      const names = new Map(cohort.feeders.map((f) => [f.primary, (f as { name?: string | null }).name ?? f.primary]));
      const pupilOf = new Map(cohort.pupils.map((p) => [p.upn, p]));
      const warnings = (cohort.crossSchool ?? []).map((w) => {
        const p = pupilOf.get(w.upn);
        return { name: p ? `${p.forename} ${p.surname}`.trim() : w.upn, upn: w.upn, from: names.get(w.sourceSchool) ?? w.sourceSchool, alsoFrom: w.alsoFrom.map((s) => names.get(s) ?? s), otherReturns: w.otherReturns };
      });
      setShared(warnings);
      setResult(
        await pullCohortSheet({
          year: y,
          academicYear: academicYearLabel(y),
          school: { laestab: school.laestab, name: school.name },
          pupils: cohort.pupils as unknown as CohortPupil[],
          primaryNames: names,
          pulledAt: new Date(),
          crossSchool: warnings.length,
        }),
      );
    } catch (e) {
      setError(describe(e));
    } finally {
      setPhase('idle');
    }
  };

  return (
    <Section title="Incoming Year 7 cohort" id="cohort-heading">
      <Body1>Pulls every incoming pupil from every feeder primary that has submitted, into one sheet. Refreshing updates it in place.</Body1>
      <Field label="Transfer year (the September they start Year 7)" validationMessage={y === undefined ? 'Type a four-digit year, e.g. 2027.' : undefined}>
        <Input value={year} onChange={(_, d) => setYear(d.value)} inputMode="numeric" />
      </Field>
      <div className={common.row}>
        <Button appearance="primary" icon={<ArrowDownloadRegular />} disabled={phase !== 'idle' || y === undefined} onClick={() => void pull()}>
          {result ? 'Refresh cohort' : 'Pull incoming cohort'}
        </Button>
      </div>
      {phase === 'fetching' ? <Progress label="Fetching the cohort from Good Start…" /> : null}
      {phase === 'writing' ? <Progress label="Writing the cohort sheet…" /> : null}
      {error ? <ErrorBar error={error} /> : null}
      {result && shared.length > 0 ? <SharedPupilsWarning pupils={shared} /> : null}
      {result ? <CohortSummaryView result={result} /> : null}
    </Section>
  );
}

interface SharedPupil {
  name: string;
  upn: string;
  /** The feeder whose row is on the sheet. */
  from: string;
  /** Other feeders of this cohort that sent the same UPN (their rows are left out). */
  alsoFrom: string[];
  otherReturns: number;
}

/** Issue 29: a pupil on more than one school's return is listed once; the LA decides which school is right. */
function SharedPupilsWarning({ pupils }: { pupils: SharedPupil[] }): JSX.Element {
  return (
    <MessageBar intent="warning" layout="multiline" aria-label="Pupils on more than one school's return">
      <MessageBarBody>
        <MessageBarTitle>{`${plural(pupils.length, 'pupil')} on more than one school's return`}</MessageBarTitle>{' '}
        {cohortCrossSchoolNotice(pupils.length)}
        <ul>
          {pupils.map((p) => (
            <li key={p.upn}>
              {`${p.name} (UPN ${p.upn}): listed from ${p.from}`}
              {p.alsoFrom.length > 0 ? `; also sent by ${p.alsoFrom.join(', ')}` : ''}
              {p.otherReturns > p.alsoFrom.length ? `; on ${plural(p.otherReturns - p.alsoFrom.length, "other school's return", "other schools' returns")}` : ''}
            </li>
          ))}
        </ul>
      </MessageBarBody>
    </MessageBar>
  );
}

function CohortSummaryView({ result }: { result: CohortResult }): JSX.Element {
  const { summary } = result;
  return (
    <>
      <MessageBar intent="success" layout="multiline">
        <MessageBarBody>
          <MessageBarTitle>{`'${result.sheet}' ${result.created ? 'created' : 'refreshed'}`}</MessageBarTitle>{' '}
          {`${plural(summary.pupils, 'pupil')} from ${plural(summary.feeders, 'feeder primary', 'feeder primaries')}.`}
          {result.created ? '' : ` ${plural(result.added, 'new pupil')}; your own columns stayed with their pupils.`}
        </MessageBarBody>
      </MessageBar>
      {summary.pupils === 0 ? <Body1>No feeder primary has submitted pupils for you yet. Refresh later: the sheet updates in place.</Body1> : null}
      <Table size="small" aria-label="Pupils by support level">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Support level</TableHeaderCell>
            <TableHeaderCell>Pupils</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {summary.bySupport.map((s) => (
            <TableRow key={s.level}>
              <TableCell>{s.level}</TableCell>
              <TableCell>{s.pupils}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <Table size="small" aria-label="Pupils by broad area of need">
        <TableHeader>
          <TableRow>
            <TableHeaderCell>Broad area of need</TableHeaderCell>
            <TableHeaderCell>Pupils</TableHeaderCell>
          </TableRow>
        </TableHeader>
        <TableBody>
          {summary.byArea.map((a) => (
            <TableRow key={a.area}>
              <TableCell>{a.area}</TableCell>
              <TableCell>{a.pupils}</TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      {result.left.length > 0 ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{`${plural(result.left.length, 'pupil')} left the cohort`}</MessageBarTitle>{" "}
            Their rows are kept below the cohort on the sheet, with your notes:{' '}
            {result.left.map((l) => `${l.forename} ${l.surname}`.trim()).join(', ')}.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      <Caption1>
        <Text>Column P names each pupil&apos;s primary. Add your own columns right of AM (tutor group, notes): a refresh keeps them with their pupil.</Text>
      </Caption1>
    </>
  );
}
