/** Where the Good Start API lives: a build setting, so the same source serves every deployment. */

/** Set at build time by webpack's DefinePlugin (GOODSTART_API_URL); undefined under jest and tsx. */
declare const GOODSTART_API_URL: string | undefined;

export const DEFAULT_API_BASE_URL = 'http://localhost:7071/api';

/** The API base URL this build was made for, e.g. https://goodstart-api.azurewebsites.net/api. */
export function defaultApiBaseUrl(): string {
  return typeof GOODSTART_API_URL === 'string' && GOODSTART_API_URL !== '' ? GOODSTART_API_URL : DEFAULT_API_BASE_URL;
}
