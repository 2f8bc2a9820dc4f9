/**
 * Where the dev sign-in keeps its token: sessionStorage, so it lasts as long as the add-in's
 * page and no longer. (MSAL keeps its own cache; its tokens never pass through here.) Tokens
 * are never logged.
 */

/** The sessionStorage key of the dev token. */
export const TOKEN_STORAGE_KEY = 'goodstart.accessToken';

/** The bearer token stored for this session, if any. */
export function sessionToken(): string | undefined {
  try {
    return globalThis.sessionStorage?.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  } catch {
    return undefined;
  }
}

/** Keeps `token` for this session, or forgets it (undefined or blank). */
export function storeSessionToken(token: string | undefined): void {
  try {
    if (token === undefined || token.trim() === '') globalThis.sessionStorage?.removeItem(TOKEN_STORAGE_KEY);
    else globalThis.sessionStorage?.setItem(TOKEN_STORAGE_KEY, token.trim());
  } catch {
    // Storage refused (private mode, quota): the token then lives only in memory.
  }
}
