/**
 * Insert a class toolkit grid: band labels down the side, pupils across the top, and under the
 * pupils the TOOLKIT.BAND, TOOLKIT.GAP and TOOLKIT.SUPPORT rows already wired to the year group
 * and term, with a chart of pupils per support level. Uses the criteria the user has selected
 * (band in the first column, criterion in the second) or placeholders.
 */
import { useState } from 'react';
import { Body1, Button, Caption1, Checkbox, Dropdown, Field, MessageBar, MessageBarBody, MessageBarTitle, Option, SpinButton } from '@fluentui/react-components';
import { TableAddRegular } from '@fluentui/react-icons';
import { TOOLKIT_GRID } from '../../../shared/toolkit/gridSheet';
import { TERMS, type Term } from '../../../shared/toolkit/term';
import { TOOLKIT_SHEET, type ToolkitGridResult, insertToolkitGrid } from '../../excel/toolkitSheet';
import { Section, plural, useCommonStyles } from '../common';
import type { DescribeError } from '../ports';
import { InsertStatus, useSheetInsert } from './useSheetInsert';

const YEAR_GROUPS = [
  { value: 'N', label: 'Nursery' },
  { value: 'R', label: 'Reception' },
  ...['1', '2', '3', '4', '5', '6'].map((y) => ({ value: y, label: `Year ${y}` })),
];
const TERM_LABEL: Record<Term, string> = { autumn: 'Autumn', spring: 'Spring', summer: 'Summer' };

export function ToolkitGridView({ describe }: { describe: DescribeError }): JSX.Element {
  const common = useCommonStyles();
  const [yearGroup, setYearGroup] = useState('6');
  const [term, setTerm] = useState<Term>('summer');
  const [pupils, setPupils] = useState(30);
  const [fromSelection, setFromSelection] = useState(false);
  const state = useSheetInsert<ToolkitGridResult>(describe, (replace) => insertToolkitGrid({ pupils, yearGroup, term, fromSelection, replace }));
  const { busy, result } = state;

  const yearLabel = YEAR_GROUPS.find((y) => y.value === yearGroup)?.label ?? yearGroup;
  return (
    <Section title="Toolkit grid" id="toolkit-heading">
      <Body1>
        Inserts a class grid in the shape TOOLKIT.BAND reads: criteria by band down the side, pupils across the top. Under the pupils, the band reached, the gap to the expected band and the
        support level are already worked out, with a chart of pupils per support level.
      </Body1>
      <div className={common.row}>
        <Field label="Year group">
          <Dropdown value={yearLabel} selectedOptions={[yearGroup]} onOptionSelect={(_, d) => setYearGroup(d.optionValue ?? '6')}>
            {YEAR_GROUPS.map((y) => (
              <Option key={y.value} value={y.value}>
                {y.label}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Term">
          <Dropdown value={TERM_LABEL[term]} selectedOptions={[term]} onOptionSelect={(_, d) => setTerm((d.optionValue as Term | undefined) ?? 'summer')}>
            {TERMS.map((t) => (
              <Option key={t} value={t}>
                {TERM_LABEL[t]}
              </Option>
            ))}
          </Dropdown>
        </Field>
        <Field label="Pupils">
          <SpinButton value={pupils} min={1} max={TOOLKIT_GRID.maxPupils} onChange={(_, d) => setPupils(Math.max(1, Math.min(TOOLKIT_GRID.maxPupils, Math.trunc(d.value ?? Number(d.displayValue) ?? 30) || 1)))} />
        </Field>
      </div>
      <Checkbox
        checked={fromSelection}
        onChange={(_, d) => setFromSelection(d.checked === true)}
        label="Use the criteria I have selected (band labels such as Y3.1 in the first column, the criterion in the second)"
      />
      <Caption1>Otherwise the grid gets placeholder criteria: the toolkit text is PSS&apos;s licensed material, so load your own over them.</Caption1>
      <div className={common.row}>
        <Button appearance="primary" icon={<TableAddRegular />} disabled={busy} onClick={() => void state.insert(false)}>
          Insert toolkit grid
        </Button>
      </div>
      <InsertStatus
        state={state}
        progress="Writing the toolkit grid…"
        sheet={TOOLKIT_SHEET}
        consequence="Replacing it deletes the ticks and names on it. Keep it, or rename that sheet in Excel and insert again."
      />
      {result ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>{`'${result.sheet}' inserted`}</MessageBarTitle>{' '}
            {`${plural(pupils, 'pupil column')}, ${plural(result.criteria, 'criterion row')} ${result.source === 'selection' ? 'from your selection' : 'with placeholder text'}.`}
            {fromSelection && result.source === 'placeholders' ? ' Your selection had no band labels (such as Y3.1) in its first column, so placeholders were used.' : ''} Next: type pupil
            names over Pupil 01…, tick secured criteria with 1, and read the bands from row {result.bandFormulaCell.replace(/^[A-Z]+/, '')}.
          </MessageBarBody>
        </MessageBar>
      ) : null}
    </Section>
  );
}
