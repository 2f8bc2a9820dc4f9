/**
 * The task pane's shell: who is signed in (role and school, always visible), then the views
 * that role may use. A primary SENCo gets the transition return; a secondary SENCo the
 * incoming cohort; schools and trust leads a toolkit grid; trust leads and the LA a costing
 * sheet; the LA the resource base dataset; everyone gets the custom functions. The API still enforces scope.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Badge, Body1, Button, Caption1, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Subtitle2, Tab, TabList, Title3, makeStyles, tokens } from '@fluentui/react-components';
import { SignOutRegular } from '@fluentui/react-icons';
import { ErrorBar } from './common';
import { FunctionList } from './FunctionList';
import type { DescribeError, Identity, PaneApi, PaneError, PaneSession } from './ports';
import { AggregatesView } from './la/AggregatesView';
import { type FirstRun, FirstRunView, firstRunOf } from './people/FirstRunView';
import { PeopleView } from './people/PeopleView';
import { useOrganisation } from './people/useOrganisation';
import { TrackerView } from './la/TrackerView';
import { CohortView } from './secondary/CohortView';
import { SencoView } from './senco/SencoView';
import { SignInView } from './SignInView';
import { CostingView } from './trust/CostingView';
import { ResourceBasesView } from './trust/ResourceBasesView';
import { ToolkitGridView } from './trust/ToolkitGridView';

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM, maxWidth: '640px' },
  header: { display: 'flex', justifyContent: 'space-between', alignItems: 'flex-start', gap: tokens.spacingHorizontalS },
  who: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalXXS },
  badges: { display: 'flex', gap: tokens.spacingHorizontalXS, flexWrap: 'wrap' },
  // Five views do not fit across a 350 px pane: the tabs wrap rather than widen it.
  tabs: { flexWrap: 'wrap' },
});

type View = 'return' | 'cohort' | 'tracker' | 'aggregates' | 'toolkit' | 'costing' | 'resource-bases' | 'people' | 'functions';

const ROLE_NAME = { school: 'School', trust: 'Trust', la: 'LA officer' } as const;

/** The role badge: the API role, told apart where the membership role grants more (issue 25). */
const roleBadge = (identity: Identity): string =>
  identity.access === 'laAdmin' ? 'LA admin' : identity.access === 'schoolApprover' ? 'School approver' : ROLE_NAME[identity.role];

/** The views a role may use, in order. LA admins and school approvers also manage People. */
export function viewsFor(identity: Identity): View[] {
  const people: View[] = identity.access === 'laAdmin' || identity.access === 'schoolApprover' ? ['people'] : [];
  if (identity.role === 'school') return identity.school?.phase === 'secondary' ? ['cohort', 'toolkit', ...people, 'functions'] : ['return', 'toolkit', ...people, 'functions'];
  // The LA sees the city; a trust the same views over its own schools, as the API scopes them.
  if (identity.role === 'trust') return ['tracker', 'aggregates', 'toolkit', 'costing', 'functions'];
  return ['tracker', 'aggregates', 'resource-bases', 'costing', ...people, 'functions'];
}

const VIEW_LABEL: Record<View, string> = {
  return: 'Transition return',
  cohort: 'Incoming cohort',
  tracker: 'Tracker',
  aggregates: 'Aggregates',
  toolkit: 'Toolkit grid',
  costing: 'Costing',
  'resource-bases': 'Resource bases',
  people: 'People',
  functions: 'Functions',
};

