/**
 * The embedded Cosmos DB protocol server, for `npm start` and the API tests. The implementation
 * lives in functions/src/store/embedded.ts, because in local mode without COSMOS_ENDPOINT the
 * Functions app (e.g. under `func start`) starts the same server itself.
 *
 * Standalone: `npx tsx scripts/embeddedCosmos.ts [--port 8081] [--data-dir .local/cosmos]` prints
 * the endpoint and runs until Ctrl-C (without --data-dir: in memory, empty at every start).
 */
import { parseArgs } from 'node:util';
import { startEmbeddedCosmos } from '../functions/src/store/embedded';

export { startEmbeddedCosmos, type EmbeddedCosmos } from '../functions/src/store/embedded';

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { port: { type: 'string', default: '0' }, 'data-dir': { type: 'string' } } });
  const dataDir = values['data-dir'];
  const cosmos = await startEmbeddedCosmos({ port: Number(values.port), ...(dataDir !== undefined ? { dataDir } : {}) });
  console.log(`Embedded Cosmos DB at ${cosmos.endpoint} (self-signed TLS; any key; ${cosmos.dataDir ? `data in ${cosmos.dataDir}` : 'in memory'}). Ctrl-C to stop.`);
  const stop = () => void cosmos.stop().then(() => process.exit(0));
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
