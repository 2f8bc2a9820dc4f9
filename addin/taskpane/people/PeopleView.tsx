/**
 * People (issue 25): who acts for a school or trust, and who is waiting. An LA admin picks a
 * school or trust (or everyone) and sees its members (Remove), pending invitations (Resend,
 * Revoke) and access requests (Approve, Decline with a reason), invites anyone to any role, and
 * keeps the tenant allow-list. A school approver gets the same for their own school only. The
 * API decides what each may do; this view offers only what it would allow.
 */
import { useCallback, useEffect, useMemo, useState } from 'react';
import { Body1, Button, Caption1, Dropdown, Field, Input, MessageBar, MessageBarBody, Option, Spinner, Textarea, makeStyles, tokens } from '@fluentui/react-components';
import type { MembershipRole } from '../../../shared/identity';
import { ErrorBar, Section, plural, useAction, useCommonStyles, when } from '../common';
import type { AllowedTenant, DescribeError, Identity, PeopleApi, PeopleScope, PersonInvitation, PersonMember, PersonRequest } from '../ports';
import { type Confirmation, ConfirmDialog } from './ConfirmDialog';
import { invitableRoles, roleIn, scopeKindOf } from './names';
import { RoleScopeFields } from './RoleScopeFields';

const useStyles = makeStyles({
  list: { listStyleType: 'none', margin: 0, padding: 0, display: 'flex', flexDirection: 'column', gap: tokens.spacingVerticalS },
  item: {
    display: 'flex',
    flexDirection: 'column',
    gap: tokens.spacingVerticalXXS,
    padding: tokens.spacingVerticalS,
    border: `${tokens.strokeWidthThin} solid ${tokens.colorNeutralStroke2}`,
    borderRadius: tokens.borderRadiusMedium,
  },
});

interface Lists {
  members: PersonMember[];
  invitations: PersonInvitation[];
  requests: PersonRequest[];
}

const ALL = 'all';
const scopeValue = (scope: PeopleScope): string => ('school' in scope ? `school:${scope.school}` : 'trust' in scope ? `trust:${scope.trust}` : ALL);
function scopeOf(value: string): PeopleScope {
  const [kind, id = ''] = value.split(/:(.*)/);
  return kind === 'school' ? { school: id } : kind === 'trust' ? { trust: id } : {};
}

/** The schools and trusts anyone holds or is invited to or asks for: what an LA admin can pick. */
function knownScopes(lists: Lists): Array<{ value: string; label: string }> {
  const seen = new Map<string, string>();
  for (const g of [...lists.members, ...lists.invitations, ...lists.requests]) {
    if (g.school !== undefined) seen.set(`school:${g.school}`, `${g.scopeName} (${g.school})`);
    else if (g.trust !== undefined) seen.set(`trust:${g.trust}`, `Trust ${g.scopeName}`);
  }
  return [...seen].map(([value, label]) => ({ value, label })).sort((a, b) => a.label.localeCompare(b.label));
}

