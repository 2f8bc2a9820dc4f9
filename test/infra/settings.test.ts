/**
 * The Function App's settings (infra/resources.bicep `appSettings`) come from the list
 * functions/src/config.ts reads: each setting is set there or named as left unset with a reason,
 * and what is set is a configuration the app accepts as a cloud deployment.
 */
import { parseConfig, SETTING_NAMES } from '../../functions/src/config';
import { infraFile, objectEntries, variableObject } from './bicepSource';

const resources = infraFile('resources.bicep');
const settings = objectEntries(variableObject(resources, 'appSettings'));
const unset = new Map([...resources.matchAll(/^\/\/ unset: ([A-Z0-9_]+)\s+(\S.*)$/gm)].map((m) => [m[1] as string, m[2] as string]));
/** The Functions host's own settings, not the app's. */
const platform = (name: string): boolean => /^(AzureWebJobsStorage__|APPLICATIONINSIGHTS_)/.test(name);

describe('the Function App settings', () => {
  it('set or name as unset (with a reason) every setting config.ts reads, never both', () => {
    expect(SETTING_NAMES.length).toBeGreaterThan(20);
    for (const name of SETTING_NAMES) {
      expect([name, settings.has(name) || unset.has(name)]).toEqual([name, true]);
      expect([name, settings.has(name) && unset.has(name)]).toEqual([name, false]);
    }
  });

  it('hold nothing config.ts does not read, beyond the Functions host\'s own', () => {
    const known = new Set(SETTING_NAMES);
    for (const name of [...settings.keys(), ...unset.keys()]) expect([name, known.has(name) || platform(name)]).toEqual([name, true]);
  });

  it('are a cloud configuration the app accepts: managed identity to Cosmos, Entra tokens, the key from Key Vault', () => {
    // What each Bicep expression is at run time, for a sample deployment (App Service resolves the
    // Key Vault reference to the secret before the app starts). A setting added to appSettings
    // needs its sample here.
    const sample: Record<string, string> = {
      'cosmos.outputs.endpoint': 'https://cosmos-goodstart-abc.documents.azure.com:443/',
      'identity.outputs.clientId': '0f8fad5b-d9cb-469f-a165-70867728950e',
      databaseName: 'goodstart',
      entraClientId: '7c9e6679-7425-40de-944b-e07fc1f90ae7',
      apiScopeName: 'access_as_user',
      authRoleSource: 'memberships',
      authTenantId: '',
      bootstrapLaAdmin: '',
      'string(idempotencyKeysPerHour)': '300',
      'functionStorageAccount.properties.primaryEndpoints.blob': 'https://stfnabc.blob.core.windows.net/',
      'appInsights.outputs.connectionString': 'InstrumentationKey=00000000-0000-0000-0000-000000000000;IngestionEndpoint=https://uksouth-1.in.applicationinsights.azure.com/',
    };
    const env: Record<string, string> = {};
    for (const [name, expression] of settings) {
      if (name === 'CROSS_SCHOOL_KEY') env[name] = 'k'.repeat(64);
      else if (/^'[^'$]*'$/.test(expression)) env[name] = expression.slice(1, -1);
      else if (/^'.*'$/.test(expression)) env[name] = expression; // an interpolated string the app does not read
      else {
        expect([name, expression in sample]).toEqual([name, true]);
        env[name] = sample[expression] as string;
      }
    }
    const config = parseConfig(env);
    expect(config.mode).toBe('cloud');
    expect(config.cosmos.auth).toEqual({ kind: 'managedIdentity', clientId: '0f8fad5b-d9cb-469f-a165-70867728950e' });
    expect(config.cosmos.database).toBe('goodstart');
    expect(config.auth).toMatchObject({ mode: 'entra', roleSource: 'memberships', audience: '7c9e6679-7425-40de-944b-e07fc1f90ae7', scope: 'access_as_user', algorithms: ['RS256'] });
    expect(config.crossSchoolKey).toBe('k'.repeat(64));
    expect(config.limits.idempotencyKeysPerHour).toBe(300);
  });
});
