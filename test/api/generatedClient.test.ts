/**
 * What an integrator gets from the OpenAPI document: types generated with openapi-typescript,
 * and a small client program type-checked against them (strict TypeScript). The program reads
 * each typed body an integration exists for, branches on problem types, and marks misuses with
 * @ts-expect-error, so a body that degrades to `{ [key: string]: unknown }` or `any` fails here.
 */
import { execFile } from 'node:child_process';
import fs from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import ts from 'typescript';
import { buildOpenApiDocument } from '../../functions/src/openapi/document';
import { loadRoutes } from '../../functions/src/routes';

const PROGRAM = `
import type { components, paths } from './schema';

type Json<P extends keyof paths, M extends keyof paths[P], S extends number, T extends string = 'application/json'> =
  paths[P][M] extends { responses: infer R } ? (S extends keyof R ? (R[S] extends { content: infer C } ? (T extends keyof C ? C[T] : never) : never) : never) : never;

export function receiptLine(r: Json<'/returns/{laestab}/{year}', 'put', 201>): string {
  const status: 'draft' | 'submitted' = r.status;
  return \`\${r.school} v\${r.version} (\${status}): \${r.report.summary.errors} errors, \${r.summary.pupils} pupils\`;
}

export function currentReturn(d: Json<'/returns/{laestab}/{year}', 'get', 200>): number {
  const firstSheet = d.return.sheets[0];
  return (firstSheet?.rows.length ?? 0) + d.report.queries.length + (d.submittedVersion ?? 0);
}

export function history(h: Json<'/returns/{laestab}/{year}/history', 'get', 200>): string[] {
  return h.versions.map((v) => \`\${v.version} \${v.status} by \${v.submittedBy.role} at \${v.submittedAt}\`);
}

export function cohort(c: Json<'/cohorts/{laestab}/{year}', 'get', 200>): string[] {
  if (c.noReturnsYet) return [];
  return c.pupils.map((p) => \`\${p.sourceSchool} row \${p.row}\`).concat(c.feeders.map((f) => f.primary));
}

export function chaseList(t: Json<'/tracker/{year}', 'get', 200>): string[] {
  return t.schools.filter((s) => s.status === 'outstanding').map((s) => \`\${s.name} (\${s.area})\`).concat(String(t.totals.outstanding));
}

export function tables(a: Json<'/aggregates/{year}', 'get', 200>): number {
  const controlled: boolean = a.disclosureControlled;
  return a.tables.length + a.schools.expected + (controlled ? 1 : 0) + (a.noReturnsYet ? 1 : 0);
}

export function places(d: Json<'/resource-bases/{year}', 'get', 200>): number {
  return d.rows.length;
}

export function whoAmI(m: Json<'/me', 'get', 200>): string {
  const role: 'school' | 'trust' | 'la' = m.principal.role;
  return \`\${role}: \${m.schools.map((s: components['schemas']['School']) => s.laestab).join(', ')}\`;
}

/** Problems: branch on the type; each narrows to exactly its members. */
export function explain(p: Json<'/returns/{laestab}/{year}', 'put', 422, 'application/problem+json'>): string {
  switch (p.type) {
    case 'https://goodstart.birmingham.example/problems/return-has-errors':
    case 'https://goodstart.birmingham.example/problems/unexplained-queries':
      return \`\${p.report.errors.length} errors, \${p.report.queries.length} queries (\${p.correlationId})\`;
    case 'https://goodstart.birmingham.example/problems/workbook-unreadable':
      return p.code;
    case 'https://goodstart.birmingham.example/problems/validation-failed':
      return p.issues.map((i) => i.path).join(', ');
    default:
      return p.title;
  }
}

export function badParameter(p: Json<'/tracker/{year}', 'get', 400, 'application/problem+json'>): string {
  return \`\${p.parameter}: \${p.detail ?? ''} (\${p.correlationId})\`;
}

export function misuses(r: Json<'/returns/{laestab}/{year}', 'put', 201>, t: Json<'/tracker/{year}', 'get', 200>, p: Json<'/tracker/{year}', 'get', 400, 'application/problem+json'>): void {
  // @ts-expect-error a version is a number
  const v: string = r.version;
  // @ts-expect-error the tracker's states are outstanding, draft and submitted
  const s: 'received' = t.schools[0]!.status;
  // @ts-expect-error an invalid-parameter problem carries no validation report
  const report = p.report;
  void v, s, report;
}
`;

it('generates types with openapi-typescript that a strict client program type-checks against', async () => {
  const doc = buildOpenApiDocument(loadRoutes(), { version: '0.0.0-test' });
  const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'goodstart-client-'));
  try {
    // The CLI an integrator runs (it is an ES module, so it runs in its own node, not under jest).
    await fs.writeFile(path.join(dir, 'openapi.json'), JSON.stringify(doc));
    const cli = path.join(path.dirname(require.resolve('openapi-typescript/package.json')), 'bin', 'cli.js');
    await promisify(execFile)(process.execPath, [cli, path.join(dir, 'openapi.json'), '--output', path.join(dir, 'schema.ts')]);
    const program = path.join(dir, 'client.ts');
    await fs.writeFile(program, PROGRAM);
    const compiled = ts.createProgram([program], {
      strict: true,
      noUncheckedIndexedAccess: true,
      noEmit: true,
      target: ts.ScriptTarget.ES2022,
      module: ts.ModuleKind.CommonJS,
      skipLibCheck: true,
      types: [],
    });
    const messages = ts.getPreEmitDiagnostics(compiled).map((d) => `${d.file ? path.basename(d.file.fileName) : ''}: ${ts.flattenDiagnosticMessageText(d.messageText, '\n')}`);
    expect(messages).toEqual([]);
  } finally {
    await fs.rm(dir, { recursive: true, force: true });
  }
}, 60_000);
