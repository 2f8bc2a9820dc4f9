/**
 * The auth session behind the task pane's PaneSession port (addin/taskpane/ports.ts).
 */
import type { DevChoice, Identity, PaneSession } from '../taskpane/ports';
import type { PaneAuth } from './index';
import type { DevIdentityChoice, SignedInUser } from './session';

function identityOf(user: SignedInUser): Identity {
  const school = user.school !== undefined ? user.schools.find((s) => s.laestab === user.school) : undefined;
  return {
    role: user.role,
    access: user.access,
    tid: user.tid,
    ...(user.displayName !== undefined ? { name: user.displayName } : {}),
    ...(school ? { school } : {}),
    ...(user.trust !== undefined ? { trust: user.trust } : {}),
    schools: user.schools,
  };
}

function devIdentityChoice(choice: DevChoice): DevIdentityChoice {
  if (choice.person) return { tid: choice.person.tid, oid: choice.person.oid };
  if (choice.role === 'school') return { role: 'school', school: choice.school ?? '' };
  if (choice.role === 'trust') return { role: 'trust', trust: choice.trust ?? '' };
  return { role: 'la' };
}

/** PaneSession over startAuth's session (and its dev picker, when the build and the API have one). */
export function paneSession({ session, devIdentities }: PaneAuth): PaneSession {
  return {
    dev: devIdentities
      ? {
          identities: async () => {
            const d = await devIdentities();
            return { schools: d.schools, trusts: d.trusts.map((t) => ({ id: t.id })) };
          },
          signIn: async (choice) => {
            await session.signIn(devIdentityChoice(choice));
          },
        }
      : undefined,
    signIn: async () => {
      await session.signIn();
    },
    signOut: () => session.signOut(),
    async identity() {
      const user = session.current() ?? (await session.restore());
      return user ? identityOf(user) : undefined;
    },
  };
}
