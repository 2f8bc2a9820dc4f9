/**
 * The add-in's identity room (addin/auth): the session the pane uses, with the dev picker's
 * tokens from the real local stack, and the Entra paths (nested app auth, Office dialog) with
 * MSAL and Office stood in for.
 */
import { ApiProblem, createApiClient, onSharedIdentityChange, sharedToken } from '../../addin/api';
import { createAuthSession, SignInFailed, startAuth, type SignedInUser, TOKEN_STORAGE_KEY } from '../../addin/auth';
import { createDevTokenSource } from '../../addin/auth/devSignIn';
import { encodeDialogMessage } from '../../addin/auth/dialogMessage';
import { createMsalTokenSource, type OfficeLike } from '../../addin/auth/msal';
import { startStack, type Stack, TEST_SCHOOLS } from '../api/harness';

/** MSAL stood in for: the nestable client answers from `msal` below. */
const msal = {
  silent: jest.fn<Promise<{ accessToken: string; account: { homeAccountId: string } }>, [unknown]>(),
  popup: jest.fn<Promise<{ accessToken: string; account: { homeAccountId: string } }>, [unknown]>(),
  created: [] as unknown[],
};
jest.mock('@azure/msal-browser', () => {
  class InteractionRequiredAuthError extends Error {}
  return {
    InteractionRequiredAuthError,
    createNestablePublicClientApplication: async (config: unknown) => {
      msal.created.push(config);
      let active: unknown = null;
      return {
        getActiveAccount: () => active,
        getAllAccounts: () => [],
        setActiveAccount: (a: unknown) => {
          active = a;
        },
        acquireTokenSilent: (r: unknown) => msal.silent(r),
        acquireTokenPopup: (r: unknown) => msal.popup(r),
        clearCache: async () => undefined,
      };
    },
  };
});
const { InteractionRequiredAuthError } = jest.requireMock<{ InteractionRequiredAuthError: new () => Error }>('@azure/msal-browser');

/** A Map-backed sessionStorage, as the add-in's page has. */
function installSessionStorage(): Map<string, string> {
  const map = new Map<string, string>();
  const storage = {
    getItem: (k: string) => map.get(k) ?? null,
    setItem: (k: string, v: string) => void map.set(k, v),
    removeItem: (k: string) => void map.delete(k),
  };
  Object.defineProperty(globalThis, 'sessionStorage', { value: storage, configurable: true });
  return map;
}

let stack: Stack;
let storage: Map<string, string>;
beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack.stop();
  Reflect.deleteProperty(globalThis, 'sessionStorage');
});
beforeEach(() => {
  storage = installSessionStorage();
});

function devSession() {
  const source = createDevTokenSource({ baseUrl: stack.baseUrl });
  const api = createApiClient({ baseUrl: stack.baseUrl, getToken: () => session.getToken() });
  const session = createAuthSession(source, { me: () => api.me() });
  const seen: (SignedInUser | undefined)[] = [];
  session.onChange((u) => seen.push(u));
  return { source, session, seen };
}

