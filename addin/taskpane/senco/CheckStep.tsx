/**
 * Step 2: check the sheet. The problems list is the primary, screen-reader-friendly surface
 * (Excel's notes are not announced): errors first, then queries, grouped by rule with counts.
 * Each item names its cell; choosing it moves Excel's selection there. Queries can be
 * explained in place; the text goes to the workbook's Query explanations sheet. The report lists
 * at most REPORT_ISSUE_LIMIT problems (and the sheet shades only those); the counts are of all
 * of them, and the report's own line says how many more there are.
 */
import { useState } from 'react';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Field,
  MessageBar,
  MessageBarActions,
  MessageBarBody,
  MessageBarTitle,
  Spinner,
  Switch,
  Text,
  Textarea,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { CheckmarkCircleRegular, ErrorCircleRegular, WarningRegular, TextBulletListSquareEditRegular } from '@fluentui/react-icons';
import { ruleById } from '../../../shared/transition/rules';
import type { ValidationIssue, ValidationReport } from '../../../shared/transition/schema';
import { ErrorBar, Section, plural, useCommonStyles } from '../common';
import { type TransitionModel, isExplained } from './useTransition';
import { CrossSchoolNoticeBar } from './CrossSchoolNotice';

const useStyles = makeStyles({
  group: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXS, margin: 0, padding: 0, listStyleType: 'none' },
  groupHead: { display: 'flex', alignItems: 'center', gap: tokens.spacingHorizontalS, marginTop: tokens.spacingVerticalS },
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: `${tokens.spacingVerticalXS} ${tokens.spacingHorizontalS}`,
    borderLeft: `3px solid ${tokens.colorNeutralStroke1}`,
  },
  error: { borderLeftColor: tokens.colorPaletteRedBorder2 },
  query: { borderLeftColor: tokens.colorPaletteMarigoldBorder2 },
  explained: { borderLeftColor: tokens.colorPaletteGreenBorder2 },
  cellButton: { justifyContent: 'flex-start', textAlign: 'left', minWidth: 0, paddingLeft: 0, fontWeight: tokens.fontWeightRegular },
  cell: { fontFamily: tokens.fontFamilyMonospace, fontWeight: tokens.fontWeightSemibold, marginRight: tokens.spacingHorizontalXS },
  fix: { color: tokens.colorNeutralForeground2 },
  /** Read by screen readers, not shown. */
  hidden: { position: 'absolute', width: '1px', height: '1px', overflow: 'hidden', clip: 'rect(0 0 0 0)', whiteSpace: 'nowrap' },
  counts: { display: 'flex', gap: tokens.spacingHorizontalS, flexWrap: 'wrap', alignItems: 'center' },
});

/** First letter up: "fix 1 error" → "Fix 1 error". */
const sentence = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** (design) Items shown per rule before "Show all": keeps a 500-row sheet's list usable. */
const PER_RULE = 25;

export function CheckStep({ model, onNext }: { model: TransitionModel; onNext: () => void }): JSX.Element {
  const common = useCommonStyles();
  const styles = useStyles();
  const { check } = model;
  const summary = check?.report.summary;
  // Of every query, listed or not: the report counts explanations as it finds each query.
  const unexplained = summary?.unexplainedQueries ?? 0;

  return (
    <Section title="Check the sheet" id="check-heading">
      <Body1>Check reads every transition sheet in one go and lists each problem at its cell. Errors block submission; queries need a fix or an explanation.</Body1>
      <div className={common.row}>
        <Button appearance="primary" onClick={() => void model.runCheck()} disabled={model.busy !== undefined}>
          {check ? 'Check again' : 'Check sheet'}
        </Button>
        <Switch checked={model.live} onChange={(_, d) => model.setLive(d.checked)} label="Re-check rows as I edit" />
      </div>
      <Caption1>Picking from a dropdown in Excel on the web does not tell the pane; press Check again after using dropdowns.</Caption1>
      {model.busy === 'check' ? <Spinner size="tiny" label="Reading and checking the sheet…" /> : null}
      {model.checkError ? <ErrorBar error={model.checkError} /> : null}
      <div role="status" aria-live="polite">
        {model.lastRecheck ? <Caption1>{`Re-checked ${model.lastRecheck}.`}</Caption1> : null}
      </div>

      {check && summary ? (
        <>
          <div className={styles.counts} aria-label="Check summary">
            <Text>{plural(summary.rows, 'pupil')}</Text>
            <Badge appearance="tint" color={summary.errors > 0 ? 'danger' : 'success'} icon={summary.errors > 0 ? <ErrorCircleRegular /> : <CheckmarkCircleRegular />}>
              {plural(summary.errors, 'error')}
            </Badge>
            <Badge appearance="tint" color={unexplained > 0 ? 'warning' : 'success'} icon={<WarningRegular />}>
              {`${plural(summary.queries, 'query', 'queries')}${summary.queries > 0 ? `, ${unexplained} to explain` : ''}`}
            </Badge>
          </div>
          {summary.errors === 0 && unexplained === 0 ? (
            <MessageBar intent="success">
              <MessageBarBody>
                <MessageBarTitle>Ready to submit</MessageBarTitle> No errors, and every query is fixed or explained.
              </MessageBarBody>
              <MessageBarActions>
                <Button onClick={onNext}>Go to Submit</Button>
              </MessageBarActions>
            </MessageBar>
          ) : (
            <MessageBar intent="info" layout="multiline">
              <MessageBarBody>
                <MessageBarTitle>What to do next</MessageBarTitle>{" "}
                {sentence([summary.errors > 0 ? `fix ${plural(summary.errors, 'error')}` : '', unexplained > 0 ? `fix or explain ${plural(unexplained, 'query', 'queries')}` : ''].filter(Boolean).join(', then '))}
                . Choose a problem to go to its cell.{summary.errors === 0 ? ' You can save a draft meanwhile.' : ''}
              </MessageBarBody>
            </MessageBar>
          )}
          <CrossSchoolNoticeBar notice={model.crossSchool} />
          {check.report.more ? (
            <MessageBar intent="warning" aria-label="Problems not shown">
              <MessageBarBody>{check.report.more}</MessageBarBody>
            </MessageBar>
          ) : null}
          <ProblemList title="Errors" issues={check.report.errors} total={summary.errors} report={check.report} model={model} />
          <ProblemList title="Queries" issues={check.report.queries} total={summary.queries} report={check.report} model={model} />
          {check.report.errors.length + check.report.queries.length === 0 ? <Body1>No problems found.</Body1> : null}
          <Caption1 className={styles.fix}>Problem cells are shaded in the sheet: red for errors, amber for queries. The shading goes when the problem is fixed and the sheet is checked again.</Caption1>
        </>
      ) : null}
    </Section>
  );
}

