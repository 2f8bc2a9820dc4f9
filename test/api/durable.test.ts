/**
 * `npm start` keeps what it acknowledged: the real start script in a child process, a
 * submission, `kill -9` straight after the 201, a restart on the same .local data, and the same
 * version, history and tracker read back. Then the same with 20 submissions in flight.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import type { School } from '../../shared/schools';
import { ensureDevKeys, mintDevToken } from '../../scripts/devKeys';
import { LOCAL_AUDIENCE, LOCAL_ISSUER } from '../../functions/src/config';
import { aReturn, row, sheet, TRANSFER_YEAR, upnFor } from '../factories/transition';
import { TEST_SCHOOLS } from './harness';

const ROOT = path.join(__dirname, '..', '..');
/** node itself with tsx's loader (not the tsx CLI, which runs node as a child that SIGKILL would not reach). */
const NODE_ARGS = ['--import', 'tsx', 'scripts/start.ts'];

/** 20 extra primaries, so 20 submissions in flight are 20 different schools. */
const MANY: School[] = Array.from({ length: 20 }, (_, i) => ({
  laestab: String(3303100 + i),
  urn: String(991000 + i),
  name: `Primary ${i + 1} (test)`,
  phase: 'primary' as const,
  area: 'North',
  trust: null,
}));

let work: string;
let env: Record<string, string>;
let child: ChildProcess | undefined;

beforeAll(async () => {
  work = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-durable-'));
  const samples = path.join(work, 'samples');
  await fs.mkdir(path.join(samples, 'returns'), { recursive: true });
  await fs.writeFile(path.join(samples, 'schools.json'), JSON.stringify([...TEST_SCHOOLS, ...MANY]));
  env = {
    PATH: process.env['PATH'] ?? '',
    HOME: process.env['HOME'] ?? work,
    ADDIN: '0',
    PORT: '0',
    AUTH_MODE: 'local',
    AUTH_LOCAL_KEY_DIR: path.join(work, 'keys'),
    LOCAL_DATA_DIR: path.join(work, 'data'),
    LOCAL_SAMPLES_DIR: samples,
    APP_VERSION: '0.0.0-test',
  };
});
afterEach(() => {
  child?.kill('SIGKILL');
  child = undefined;
});
afterAll(async () => {
  await fs.rm(work, { recursive: true, force: true });
});

