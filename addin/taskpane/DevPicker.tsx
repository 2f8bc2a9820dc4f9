/**
 * The developer identity picker, for a developer build against a local API. Loaded only when
 * the build setting GOODSTART_DEV_SIGNIN is on, so a production bundle holds none of it.
 */
import { useEffect, useMemo, useState } from 'react';
import { Button, Caption1, Card, CardHeader, Dropdown, Field, MessageBar, MessageBarBody, MessageBarTitle, Option, Radio, RadioGroup, Spinner, Subtitle2 } from '@fluentui/react-components';
import { WrenchRegular } from '@fluentui/react-icons';
import { ErrorBar, useAction, useCommonStyles } from './common';
import type { DescribeError, DevDirectory, PaneSession, Role } from './ports';

const ROLE_LABEL: Record<Role, string> = { school: 'School SENCo', trust: 'Trust lead', la: 'LA officer' };

export function DevPicker({ dev, describe, onSignedIn }: { dev: NonNullable<PaneSession['dev']>; describe: DescribeError; onSignedIn: () => void }): JSX.Element {
  const common = useCommonStyles();
  const [directory, setDirectory] = useState<DevDirectory | undefined>();
  const [role, setRole] = useState<Role>('school');
  const [school, setSchool] = useState<string | undefined>();
  const [trust, setTrust] = useState<string | undefined>();
  const { busy, error, setError, run } = useAction(describe);

  useEffect(() => {
    dev.identities().then(
      (d) => {
        setDirectory(d);
        setSchool(d.schools.find((s) => s.phase === 'primary')?.laestab ?? d.schools[0]?.laestab);
        setTrust(d.trusts[0]?.id);
      },
      (e: unknown) => setError(describe(e)),
    );
  }, [dev, describe]);

  const schools = useMemo(() => [...(directory?.schools ?? [])].sort((a, b) => a.phase.localeCompare(b.phase) || a.name.localeCompare(b.name)), [directory]);
  const chosen = schools.find((s) => s.laestab === school);
  const ready = role === 'la' || (role === 'school' && school !== undefined) || (role === 'trust' && trust !== undefined);

  const go = (): Promise<void> =>
    run(async () => {
      await dev.signIn({ role, ...(role === 'school' && school ? { school } : {}), ...(role === 'trust' && trust ? { trust } : {}) });
      onSignedIn();
    });

  return (
    <Card appearance="outline">
      <CardHeader image={<WrenchRegular aria-hidden />} header={<Subtitle2>Developer sign-in (local mode)</Subtitle2>} />
      <MessageBar intent="warning">
        <MessageBarBody>
          <MessageBarTitle>Local test identities only.</MessageBarTitle>{" "}
          The API is running on this computer with synthetic data. This picker is never part of a production build.
        </MessageBarBody>
      </MessageBar>
      {!directory && !error ? <Spinner size="tiny" label="Loading test identities…" /> : null}
      {error ? <ErrorBar error={error} /> : null}
      {directory ? (
        <>
          <Field label="Sign in as">
            <RadioGroup value={role} onChange={(_, d) => setRole(d.value as Role)} layout="horizontal">
              {(Object.keys(ROLE_LABEL) as Role[]).map((r) => (
                <Radio key={r} value={r} label={ROLE_LABEL[r]} />
              ))}
            </RadioGroup>
          </Field>
          {role === 'school' ? (
            <Field label="School">
              <Dropdown value={chosen ? `${chosen.name} (${chosen.laestab})` : ''} selectedOptions={school ? [school] : []} onOptionSelect={(_, d) => setSchool(d.optionValue)}>
                {schools.map((s) => (
                  <Option key={s.laestab} value={s.laestab} text={`${s.name} (${s.laestab})`}>
                    {`${s.name} (${s.laestab}), ${s.phase}`}
                  </Option>
                ))}
              </Dropdown>
            </Field>
          ) : null}
          {role === 'trust' ? (
            <Field label="Trust">
              <Dropdown value={trust ?? ''} selectedOptions={trust ? [trust] : []} onOptionSelect={(_, d) => setTrust(d.optionValue)}>
                {directory.trusts.map((t) => (
                  <Option key={t.id} value={t.id} text={t.name ?? t.id}>
                    {t.name ?? t.id}
                  </Option>
                ))}
              </Dropdown>
            </Field>
          ) : null}
          <div className={common.row}>
            <Button appearance="primary" onClick={() => void go()} disabled={!ready || busy}>
              Use this identity
            </Button>
          </div>
          <Caption1>Tokens are minted by the local API with its development key, as `npm run token` does.</Caption1>
        </>
      ) : null}
    </Card>
  );
}
