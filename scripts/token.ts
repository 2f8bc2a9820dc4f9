/**
 * Mints a dev token for the local API (AUTH_MODE=local) and prints it, alone, on stdout:
 *
 *   npm run token -- --role school --school 3302001
 *   npm run token -- --role trust --trust TRUST-OAK --ttl 30m
 *   npm run token -- --role la --name "Dev Officer"
 *   TOKEN=$(npm run -s token -- --role la); curl -H "Authorization: Bearer $TOKEN" http://localhost:7071/api/me
 *
 * Issuer, audience, claim names and the key directory come from the same settings the API
 * reads, so the token matches the running API.
 */
import { parseArgs } from 'node:util';
import { ROLES, type Role } from '../functions/src/auth';
import { parseConfig } from '../functions/src/config';
import { ensureDevKeys, mintDevToken } from './devKeys';

const USAGE = 'usage: npm run token -- --role school|trust|la [--school LAESTAB] [--trust ID] [--name NAME] [--sub ID] [--ttl 8h|30m|3600]';

export function parseTtl(text: string): number {
  const m = /^(\d+)([smhd]?)$/.exec(text.trim());
  if (!m?.[1]) throw new Error(`--ttl: "${text}" is not a duration like 3600, 30m, 8h or 1d`);
  const unit = { '': 1, s: 1, m: 60, h: 3600, d: 86400 }[m[2] ?? ''] ?? 1;
  return Number(m[1]) * unit;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      role: { type: 'string' },
      school: { type: 'string' },
      trust: { type: 'string' },
      name: { type: 'string' },
      sub: { type: 'string' },
      ttl: { type: 'string', default: '8h' },
      help: { type: 'boolean', short: 'h' },
    },
    strict: true,
  });
  if (values.help) {
    console.log(USAGE);
    return;
  }
  if (!values.role || !(ROLES as readonly string[]).includes(values.role)) throw new Error(`--role must be one of ${ROLES.join(', ')}\n${USAGE}`);
  const role = values.role as Role;
  if (role === 'school' && !values.school) throw new Error(`--role school needs --school LAESTAB\n${USAGE}`);
  if (role === 'trust' && !values.trust) throw new Error(`--role trust needs --trust ID\n${USAGE}`);

  const config = parseConfig(process.env);
  if (config.auth.mode !== 'local') throw new Error('AUTH_MODE is not local: the API would not accept a dev token.');
  const key = await ensureDevKeys(config.auth.localKeyDir);
  const token = await mintDevToken(
    key,
    {
      role,
      ...(role === 'school' && values.school ? { school: values.school } : {}),
      ...(role === 'trust' && values.trust ? { trust: values.trust } : {}),
      ...(values.name ? { name: values.name } : {}),
      ...(values.sub ? { sub: values.sub } : {}),
    },
    { ttlSeconds: parseTtl(values.ttl), issuer: config.auth.issuer, audience: config.auth.audience, claimNames: config.auth.claims },
  );
  process.stdout.write(`${token}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : String(error));
    process.exitCode = 1;
  });
}
