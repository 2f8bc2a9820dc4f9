/**
 * signin-redirect.html: MSAL v5's redirect bridge. Entra sends the sign-in dialog here; the
 * bridge hands the response back to signin.html, which finishes the flow.
 */
import { broadcastResponseToMainFrame } from '@azure/msal-browser/redirect-bridge';

void broadcastResponseToMainFrame();
