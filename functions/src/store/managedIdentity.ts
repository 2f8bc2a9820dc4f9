/**
 * A minimal managed-identity credential for Cosmos DB's `aadCredentials`, for App Service and
 * Functions (Flex Consumption included), which expose IDENTITY_ENDPOINT and IDENTITY_HEADER.
 * @azure/identity (DefaultAzureCredential) is not a dependency of this project; this covers the
 * one case the deployed app needs. Tokens are cached until five minutes before expiry.
 */
import type { CosmosClientOptions } from '@azure/cosmos';
import { z } from 'zod';

export type TokenCredential = NonNullable<CosmosClientOptions['aadCredentials']>;
type AccessToken = Awaited<ReturnType<TokenCredential['getToken']>>;

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_on: z.union([z.string(), z.number()]),
});

export class ManagedIdentityCredential implements TokenCredential {
  private readonly cache = new Map<string, { token: string; expiresOnTimestamp: number }>();

  constructor(
    private readonly options: {
      clientId?: string;
      endpoint?: string;
      secret?: string;
      fetch?: typeof fetch;
    } = {},
  ) {}

  async getToken(scopes: string | string[]): Promise<AccessToken> {
    const scope = Array.isArray(scopes) ? scopes[0] : scopes;
    if (!scope) throw new Error('ManagedIdentityCredential: no scope requested');
    const resource = scope.replace(/\/\.default$/, '');
    const cached = this.cache.get(resource);
    if (cached && cached.expiresOnTimestamp - 5 * 60_000 > Date.now()) return cached;

    const endpoint = this.options.endpoint ?? process.env['IDENTITY_ENDPOINT'];
    const secret = this.options.secret ?? process.env['IDENTITY_HEADER'];
    if (!endpoint || !secret) {
      throw new Error('Managed identity is not available here (IDENTITY_ENDPOINT/IDENTITY_HEADER unset); use COSMOS_KEY locally.');
    }
    const url = new URL(endpoint);
    url.searchParams.set('resource', resource);
    url.searchParams.set('api-version', '2019-08-01');
    if (this.options.clientId) url.searchParams.set('client_id', this.options.clientId);
    const response = await (this.options.fetch ?? fetch)(url, { headers: { 'X-IDENTITY-HEADER': secret }, signal: AbortSignal.timeout(10_000) });
    if (!response.ok) throw new Error(`Managed identity token request failed with HTTP ${response.status}`);
    const body = tokenResponseSchema.parse(await response.json());
    const token = { token: body.access_token, expiresOnTimestamp: Number(body.expires_on) * 1000 };
    this.cache.set(resource, token);
    return token;
  }
}
