/**
 * Insert a costing sheet: locality area × need group with RB.PLACES, RB.COSTPERPLACE and
 * RB.SUFFICIENCY, and a chart of commissioned places. The formulas read the LA's latest published
 * dataset; sufficiency reads the live demand for the chosen intake when signed in.
 */
import { useState } from 'react';
import { Body1, Button, Field, Input, MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { TableAddRegular } from '@fluentui/react-icons';
import { BUNDLED_RESOURCE_BASES } from '../../../shared/resourceBases/dataset';
import { COSTING_SHEET } from '../../../shared/resourceBases/costingSheet';
import { currentTransferYear } from '../../../shared/year';
import { type CostingResult, insertCostingSheet } from '../../excel/costingSheet';
import { Section, plural, useCommonStyles } from '../common';
import type { DescribeError, PaneApi } from '../ports';
import { InsertStatus, useSheetInsert } from './useSheetInsert';

export function CostingView({ api, describe }: { api: PaneApi; describe: DescribeError }): JSX.Element {
  const common = useCommonStyles();
  const [year, setYear] = useState(String(currentTransferYear()));
  const y = /^\d{4}$/.test(year.trim()) ? Number(year.trim()) : undefined;
  const state = useSheetInsert<CostingResult>(
    describe,
    async (replace) => {
    // The need groups of the latest dataset; the bundled review's when none is published or the service is down.
    const groups = await api.latestResourceBases().then(
      (d) => Object.keys(d.dataset.groups),
      () => Object.keys(BUNDLED_RESOURCE_BASES.groups),
    );
      return insertCostingSheet({ groups, year: y ?? currentTransferYear(), replace });
    },
    y !== undefined,
  );
  const { busy, result } = state;

  return (
    <Section title="Costing sheet" id="costing-heading">
      <Body1>
        Inserts a table of locality area by need group: commissioned places, cost per place and sufficiency (places minus the incoming Year 7 pupils who need that kind of place), with a chart.
        The figures come from the LA&apos;s latest published dataset and update when it changes.
      </Body1>
      <Field label="Intake for sufficiency (the September they start Year 7)" validationMessage={y === undefined ? 'Type a four-digit year, e.g. 2027.' : undefined}>
        <Input value={year} onChange={(_, d) => setYear(d.value)} inputMode="numeric" />
      </Field>
      <div className={common.row}>
        <Button appearance="primary" icon={<TableAddRegular />} disabled={busy || y === undefined} onClick={() => void state.insert(false)}>
          Insert costing sheet
        </Button>
      </div>
      <InsertStatus
        state={state}
        progress="Writing the costing sheet…"
        sheet={COSTING_SHEET.sheetName}
        consequence="Replacing it deletes what is on it now. Keep it, or rename that sheet in Excel and insert again."
      />
      {result ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{`'${result.sheet}' inserted`}</MessageBarTitle> {`${plural(result.rows, 'row')} of RB.* formulas and a chart of places.`} Change the intake in B3 to see
            another year&apos;s sufficiency. A negative sufficiency means more pupils than places.
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Section>
  );
}
