/**
 * The embedded Cosmos DB protocol server (@vercel/cosmosdb-server) on loopback, in-process.
 * It is in-memory: every start is empty, so callers seed it. TLS uses the package's bundled
 * self-signed certificate, which is why the client trusts self-signed certificates for
 * loopback endpoints only (store/cosmos.ts).
 *
 * A dev dependency: only local mode loads this file (lazily), so the deployed app never needs it.
 */
import type { Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import cosmosServer from '@vercel/cosmosdb-server';

export interface EmbeddedCosmos {
  endpoint: string;
  /** The server accepts any key; this one is only a placeholder. */
  key: string;
  stop(): Promise<void>;
}

export async function startEmbeddedCosmos(options: { port?: number; host?: string } = {}): Promise<EmbeddedCosmos> {
  const host = options.host ?? '127.0.0.1';
  const server: Server = cosmosServer();
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let stopped = false;
  return {
    endpoint: `https://${host}:${port}`,
    key: 'local-dev-key',
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        // Keep-alive sockets from the client would otherwise hold close() open.
        server.closeAllConnections();
      });
    },
  };
}
