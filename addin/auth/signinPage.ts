/**
 * signin.html: the Office dialog page for hosts without nested app authentication. It runs
 * MSAL's redirect flow (to Entra, back through signin-redirect.html, MSAL v5's redirect bridge,
 * and back here), then hands the token to the task pane with `Office.context.ui.messageParent`.
 * Nothing is shown but a line of status; the token is never logged.
 */
import { createStandardPublicClientApplication } from '@azure/msal-browser';
import { type DialogMessage, encodeDialogMessage } from './dialogMessage';
import { SIGN_IN_REDIRECT_PAGE } from './msal';
import { entraSettings } from './settings';

function send(message: DialogMessage): void {
  Office.context.ui.messageParent(encodeDialogMessage(message));
}

async function main(): Promise<void> {
  await Office.onReady();
  const settings = entraSettings();
  if (!settings) return send({ kind: 'error', message: 'this build of Good Start has no Entra sign-in settings' });
  const app = await createStandardPublicClientApplication({
    auth: { clientId: settings.clientId, authority: settings.authority, redirectUri: new URL(SIGN_IN_REDIRECT_PAGE, location.href).href },
  });
  const result = await app.handleRedirectPromise();
  if (result) {
    send({ kind: 'token', accessToken: result.accessToken, expiresOn: (result.expiresOn ?? new Date()).toISOString() });
    return;
  }
  await app.acquireTokenRedirect({ scopes: [settings.apiScope] });
}

main().catch((error: unknown) => {
  send({ kind: 'error', message: error instanceof Error ? error.message : 'sign-in failed' });
});
