/**
 * The infrastructure's invariants, checked over the Bicep sources offline (issue 26). Each names
 * a property of the deployed system that a careless edit could lose: keys turned back on, a
 * container the code uses but Azure lacks, a role held by someone other than the app's identity.
 */
import fs from 'node:fs';
import path from 'node:path';
import { CONTAINERS } from '../../functions/src/store/containers';
import { bicepFiles, declaration, declarations, infraFile, INFRA, outputs, params, variableObject, objectEntries, withoutComments } from './bicepSource';
import { CONTAINERS_JSON, containersJsonText } from './containersJson';

const main = infraFile('main.bicep');
const resources = infraFile('resources.bicep');
const allSources = bicepFiles().map((f) => ({ file: f, text: infraFile(f) }));

describe('the containers Bicep creates', () => {
  it('are the code\'s list (functions/src/store/containers.ts), written out as infra/containers.json', () => {
    // On failure: npx tsx test/infra/containersJson.ts
    expect(fs.readFileSync(CONTAINERS_JSON, 'utf8')).toBe(containersJsonText());
  });

  it('holds every container the code uses, with its partition key and expiry', () => {
    const json = JSON.parse(fs.readFileSync(CONTAINERS_JSON, 'utf8')) as { name: string; partitionKey: string; defaultTtl?: number }[];
    for (const [name, def] of Object.entries(CONTAINERS)) {
      expect(json).toContainEqual({ name, partitionKey: def.partitionKey, ...('defaultTtl' in def ? { defaultTtl: def.defaultTtl } : {}) });
    }
    expect(json).toHaveLength(Object.keys(CONTAINERS).length);
  });

  it('are created one per entry of that file, with its partition key and defaultTtl', () => {
    expect(withoutComments(resources)).toMatch(/^var containers = loadJsonContent\('containers\.json'\)$/m);
    const containers = declaration(resources, 'cosmosContainers');
    expect(containers.target).toMatch(/^Microsoft\.DocumentDB\/databaseAccounts\/sqlDatabases\/containers@/);
    expect(containers.body).toMatch(/^\[\s*for c in containers:/);
    expect(containers.body).toMatch(/id: c\.name/);
    expect(containers.body).toMatch(/paths: \[c\.partitionKey\]/);
    expect(containers.body).toMatch(/contains\(c, 'defaultTtl'\) \? \{ defaultTtl: c\.defaultTtl \}/);
    expect(declaration(resources, 'database').body).toMatch(/id: databaseName/);
  });
});

describe('Cosmos DB', () => {
  const cosmos = declaration(resources, 'cosmos');

  it('is an Azure Verified Module account with local (key) auth off and continuous 7-day backup', () => {
    expect(cosmos.target).toMatch(/^br\/public:avm\/res\/document-db\/database-account:\d+\.\d+\.\d+$/);
    expect(cosmos.body).toMatch(/^\s*disableLocalAuth: true$/m);
    expect(cosmos.body).toMatch(/^\s*disableKeyBasedMetadataWriteAccess: true$/m);
    expect(cosmos.body).toMatch(/^\s*backupPolicyType: 'Continuous'$/m);
    expect(cosmos.body).toMatch(/^\s*backupPolicyContinuousTier: 'Continuous7Days'$/m);
  });

  it('is serverless by default, with provisioned autoscale as the one alternative', () => {
    const mode = params(main).find((p) => p.name === 'cosmosCapacityMode');
    expect(mode?.defaultValue).toBe("'serverless'");
    expect(main).toMatch(/@allowed\(\['serverless', 'autoscale'\]\)\nparam cosmosCapacityMode/);
    expect(infraFile('main.parameters.json')).toContain('"${COSMOS_CAPACITY_MODE=serverless}"');
    expect(withoutComments(resources)).toMatch(/^var serverless = cosmosCapacityMode == 'serverless'$/m);
    expect(cosmos.body).toMatch(/capabilitiesToAdd: serverless \? \['EnableServerless'\] : \[\]/);
    // Serverless accounts refuse any throughput setting; autoscale shares one budget at the database.
    expect(declaration(resources, 'database').body).toMatch(/options: serverless \? \{\} : \{ autoscaleSettings: \{ maxThroughput: cosmosAutoscaleMaxThroughput \} \}/);
    expect(declaration(resources, 'cosmosContainers').body).not.toMatch(/throughput/i);
  });
});

describe('Application Insights and Log Analytics', () => {
  it('accept only Entra-authenticated telemetry (local auth off)', () => {
    expect(declaration(resources, 'appInsights').body).toMatch(/^\s*disableLocalAuth: true$/m);
    expect(declaration(resources, 'logAnalytics').body).toMatch(/features: \{\s*disableLocalAuth: true\s*\}/);
  });

  it('give the app the connection string itself, not the resource name (the quickstart\'s slip)', () => {
    const settings = objectEntries(variableObject(resources, 'appSettings'));
    expect(settings.get('APPLICATIONINSIGHTS_CONNECTION_STRING')).toBe('appInsights.outputs.connectionString');
    expect(settings.get('APPLICATIONINSIGHTS_AUTHENTICATION_STRING')).toBe("'ClientId=${identity.outputs.clientId};Authorization=AAD'");
    expect(outputs(main).find((o) => o.name === 'APPLICATIONINSIGHTS_CONNECTION_STRING')?.expression).toBe('resources.outputs.applicationInsightsConnectionString');
    expect(outputs(resources).find((o) => o.name === 'applicationInsightsConnectionString')?.expression).toBe('appInsights.outputs.connectionString');
  });
});

describe('the Function App', () => {
  const site = declaration(resources, 'functionApp');

  it('is Flex Consumption (FC1) on Linux, Node 22, running as the user-assigned identity', () => {
    expect(declaration(resources, 'plan').body).toMatch(/name: 'FC1'\s*\n\s*tier: 'FlexConsumption'/);
    expect(declaration(resources, 'plan').body).toMatch(/reserved: true/);
    expect(site.body).toMatch(/kind: 'functionapp,linux'/);
    expect(site.body).toMatch(/runtime: \{\s*name: 'node'\s*version: '22'\s*\}/);
    expect(site.body).toMatch(/systemAssigned: false\s*userAssignedResourceIds: \[identity\.outputs\.resourceId\]/);
    expect(site.body).toMatch(/type: 'UserAssignedIdentity'\s*userAssignedIdentityResourceId: identity\.outputs\.resourceId/);
    expect(site.body).toMatch(/tags: union\(tags, \{ 'azd-service-name': 'api' \}\)/);
  });

  it('allows exactly the add-in\'s origin in CORS, never *', () => {
    const cors = /cors: \{([\s\S]*?)\n\s*\}/.exec(site.body)?.[1] ?? '';
    expect(cors).toMatch(/allowedOrigins: \[addinOrigin\]/);
    for (const { text } of allSources) expect(withoutComments(text)).not.toMatch(/'\*'/);
    // The origin is the add-in's static website endpoint without its trailing slash.
    expect(withoutComments(resources)).toMatch(/^var addinBaseUrl = addinStorageAccount\.properties\.primaryEndpoints\.web$/m);
    expect(withoutComments(resources)).toMatch(/^var addinOrigin = take\(addinBaseUrl, length\(addinBaseUrl\) - 1\)$/m);
    expect(declaration(resources, 'addinStorageAccount').body).toMatch(/name: names\.addinStorage/);
  });
});

describe('keys and secrets', () => {
  it('no list*( call anywhere (listKeys, listConnectionStrings, listSecrets…)', () => {
    for (const { file, text } of allSources) expect([file, withoutComments(text).match(/\blist[A-Z]\w*\s*\(/g) ?? []]).toEqual([file, []]);
    for (const { file, text } of allSources) expect([file, /AccountKey=|SharedAccessKey/i.test(text)]).toEqual([file, false]);
  });

  it('shared-key access is off on both storage accounts', () => {
    for (const symbol of ['functionStorage', 'addinStorage']) {
      const body = declaration(resources, symbol).body;
      expect([symbol, /allowSharedKeyAccess: false/.test(body), /allowBlobPublicAccess: false/.test(body)]).toEqual([symbol, true, true]);
    }
  });

  it('no output is secure or carries a secret; the one connection string is App Insights\' (keyless with local auth off)', () => {
    const secretNames = new Set(params(main).filter((p) => p.secure).map((p) => p.name));
    expect(secretNames).toEqual(new Set(['crossSchoolKey']));
    const allowed = new Set(['APPLICATIONINSIGHTS_CONNECTION_STRING', 'applicationInsightsConnectionString']);
    for (const { file, text } of allSources) {
      for (const o of outputs(text)) {
        expect([file, o.name, o.secure]).toEqual([file, o.name, false]);
        if (/key|secret|password|connectionstring|token/i.test(o.name.replace(/key_?vault/i, ''))) expect([file, o.name, allowed.has(o.name)]).toEqual([file, o.name, true]);
        for (const secret of [...secretNames, 'crossSchoolSecret']) expect([file, o.name, o.expression.includes(secret)]).toEqual([file, o.name, false]);
      }
    }
  });

  it('the cross-school key goes to Key Vault, and the app reads it by reference', () => {
    expect(declaration(resources, 'crossSchoolSecret').body).toMatch(/value: crossSchoolKey/);
    const settings = objectEntries(variableObject(resources, 'appSettings'));
    expect(settings.get('CROSS_SCHOOL_KEY')).toMatch(/^'@Microsoft\.KeyVault\(SecretUri=\$\{vault\.properties\.vaultUri\}secrets\/\$\{crossSchoolSecretName\}\)'$/);
    expect(declaration(resources, 'functionApp').body).toMatch(/keyVaultAccessIdentityResourceId: identity\.outputs\.resourceId/);
    expect(declaration(resources, 'keyVault').body).toMatch(/enableRbacAuthorization: true/);
    // Written on the first provision only (a new key would orphan the index's hashes); only the
    // parameter, that condition and the line that writes the secret touch the value.
    expect(withoutComments(resources)).toMatch(/^resource crossSchoolSecret '[^']+' = if \(!empty\(crossSchoolKey\)\) \{$/m);
    expect(withoutComments(resources).match(/\bcrossSchoolKey\b/g)).toHaveLength(3);
    expect(params(main).find((p) => p.name === 'crossSchoolKey')).toEqual({ name: 'crossSchoolKey', type: 'string', defaultValue: "''", secure: true });
  });
});

describe('role assignments', () => {
  const assignments = declarations(resources).filter((d) => /^Microsoft\.(Authorization\/roleAssignments|DocumentDB\/databaseAccounts\/sqlRoleAssignments)@/.test(d.target));
  const roleOf = (body: string): string | undefined => /roles\.(\w+)/.exec(body)?.[1];
  const principalOf = (body: string): string | undefined => /principalId: ([\w.]+)/.exec(body)?.[1];

  it('are all written out here, none hidden in a module\'s roleAssignments parameter', () => {
    for (const { file, text } of allSources) expect([file, /roleAssignments\s*:/.test(withoutComments(text))]).toEqual([file, false]);
    expect(assignments.length).toBeGreaterThan(0);
  });

  it('the app\'s managed identity holds exactly its four roles', () => {
    const identity = assignments.filter((a) => principalOf(a.body) === 'identity.outputs.principalId').map((a) => `${roleOf(a.body)} on ${/^\s*scope: (\w+)$/m.exec(a.body)?.[1] ?? 'parent'}`);
    expect(identity.sort()).toEqual(
      [
        'cosmosDataContributor on parent', // data plane: sqlRoleAssignments
        'keyVaultSecretsUser on vault',
        'monitoringMetricsPublisher on appInsightsComponent',
        'storageBlobDataOwner on functionStorageAccount',
      ].sort(),
    );
    expect(declaration(resources, 'cosmosDataContributor').body).toMatch(/roleDefinitionId: '\$\{cosmosAccount\.id\}\/sqlRoleDefinitions\/\$\{roles\.cosmosDataContributor\}'/);
    expect(withoutComments(resources)).toMatch(/cosmosDataContributor: '00000000-0000-0000-0000-000000000002'/);
  });

  it('every assignment is the managed identity\'s, except the deployer\'s blob upload rights on the two storage accounts', () => {
    for (const a of assignments) {
      const principal = principalOf(a.body);
      if (principal === 'identity.outputs.principalId') continue;
      expect([a.symbol, principal, roleOf(a.body), /scope: (\w+)/.exec(a.body)?.[1]]).toEqual([
        a.symbol,
        'principalId',
        'storageBlobDataContributor',
        a.symbol === 'deployerFunctionStorage' ? 'functionStorageAccount' : 'addinStorageAccount',
      ]);
    }
  });
});

describe('modules, parameters and outputs', () => {
  it('every module is a pinned Azure Verified Module or a file here', () => {
    for (const { file, text } of allSources) {
      for (const d of declarations(text).filter((x) => x.kind === 'module')) {
        const ok = /^br\/public:avm\/res\/[a-z-]+\/[a-z-]+:\d+\.\d+\.\d+$/.test(d.target) || fs.existsSync(path.join(INFRA, path.dirname(file), d.target));
        expect([file, d.target, ok]).toEqual([file, d.target, true]);
      }
    }
  });

  it('main.parameters.json parses and names only parameters main.bicep declares, and every required one', () => {
    const file = JSON.parse(infraFile('main.parameters.json')) as { parameters: Record<string, { value: unknown }> };
    const declared = params(main);
    const names = new Set(declared.map((p) => p.name));
    for (const name of Object.keys(file.parameters)) expect([name, names.has(name)]).toEqual([name, true]);
    for (const p of declared.filter((x) => x.defaultValue === undefined)) expect([p.name, p.name in file.parameters]).toEqual([p.name, true]);
  });

  it('main.bicep passes resources.bicep every parameter it declares', () => {
    const passed = objectEntries(/params: (\{[\s\S]*?\n {2}\})/.exec(declaration(main, 'resources').body)?.[1] ?? '{}');
    expect([...passed.keys()].sort()).toEqual(params(resources).map((p) => p.name).sort());
  });

  it('uksouth by default, with parameters for the environment, region, Entra client id and scope', () => {
    const byName = new Map(params(main).map((p) => [p.name, p]));
    expect(byName.get('location')?.defaultValue).toBe("'uksouth'");
    expect(infraFile('main.parameters.json')).toContain('"${AZURE_LOCATION=uksouth}"');
    for (const name of ['environmentName', 'location', 'entraClientId', 'apiScopeName']) expect([name, byName.has(name)]).toEqual([name, true]);
  });

  it('outputs every production setting the add-in build needs (webpack.config.js PRODUCTION_SETTINGS)', () => {
    const webpack = fs.readFileSync(path.resolve(__dirname, '../../webpack.config.js'), 'utf8');
    const block = /const PRODUCTION_SETTINGS = \{([\s\S]*?)\n\};/.exec(webpack)?.[1] ?? '';
    const needed = [...block.matchAll(/^\s*([A-Z_]+):/gm)].map((m) => m[1]);
    expect(needed.length).toBeGreaterThanOrEqual(5);
    const provided = new Set(outputs(main).map((o) => o.name));
    for (const name of needed) expect([name, provided.has(name as string)]).toEqual([name, true]);
  });
});

describe('docs/deploy.md', () => {
  it('names every resource as resources.bicep names it', () => {
    const doc = fs.readFileSync(path.resolve(__dirname, '../../docs/deploy.md'), 'utf8');
    const names = objectEntries(variableObject(resources, 'names'));
    expect(names.size).toBeGreaterThanOrEqual(9);
    for (const [key, expression] of names) {
      const documented = expression.slice(1, -1).replace('${token}', '<token>');
      expect([key, doc.includes(`\`${documented}\``)]).toEqual([key, true]);
    }
  });
});
