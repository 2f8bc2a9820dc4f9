/**
 * The dev picker's token source, for local mode only: pick any school, trust or the LA from the
 * local directory and get a dev token from the local host (scripts/devSignIn.ts). The token is
 * kept in sessionStorage (tokenStore.ts) and never logged.
 *
 * Only a build with GOODSTART_DEV_SIGNIN loads this module (addin/auth/index.ts): a production
 * bundle does not contain it.
 */
import { z } from 'zod';
import { ApiOffline, ApiUnexpectedResponse, problemFromResponse } from '../api/problems';
import type { ApiFetch } from '../api/transport';
import type { DevIdentityChoice, TokenSource } from './session';
import { sessionToken, storeSessionToken } from './tokenStore';

const devIdentitiesSchema = z.looseObject({
  schools: z.array(
    z.looseObject({
      laestab: z.string(),
      name: z.string(),
      phase: z.enum(['primary', 'secondary']),
      area: z.string(),
      trust: z.string().nullable(),
    }),
  ),
  trusts: z.array(z.looseObject({ id: z.string(), schools: z.array(z.string()) })),
  tenants: z.array(z.looseObject({ tid: z.string(), name: z.string() })).optional(),
  people: z.array(z.looseObject({ tid: z.string(), oid: z.string(), name: z.string(), role: z.string().optional(), school: z.string().optional(), trust: z.string().optional() })).optional(),
});
/** Everyone the dev picker offers: the local directory's schools and trusts, and the synthetic people of each tenant. */
export type DevIdentities = z.infer<typeof devIdentitiesSchema>;

const devTokenSchema = z.looseObject({ token: z.string().min(1), expiresAt: z.string() });

/** The dev token source, plus the list the picker shows. */
export interface DevTokenSource extends TokenSource {
  readonly kind: 'dev';
  /** GET /dev/identities: who the picker can sign in as. */
  identities(): Promise<DevIdentities>;
}

export interface DevTokenSourceOptions {
  /** The local API, e.g. http://localhost:7071/api. */
  baseUrl: string;
  fetch?: ApiFetch;
}

export function createDevTokenSource(options: DevTokenSourceOptions): DevTokenSource {
  const baseUrl = options.baseUrl.replace(/\/+$/, '');
  const doFetch: ApiFetch = options.fetch ?? ((url, init) => globalThis.fetch(url, init as RequestInit));

  async function call<S extends z.ZodType>(path: string, init: { method: string; body?: string }, schema: S, expected: string): Promise<z.output<S>> {
    let res;
    try {
      res = await doFetch(`${baseUrl}${path}`, {
        method: init.method,
        headers: { accept: 'application/json', ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(init.body !== undefined ? { body: init.body } : {}),
      });
    } catch (error) {
      throw new ApiOffline('network', 1, false, `cannot reach ${baseUrl} (${error instanceof Error ? error.message : String(error)})`);
    }
    const body: unknown = await res.json().catch(() => undefined);
    if (!res.ok) throw problemFromResponse(res.status, res.headers, body);
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ApiUnexpectedResponse(res.status, expected);
    return parsed.data;
  }

  return {
    kind: 'dev',
    identities: () => call('/dev/identities', { method: 'GET' }, devIdentitiesSchema, 'a list of dev identities'),
    silentToken: async () => sessionToken(),
    async signIn(choice?: DevIdentityChoice) {
      if (choice === undefined) throw new Error('the dev sign-in needs a choice of school, trust or LA');
      const { token } = await call('/dev/token', { method: 'POST', body: JSON.stringify(choice) }, devTokenSchema, 'a dev token');
      storeSessionToken(token);
      return token;
    },
    async signOut() {
      storeSessionToken(undefined);
    },
  };
}