describe('the dev picker against the local stack', () => {
  test('lists the directory to choose from', async () => {
    const identities = await createDevTokenSource({ baseUrl: stack.baseUrl }).identities();
    expect(identities.schools.map((s) => s.laestab)).toEqual(TEST_SCHOOLS.map((s) => s.laestab));
    expect(identities.trusts.map((t) => t.id)).toEqual(['T1']);
  });

  test('signing in as a school reads who that is from /me, keeps the token for the session, and tells listeners', async () => {
    const { session, seen } = devSession();
    const user = await session.signIn({ role: 'school', school: '3302001' });
    expect(user).toEqual({ role: 'school', access: 'senco', tid: expect.any(String), school: '3302001', displayName: 'Dev SENCo', schools: [TEST_SCHOOLS[0]] });
    expect(session.current()).toEqual(user);
    expect(seen).toEqual([user]);
    expect(storage.get(TOKEN_STORAGE_KEY)).toBe(await session.getToken());
    expect(session.kind).toBe('dev');

    await session.signOut();
    expect(session.current()).toBeUndefined();
    expect(storage.has(TOKEN_STORAGE_KEY)).toBe(false);
    expect(seen).toEqual([user, undefined]);
  });

  test('a trust and the LA sign in too', async () => {
    const { session } = devSession();
    expect(await session.signIn({ role: 'trust', trust: 'T1' })).toMatchObject({ role: 'trust', trust: 'T1', schools: TEST_SCHOOLS.filter((s) => s.trust === 'T1') });
    expect(await session.signIn({ role: 'la' })).toEqual({ role: 'la', access: 'laOfficer', tid: expect.any(String), displayName: 'Dev LA officer', schools: [] });
  });

  test('restore picks up the stored token; a token the API refuses is forgotten', async () => {
    const first = devSession();
    await first.session.signIn({ role: 'school', school: '3302002' });
    const again = devSession();
    await expect(again.session.restore()).resolves.toMatchObject({ role: 'school', school: '3302002' });

    storage.set(TOKEN_STORAGE_KEY, 'not-a-token');
    const stale = devSession();
    await expect(stale.session.restore()).resolves.toBeUndefined();
    expect(storage.has(TOKEN_STORAGE_KEY)).toBe(false);
    expect(stale.session.current()).toBeUndefined();
  });

  test('a choice the directory does not have is a 400 problem, and nobody is signed in', async () => {
    const { session } = devSession();
    const error = await session.signIn({ role: 'school', school: '3309999' }).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ApiProblem);
    expect(error).toMatchObject({ status: 400, slug: 'malformed-body' });
    expect(session.current()).toBeUndefined();
    expect(storage.has(TOKEN_STORAGE_KEY)).toBe(false);
  });
});

describe('startAuth', () => {
  test('a build without the dev sign-in never offers it, even against a local API; without Entra settings signing in says what is missing', async () => {
    const { session, devIdentities } = await startAuth({ mode: 'local', api: createApiClient({ baseUrl: stack.baseUrl }) });
    expect(devIdentities).toBeUndefined();
    expect(session.kind).toBe('entra');
    await expect(session.signIn()).rejects.toThrow(SignInFailed);
    await expect(session.signIn()).rejects.toThrow(/GOODSTART_AAD_CLIENT_ID/);
    // The shared client now asks this session for its token, and hears when the user changes.
    await expect(sharedToken()).resolves.toBeUndefined();
    const changes: number[] = [];
    const stop = onSharedIdentityChange(() => changes.push(1));
    await session.signOut();
    stop();
    expect(changes).toEqual([1]);
  });
});

const ENTRA = { clientId: '00000000-0000-0000-0000-000000000001', authority: 'https://login.microsoftonline.com/common', apiScope: 'api://goodstart/access_as_user' };

/** Office stood in for: NAA supported or not, and a dialog whose events the test raises. */
function fakeOffice(naa: boolean) {
  const handlers = new Map<string, (arg: unknown) => void>();
  const opened: string[] = [];
  const closed: string[] = [];
  const office = {
    context: {
      requirements: { isSetSupported: (name: string, version?: string) => naa && name === 'NestedAppAuth' && version === '1.1' },
      ui: {
        displayDialogAsync: (url: string, _options: unknown, callback: (r: unknown) => void) => {
          opened.push(url);
          callback({
            status: 'succeeded',
            value: { addEventHandler: (type: string, handler: (arg: unknown) => void) => handlers.set(type, handler), close: () => closed.push(url) },
          });
        },
      },
    },
    AsyncResultStatus: { Failed: 'failed' },
    EventType: { DialogMessageReceived: 'dialogMessageReceived', DialogEventReceived: 'dialogEventReceived' },
  } as unknown as OfficeLike;
  const raise = (type: string, arg: unknown) => handlers.get(type)?.(arg);
  return { office, opened, closed, raise };
}

