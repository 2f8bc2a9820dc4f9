/**
 * The first task pane: what the custom functions are (from the shipped functions.json, so the
 * list can never drift from what Excel registers), and whether the Good Start API is reachable.
 * The SENCo's transition sheet panes come later.
 */
import { useEffect, useState } from 'react';
import {
  Badge,
  Body1,
  Button,
  Caption1,
  Card,
  CardHeader,
  Field,
  Input,
  Link,
  Spinner,
  Subtitle2,
  Title2,
  makeStyles,
  tokens,
} from '@fluentui/react-components';
import { type ConnectionState, defaultApiBaseUrl, onConnectionState, sharedApiSource, TOKEN_STORAGE_KEY } from '../functions/apiSource';
import { FUNCTION_EXAMPLES } from './examples';

interface FunctionMeta {
  id: string;
  description?: string;
  helpUrl?: string;
  parameters?: { name: string; description?: string; optional?: boolean }[];
}

const useStyles = makeStyles({
  root: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalM, padding: tokens.spacingHorizontalM },
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  params: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const signature = (f: FunctionMeta): string =>
  `${f.id}(${(f.parameters ?? []).map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ')})`;

function stateText(s: ConnectionState): string {
  switch (s.kind) {
    case 'signed-out':
      return 'Not signed in: RB functions use the bundled 2019-20 dataset; RB.SUFFICIENCY needs sign-in.';
    case 'connected':
      return s.datasetYear ? `Connected: resource base dataset ${s.datasetYear}.` : 'Connected.';
    case 'offline':
      return `Offline (${s.reason}): RB functions use the bundled 2019-20 dataset.`;
    case 'refused':
      return `The service refused the request (${s.status}): ${s.reason}.`;
  }
}

function ConnectionCard(): JSX.Element {
  const source = sharedApiSource();
  const [healthy, setHealthy] = useState<boolean | undefined>(undefined);
  const [state, setState] = useState<ConnectionState>(source.state);
  const [token, setToken] = useState('');

  const check = (): void => {
    setHealthy(undefined);
    void source.health().then(setHealthy);
  };
  useEffect(() => {
    check();
    return onConnectionState(setState);
  }, []);

  const signIn = (): void => {
    // Local mode's dev sign-in: paste a token from `npm run token -- --role la`.
    if (token.trim() === '') sessionStorage.removeItem(TOKEN_STORAGE_KEY);
    else sessionStorage.setItem(TOKEN_STORAGE_KEY, token.trim());
    source.invalidate();
    setToken('');
  };

  return (
    <Card>
      <CardHeader
        header={<Subtitle2>Connection</Subtitle2>}
        action={
          healthy === undefined ? <Spinner size="tiny" /> : <Badge color={healthy ? 'success' : 'danger'}>{healthy ? 'API reachable' : 'API unreachable'}</Badge>
        }
      />
      <Caption1>{defaultApiBaseUrl()}</Caption1>
      <Body1>{stateText(state)}</Body1>
      <Field label="Dev sign-in token (local mode)">
        <Input type="password" value={token} onChange={(_, d) => setToken(d.value)} />
      </Field>
      <div>
        <Button onClick={signIn}>Use token</Button> <Button appearance="subtle" onClick={check}>Check again</Button>
      </div>
    </Card>
  );
}

function FunctionList(): JSX.Element {
  const styles = useStyles();
  const [functions, setFunctions] = useState<FunctionMeta[] | undefined>(undefined);
  const [error, setError] = useState<string | undefined>(undefined);

  useEffect(() => {
    fetch('functions.json')
      .then((r) => (r.ok ? (r.json() as Promise<{ functions: FunctionMeta[] }>) : Promise.reject(new Error(`functions.json: ${r.status}`))))
      .then((m) => {
        setFunctions(m.functions);
        // Excel's "Help on this function" opens this page at #FUNCTION.ID (the JSDoc @helpurl).
        const target = decodeURIComponent(window.location.hash.slice(1));
        if (target) setTimeout(() => document.getElementById(target)?.scrollIntoView(), 0);
      })
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)));
  }, []);

  if (error) return <Body1>Could not load the function list ({error}).</Body1>;
  if (!functions) return <Spinner size="small" label="Loading functions" />;
  return (
    <div className={styles.list} aria-label="Custom functions">
      {functions.map((f) => (
        <Card key={f.id} id={f.id} data-function-id={f.id}>
          <CardHeader header={<Subtitle2 className={styles.code}>{signature(f)}</Subtitle2>} />
          <Caption1>{f.description}</Caption1>
          {(f.parameters ?? []).length > 0 ? (
            <ul className={styles.params}>
              {(f.parameters ?? []).map((p) => (
                <li key={p.name}>
                  <Caption1>
                    <span className={styles.code}>{p.name}</span>
                    {p.optional ? ' (optional)' : ''}
                    {p.description ? `: ${p.description}` : ''}
                  </Caption1>
                </li>
              ))}
            </ul>
          ) : null}
          {FUNCTION_EXAMPLES[f.id] ? <code className={styles.code}>{FUNCTION_EXAMPLES[f.id]}</code> : null}
          {f.helpUrl ? (
            <Link href={f.helpUrl} target="_blank" rel="noreferrer">
              More in the guide
            </Link>
          ) : null}
        </Card>
      ))}
    </div>
  );
}

export function App({ functionsLoaded }: { functionsLoaded: Promise<boolean> }): JSX.Element {
  const styles = useStyles();
  const [loaded, setLoaded] = useState<boolean | undefined>(undefined);
  useEffect(() => {
    void functionsLoaded.then(setLoaded, () => setLoaded(false));
  }, [functionsLoaded]);

  return (
    <main className={styles.root}>
      <Title2 as="h1">Good Start</Title2>
      <Body1>
        Birmingham&apos;s SEND Year 6 to Year 7 transition.{' '}
        {loaded === undefined ? '' : loaded ? 'The custom functions are ready in this workbook.' : 'Open this pane in Excel to use the custom functions.'}
      </Body1>
      <ConnectionCard />
      <Subtitle2 as="h2">Custom functions</Subtitle2>
      <FunctionList />
    </main>
  );
}
