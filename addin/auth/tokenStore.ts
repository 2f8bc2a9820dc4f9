/**
 * Where the dev sign-in keeps its token: sessionStorage, so it lasts as long as the add-in's
 * page and no longer; in memory where there is no sessionStorage (or it refuses). MSAL keeps its
 * own cache; its tokens never pass through here. Tokens are never logged.
 */

/** The sessionStorage key of the dev token. */
export const TOKEN_STORAGE_KEY = 'goodstart.accessToken';

let memory: string | undefined;

function storage(): Storage | undefined {
  try {
    return globalThis.sessionStorage ?? undefined;
  } catch {
    return undefined;
  }
}

/** The bearer token stored for this session, if any. */
export function sessionToken(): string | undefined {
  const store = storage();
  if (!store) return memory;
  try {
    return store.getItem(TOKEN_STORAGE_KEY) ?? undefined;
  } catch {
    return memory;
  }
}

/** Keeps `token` for this session, or forgets it (undefined or blank). */
export function storeSessionToken(token: string | undefined): void {
  memory = token === undefined || token.trim() === '' ? undefined : token.trim();
  try {
    if (memory === undefined) storage()?.removeItem(TOKEN_STORAGE_KEY);
    else storage()?.setItem(TOKEN_STORAGE_KEY, memory);
  } catch {
    // Storage refused (private mode, quota): the token lives in memory only.
  }
}
