/**
 * The maintenance step after upgrading a deployment to the maintained city rollup: takes every
 * return stored before it into the rollup, year by year, a chunk of schools at a time, then
 * records that the rollup is complete (functions/src/store/rollup.ts). Run it once, when every
 * instance runs this version; running it again is harmless.
 *
 *   COSMOS_ENDPOINT=https://<account>.documents.azure.com:443/ COSMOS_AUTH=managedIdentity npm run rollup:rebuild
 *   … npm run rollup:rebuild -- --years 2026,2027   (only these years; else every year with a return)
 *
 * Until it has run, the first aggregates reads of a year take existing returns in themselves and
 * answer 503 (try again) meanwhile. A database created by `npm start` needs no rebuild.
 */
import { parseArgs } from 'node:util';
import { getConfig } from '../functions/src/config';
import { closeStore, getStore } from '../functions/src/store';
import { cityRollup } from '../functions/src/store/returns';
import { transferYearSchema } from '../shared/year';

/** `--years 2026,2027` as transfer years, or undefined (every year with a return). */
function yearsOption(): number[] | undefined {
  const { values } = parseArgs({ options: { years: { type: 'string' } }, strict: true });
  if (values.years === undefined) return undefined;
  return values.years.split(',').map((text) => transferYearSchema.parse(Number(text.trim())));
}

async function main(): Promise<void> {
  const years = yearsOption();
  if (!process.env['COSMOS_ENDPOINT']) {
    console.error('Set COSMOS_ENDPOINT (and COSMOS_KEY or COSMOS_AUTH) to the deployment to rebuild; a database `npm start` created needs no rebuild.');
    process.exitCode = 2;
    return;
  }
  const config = getConfig();
  const started = Date.now();
  try {
    await getStore().directory.get(); // fails here, before any write, when the account cannot be reached
    const rebuilt = await cityRollup().rebuild({
      ...(years ? { years } : {}),
      onYear: (year, primaries) => console.log(`${year}: the city rollup holds every return (${primaries.toLocaleString('en-GB')} directory primaries)`),
    });
    console.log(
      `rollup rebuilt for ${rebuilt.length === 0 ? 'no years (no returns stored)' : rebuilt.join(', ')} in database ${config.cosmos.database}; ` +
        `marked complete in ${((Date.now() - started) / 1000).toFixed(1)} s`,
    );
  } finally {
    await closeStore();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? `rollup rebuild failed: ${error.message}` : error);
  process.exitCode = 1;
});