/** Starts `npm start`'s script and resolves with the API URL it prints. */
function startStack(args: string[] = []): Promise<{ api: string; output: () => string }> {
  const proc = spawn(process.execPath, [...NODE_ARGS, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  child = proc;
  let output = '';
  return new Promise((resolve, reject) => {
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const api = /API at (http:\/\/\S+\/api)/.exec(output)?.[1];
      if (api) resolve({ api, output: () => output });
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    proc.once('exit', (code) => reject(new Error(`the stack exited (${code}):\n${output}`)));
  });
}

function exitOf(proc: ChildProcess): Promise<number | null> {
  return new Promise((resolve) => proc.once('exit', (code) => resolve(code)));
}

async function killHard(): Promise<void> {
  const proc = child;
  child = undefined;
  if (!proc) return;
  const exited = exitOf(proc);
  proc.kill('SIGKILL');
  await exited;
}

async function tokenFor(claims: { role: 'school'; school: string } | { role: 'la' }): Promise<string> {
  const key = await ensureDevKeys(env['AUTH_LOCAL_KEY_DIR'] as string);
  return mintDevToken(key, claims, { issuer: LOCAL_ISSUER, audience: LOCAL_AUDIENCE });
}

const returnFor = (school: string, count: number) => ({
  ...aReturn(count),
  sheets: [sheet(Array.from({ length: count }, (_, i) => row(i + 1, { feederPrimary: school, upn: upnFor(i + 1, school) })))],
});

async function submit(api: string, school: string, count: number, key = randomUUID()): Promise<Response> {
  return fetch(`${api}/returns/${school}/${TRANSFER_YEAR}`, {
    method: 'PUT',
    headers: { authorization: `Bearer ${await tokenFor({ role: 'school', school })}`, 'content-type': 'application/json', 'idempotency-key': key },
    body: JSON.stringify(returnFor(school, count)),
  });
}

const read = async (api: string, pathname: string, token: string) => {
  const res = await fetch(`${api}${pathname}`, { headers: { authorization: `Bearer ${token}` } });
  return { status: res.status, body: (await res.json()) as Record<string, unknown> };
};

/** The tracker without the audit-free parts that legitimately differ between reads (none today). */
const trackerOf = async (api: string) => read(api, `/tracker/${TRANSFER_YEAR}`, await tokenFor({ role: 'la' }));

it('keeps a submission acknowledged just before kill -9: same version, history and tracker after a restart', async () => {
  const school = TEST_SCHOOLS[0]!.laestab;
  const first = await startStack();
  expect(first.output()).toContain(`data in ${env['LOCAL_DATA_DIR']}`);
  const res = await submit(first.api, school, 3);
  expect(res.status).toBe(201);
  const receipt = (await res.json()) as { version: number; contentHash: string };
  await killHard();

  const token = await tokenFor({ role: 'school', school });
  const second = await startStack();
  expect(second.output()).toContain('kept from the last run');
  const current = await read(second.api, `/returns/${school}/${TRANSFER_YEAR}`, token);
  expect(current.status).toBe(200);
  expect(current.body).toMatchObject({ version: receipt.version, contentHash: receipt.contentHash });
  const history = await read(second.api, `/returns/${school}/${TRANSFER_YEAR}/history`, token);
  expect((history.body['versions'] as { version: number }[]).map((v) => v.version)).toEqual([receipt.version]);
  const tracker = await trackerOf(second.api);
  expect((tracker.body['schools'] as { school: string; status: string; version: number | null }[]).find((s) => s.school === school)).toMatchObject({
    status: 'submitted',
    version: receipt.version,
  });
  await killHard();
}, 120_000);

it('keeps every acknowledged one of 20 submissions in flight at kill -9, and doubles none', async () => {
  const { api } = await startStack();
  const acknowledged = new Map<string, { version: number; contentHash: string }>();
  const keys = new Map(MANY.map((s) => [s.laestab, randomUUID()]));
  let killed: Promise<void> | undefined;
  await Promise.all(
    MANY.map(async (s, i) => {
      const res = await submit(api, s.laestab, 1 + (i % 4), keys.get(s.laestab)).catch(() => undefined);
      if (res?.status === 201) acknowledged.set(s.laestab, (await res.json()) as { version: number; contentHash: string });
      // Kill as soon as a few are acknowledged, with the rest still in flight.
      if (acknowledged.size === 5) killed ??= killHard();
    }),
  );
  await killed;
  expect(acknowledged.size).toBeGreaterThanOrEqual(5);

  const second = await startStack();
  for (const s of MANY) {
    const token = await tokenFor({ role: 'school', school: s.laestab });
    const history = await read(second.api, `/returns/${s.laestab}/${TRANSFER_YEAR}/history`, token);
    const versions = ((history.body['versions'] as { version: number; contentHash: string }[] | undefined) ?? []).map((v) => ({ version: v.version, contentHash: v.contentHash }));
    const ack = acknowledged.get(s.laestab);
    if (ack) expect(versions).toEqual([{ version: ack.version, contentHash: ack.contentHash }]);
    else expect(versions.length).toBeLessThanOrEqual(1);
    // A retry with the same key after the restart stores nothing twice.
    const retry = await submit(second.api, s.laestab, 1 + (MANY.indexOf(s) % 4), keys.get(s.laestab));
    expect([200, 201]).toContain(retry.status);
    const after = await read(second.api, `/returns/${s.laestab}/${TRANSFER_YEAR}/history`, token);
    expect((after.body['versions'] as unknown[]).length).toBe(1);
  }
  await killHard();
}, 180_000);

it('refuses to start on a damaged data file, saying how to reset, and starts empty after npm run reset', async () => {
  const journal = path.join(env['LOCAL_DATA_DIR'] as string, 'snapshot.jsonl');
  const text = await fs.readFile(journal, 'utf8');
  await fs.writeFile(journal, text.replace(/"version":1/, '"version":9'));
  const proc = spawn(process.execPath, NODE_ARGS, { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
  proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
  expect(await exitOf(proc)).toBe(1);
  expect(output).toContain(`The local data file ${journal}`);
  expect(output).toContain('npm run reset');

  const reset = await startStack(['--reset']);
  expect(reset.output()).toContain('new, seeded from samples');
  const tracker = await trackerOf(reset.api);
  expect((tracker.body['totals'] as { submitted: number }).submitted).toBe(0);
  await killHard();
}, 120_000);

it('refuses, in one line naming LOCAL_DATA_DIR, a data folder that cannot be made, rather than hanging as it starts', async () => {
  // Under /proc no new folder can be made, though the parent is there: Node's recursive mkdir retried that for ever.
  for (const dataDir of ['/proc/goodstart-no-such/data', path.join(work, 'a-file', 'data')]) {
    await fs.writeFile(path.join(work, 'a-file'), 'not a folder');
    const proc = spawn(process.execPath, NODE_ARGS, { cwd: ROOT, env: { ...env, LOCAL_DATA_DIR: dataDir }, stdio: ['ignore', 'pipe', 'pipe'] });
    child = proc;
    let output = '';
    proc.stdout.on('data', (c: Buffer) => (output += c.toString()));
    proc.stderr.on('data', (c: Buffer) => (output += c.toString()));
    expect(await exitOf(proc)).toBe(1);
    expect(output).toContain(`The local data cannot be kept in ${dataDir}`);
    expect(output).toContain('Set LOCAL_DATA_DIR to a folder that can be made');
  }
}, 60_000);
