/**
 * Sign-in settings, fixed at build time by webpack's DefinePlugin (see webpack.config.js's
 * header). Under jest and tsx none are defined: no Entra settings, no dev sign-in.
 */

declare const GOODSTART_AAD_CLIENT_ID: string | undefined;
declare const GOODSTART_AAD_AUTHORITY: string | undefined;
declare const GOODSTART_API_SCOPE: string | undefined;

/** Work and school accounts of any tenant (issue 25): the API then checks the tenant is on the LA's allow-list. */
export const DEFAULT_AUTHORITY = 'https://login.microsoftonline.com/organizations';

/** The add-in's Entra app registration and the API scope it asks for. */
export interface EntraSettings {
  /** The add-in's application (client) id. */
  clientId: string;
  /** `organizations` by default: work and school accounts from any tenant, no personal accounts. */
  authority: string;
  /** The API's delegated scope, e.g. api://<api client id>/access_as_user. */
  apiScope: string;
}

const defined = (v: string | undefined): string | undefined => (typeof v === 'string' && v.trim() !== '' ? v.trim() : undefined);

/** This build's Entra settings, or undefined when it was built without a client id or API scope. */
export function entraSettings(): EntraSettings | undefined {
  const clientId = defined(typeof GOODSTART_AAD_CLIENT_ID === 'string' ? GOODSTART_AAD_CLIENT_ID : undefined);
  const apiScope = defined(typeof GOODSTART_API_SCOPE === 'string' ? GOODSTART_API_SCOPE : undefined);
  if (clientId === undefined || apiScope === undefined) return undefined;
  return { clientId, authority: defined(typeof GOODSTART_AAD_AUTHORITY === 'string' ? GOODSTART_AAD_AUTHORITY : undefined) ?? DEFAULT_AUTHORITY, apiScope };
}
