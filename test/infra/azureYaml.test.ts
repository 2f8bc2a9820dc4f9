/**
 * azure.yaml against the azd JSON schema, vendored in infra/schemas/ (Azure/azure-dev
 * schemas/v1.0/azure.yaml.json, MIT, its licence beside it): there is no azd here to load it.
 */
import fs from 'node:fs';
import path from 'node:path';
import Ajv2019 from 'ajv/dist/2019';

// js-yaml ships no types; load() is all this needs.
const yaml = require('js-yaml') as { load(text: string): unknown };

const ROOT = path.resolve(__dirname, '../..');
const schema = JSON.parse(fs.readFileSync(path.join(ROOT, 'infra/schemas/azure.yaml.json'), 'utf8')) as object;
const ajv = new Ajv2019({ strict: false, allErrors: true });
// The schema refers out to the AI extensions' schemas, used only by their own hosts (azure.ai.*,
// microsoft.foundry), which this project does not use: each is stood in for by a schema that
// accepts anything, so nothing is fetched.
const externalRefs = new Set([...JSON.stringify(schema).matchAll(/"\$ref":"(https:[^"]+)"/g)].map((m) => m[1] as string));
for (const id of externalRefs) ajv.addSchema({ $id: id }, id);
const validate = ajv.compile(schema);
const azureYaml = yaml.load(fs.readFileSync(path.join(ROOT, 'azure.yaml'), 'utf8')) as {
  name: string;
  infra: { provider: string; path: string; module: string };
  services: Record<string, { project: string; host: string; language: string; remoteBuild?: boolean }>;
  hooks: Record<string, { posix: { shell: string; run: string } }>;
};

describe('azure.yaml', () => {
  it('is valid against the vendored azd schema, whose licence is beside it', () => {
    expect(validate(azureYaml) ? [] : validate.errors).toEqual([]);
    expect(fs.readFileSync(path.join(ROOT, 'infra/schemas/LICENSE.azure-dev'), 'utf8')).toMatch(/^MIT License/);
  });

  it('fails that schema when broken (the check can fail)', () => {
    expect(validate({ ...azureYaml, name: 'Good Start' })).toBe(false);
    expect(validate({ ...azureYaml, services: { api: { ...azureYaml.services['api'], host: 'function', image: 'x' } } })).toBe(false);
    expect(validate({ ...azureYaml, hooks: { postdeploy: { posix: { shell: 'bash', run: 'x' } } } })).toBe(false);
  });

  it('deploys the bundled Functions app as the api service, as it is (no remote build)', () => {
    expect(azureYaml.services).toEqual({ api: { project: 'functions/dist', language: 'js', host: 'function', remoteBuild: false } });
    expect(azureYaml.infra).toEqual({ provider: 'bicep', path: 'infra', module: 'main' });
    expect(fs.existsSync(path.join(ROOT, 'infra/main.bicep'))).toBe(true);
    // resources.bicep tags the Function App with this service name, which is how azd finds it.
    expect(fs.readFileSync(path.join(ROOT, 'infra/resources.bicep'), 'utf8')).toContain("'azd-service-name': 'api'");
  });

  it('builds the bundle before packaging, and runs hook scripts that exist and are executable', () => {
    expect(azureYaml.hooks['prepackage']?.posix.run).toMatch(/npm run build:functions$/);
    for (const name of ['preprovision', 'postdeploy']) {
      const script = path.join(ROOT, azureYaml.hooks[name]?.posix.run ?? '');
      expect([name, fs.statSync(script).mode & 0o111]).not.toEqual([name, 0]);
    }
  });
});
