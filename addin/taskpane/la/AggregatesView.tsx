/**
 * City aggregates into Excel: one sheet per view, each table with a native chart beside it,
 * refreshed in place. Outside the LA the API has applied disclosure control, and the sheets say
 * why a cell shows `c`. The LA also opens the consolidated return as a new workbook here.
 */
import { useEffect, useRef, useState } from 'react';
import { Body1, Button, Field, Input, Link, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { ArrowDownloadRegular, DataBarVerticalRegular, DocumentTableRegular } from '@fluentui/react-icons';
import { academicYearOf, currentTransferYear } from '../../../shared/year';
import { type AggregatesResult, SUPPRESSION_NOTE, openAsNewWorkbook, pullAggregates } from '../../excel/laSheets';
import { ErrorBar, Progress, Section, plural, useAction, useCommonStyles } from '../common';
import type { DescribeError, PaneApi, PaneError } from '../ports';

export function AggregatesView({ api, describe, consolidated, scope }: { api: PaneApi; describe: DescribeError; consolidated: boolean; scope: string }): JSX.Element {
  const common = useCommonStyles();
  const [year, setYear] = useState(String(currentTransferYear()));
  const [busy, setBusy] = useState<'fetching' | 'writing' | undefined>();
  const [result, setResult] = useState<(AggregatesResult & { included: number; expected: number; controlled: boolean }) | undefined>();
  const [error, setError] = useState<PaneError | undefined>();
  const y = /^\d{4}$/.test(year.trim()) ? Number(year.trim()) : undefined;

  const pull = async (): Promise<void> => {
    if (y === undefined) return;
    setError(undefined);
    setBusy('fetching');
    try {
      const a = await api.aggregates(y);
      setBusy('writing');
      const written = await pullAggregates({
        year: a.year,
        academicYear: academicYearOf(a.year),
        tables: a.tables,
        schools: a.schools,
        disclosureControlled: a.disclosureControlled,
        pulledAt: new Date(),
      });
      setResult({ ...written, included: a.schools.included, expected: a.schools.expected, controlled: a.disclosureControlled });
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(undefined);
    }
  };

  return (
    <>
      <Section title="Aggregates into Excel" id="aggregates-heading">
        <Body1>
          Writes {scope}&apos;s counts into this workbook: one sheet per view (primary need by SEN provision, broad area of need by locality area, pupils by receiving
          secondary, support level), each as an Excel table with a chart beside it. Refreshing updates the same tables and charts.
        </Body1>
        <Field label="Transfer year (the September they start Year 7)" validationMessage={y === undefined ? 'Type a four-digit year, e.g. 2027.' : undefined}>
          <Input value={year} onChange={(_, d) => setYear(d.value)} inputMode="numeric" />
        </Field>
        <div className={common.row}>
          <Button appearance="primary" icon={<DataBarVerticalRegular />} disabled={busy !== undefined || y === undefined} onClick={() => void pull()}>
            {result ? 'Refresh aggregates' : 'Pull aggregates'}
          </Button>
        </div>
        {busy === 'fetching' ? <Progress label="Fetching the aggregates from Good Start…" /> : null}
        {busy === 'writing' ? <Progress label="Writing the tables and charts…" /> : null}
        {error ? <ErrorBar error={error} /> : null}
        {result ? (
          <>
            <MessageBar intent="success" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>{`${plural(result.tables, 'table')} and ${plural(result.charts, 'chart')} ${result.sheets.every((s) => s.created) ? 'written' : 'refreshed'}`}</MessageBarTitle>{' '}
                {`On ${result.sheets.map((s) => `'${s.sheet}'`).join(', ')}, from ${result.included} of ${plural(result.expected, 'primary', 'primaries')} that have submitted.`}
              </MessageBarBody>
            </MessageBar>
            {result.controlled || result.suppressedCells > 0 ? (
              <MessageBar intent="info" layout="multiline">
                <MessageBarBody>
                  <MessageBarTitle>{result.suppressedCells > 0 ? `${plural(result.suppressedCells, 'cell')} show c` : 'Disclosure control applies'}</MessageBarTitle> {SUPPRESSION_NOTE}
                </MessageBarBody>
              </MessageBar>
            ) : null}
          </>
        ) : null}
      </Section>
      {consolidated ? <ConsolidatedReturn api={api} describe={describe} year={y} /> : null}
    </>
  );
}

/** The consolidated city return: opened as a new workbook, or offered as a download where Excel cannot. */
function ConsolidatedReturn({ api, describe, year }: { api: PaneApi; describe: DescribeError; year: number | undefined }): JSX.Element {
  const common = useCommonStyles();
  const { busy, error, run } = useAction(describe);
  const [outcome, setOutcome] = useState<{ opened: true; filename: string } | { opened: false; filename: string; url: string } | undefined>();
  const url = useRef<string | undefined>();
  useEffect(() => () => (url.current ? URL.revokeObjectURL(url.current) : undefined), []);

  const open = async (): Promise<void> => {
    if (year === undefined) return;
    setOutcome(undefined);
    await run(async () => {
      const { bytes, filename } = await api.consolidatedExport(year);
      const opened = await openAsNewWorkbook(bytes);
      if (opened.opened === 'workbook') setOutcome({ opened: true, filename });
      else {
        if (url.current) URL.revokeObjectURL(url.current);
        url.current = URL.createObjectURL(new Blob([bytes.slice().buffer], { type: 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet' }));
        setOutcome({ opened: false, filename, url: url.current });
      }
    });
  };

  return (
    <Section title="Consolidated return" id="consolidated-heading">
      <Body1>Every submitted return in one workbook, as the LA files it: pupils, the city tables and an About sheet. It opens as a new workbook, so this one is not changed.</Body1>
      <div className={common.row}>
        <Button icon={<DocumentTableRegular />} disabled={busy || year === undefined} onClick={() => void open()}>
          Open consolidated return
        </Button>
      </div>
      {busy ? <Progress label="Building the consolidated return…" /> : null}
      {error ? <ErrorBar error={error} /> : null}
      {outcome?.opened ? (
        <MessageBar intent="success">
          <MessageBarBody>
            <MessageBarTitle>Opened in a new workbook</MessageBarTitle> {outcome.filename}: save it somewhere only LA staff can reach; it holds pupils&apos; data.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {outcome && !outcome.opened ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>This Excel cannot open a new workbook from an add-in</MessageBarTitle> Download it instead, then open it from your Downloads folder.{' '}
            <Link href={outcome.url} download={outcome.filename}>
              <ArrowDownloadRegular aria-hidden /> Download {outcome.filename}
            </Link>
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Section>
  );
}
