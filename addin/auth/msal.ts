/**
 * Entra ID tokens for the API, in production.
 *
 * - Nested app authentication (NAA) where Office supports it (requirement set NestedAppAuth
 *   1.1): MSAL's nestable client asks the Office host for the token, silently when it can and
 *   with a popup the host shows when the user must act (InteractionRequiredAuthError). The
 *   app registration needs the SPA redirect URI `brk-multihub://<add-in domain>`.
 * - Elsewhere, the Office dialog API: `displayDialogAsync` opens signin.html (signinPage.ts),
 *   which runs MSAL's redirect flow and `messageParent`s the token back. The token is then held
 *   in memory until it expires, and the dialog opens again on the next sign-in.
 */
import { createNestablePublicClientApplication, InteractionRequiredAuthError, type IPublicClientApplication } from '@azure/msal-browser';
import { decodeDialogMessage } from './dialogMessage';
import type { TokenSource } from './session';
import type { EntraSettings } from './settings';

/** The sign-in dialog page, beside the task pane page. */
export const SIGN_IN_PAGE = 'signin.html';
/** MSAL v5's redirect bridge page: the redirect URI the dialog's flow registers. */
export const SIGN_IN_REDIRECT_PAGE = 'signin-redirect.html';
/** A token this close to expiry is not used; the user signs in again instead. */
const EXPIRY_MARGIN_MS = 2 * 60_000;
/** Office's code when the user closes the dialog (Office.js dialog error 12006). */
const DIALOG_CLOSED = 12006;

/** The part of Office.js this module uses (so a test can stand in for it). */
export interface OfficeLike {
  context: {
    requirements: { isSetSupported(name: string, version?: string): boolean };
    ui: Pick<Office.UI, 'displayDialogAsync'>;
  };
  AsyncResultStatus: Pick<typeof Office.AsyncResultStatus, 'Failed'>;
  EventType: Pick<typeof Office.EventType, 'DialogMessageReceived' | 'DialogEventReceived'>;
}

export interface MsalTokenSourceOptions {
  /** Office.js; undefined outside an Office host (then only the dialog path exists, and fails). */
  office?: OfficeLike;
  /** The sign-in dialog page's URL; defaults to signin.html beside the current page. */
  signInPageUrl?: string;
  now?: () => number;
}

export class SignInFailed extends Error {
  override readonly name = 'SignInFailed';
  readonly userMessage = 'Signing in to Good Start did not finish.';

  constructor(
    message: string,
    /** True when the user closed the sign-in window themselves. */
    readonly cancelled = false,
  ) {
    super(message);
  }

  get nextStep(): string {
    return this.cancelled ? 'Sign in again when you are ready.' : 'Try again. If it keeps happening, ask your IT team whether Good Start is allowed for your account.';
  }
}

/** True when Office can broker tokens for the add-in (NAA). */
export function nestedAppAuthSupported(office: OfficeLike | undefined): boolean {
  try {
    return office?.context.requirements.isSetSupported('NestedAppAuth', '1.1') === true;
  } catch {
    return false;
  }
}

export function createMsalTokenSource(settings: EntraSettings, options: MsalTokenSourceOptions = {}): TokenSource {
  return nestedAppAuthSupported(options.office) ? naaSource(settings) : dialogSource(options);
}

function naaSource(settings: EntraSettings): TokenSource {
  let pca: Promise<IPublicClientApplication> | undefined;
  const client = () => (pca ??= createNestablePublicClientApplication({ auth: { clientId: settings.clientId, authority: settings.authority } }));
  const scopes = [settings.apiScope];

  async function silent(): Promise<string | undefined> {
    const app = await client();
    const account = app.getActiveAccount() ?? app.getAllAccounts()[0];
    try {
      const result = await app.acquireTokenSilent({ scopes, ...(account ? { account } : {}) });
      if (result.account) app.setActiveAccount(result.account);
      return result.accessToken;
    } catch (error) {
      if (error instanceof InteractionRequiredAuthError) return undefined;
      throw error;
    }
  }

  return {
    kind: 'entra',
    silentToken: silent,
    async signIn() {
      const token = await silent();
      if (token !== undefined) return token;
      const app = await client();
      const result = await app.acquireTokenPopup({ scopes });
      app.setActiveAccount(result.account);
      return result.accessToken;
    },
    async signOut() {
      const app = await client();
      const account = app.getActiveAccount();
      await app.clearCache(account ? { account } : undefined);
      app.setActiveAccount(null);
    },
  };
}

/** The dialog page reads the same build settings itself (signinPage.ts), so this side needs none. */
function dialogSource(options: MsalTokenSourceOptions): TokenSource {
  const now = options.now ?? Date.now;
  let held: { token: string; expiresAt: number } | undefined;

  function openDialog(): Promise<string> {
    const office = options.office;
    if (!office) return Promise.reject(new SignInFailed('Office is not available here, so the sign-in window cannot open'));
    const url = options.signInPageUrl ?? new URL(SIGN_IN_PAGE, globalThis.location.href).href;
    return new Promise((resolve, reject) => {
      office.context.ui.displayDialogAsync(url, { height: 60, width: 30, promptBeforeOpen: false }, (opened) => {
        if (opened.status === office.AsyncResultStatus.Failed) {
          reject(new SignInFailed(`the sign-in window could not open (${opened.error.code})`));
          return;
        }
        const dialog = opened.value;
        dialog.addEventHandler(office.EventType.DialogMessageReceived, (arg) => {
          dialog.close();
          if (!('message' in arg)) return reject(new SignInFailed(`the sign-in window failed (${arg.error})`));
          // Only our own page may answer: the dialog can have navigated elsewhere.
          if (arg.origin !== undefined && arg.origin !== new URL(url).origin) return reject(new SignInFailed('the sign-in answer came from another site'));
          const message = decodeDialogMessage(arg.message);
          if (message.kind === 'error') return reject(new SignInFailed(message.message));
          held = { token: message.accessToken, expiresAt: Date.parse(message.expiresOn) };
          resolve(message.accessToken);
        });
        dialog.addEventHandler(office.EventType.DialogEventReceived, (arg) => {
          const code = 'error' in arg ? arg.error : 0;
          reject(new SignInFailed(code === DIALOG_CLOSED ? 'the sign-in window was closed' : `the sign-in window failed (${code})`, code === DIALOG_CLOSED));
        });
      });
    });
  }

  return {
    kind: 'entra',
    silentToken: async () => (held && held.expiresAt - EXPIRY_MARGIN_MS > now() ? held.token : undefined),
    signIn: async () => (held && held.expiresAt - EXPIRY_MARGIN_MS > now() ? held.token : openDialog()),
    async signOut() {
      held = undefined;
    },
  };
}