export function PeopleView({ identity, api, describe }: { identity: Identity; api: PeopleApi; describe: DescribeError }): JSX.Element {
  const common = useCommonStyles();
  const styles = useStyles();
  const isAdmin = identity.access === 'laAdmin';
  // A school approver sees their own school, and nothing else.
  const ownScope: PeopleScope | undefined = !isAdmin && identity.school ? { school: identity.school.laestab } : undefined;
  const [scope, setScope] = useState<PeopleScope>(ownScope ?? {});
  const [lists, setLists] = useState<Lists | undefined>();
  const [everyone, setEveryone] = useState<Lists | undefined>();
  const [notice, setNotice] = useState<string | undefined>();
  const [ask, setAsk] = useState<Confirmation | undefined>();
  const load = useAction(describe);
  const act = useAction(describe);

  const refresh = useCallback(
    () =>
      load.run(async () => {
        const [members, invitations, requests] = await Promise.all([api.members(scope), api.invitations(scope), api.requests(scope)]);
        const next = { members, invitations, requests };
        setLists(next);
        if (isAdmin && !('school' in scope) && !('trust' in scope)) setEveryone(next);
      }),
    [api, scope, isAdmin],
  );

  useEffect(() => {
    void refresh();
  }, [refresh]);

  /** Runs an action, says what it did, and reloads the lists. */
  const perform = (work: () => Promise<string>): Promise<void> =>
    act.run(async () => {
      setNotice(undefined);
      setNotice(await work());
      await refresh();
    });

  const pendingInvitations = lists?.invitations.filter((i) => i.state === 'pending') ?? [];
  const pendingRequests = lists?.requests.filter((r) => r.state === 'pending') ?? [];
  const scopes = useMemo(() => (everyone ? knownScopes(everyone) : []), [everyone]);
  const scopeLabel = ownScope ? (identity.school?.name ?? '') : (scopes.find((s) => s.value === scopeValue(scope))?.label ?? 'Everyone');

  const remove = (m: PersonMember): void =>
    setAsk({
      title: 'Remove this role?',
      body: `${m.name ?? 'This person'} will no longer be ${roleIn(m)}. It takes effect on their next request to Good Start.`,
      confirm: 'Remove',
      run: () =>
        perform(async () => {
          await api.remove(m.id);
          return `Removed: ${m.name ?? 'the person'} is no longer ${roleIn(m)}.`;
        }),
    });
  const revoke = (i: PersonInvitation): void =>
    setAsk({
      title: 'Revoke this invitation?',
      body: `The invitation for ${i.email} to be ${roleIn(i)} will stop working.`,
      confirm: 'Revoke',
      run: () =>
        perform(async () => {
          await api.revoke(i.id);
          return `Revoked the invitation for ${i.email}.`;
        }),
    });
  const resend = (i: PersonInvitation): Promise<void> =>
    perform(async () => {
      // An invitation is single use with a fixed expiry: resending withdraws it and sends a fresh one for 7 days.
      await api.revoke(i.id);
      await api.invite({ email: i.email, role: i.role, ...(i.school !== undefined ? { school: i.school } : {}), ...(i.trust !== undefined ? { trust: i.trust } : {}) });
      return `Sent ${i.email} a new invitation, valid for 7 days.`;
    });
  const approve = (r: PersonRequest): void =>
    setAsk({
      title: 'Approve this request?',
      body: `${r.name ?? r.email ?? 'This person'} will be ${roleIn(r)}.`,
      confirm: 'Approve',
      reason: 'optional',
      run: (reason) =>
        perform(async () => {
          await api.approve(r.id, reason);
          return `Approved: ${r.name ?? r.email ?? 'the person'} is now ${roleIn(r)}.`;
        }),
    });
  const decline = (r: PersonRequest): void =>
    setAsk({
      title: 'Decline this request?',
      body: `${r.name ?? r.email ?? 'This person'} asked to be ${roleIn(r)}. They will see your reason the next time they open Good Start.`,
      confirm: 'Decline',
      reason: 'required',
      run: (reason) =>
        perform(async () => {
          await api.decline(r.id, reason ?? '');
          return `Declined the request from ${r.name ?? r.email ?? 'the person'}.`;
        }),
    });

  return (
    <>
      <Section title={ownScope ? `People at ${scopeLabel}` : 'People'} id="people-heading">
        {isAdmin ? (
          <Field label="School or trust">
            <Dropdown value={scopeLabel} selectedOptions={[scopeValue(scope)]} onOptionSelect={(_, d) => setScope(scopeOf(d.optionValue ?? ALL))}>
              <Option value={ALL} text="Everyone">
                Everyone
              </Option>
              {scopes.map((s) => (
                <Option key={s.value} value={s.value} text={s.label}>
                  {s.label}
                </Option>
              ))}
            </Dropdown>
          </Field>
        ) : null}
        {load.busy && !lists ? <Spinner size="tiny" label="Loading people…" /> : null}
        {load.error ? <ErrorBar error={load.error} actions={<Button onClick={() => void refresh()}>Try again</Button>} /> : null}
        {act.error ? <ErrorBar error={act.error} /> : null}
        {notice ? (
          <MessageBar intent="success">
            <MessageBarBody>{notice}</MessageBarBody>
          </MessageBar>
        ) : null}
      </Section>

      {lists ? (
        <>
          <Section title={`Access requests (${pendingRequests.length})`} id="people-requests">
            {pendingRequests.length === 0 ? <Caption1 className={common.muted}>No one is waiting for access.</Caption1> : null}
            <ul className={styles.list} aria-labelledby="people-requests">
              {pendingRequests.map((r) => (
                <li key={r.id} className={styles.item}>
                  <Body1>
                    <strong>{r.name ?? r.email ?? 'Someone'}</strong> asks to be {roleIn(r)}
                  </Body1>
                  {r.email && r.name ? <Caption1>{r.email}</Caption1> : null}
                  {r.message ? <Caption1>“{r.message}”</Caption1> : null}
                  <Caption1 className={common.muted}>Asked {when(r.requestedAt)}</Caption1>
                  <div className={common.row}>
                    <Button size="small" appearance="primary" disabled={act.busy} onClick={() => approve(r)} aria-label={`Approve ${r.name ?? r.email ?? 'request'}`}>
                      Approve
                    </Button>
                    <Button size="small" disabled={act.busy} onClick={() => decline(r)} aria-label={`Decline ${r.name ?? r.email ?? 'request'}`}>
                      Decline
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          </Section>

          <Section title={`Members (${lists.members.length})`} id="people-members">
            {lists.members.length === 0 ? <Caption1 className={common.muted}>No one holds a role here yet: invite someone below.</Caption1> : null}
            <ul className={styles.list} aria-labelledby="people-members">
              {lists.members.map((m) => (
                <li key={m.id} className={styles.item}>
                  <Body1>
                    <strong>{m.name ?? 'Unnamed person'}</strong>, {roleIn(m)}
                  </Body1>
                  <Caption1 className={common.muted}>Since {when(m.grantedAt)}</Caption1>
                  <div className={common.row}>
                    <Button size="small" disabled={act.busy} onClick={() => remove(m)} aria-label={`Remove ${m.name ?? 'person'} as ${roleIn(m)}`}>
                      Remove
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          </Section>

          <Section title={`Pending invitations (${pendingInvitations.length})`} id="people-invitations">
            {pendingInvitations.length === 0 ? <Caption1 className={common.muted}>No invitations are waiting to be accepted.</Caption1> : null}
            <ul className={styles.list} aria-labelledby="people-invitations">
              {pendingInvitations.map((i) => (
                <li key={i.id} className={styles.item}>
                  <Body1>
                    <strong>{i.email}</strong>, {roleIn(i)}
                  </Body1>
                  <Caption1 className={common.muted}>
                    Invited by {i.invitedByName}; expires {when(i.expiresAt)}
                  </Caption1>
                  <div className={common.row}>
                    <Button size="small" disabled={act.busy} onClick={() => void resend(i)} aria-label={`Resend the invitation for ${i.email}`}>
                      Resend
                    </Button>
                    <Button size="small" disabled={act.busy} onClick={() => revoke(i)} aria-label={`Revoke the invitation for ${i.email}`}>
                      Revoke
                    </Button>
                  </div>
                </li>
              ))}
            </ul>
          </Section>
        </>
      ) : null}

      <InviteForm access={identity.access} scope={scope} busy={act.busy} onInvite={(body) => perform(async () => {
        const sent = await api.invite(body);
        return `Invited ${sent.email} as ${roleIn(sent)}. The invitation lasts 7 days.`;
      })} />

      {isAdmin ? <TenantList api={api} describe={describe} ownTenant={identity.tid} onAsk={setAsk} /> : null}
      <ConfirmDialog ask={ask} onClose={() => setAsk(undefined)} />
    </>
  );
}

function InviteForm({
  access,
  scope,
  busy,
  onInvite,
}: {
  access: MembershipRole | undefined;
  scope: PeopleScope;
  busy: boolean;
  onInvite: (body: { email: string; role: MembershipRole; school?: string; trust?: string }) => Promise<void>;
}): JSX.Element {
  const common = useCommonStyles();
  const roles = invitableRoles(access);
  const [email, setEmail] = useState('');
  const [role, setRole] = useState<MembershipRole>('senco');
  const [school, setSchool] = useState('school' in scope ? scope.school : '');
  const [trust, setTrust] = useState('trust' in scope ? scope.trust : '');
  useEffect(() => {
    if ('school' in scope) setSchool(scope.school);
    if ('trust' in scope) setTrust(scope.trust);
  }, [scope]);
  const kind = scopeKindOf(role);
  const ready = /^\S+@\S+\.\S+$/.test(email.trim()) && (kind !== 'school' || /^\d{7}$/.test(school.trim())) && (kind !== 'trust' || trust.trim() !== '');
  // Only an LA admin may choose the school: an approver's is their own.
  const fixedSchool = access !== 'laAdmin';

  const submit = async (): Promise<void> => {
    await onInvite({ email: email.trim(), role, ...(kind === 'school' ? { school: school.trim() } : {}), ...(kind === 'trust' ? { trust: trust.trim() } : {}) });
    setEmail('');
  };

  return (
    <Section title="Invite someone" id="people-invite">
      <Caption1 className={common.muted}>They sign in with this address to accept. An invitation is single use and lasts 7 days.</Caption1>
      <Field label="E-mail address" required>
        <Input type="email" value={email} onChange={(_, d) => setEmail(d.value)} />
      </Field>
      <RoleScopeFields roles={roles} role={role} onRole={setRole} school={school} onSchool={setSchool} trust={trust} onTrust={setTrust} schoolFixed={fixedSchool} />
      <div className={common.row}>
        <Button appearance="primary" disabled={!ready || busy} onClick={() => void submit()}>
          Send invitation
        </Button>
      </div>
    </Section>
  );
}

function TenantList({ api, describe, ownTenant, onAsk }: { api: PeopleApi; describe: DescribeError; ownTenant: string | undefined; onAsk: (c: Confirmation) => void }): JSX.Element {
  const common = useCommonStyles();
  const styles = useStyles();
  const [tenants, setTenants] = useState<AllowedTenant[] | undefined>();
  const [tid, setTid] = useState('');
  const [name, setName] = useState('');
  const [reason, setReason] = useState('');
  const [notice, setNotice] = useState<string | undefined>();
  const { busy, error, run } = useAction(describe);

  const refresh = useCallback(() => run(async () => setTenants(await api.tenants())), [api]);
  useEffect(() => {
    void refresh();
  }, [refresh]);

  const guid = tid.trim().toLowerCase();
  const ready = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/.test(guid) && name.trim() !== '' && reason.trim() !== '';
  const add = (): Promise<void> =>
    run(async () => {
      await api.addTenant({ tid: guid, name: name.trim(), reason: reason.trim() });
      setNotice(`Added ${name.trim()}: its people can now sign in.`);
      setTid('');
      setName('');
      setReason('');
      setTenants(await api.tenants());
    });
  const remove = (t: AllowedTenant): void =>
    onAsk({
      title: 'Remove this organisation?',
      body: `People signing in from ${t.name} will be refused from their next request, whatever roles they hold.`,
      confirm: 'Remove',
      run: () =>
        run(async () => {
          await api.removeTenant(t.tid);
          setNotice(`Removed ${t.name} from the organisations that may sign in.`);
          setTenants(await api.tenants());
        }),
    });

  return (
    <Section title="Organisations that may sign in" id="people-tenants">
      <Caption1 className={common.muted}>Each school or trust signs in from its own Microsoft 365 organisation (tenant). Only these are let in.</Caption1>
      {error ? <ErrorBar error={error} /> : null}
      {notice ? (
        <MessageBar intent="success">
          <MessageBarBody>{notice}</MessageBarBody>
        </MessageBar>
      ) : null}
      {tenants === undefined && busy ? <Spinner size="tiny" label="Loading organisations…" /> : null}
      {tenants ? <Caption1>{plural(tenants.length, 'organisation')}</Caption1> : null}
      <ul className={styles.list} aria-labelledby="people-tenants">
        {(tenants ?? []).map((t) => (
          <li key={t.tid} className={styles.item}>
            <Body1>
              <strong>{t.name}</strong>
            </Body1>
            <Caption1 className={common.mono}>{t.tid}</Caption1>
            <Caption1 className={common.muted}>
              Added {when(t.addedAt)}: {t.reason}
            </Caption1>
            {t.tid === ownTenant ? (
              <Caption1 className={common.muted}>Your own organisation</Caption1>
            ) : (
              <div className={common.row}>
                <Button size="small" disabled={busy} onClick={() => remove(t)} aria-label={`Remove ${t.name}`}>
                  Remove
                </Button>
              </div>
            )}
          </li>
        ))}
      </ul>
      <Field label="Tenant id" hint="A GUID, from the organisation's Microsoft Entra admin centre" required>
        <Input value={tid} onChange={(_, d) => setTid(d.value)} />
      </Field>
      <Field label="Organisation name" required>
        <Input value={name} onChange={(_, d) => setName(d.value)} maxLength={200} />
      </Field>
      <Field label="Reason (kept in the audit)" required>
        <Textarea value={reason} onChange={(_, d) => setReason(d.value)} maxLength={500} />
      </Field>
      <div className={common.row}>
        <Button appearance="primary" disabled={!ready || busy} onClick={() => void add()}>
          Add organisation
        </Button>
      </div>
    </Section>
  );
}
