/**
 * Small pieces every view uses: a section heading, an error bar that always says what to do
 * next, a progress line, an action's busy/error state, and date formatting in UK English.
 */
import { type ReactNode, useState } from 'react';
import { Body1, Caption1, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle, ProgressBar, Subtitle2, makeStyles, tokens } from '@fluentui/react-components';
import type { DescribeError, PaneError } from './ports';

export const useCommonStyles = makeStyles({
  section: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  row: { display: 'flex', flexWrap: 'wrap', gap: tokens.spacingHorizontalS, alignItems: 'center' },
  muted: { color: tokens.colorNeutralForeground2 },
  mono: { fontFamily: tokens.fontFamilyMonospace },
});

export function Section({ title, children, id }: { title: string; children: ReactNode; id?: string }): JSX.Element {
  const styles = useCommonStyles();
  return (
    <section className={styles.section} aria-labelledby={id}>
      <Subtitle2 as="h2" id={id}>
        {title}
      </Subtitle2>
      {children}
    </section>
  );
}

export function ErrorBar({ error, actions }: { error: PaneError; actions?: ReactNode }): JSX.Element {
  return (
    <MessageBar intent={error.kind === 'offline' || error.kind === 'stale' ? 'warning' : 'error'} layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{error.title}</MessageBarTitle> {error.detail} {error.next ? <span>{error.next}</span> : null}
        {error.correlationId ? <Caption1 block>Reference for the LA's help desk: {error.correlationId}</Caption1> : null}
      </MessageBarBody>
      {actions ? <MessageBarActions>{actions}</MessageBarActions> : null}
    </MessageBar>
  );
}

export function Progress({ label }: { label: string }): JSX.Element {
  return (
    <div role="status" aria-live="polite">
      <ProgressBar thickness="large" aria-label={label} />
      <Body1>{label}</Body1>
    </div>
  );
}

const DATE_TIME = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short', year: 'numeric', hour: '2-digit', minute: '2-digit' });

export function when(iso: string | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : DATE_TIME.format(d);
}

export const plural = (n: number, one: string, many = `${one}s`): string => `${n} ${n === 1 ? one : many}`;

export interface Action {
  busy: boolean;
  error: PaneError | undefined;
  setError: (error: PaneError | undefined) => void;
  /** Runs `work` with busy set and the last error cleared; a failure is described in plain English, never thrown. */
  run: (work: () => Promise<void>) => Promise<void>;
}

/** The busy flag and plain-English error of a button's action. */
export function useAction(describe: DescribeError): Action {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<PaneError | undefined>();
  const run = async (work: () => Promise<void>): Promise<void> => {
    setBusy(true);
    setError(undefined);
    try {
      await work();
    } catch (e) {
      setError(describe(e));
    } finally {
      setBusy(false);
    }
  };
  return { busy, error, setError, run };
}
