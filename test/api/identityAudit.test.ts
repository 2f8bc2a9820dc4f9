/**
 * The identity audit's one rule, as a property (issue 25): every change of membership state writes
 * exactly one audit entry, and a refused operation writes none. Random sequences of invite,
 * accept, revoke, request, approve, decline, remove and the clock passing 8 days run against the
 * membership-management service over the real embedded Cosmos server; after each operation the
 * state changed (invitations created or moved on, requests created or decided, memberships
 * removed) is counted and compared with the entries the audit gained.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import { identityStores } from '../../functions/src/identity';
import { type Actor, IdentityService } from '../../functions/src/identity/service';
import { COUNCIL_TENANT } from '../../functions/src/store/samplePeople';
import { subjectOf } from '../../shared/identity';
import { startStack, type Stack } from './harness';

let stack: Stack;
beforeAll(async () => {
  stack = await startStack();
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

const SCHOOLS = ['3302001', '3302003'] as const;
const EMAILS = ['a@x.example', 'b@x.example', 'c@x.example'];

type Op =
  | { kind: 'invite'; by: number; email: number; school: number }
  | { kind: 'accept'; who: number; pick: number }
  | { kind: 'revoke'; by: number; pick: number }
  | { kind: 'request'; who: number; school: number }
  | { kind: 'decide'; by: number; pick: number; approve: boolean }
  | { kind: 'remove'; by: number; pick: number }
  | { kind: 'wait8days' };

const op: fc.Arbitrary<Op> = fc.oneof(
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('invite' as const), by: fc.nat(2), email: fc.nat(2), school: fc.nat(1) }) },
  // `who` 3 is the invitation's own invitee; 0-2 anyone (usually someone else).
  { weight: 3, arbitrary: fc.record({ kind: fc.constant('accept' as const), who: fc.nat(3), pick: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('revoke' as const), by: fc.nat(2), pick: fc.nat(5) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('request' as const), who: fc.nat(2), school: fc.nat(1) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('decide' as const), by: fc.nat(2), pick: fc.nat(5), approve: fc.boolean() }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('remove' as const), by: fc.nat(2), pick: fc.nat(5) }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'wait8days' as const }) },
);

/** Everything whose change is a change of membership state, as comparable strings. */
async function snapshot(): Promise<{ invitations: Map<string, string>; requests: Map<string, string>; memberships: Set<string> }> {
  const { invitations, requests } = identityStores(stack.store);
  return {
    invitations: new Map((await invitations.list()).map((d) => [d.id, d.state])),
    requests: new Map((await requests.list()).map((d) => [d.id, d.state])),
    memberships: new Set((await stack.store.memberships.list()).flatMap((p) => p.memberships.map((m) => m.id))),
  };
}

const changed = <K, V>(before: Map<K, V>, after: Map<K, V>) => [...after].filter(([k, v]) => before.get(k) !== v).length;

it('every change of membership state writes exactly one audit entry; a refused operation writes none', async () => {
  await fc.assert(
    fc.asyncProperty(fc.array(op, { minLength: 5, maxLength: 16 }), async (ops) => {
      const run = randomUUID().slice(0, 8);
      let clock = Date.now();
      const service = new IdentityService({
        ...identityStores(stack.store),
        memberships: stack.store.memberships,
        directory: () => stack.store.directory.get(),
        countAgainstLimit: async () => undefined,
        now: () => new Date(clock),
        correlationId: `property-${run}`,
      });
      // Actors: an LA admin and the approvers of the two schools (as the store holds them).
      const actors: Actor[] = ([
        { tid: COUNCIL_TENANT, oid: randomUUID(), subject: '', access: 'laAdmin', name: 'Admin' },
        { tid: COUNCIL_TENANT, oid: randomUUID(), subject: '', access: 'schoolApprover', school: SCHOOLS[0], name: 'Approver A' },
        { tid: COUNCIL_TENANT, oid: randomUUID(), subject: '', access: 'schoolApprover', school: SCHOOLS[1], name: 'Approver C' },
      ] satisfies Actor[]).map((a) => ({ ...a, subject: subjectOf(a.tid, a.oid) }));
      // Claimants: three people, one per e-mail (this run's own addresses).
      const people = EMAILS.map((e) => ({ tid: COUNCIL_TENANT, oid: randomUUID(), name: 'Person', email: `${run}.${e}` }));
      const invitationIds: string[] = [];
      const invitees: number[] = [];
      const requestIds: string[] = [];
      const membershipIds = () => stack.store.memberships.list().then((ps) => ps.flatMap((p) => p.memberships.filter((m) => people.some((q) => q.oid === p.oid)).map((m) => m.id)));

      for (const o of ops) {
        const before = await snapshot();
        const auditBefore = (await identityStores(stack.store).audit.list()).length;
        try {
          switch (o.kind) {
            case 'invite':
              invitationIds.push((await service.invite(actors[o.by]!, { email: people[o.email]!.email, role: 'senco', school: SCHOOLS[o.school]! })).id);
              invitees.push(o.email);
              break;
            case 'accept':
            {
              const i = o.pick % Math.max(1, invitationIds.length);
              await service.accept(people[o.who === 3 ? invitees[i] ?? 0 : o.who]!, invitationIds[i] ?? 'none');
            }
              break;
            case 'revoke':
              await service.revoke(actors[o.by]!, invitationIds[o.pick % Math.max(1, invitationIds.length)] ?? 'none');
              break;
            case 'request':
              requestIds.push((await service.requestAccess(people[o.who]!, { role: 'senco', school: SCHOOLS[o.school]! })).request.id);
              break;
            case 'decide':
              await service.decide(actors[o.by]!, requestIds[o.pick % Math.max(1, requestIds.length)] ?? 'none', o.approve ? 'approved' : 'declined', 'a reason');
              break;
            case 'remove': {
              const ids = await membershipIds();
              await service.removeMembership(actors[o.by]!, ids[o.pick % Math.max(1, ids.length)] ?? 'none');
              break;
            }
            case 'wait8days':
              clock += 8 * 24 * 3600 * 1000;
              // Listing notices the expiries (the first time only).
              await service.listInvitations(actors[0]!, {});
              break;
          }
        } catch (error) {
          if (!(error instanceof Error && 'status' in error)) throw error; // a refusal (HttpProblem), not a bug
        }
        const after = await snapshot();
        const removed = [...before.memberships].filter((id) => !after.memberships.has(id)).length;
        const changes = changed(before.invitations, after.invitations) + changed(before.requests, after.requests) + removed;
        const written = (await identityStores(stack.store).audit.list()).length - auditBefore;
        expect({ op: o, written }).toEqual({ op: o, written: changes });
      }
    }),
    { numRuns: 15 },
  );
}, 120_000);