/** One severity's listed problems by rule; `total` and the rule counts are of every problem, listed or not. */
function ProblemList({ title, issues, total, report, model }: { title: 'Errors' | 'Queries'; issues: ValidationIssue[]; total: number; report: ValidationReport; model: TransitionModel }): JSX.Element | null {
  const styles = useStyles();
  const [expanded, setExpanded] = useState<Set<string>>(new Set());
  if (issues.length === 0) return null;
  const groups = new Map<string, ValidationIssue[]>();
  for (const i of issues) groups.set(i.rule, [...(groups.get(i.rule) ?? []), i]);
  return (
    <div>
      <Text as="h3" weight="semibold" size={400}>
        {issues.length < total ? `${title} (${total}, the first ${issues.length} shown)` : `${title} (${total})`}
      </Text>
      {[...groups.entries()].map(([rule, list]) => {
        const r = ruleById(rule);
        const open = expanded.has(rule);
        const shown = open ? list : list.slice(0, PER_RULE);
        const count = report.byRule?.[rule] ?? list.length;
        const headId = `rule-${rule}`;
        return (
          <div key={rule}>
            <div className={styles.groupHead}>
              <Text as="h4" weight="semibold" id={headId}>{`${rule} · ${r.title}`}</Text>
              <Badge appearance="outline" color={r.severity === 'error' ? 'danger' : 'warning'} aria-label={plural(count, 'problem')}>
                {count}
              </Badge>
            </div>
            <ul className={styles.group} aria-labelledby={headId}>
              {shown.map((issue) => (
                <ProblemItem key={`${issue.sheet}!${issue.cell}!${issue.rule}`} issue={issue} model={model} />
              ))}
            </ul>
            {list.length > shown.length ? (
              <Button appearance="subtle" onClick={() => setExpanded(new Set([...expanded, rule]))}>
                {list.length < count ? `Show all ${list.length} listed` : `Show all ${list.length}`}
              </Button>
            ) : null}
          </div>
        );
      })}
    </div>
  );
}

function ProblemItem({ issue, model }: { issue: ValidationIssue; model: TransitionModel }): JSX.Element {
  const styles = useStyles();
  const explained = issue.severity === 'query' && isExplained(issue, model.check);
  const current = model.check?.ret.explanations?.find((e) => e.rule === issue.rule && e.sheet === issue.sheet && e.cell === issue.cell)?.text ?? issue.explanation ?? '';
  const [editing, setEditing] = useState(false);
  const [text, setText] = useState(current);
  const tooShort = text.trim().length > 0 && text.trim().length < 5;
  const place = `'${issue.sheet}'!${issue.cell}`;
  const kind = issue.severity === 'error' ? styles.error : explained ? styles.explained : styles.query;
  return (
    <li className={`${styles.item} ${kind}`}>
      <Button appearance="transparent" className={styles.cellButton} onClick={() => void model.select(issue)} title={`Go to ${place}`}>
        <span className={styles.cell}>{issue.cell}</span> <span>{issue.message}</span>
        <span className={styles.hidden}>{` Go to ${place}.`}</span>
      </Button>
      <Caption1 className={styles.fix}>{issue.fix}</Caption1>
      {issue.severity === 'query' ? (
        editing ? (
          <div>
            <Field label={`Explanation for ${issue.rule} at ${issue.cell}`} validationMessage={tooShort ? 'Write at least 5 characters.' : undefined} hint="Kept with the return and in the Query explanations sheet.">
              <Textarea value={text} onChange={(_, d) => setText(d.value)} maxLength={500} resize="vertical" />
            </Field>
            <div style={{ display: 'flex', gap: 8, marginTop: 4 }}>
              <Button
                appearance="primary"
                size="small"
                disabled={tooShort || model.busy !== undefined}
                onClick={() =>
                  void model.explain(issue, text).then((ok) => {
                    if (ok) setEditing(false);
                  })
                }
              >
                Save explanation
              </Button>
              <Button size="small" onClick={() => setEditing(false)}>
                Cancel
              </Button>
            </div>
          </div>
        ) : (
          <div>
            {explained ? <Caption1 block>{`Explained: ${current}`}</Caption1> : null}
            <Button size="small" icon={<TextBulletListSquareEditRegular />} onClick={() => setEditing(true)} aria-label={`${explained ? 'Edit explanation' : 'Explain'} ${issue.rule} at ${issue.cell}`}>
              {explained ? 'Edit explanation' : 'Explain'}
            </Button>
          </div>
        )
      ) : null}
    </li>
  );
}
