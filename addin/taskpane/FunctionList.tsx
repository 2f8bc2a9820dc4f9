/**
 * The custom functions, listed from the shipped functions.json (so the list can never drift
 * from what Excel registers), each with its parameters, a worked example and its help link.
 */
import { useEffect, useState } from 'react';
import { Caption1, Card, CardHeader, Link, Spinner, Subtitle2, Body1, makeStyles, tokens } from '@fluentui/react-components';
import { FUNCTION_EXAMPLES } from './examples';

interface FunctionMeta {
  id: string;
  description?: string;
  helpUrl?: string;
  parameters?: { name: string; description?: string; optional?: boolean }[];
}

const useStyles = makeStyles({
  list: { display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  code: { fontFamily: tokens.fontFamilyMonospace, fontSize: tokens.fontSizeBase200 },
  params: { margin: 0, paddingLeft: tokens.spacingHorizontalL },
});

const signature = (f: FunctionMeta): string =>
  `${f.id}(${(f.parameters ?? []).map((p) => (p.optional ? `[${p.name}]` : p.name)).join(', ')})`;

export function FunctionList(): JSX.Element {
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
