/**
 * .github/workflows/deploy.yml: tests on every push, deploys on a v* tag, and signs in to Azure
 * with OpenID Connect federation, never a stored secret.
 */
import fs from 'node:fs';
import path from 'node:path';

const yaml = require('js-yaml') as { load(text: string): unknown };

const text = fs.readFileSync(path.resolve(__dirname, '../../.github/workflows/deploy.yml'), 'utf8');
const workflow = yaml.load(text) as {
  on: { push: { branches: string[]; tags: string[] } };
  permissions: Record<string, string>;
  jobs: Record<string, { needs?: string; if?: string; steps: { run?: string; uses?: string; with?: Record<string, string> }[] }>;
};

describe('the GitHub workflow', () => {
  it('runs the CI script (the README\'s test command, then bicep) on pushes and pull requests', () => {
    expect(workflow.on.push.branches).toEqual(['main']);
    expect(workflow.jobs['test']?.steps.map((s) => s.run).filter(Boolean)).toEqual(['./.ci/run']);
  });

  it('deploys only a v* tag, after the tests pass, with azd', () => {
    const deploy = workflow.jobs['deploy'];
    expect(workflow.on.push.tags).toEqual(['v*']);
    expect(deploy?.needs).toBe('test');
    expect(deploy?.if).toBe("startsWith(github.ref, 'refs/tags/v')");
    expect(deploy?.steps.map((s) => s.run).filter(Boolean)).toEqual(expect.arrayContaining(['azd provision --no-prompt', 'azd deploy --no-prompt']));
  });

  it('signs in with federated credentials (id-token), and uses no secret at all', () => {
    expect(workflow.permissions['id-token']).toBe('write');
    expect(text).not.toMatch(/secrets\./);
    expect(text).not.toMatch(/client-secret|AZURE_CREDENTIALS|creds:/i);
    const steps = workflow.jobs['deploy']?.steps ?? [];
    expect(steps.some((s) => /--federated-credential-provider github/.test(s.run ?? ''))).toBe(true);
    expect(steps.find((s) => s.uses?.startsWith('azure/login@'))?.with).toEqual({
      'client-id': '${{ vars.AZURE_CLIENT_ID }}',
      'tenant-id': '${{ vars.AZURE_TENANT_ID }}',
      'subscription-id': '${{ vars.AZURE_SUBSCRIPTION_ID }}',
    });
  });
});
