/**
 * Scope as a property: for random (principal, school, endpoint) triples, the API refuses with 403
 * exactly when the principal is out of scope (ARCHITECTURE.md, trust boundaries), whatever the
 * school's phase or whether it has a return.
 */
import { randomUUID } from 'node:crypto';
import fc from 'fast-check';
import type { DevTokenClaims } from '../../scripts/devKeys';
import { TRANSFER_YEAR } from '../factories/transition';
import { startStack, type Stack, TEST_SCHOOLS } from './harness';

let stack: Stack;
const PRINCIPALS: DevTokenClaims[] = [
  ...TEST_SCHOOLS.map((s) => ({ role: 'school' as const, school: s.laestab })),
  { role: 'trust', trust: 'T1' },
  { role: 'la' },
];
const tokens = new Map<DevTokenClaims, string>();

beforeAll(async () => {
  stack = await startStack();
  for (const p of PRINCIPALS) tokens.set(p, await stack.token(p));
}, 60_000);
afterAll(async () => {
  await stack.stop();
});

type Endpoint = 'returnGet' | 'history' | 'cohort' | 'put' | 'tracker';

function inScope(p: DevTokenClaims, laestab: string, endpoint: Endpoint): boolean {
  const school = TEST_SCHOOLS.find((s) => s.laestab === laestab);
  if (endpoint === 'put') return p.role === 'school' && p.school === laestab;
  if (endpoint === 'tracker') return p.role !== 'school';
  if (p.role === 'la') return true;
  if (p.role === 'trust') return school?.trust === p.trust;
  return p.school === laestab;
}

function call(endpoint: Endpoint, laestab: string, token: string): Promise<Response> {
  const headers = { authorization: `Bearer ${token}` };
  switch (endpoint) {
    case 'returnGet':
      return stack.fetch(`/returns/${laestab}/${TRANSFER_YEAR}`, { headers });
    case 'history':
      return stack.fetch(`/returns/${laestab}/${TRANSFER_YEAR}/history`, { headers });
    case 'cohort':
      return stack.fetch(`/cohorts/${laestab}/${TRANSFER_YEAR}`, { headers });
    case 'tracker':
      return stack.fetch(`/tracker/${TRANSFER_YEAR}`, { headers });
    case 'put':
      return stack.fetch(`/returns/${laestab}/${TRANSFER_YEAR}`, {
        method: 'PUT',
        headers: { ...headers, 'content-type': 'application/json', 'idempotency-key': randomUUID() },
        body: '{}',
      });
  }
}

it('answers 403 exactly when the principal is out of scope', async () => {
  await fc.assert(
    fc.asyncProperty(
      fc.constantFrom(...PRINCIPALS),
      fc.constantFrom(...TEST_SCHOOLS.map((s) => s.laestab)),
      fc.constantFrom<Endpoint>('returnGet', 'history', 'cohort', 'put', 'tracker'),
      async (principal, laestab, endpoint) => {
        const res = await call(endpoint, laestab, tokens.get(principal)!);
        await res.arrayBuffer();
        expect(res.status).not.toBe(401);
        expect(res.status === 403).toBe(!inScope(principal, laestab, endpoint));
      },
    ),
    { numRuns: 150 },
  );
});
