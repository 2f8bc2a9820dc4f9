/**
 * infra/containers.json, the containers Bicep creates, is this list written out:
 * functions/src/store/containers.ts is the one list, and Bicep can only read JSON
 * (loadJsonContent). test/infra/bicep.test.ts fails when the file and the code differ;
 * `npx tsx test/infra/containersJson.ts` rewrites it.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONTAINERS } from '../../functions/src/store/containers';

export const CONTAINERS_JSON = path.resolve(__dirname, '../../infra/containers.json');

export interface BicepContainer {
  name: string;
  partitionKey: string;
  /** Seconds; absent when documents never expire. */
  defaultTtl?: number;
}

export function containersForBicep(): BicepContainer[] {
  return Object.entries(CONTAINERS).map(([name, c]) => ({
    name,
    partitionKey: c.partitionKey,
    ...('defaultTtl' in c ? { defaultTtl: c.defaultTtl } : {}),
  }));
}

export const containersJsonText = (): string => `${JSON.stringify(containersForBicep(), null, 2)}\n`;

if (require.main === module) {
  fs.writeFileSync(CONTAINERS_JSON, containersJsonText());
  console.log(`wrote ${path.relative(process.cwd(), CONTAINERS_JSON)}`);
}