const flush = () => new Promise((r) => setTimeout(r, 0));

beforeEach(() => {
  msal.silent.mockReset();
  msal.popup.mockReset();
  msal.created.length = 0;
});

describe('Entra through MSAL nested app auth', () => {
  test('silently when MSAL can; the popup only when interaction is required, and only on sign-in', async () => {
    const { office, opened } = fakeOffice(true);
    const source = createMsalTokenSource(ENTRA, { office });
    msal.silent.mockRejectedValue(new InteractionRequiredAuthError());
    msal.popup.mockResolvedValue({ accessToken: 'popup-token', account: { homeAccountId: 'a1' } });

    await expect(source.silentToken()).resolves.toBeUndefined();
    expect(msal.popup).not.toHaveBeenCalled();
    await expect(source.signIn()).resolves.toBe('popup-token');
    expect(msal.popup).toHaveBeenCalledWith({ scopes: [ENTRA.apiScope] });
    expect(msal.created).toEqual([{ auth: { clientId: ENTRA.clientId, authority: ENTRA.authority } }]);
    expect(opened).toEqual([]);

    msal.silent.mockResolvedValue({ accessToken: 'silent-token', account: { homeAccountId: 'a1' } });
    await expect(source.silentToken()).resolves.toBe('silent-token');
    expect(msal.silent).toHaveBeenLastCalledWith({ scopes: [ENTRA.apiScope], account: { homeAccountId: 'a1' } });
  });
});

describe('Entra through the Office dialog, where nested app auth is not supported', () => {
  test('the dialog page sends the token back; it is used until shortly before it expires', async () => {
    let now = Date.parse('2026-11-30T09:00:00Z');
    const { office, opened, closed, raise } = fakeOffice(false);
    const source = createMsalTokenSource(ENTRA, { office, signInPageUrl: 'https://localhost:3000/signin.html', now: () => now });
    const signIn = source.signIn();
    await flush();
    raise('dialogMessageReceived', { message: encodeDialogMessage({ kind: 'token', accessToken: 'dialog-token', expiresOn: '2026-11-30T10:00:00Z' }), origin: 'https://localhost:3000' });
    await expect(signIn).resolves.toBe('dialog-token');
    expect(opened).toEqual(['https://localhost:3000/signin.html']);
    expect(closed).toEqual(['https://localhost:3000/signin.html']);
    expect(msal.created).toEqual([]);

    await expect(source.silentToken()).resolves.toBe('dialog-token');
    now = Date.parse('2026-11-30T09:59:00Z');
    await expect(source.silentToken()).resolves.toBeUndefined();
  });

  test('closing the dialog, an error from it, or an answer from another site is a SignInFailed', async () => {
    const cases: [string, unknown, RegExp, boolean][] = [
      ['dialogEventReceived', { error: 12006 }, /closed/, true],
      ['dialogMessageReceived', { message: encodeDialogMessage({ kind: 'error', message: 'AADSTS50011: redirect mismatch' }), origin: 'https://localhost:3000' }, /AADSTS50011/, false],
      ['dialogMessageReceived', { message: encodeDialogMessage({ kind: 'token', accessToken: 'x', expiresOn: '2030-01-01T00:00:00Z' }), origin: 'https://evil.example' }, /another site/, false],
    ];
    for (const [type, arg, message, cancelled] of cases) {
      const { office, raise } = fakeOffice(false);
      const signIn = createMsalTokenSource(ENTRA, { office, signInPageUrl: 'https://localhost:3000/signin.html' }).signIn();
      await flush();
      raise(type, arg);
      const error = (await signIn.catch((e: unknown) => e)) as SignInFailed;
      expect(error).toBeInstanceOf(SignInFailed);
      expect(error.message).toMatch(message);
      expect(error.cancelled).toBe(cancelled);
    }
  });
});