export function App({
  session,
  api,
  describe,
  functionsLoaded,
  apiUnreachable,
}: {
  session: PaneSession;
  api: PaneApi;
  describe: DescribeError;
  functionsLoaded: Promise<boolean>;
  /** Set when /health did not answer at start-up: the API's address, to say which service is down. */
  apiUnreachable?: string;
}): JSX.Element {
  const styles = useStyles();
  const [identity, setIdentity] = useState<Identity | undefined | null>(null);
  const [error, setError] = useState<PaneError | undefined>();
  const [view, setView] = useState<View | undefined>();
  const [inExcel, setInExcel] = useState<boolean | undefined>();
  /** Signed in, but with no role yet (or from an organisation not registered): a first-run screen. */
  const [firstRun, setFirstRun] = useState<FirstRun | undefined>();
  const organisation = useOrganisation(identity, api.people);

  useEffect(() => {
    void functionsLoaded.then(setInExcel, () => setInExcel(false));
  }, [functionsLoaded]);

  const refresh = useCallback(async () => {
    setError(undefined);
    try {
      const who = await session.identity();
      setIdentity(who);
      setView(who ? viewsFor(who)[0] : undefined);
      if (who) setFirstRun(undefined);
    } catch (e) {
      setIdentity(undefined);
      const problem = describe(e);
      const kind = firstRunOf(problem);
      if (kind) setFirstRun(kind);
      else setError(problem);
    }
  }, [session, describe]);

  /** Sign-in as the sign-in view sees it: a person with no role, or an unregistered organisation, goes to a first-run screen, not an error. */
  const signInSession = useMemo((): PaneSession => {
    const firstRunOnFailure = async (signIn: () => Promise<void>): Promise<void> => {
      try {
        await signIn();
      } catch (e) {
        const kind = firstRunOf(describe(e));
        if (!kind) throw e;
        setFirstRun(kind);
      }
    };
    const { dev } = session;
    return {
      ...session,
      signIn: () => firstRunOnFailure(() => session.signIn()),
      dev: dev ? { ...dev, signIn: (choice) => firstRunOnFailure(() => dev.signIn(choice)) } : undefined,
    };
  }, [session, describe]);

  useEffect(() => {
    void refresh();
  }, [refresh]);

  const signOut = async (): Promise<void> => {
    await session.signOut();
    setIdentity(undefined);
    setFirstRun(undefined);
  };

  return (
    <main className={styles.root}>
      <div className={styles.header}>
        <div className={styles.who}>
          <Title3 as="h1">Good Start</Title3>
          {identity ? (
            <>
              <Body1 aria-label="Signed in as">
                {identity.name ? `${identity.name}, ` : ''}
                {identity.school ? `${identity.school.name} (${identity.school.laestab})` : identity.trust ? `Trust ${identity.trust}` : 'Birmingham City Council'}
              </Body1>
              {organisation ? <Caption1 aria-label="Organisation">{organisation}</Caption1> : null}
              <div className={styles.badges}>
                <Badge appearance="tint" color="brand">
                  {roleBadge(identity)}
                </Badge>
                {identity.school ? (
                  <Badge appearance="outline" color="informative">
                    {identity.school.phase === 'secondary' ? 'Secondary' : 'Primary'}
                  </Badge>
                ) : null}
              </div>
            </>
          ) : (
            <Caption1>Birmingham&apos;s SEND Year 6 to Year 7 transition</Caption1>
          )}
        </div>
        {identity ? (
          <Button appearance="subtle" icon={<SignOutRegular />} onClick={() => void signOut()}>
            Sign out
          </Button>
        ) : null}
      </div>
      {inExcel === false ? <Caption1>Open this pane from Excel&apos;s Home tab to work on a workbook.</Caption1> : null}
      {apiUnreachable ? (
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Service unreachable</MessageBarTitle> Good Start&apos;s API at {apiUnreachable} did not answer. The custom functions still work with the
            bundled 2019-20 resource-base data; signing in and sending returns need the service. Check your connection, then reload the pane.
          </MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? <ErrorBar error={error} /> : null}

      {identity === null ? <Spinner size="small" label="Starting…" /> : null}
      {identity === undefined && firstRun ? (
        <FirstRunView kind={firstRun} api={api.people} describe={describe} onAccess={() => void refresh()} onSignOut={() => void signOut()} />
      ) : null}
      {identity === undefined && !firstRun ? (
        <>
          <SignInView session={signInSession} describe={describe} onSignedIn={() => void refresh()} />
          <Subtitle2 as="h2">Custom functions (no sign-in needed)</Subtitle2>
          <FunctionList />
        </>
      ) : null}
      {identity ? (
        <>
          {viewsFor(identity).length > 1 ? (
            <TabList className={styles.tabs} selectedValue={view} onTabSelect={(_, d) => setView(d.value as View)} aria-label="Good Start views">
              {viewsFor(identity).map((v) => (
                <Tab key={v} value={v}>
                  {VIEW_LABEL[v]}
                </Tab>
              ))}
            </TabList>
          ) : null}
          {view === 'return' && identity.school ? <SencoView laestab={identity.school.laestab} api={api} describe={describe} /> : null}
          {view === 'cohort' && identity.school ? <CohortView school={identity.school} api={api} describe={describe} /> : null}
          {view === 'tracker' ? <TrackerView api={api} describe={describe} scope={identity.role === 'la' ? 'the city' : 'your trust'} /> : null}
          {view === 'aggregates' ? <AggregatesView api={api} describe={describe} consolidated={identity.role === 'la'} scope={identity.role === 'la' ? 'the city' : 'your trust'} /> : null}
          {view === 'toolkit' ? <ToolkitGridView describe={describe} /> : null}
          {view === 'costing' ? <CostingView api={api} describe={describe} /> : null}
          {view === 'resource-bases' && identity.role === 'la' ? <ResourceBasesView api={api} describe={describe} /> : null}
          {view === 'people' ? <PeopleView identity={identity} api={api.people} describe={describe} /> : null}
          {view === 'functions' ? <FunctionList /> : null}
        </>
      ) : null}
    </main>
  );
}
