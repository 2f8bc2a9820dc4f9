/**
 * scripts/entra-app.sh against a stand-in `az` that records its calls and answers as Entra would:
 * the registration it writes (multi-tenant, v2 tokens, the exposed scope, the two SPA redirects)
 * and the two settings it prints. The real script needs an Entra tenant, which this machine lacks.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';

const SCRIPT = path.resolve(__dirname, '../../scripts/entra-app.sh');
const APP_ID = '11111111-2222-4333-8444-555555555555';
const OBJECT_ID = '99999999-8888-4777-8666-555555555555';

/** A fake az: logs each call to calls.log, copies a PATCH body to patch.json, answers queries from env. */
const FAKE_AZ = `#!/bin/sh
echo "$*" >> "$FAKE_DIR/calls.log"
case "$*" in
  "ad app list"*) printf '%s\\n' "$FAKE_EXISTING_APP" ;;
  "ad app create"*) echo "${APP_ID}" ;;
  *"--query id -o tsv"*) echo "${OBJECT_ID}" ;;
  *"oauth2PermissionScopes"*) printf '%s\\n' "$FAKE_SCOPE_ID" ;;
  "rest "*) for a in "$@"; do case "$a" in @*) cp "\${a#@}" "$FAKE_DIR/patch.json" ;; esac; done ;;
  "ad sp show"*) exit 3 ;;
esac
exit 0
`;

function run(args: string[], env: Record<string, string> = {}): { out: string; calls: string[]; patch: Record<string, any> } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'entra-app-'));
  fs.writeFileSync(path.join(dir, 'az'), FAKE_AZ, { mode: 0o755 });
  const out = execFileSync('sh', [SCRIPT, ...args], {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    env: { PATH: `${dir}:${path.dirname(process.execPath)}:/usr/bin:/bin`, FAKE_DIR: dir, FAKE_EXISTING_APP: '', FAKE_SCOPE_ID: '', ...env },
  });
  const calls = fs.readFileSync(path.join(dir, 'calls.log'), 'utf8').trim().split('\n');
  const patch = JSON.parse(fs.readFileSync(path.join(dir, 'patch.json'), 'utf8')) as Record<string, any>;
  fs.rmSync(dir, { recursive: true, force: true });
  return { out, calls, patch };
}

describe('scripts/entra-app.sh', () => {
  it('creates a multi-tenant registration exposing access_as_user with v2 tokens, and prints the build settings', () => {
    const { out, calls, patch } = run([]);
    expect(calls).toContainEqual(expect.stringMatching(/^ad app create --display-name Good Start --sign-in-audience AzureADMultipleOrgs/));
    expect(calls).toContainEqual(expect.stringMatching(new RegExp(`^rest --method PATCH --uri https://graph\\.microsoft\\.com/v1\\.0/applications/${OBJECT_ID} `)));
    expect(calls).toContainEqual(`ad sp create --id ${APP_ID}`);
    expect(calls.filter((c) => c.startsWith('rest --method PATCH'))).toHaveLength(2); // the scope saved before its pre-authorisation
    expect(patch['signInAudience']).toBe('AzureADMultipleOrgs');
    expect(patch['identifierUris']).toEqual([`api://${APP_ID}`]);
    expect(patch['api'].requestedAccessTokenVersion).toBe(2);
    expect(patch['api'].oauth2PermissionScopes).toEqual([expect.objectContaining({ value: 'access_as_user', type: 'User', isEnabled: true })]);
    expect(patch['spa']).toEqual({ redirectUris: [] });
    // The Azure CLI may ask for the scope (infra/hooks/rollup-rebuild.sh), and nothing else is pre-authorised.
    expect(patch['api'].preAuthorizedApplications).toEqual([{ appId: '04b07795-8ddb-461a-bbee-02f9e1bf7b46', delegatedPermissionIds: [patch['api'].oauth2PermissionScopes[0].id] }]);
    expect(out).toBe(`GOODSTART_AAD_CLIENT_ID=${APP_ID}\nGOODSTART_API_SCOPE=api://${APP_ID}/access_as_user\n`);
  });

  it('updates the named registration with the add-in\'s two redirects, keeping its scope id', () => {
    const scopeId = 'aaaaaaaa-bbbb-4ccc-8ddd-eeeeeeeeeeee';
    const { calls, patch } = run(['https://staddinabc.z33.web.core.windows.net/'], { GOODSTART_AAD_CLIENT_ID: APP_ID, FAKE_SCOPE_ID: scopeId });
    expect(calls.some((c) => c.startsWith('ad app create'))).toBe(false);
    expect(patch['spa']).toEqual({ redirectUris: ['brk-multihub://staddinabc.z33.web.core.windows.net', 'https://staddinabc.z33.web.core.windows.net/signin-redirect.html'] });
    expect(patch['api'].oauth2PermissionScopes[0].id).toBe(scopeId);
    expect(patch['requiredResourceAccess']).toEqual([{ resourceAppId: APP_ID, resourceAccess: [{ id: scopeId, type: 'Scope' }] }]);
  });

  it('refuses an add-in URL that is not https or lacks its trailing slash', () => {
    expect(() => run(['http://example.org/'])).toThrow();
    expect(() => run(['https://example.org/addin'])).toThrow();
  });
});
