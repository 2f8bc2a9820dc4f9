/**
 * The first-run screens (issue 25), for someone signed in whom Good Start gives no role yet:
 * - invited: "You are invited as SENCo of Acorn Lane Primary by <inviter>", with Accept;
 * - not invited: who can give access, and a request for a role at a school or trust, with the
 *   outcome of earlier requests (a decline shows its reason);
 * - organisation not registered: their Microsoft 365 organisation is not on the LA's list.
 * GET /access-requests/mine answers without a membership, so the first two need no role.
 */
import { useCallback, useEffect, useState } from 'react';
import { Body1, Button, Caption1, Field, MessageBar, MessageBarBody, MessageBarTitle, Spinner, Textarea } from '@fluentui/react-components';
import type { MembershipRole } from '../../../shared/identity';
import { ErrorBar, Section, useAction, useCommonStyles, when } from '../common';
import type { DescribeError, MyAccessView, PaneError, PeopleApi, PersonRequest } from '../ports';
import { roleIn, roleLabel, scopeKindOf } from './names';
import { RoleScopeFields } from './RoleScopeFields';

/** Why someone signed in sees a first-run screen rather than the product. */
export type FirstRun = 'no-membership' | 'not-registered';

/** The first-run screen a failure calls for (from its problem type), if any. */
export function firstRunOf(error: PaneError): FirstRun | undefined {
  if (error.problem === 'no-membership') return 'no-membership';
  if (error.problem === 'tenant-not-registered') return 'not-registered';
  return undefined;
}

/** The roles a person may ask for: the LA's own roles come by invitation only. */
const REQUESTABLE: MembershipRole[] = ['senco', 'schoolApprover', 'trustLead'];

const OUTCOME: Record<PersonRequest['state'], string> = { pending: 'Waiting for a decision', approved: 'Approved', declined: 'Declined' };

export function FirstRunView({
  kind,
  api,
  describe,
  onAccess,
  onSignOut,
}: {
  kind: FirstRun;
  api: PeopleApi;
  describe: DescribeError;
  /** The person now has a role: read who they are again. */
  onAccess: () => void;
  onSignOut: () => void;
}): JSX.Element {
  const common = useCommonStyles();
  const [mine, setMine] = useState<MyAccessView | undefined>();
  const load = useAction(describe);
  const accept = useAction(describe);

  const refresh = useCallback(() => load.run(async () => setMine(await api.myAccess())), [api]);
  useEffect(() => {
    if (kind === 'no-membership') void refresh();
  }, [kind, refresh]);

  const signOut = (
    <div className={common.row}>
      <Button onClick={onSignOut}>Sign in with another account</Button>
    </div>
  );

  if (kind === 'not-registered') {
    return (
      <Section title="Organisation not registered" id="firstrun-heading">
        <MessageBar intent="warning" layout="multiline">
          <MessageBarBody>
            <MessageBarTitle>Your organisation is not yet registered with Good Start; ask the LA.</MessageBarTitle> Your school or trust signs in from its own Microsoft 365
            organisation. The LA&apos;s Good Start admin adds each organisation before its people can sign in.
          </MessageBarBody>
        </MessageBar>
        {signOut}
      </Section>
    );
  }

  if (!mine) {
    return (
      <Section title="Welcome to Good Start" id="firstrun-heading">
        {load.error ? <ErrorBar error={load.error} actions={<Button onClick={() => void refresh()}>Try again</Button>} /> : <Spinner size="tiny" label="Checking your access…" />}
        {signOut}
      </Section>
    );
  }

  if (mine.invitation) {
    const { invitation } = mine;
    return (
      <Section title="You are invited" id="firstrun-heading">
        <Body1>{invitation.text}.</Body1>
        <Caption1 className={common.muted}>The invitation lasts until {when(invitation.expiresAt)}.</Caption1>
        {accept.error ? <ErrorBar error={accept.error} /> : null}
        <div className={common.row}>
          <Button
            appearance="primary"
            disabled={accept.busy}
            onClick={() =>
              void accept.run(async () => {
                await api.accept(invitation.id);
                onAccess();
              })
            }
          >
            Accept
          </Button>
          {accept.busy ? <Spinner size="tiny" label="Accepting…" /> : null}
        </div>
        {signOut}
      </Section>
    );
  }

  return (
    <>
      <Section title="You have no access yet" id="firstrun-heading">
        <Body1>You are signed in, but Good Start gives you no role yet.</Body1>
        <Body1>
          Your school&apos;s Good Start approver can give you access to your school. The LA&apos;s Good Start admin can give any role, and registers schools that have no approver yet.
          Ask either of them to invite you, or send a request below: they will see it the next time they open Good Start.
        </Body1>
      </Section>
      {mine.requests.length > 0 ? <MyRequests requests={mine.requests} /> : null}
      <RequestForm api={api} describe={describe} onSent={() => void refresh()} />
      {signOut}
    </>
  );
}

