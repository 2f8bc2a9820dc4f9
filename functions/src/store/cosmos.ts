/**
 * One CosmosClient per process, created lazily on first use (STYLE.md habit 6).
 */
import https from 'node:https';
import { CosmosClient, type CosmosClientOptions } from '@azure/cosmos';
import { isLoopbackUrl, type Config } from '../config';
import type { EmbeddedCosmos } from './embedded';
import { ManagedIdentityCredential } from './managedIdentity';

export type CosmosConfig = Config['cosmos'];

/** Retries for 429/transient failures: bounded, so a request fails within the function's time limit. */
export const RETRY_OPTIONS = { maxRetryAttemptCount: 5, fixedRetryIntervalInMilliseconds: 0, maxWaitTimeInSeconds: 10 } as const;

export interface CosmosHandle {
  client: CosmosClient;
  endpoint: string;
  /** Set when this process started the embedded server itself. */
  embedded?: EmbeddedCosmos;
  dispose(): Promise<void>;
}

/** Client options for an endpoint; exported so the harness and tests build identical clients. */
export function cosmosClientOptions(endpoint: string, config: CosmosConfig): { options: CosmosClientOptions; agent?: https.Agent } {
  const loopback = isLoopbackUrl(endpoint);
  // Self-signed TLS is accepted for the embedded server/emulator on loopback and nowhere else.
  const agent = loopback && config.allowSelfSignedTls ? new https.Agent({ rejectUnauthorized: false, keepAlive: true }) : undefined;
  const options: CosmosClientOptions = {
    endpoint,
    ...(config.auth.kind === 'key'
      ? { key: config.auth.key }
      : { aadCredentials: new ManagedIdentityCredential(config.auth.clientId ? { clientId: config.auth.clientId } : {}) }),
    connectionPolicy: {
      // The embedded server has no regional endpoints to discover; the real service does.
      enableEndpointDiscovery: !loopback,
      retryOptions: { ...RETRY_OPTIONS },
      requestTimeout: 10_000,
    },
    ...(agent ? { agent } : {}),
  };
  return { options, ...(agent ? { agent } : {}) };
}

/** Connects to the configured endpoint, or (local mode, no endpoint) starts the embedded server first. */
export async function openCosmos(config: CosmosConfig): Promise<CosmosHandle> {
  let embedded: EmbeddedCosmos | undefined;
  let endpoint = config.endpoint;
  if (endpoint === undefined) {
    // Lazy require: the embedded server is a dev dependency and must not load in Azure.
    const { startEmbeddedCosmos } = require('./embedded') as typeof import('./embedded');
    embedded = await startEmbeddedCosmos(config.dataDir !== undefined ? { dataDir: config.dataDir } : {});
    endpoint = embedded.endpoint;
  }
  const { options, agent } = cosmosClientOptions(endpoint, config);
  const client = new CosmosClient(options);
  return {
    client,
    endpoint,
    ...(embedded ? { embedded } : {}),
    dispose: async () => {
      client.dispose();
      agent?.destroy();
      await embedded?.stop();
    },
  };
}
