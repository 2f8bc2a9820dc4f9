/**
 * The add-in's identity room (STYLE.md habit 14): who the user is and the tokens that prove it.
 * The task pane calls `startAuth` once, with the API's mode from /health, and then uses the
 * `AuthSession` it returns; the shared API client takes its tokens from that session.
 */
import { type ApiClient, setSharedTokenProvider, sharedApiClient, sharedIdentityChanged } from '../api';
import type { DevIdentities, DevTokenSource } from './devSignIn';
import { createMsalTokenSource, type OfficeLike, SignInFailed } from './msal';
import { type AuthSession, createAuthSession, type TokenSource } from './session';
import { entraSettings } from './settings';

export { type AuthSession, type DevIdentityChoice, type SignedInUser, signedInUser, type TokenSource, createAuthSession } from './session';
export type { DevIdentities } from './devSignIn';
export { SignInFailed } from './msal';
export { paneSession } from './pane';
export { DEFAULT_AUTHORITY, type EntraSettings, entraSettings } from './settings';
export { sessionToken, storeSessionToken, TOKEN_STORAGE_KEY } from './tokenStore';

/** True in a build made with the dev sign-in (GOODSTART_DEV_SIGNIN): `npm start` and the browser tests. */
declare const GOODSTART_DEV_SIGNIN: boolean | undefined;

/**
 * The dev picker's module, or undefined in a build without it. The test must read the build
 * constant itself, here: webpack then drops the import from a production bundle entirely.
 */
async function loadDevSignIn(): Promise<typeof import('./devSignIn') | undefined> {
  if (typeof GOODSTART_DEV_SIGNIN !== 'undefined' && GOODSTART_DEV_SIGNIN) return import('./devSignIn.js');
  return undefined;
}

/** What the task pane gets from startAuth. */
export interface PaneAuth {
  session: AuthSession;
  /** Present only when the dev picker is in this build and the API is local: who it can sign in as. */
  devIdentities?: () => Promise<DevIdentities>;
}

export interface StartAuthOptions {
  /** The API's mode, from /health: the dev picker is only ever offered for `local`. */
  mode: 'local' | 'cloud';
  /** Defaults to the runtime's shared client. */
  api?: ApiClient;
  /** Office.js, when running in an Office host. */
  office?: OfficeLike;
}

/** A source for a build without Entra settings: signing in says what the build is missing. */
const unconfigured: TokenSource = {
  kind: 'entra',
  silentToken: async () => undefined,
  signIn: () => Promise.reject(new SignInFailed('this build of Good Start has no Entra sign-in settings (GOODSTART_AAD_CLIENT_ID, GOODSTART_API_SCOPE)')),
  signOut: async () => undefined,
};

/** Chooses where tokens come from, makes the session, and points the shared API client (and its listeners) at it. */
export async function startAuth(options: StartAuthOptions): Promise<PaneAuth> {
  const api = options.api ?? sharedApiClient();
  const devModule = options.mode === 'local' ? await loadDevSignIn() : undefined;
  let dev: DevTokenSource | undefined;
  let source: TokenSource;
  if (devModule) {
    dev = devModule.createDevTokenSource({ baseUrl: api.baseUrl });
    source = dev;
  } else {
    const settings = entraSettings();
    source = settings ? createMsalTokenSource(settings, options.office ? { office: options.office } : {}) : unconfigured;
  }
  const session = createAuthSession(source, { me: () => api.me() });
  setSharedTokenProvider(() => session.getToken());
  // Answers cached for the last user (the RB.* functions' dataset and demand) are theirs, not the next user's.
  session.onChange(() => sharedIdentityChanged());
  return dev ? { session, devIdentities: () => (dev as DevTokenSource).identities() } : { session };
}