function MyRequests({ requests }: { requests: PersonRequest[] }): JSX.Element {
  const common = useCommonStyles();
  return (
    <Section title="Your requests" id="firstrun-requests">
      <ul aria-labelledby="firstrun-requests">
        {requests.map((r) => (
          <li key={r.id}>
            <Body1>
              {roleLabel(r.role)}
              {r.school !== undefined || r.trust !== undefined ? ` of ${r.scopeName}` : ''}: {OUTCOME[r.state]}
              {r.decidedByName && r.state !== 'pending' ? ` by ${r.decidedByName}` : ''}
            </Body1>
            {r.reason ? <Caption1 block>Reason: {r.reason}</Caption1> : null}
            <Caption1 block className={common.muted}>
              Asked {when(r.requestedAt)}
            </Caption1>
          </li>
        ))}
      </ul>
    </Section>
  );
}

function RequestForm({ api, describe, onSent }: { api: PeopleApi; describe: DescribeError; onSent: () => void }): JSX.Element {
  const common = useCommonStyles();
  const [role, setRole] = useState<MembershipRole>('senco');
  const [school, setSchool] = useState('');
  const [trust, setTrust] = useState('');
  const [message, setMessage] = useState('');
  const [sent, setSent] = useState<string | undefined>();
  const { busy, error, run } = useAction(describe);
  const kind = scopeKindOf(role);
  const ready = kind === 'school' ? /^\d{7}$/.test(school.trim()) : trust.trim() !== '';

  const send = (): Promise<void> =>
    run(async () => {
      const body = { role, ...(kind === 'school' ? { school: school.trim() } : { trust: trust.trim() }), ...(message.trim() ? { message: message.trim() } : {}) };
      const { request, reviewers } = await api.requestAccess(body);
      setSent(`Your request to be ${roleIn(request)} was sent.${reviewers.length > 0 ? ` ${reviewers.join(', ')} can approve it.` : ''}`);
      setMessage('');
      onSent();
    });

  return (
    <Section title="Request access" id="firstrun-request">
      {sent ? (
        <MessageBar intent="success" layout="multiline">
          <MessageBarBody>{sent}</MessageBarBody>
        </MessageBar>
      ) : null}
      {error ? <ErrorBar error={error} /> : null}
      <RoleScopeFields
        roles={REQUESTABLE}
        role={role}
        onRole={setRole}
        school={school}
        onSchool={setSchool}
        trust={trust}
        onTrust={setTrust}
        schoolHint="Your school's LAESTAB: 330 followed by its 4-digit number"
      />
      <Field label="A note for the approver (optional)">
        <Textarea value={message} onChange={(_, d) => setMessage(d.value)} maxLength={500} />
      </Field>
      <div className={common.row}>
        <Button appearance="primary" disabled={!ready || busy} onClick={() => void send()}>
          Request access
        </Button>
      </div>
    </Section>
  );
}
