/**
 * The sign-in session the task pane uses, whatever issues the tokens: Entra through MSAL
 * (msal.ts) in production, the dev picker (devSignIn.ts) in local mode. Who the user is comes
 * from the API's /me, never from the token's claims read in the browser (STYLE.md habit 5).
 */
import type { School } from '../../shared/schools';
import { ApiProblem } from '../api/problems';
import type { Me, Role } from '../api/schemas';

/** Who the dev picker signs in as. */
export type DevIdentityChoice = { role: 'school'; school: string } | { role: 'trust'; trust: string } | { role: 'la' } | { tid: string; oid: string };

/** Where tokens come from. */
export interface TokenSource {
  readonly kind: 'entra' | 'dev';
  /** A token without asking the user (cached or silently refreshed), or undefined. */
  silentToken(): Promise<string | undefined>;
  /** A token, asking the user where needed (a popup or dialog for Entra; the choice for dev). */
  signIn(choice?: DevIdentityChoice): Promise<string>;
  /** Forgets the user's tokens in this add-in. */
  signOut(): Promise<void>;
}

/** The signed-in user, as /me describes them. */
export interface SignedInUser {
  role: Role;
  /** The membership role acted under (LA admin or LA officer, school approver or SENCo, trust lead). */
  access: Me['principal']['access'];
  /** Their organisation's tenant id. */
  tid: string;
  /** The user's school (LAESTAB), for the school role. */
  school?: string;
  /** The user's trust id, for the trust role. */
  trust?: string;
  /** For greeting the user; never logged. */
  displayName?: string;
  /** Their school, or their trust's schools; empty for the LA. */
  schools: School[];
}

/** The one sign-in interface the task pane uses. */
export interface AuthSession {
  /** `entra` in production; `dev` when the local API's dev picker issues tokens. */
  readonly kind: 'entra' | 'dev';
  /** The bearer token for the next request, or undefined when signed out (never prompts). */
  getToken(): Promise<string | undefined>;
  /** Signs in (the dev picker passes its choice) and reads who the user is from /me. */
  signIn(choice?: DevIdentityChoice): Promise<SignedInUser>;
  signOut(): Promise<void>;
  /** The signed-in user, or undefined. */
  current(): SignedInUser | undefined;
  /** Called with the user after every sign-in, sign-out and restore; returns the unsubscribe. */
  onChange(listener: (user: SignedInUser | undefined) => void): () => void;
  /** On start-up: the user from a token that can be had without asking, or undefined. */
  restore(): Promise<SignedInUser | undefined>;
}

export interface AuthSessionOptions {
  /** GET /me with the session's token (the API client's `me`). */
  me: () => Promise<Me>;
}

/** The user /me describes. */
export function signedInUser(me: Me): SignedInUser {
  const { principal, schools } = me;
  return {
    role: principal.role,
    access: principal.access,
    tid: principal.tid,
    ...(principal.school !== undefined ? { school: principal.school } : {}),
    ...(principal.trust !== undefined ? { trust: principal.trust } : {}),
    ...(principal.name !== undefined ? { displayName: principal.name } : {}),
    schools,
  };
}

const isUnauthorized = (e: unknown): boolean => e instanceof ApiProblem && e.status === 401;

export function createAuthSession(source: TokenSource, options: AuthSessionOptions): AuthSession {
  let user: SignedInUser | undefined;
  const listeners = new Set<(u: SignedInUser | undefined) => void>();
  const set = (u: SignedInUser | undefined): SignedInUser | undefined => {
    user = u;
    listeners.forEach((l) => l(u));
    return u;
  };

  /** /me with the token just obtained; a token the API refuses is forgotten at once. */
  async function whoAmI(): Promise<SignedInUser> {
    try {
      return signedInUser(await options.me());
    } catch (error) {
      if (isUnauthorized(error)) {
        await source.signOut();
        set(undefined);
      }
      throw error;
    }
  }

  return {
    kind: source.kind,
    getToken: () => source.silentToken(),
    async signIn(choice) {
      await source.signIn(choice);
      return set(await whoAmI()) as SignedInUser;
    },
    async signOut() {
      await source.signOut();
      set(undefined);
    },
    current: () => user,
    onChange(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async restore() {
      if ((await source.silentToken()) === undefined) return set(undefined);
      try {
        return set(await whoAmI());
      } catch (error) {
        // A stale token just means signed out; an organisation not registered is news the pane shows (its token is forgotten all the same).
        if (isUnauthorized(error) && !(error instanceof ApiProblem && error.slug === 'tenant-not-registered')) return undefined;
        throw error;
      }
    },
  };
}
