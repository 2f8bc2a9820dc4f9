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
/** The fourth choice: any synthetic person of any tenant, by (tid, oid), as the API knows people. */
type Choice = Role | 'person';
const PERSON_LABEL = 'A person, by tenant';
const MEMBERSHIP_LABEL: Record<string, string> = { senco: 'SENCo', schoolApprover: 'school approver', trustLead: 'trust lead', laOfficer: 'LA officer', laAdmin: 'LA admin' };

export function DevPicker({ dev, describe, onSignedIn }: { dev: NonNullable<PaneSession['dev']>; describe: DescribeError; onSignedIn: () => void }): JSX.Element {
  const common = useCommonStyles();
  const [directory, setDirectory] = useState<DevDirectory | undefined>();
  const [role, setRole] = useState<Choice>('school');
  const [person, setPerson] = useState<string | undefined>();
  const [school, setSchool] = useState<string | undefined>();
  const [trust, setTrust] = useState<string | undefined>();
  const { busy, error, setError, run } = useAction(describe);

  useEffect(() => {
    dev.identities().then(
      (d) => {
        setDirectory(d);
        setSchool(d.schools.find((s) => s.phase === 'primary')?.laestab ?? d.schools[0]?.laestab);
        setTrust(d.trusts[0]?.id);
        setPerson(d.people?.[0] ? `${d.people[0].tid}/${d.people[0].oid}` : undefined);
      },
      (e: unknown) => setError(describe(e)),
    );
  }, [dev, describe]);

  const schools = useMemo(() => [...(directory?.schools ?? [])].sort((a, b) => a.phase.localeCompare(b.phase) || a.name.localeCompare(b.name)), [directory]);
  const chosen = schools.find((s) => s.laestab === school);
  const people = directory?.people ?? [];
  const tenantName = (tid: string) => directory?.tenants?.find((t) => t.tid === tid)?.name ?? tid;
  const personLabel = (p: (typeof people)[number]) =>
    `${p.name}, ${p.role ? (MEMBERSHIP_LABEL[p.role] ?? p.role) : 'no role yet'}${p.school ? ` of ${p.school}` : p.trust ? ` of ${p.trust}` : ''} (${tenantName(p.tid)})`;
  const chosenPerson = people.find((p) => `${p.tid}/${p.oid}` === person);
  const ready = role === 'la' || (role === 'school' && school !== undefined) || (role === 'trust' && trust !== undefined) || (role === 'person' && chosenPerson !== undefined);

  const go = (): Promise<void> =>
    run(async () => {
      if (role === 'person') {
        if (chosenPerson) await dev.signIn({ role: 'la', person: { tid: chosenPerson.tid, oid: chosenPerson.oid } });
      } else {
        await dev.signIn({ role, ...(role === 'school' && school ? { school } : {}), ...(role === 'trust' && trust ? { trust } : {}) });
      }
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
            <RadioGroup value={role} onChange={(_, d) => setRole(d.value as Choice)} layout="horizontal">
              {(Object.keys(ROLE_LABEL) as Role[]).map((r) => (
                <Radio key={r} value={r} label={ROLE_LABEL[r]} />
              ))}
              {people.length > 0 ? <Radio value="person" label={PERSON_LABEL} /> : null}
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
          {role === 'person' ? (
            <Field label="Person">
              <Dropdown value={chosenPerson ? personLabel(chosenPerson) : ''} selectedOptions={person ? [person] : []} onOptionSelect={(_, d) => setPerson(d.optionValue)}>
                {people.map((p) => (
                  <Option key={`${p.tid}/${p.oid}`} value={`${p.tid}/${p.oid}`} text={personLabel(p)}>
                    {personLabel(p)}
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
