/**
 * The one API client of the shared runtime: the task pane and the custom functions' batcher use
 * the same instance (and so the same token and base URL).
 */
import { sessionToken } from '../auth/tokenStore';
import { type ApiClient, createApiClient } from './client';
import type { RetryNotice, TokenProvider } from './transport';

let tokenProvider: TokenProvider = sessionToken;
const retryListeners = new Set<(notice: RetryNotice) => void>();
const identityListeners = new Set<() => void>();
const dataListeners = new Set<() => void>();
let shared: ApiClient | undefined;

/** The runtime's client; its token comes from the provider set by the auth session (the dev token until then). */
export function sharedApiClient(): ApiClient {
  shared ??= createApiClient({
    getToken: () => tokenProvider(),
    onRetry: (notice) => retryListeners.forEach((l) => l(notice)),
  });
  return shared;
}

/** The bearer token the shared client would send now, if anyone is signed in. */
export async function sharedToken(): Promise<string | undefined> {
  return tokenProvider();
}

/** Where the shared client gets its bearer token from now on (the auth session calls this). */
export function setSharedTokenProvider(provider: TokenProvider): void {
  tokenProvider = provider;
}

/** Hears every retry the shared client makes ("Retrying (2 of 4)…"); returns the unsubscribe. */
export function onSharedRetry(listener: (notice: RetryNotice) => void): () => void {
  retryListeners.add(listener);
  return () => retryListeners.delete(listener);
}

/** Tells everyone holding answers for the last user (the RB.* cache) that the user changed. */
export function sharedIdentityChanged(): void {
  identityListeners.forEach((l) => l());
}

/** Hears sign-in and sign-out in this runtime; returns the unsubscribe. */
export function onSharedIdentityChange(listener: () => void): () => void {
  identityListeners.add(listener);
  return () => identityListeners.delete(listener);
}

/** Tells everyone holding the LA's published data (the RB.* cache) that a new version was published here. */
export function sharedDataPublished(): void {
  dataListeners.forEach((l) => l());
}

/** Hears publishes made from this runtime; returns the unsubscribe. */
export function onSharedDataPublished(listener: () => void): () => void {
  dataListeners.add(listener);
  return () => dataListeners.delete(listener);
}
