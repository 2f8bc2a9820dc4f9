/**
 * Request bodies, read with a byte cap that is enforced before anything is parsed:
 * first the declared Content-Length, then the bytes actually streamed (a client can omit the
 * header or lie about it). Only then is JSON parsed and checked against a strict zod schema.
 */
import type { HttpRequest } from '@azure/functions';
import type { z } from 'zod';
import { redactText } from './logger';
import { type bodyIssueSchema, HttpProblem } from './problems';

export type BodyIssue = z.infer<typeof bodyIssueSchema>;

/** The largest body `readJsonBody`/`readBytesBody` will read, rejecting on the header alone when it declares more. */
function tooLarge(maxBytes: number): HttpProblem {
  return new HttpProblem('payload-too-large', {
    detail: `The request body must be at most ${maxBytes} bytes.`,
    extensions: { maxBytes },
  });
}

function declaredLength(request: HttpRequest): number | undefined {
  const header = request.headers.get('content-length');
  if (header === null) return undefined;
  if (!/^\d+$/.test(header.trim())) throw new HttpProblem('malformed-body', { detail: 'Content-Length is not a number.' });
  return Number(header.trim());
}

/** Reads the raw body, stopping (413) as soon as it exceeds `maxBytes`. */
export async function readBytesBody(request: HttpRequest, maxBytes: number): Promise<Uint8Array> {
  const declared = declaredLength(request);
  if (declared !== undefined && declared > maxBytes) throw tooLarge(maxBytes);

  const stream = request.body;
  if (stream === null) return new Uint8Array(0);
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      const chunk = value as Uint8Array;
      total += chunk.byteLength;
      if (total > maxBytes) {
        await reader.cancel().catch(() => undefined);
        throw tooLarge(maxBytes);
      }
      chunks.push(chunk);
    }
  } finally {
    reader.releaseLock();
  }
  // One chunk (a host that buffered the body, as both hosts do) is the body: no second copy.
  if (chunks.length === 1) return chunks[0] as Uint8Array;
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.byteLength;
  }
  return out;
}

function mediaType(request: HttpRequest): string | undefined {
  return request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() || undefined;
}

/** Throws 415 unless the request's Content-Type is one of `allowed` (parameters such as charset ignored). */
export function requireContentType(request: HttpRequest, ...allowed: string[]): void {
  const type = mediaType(request);
  if (type === undefined || !allowed.includes(type)) {
    throw new HttpProblem('unsupported-media-type', {
      detail: `Send the body as ${allowed.join(' or ')}.`,
      extensions: { accepted: allowed },
    });
  }
}

/**
 * zod issues as client-facing entries: path, code and message only. zod's `input` is left out
 * on purpose: it would echo the submitted value, which may be a pupil's name or UPN.
 */
export function bodyIssues(error: z.ZodError): BodyIssue[] {
  return error.issues.slice(0, 200).map((i) => ({
    path: i.path.map(String).join('.'),
    code: i.code,
    // A custom refinement may interpolate a value into its message; mask anything UPN- or date-shaped.
    message: redactText(i.message),
  }));
}

/**
 * Reads a JSON body: 415 unless application/json, 413 over `maxBytes` (before parsing),
 * 400 when it is not JSON, 422 with the zod issues when it does not match `schema`
 * (use strict schemas, so unknown fields are rejected rather than silently dropped).
 */
export async function readJsonBody<S extends z.ZodType>(
  request: HttpRequest,
  maxBytes: number,
  schema: S,
): Promise<z.output<S>> {
  requireContentType(request, 'application/json');
  return parseJsonBytes(await readBytesBody(request, maxBytes), schema);
}

/**
 * Parses body bytes already read under a cap: 400 when they are not UTF-8 JSON, 422 with the
 * zod issues when they do not match `schema`. `what` names the expected shape in the detail.
 */
export function parseJsonBytes<S extends z.ZodType>(
  bytes: Uint8Array,
  schema: S,
  what = 'the expected shape',
  /** A cheap check of the raw JSON before the schema parses it: a path and message to refuse with (422). */
  precheck?: (json: unknown) => { path: string; message: string } | undefined,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new HttpProblem('malformed-body', { detail: 'The body is not valid UTF-8 JSON.' });
  }
  const refused = precheck?.(json);
  if (refused) {
    throw new HttpProblem('validation-failed', {
      detail: `The body does not match ${what}; see issues.`,
      extensions: { issues: [{ path: refused.path, code: 'custom', message: refused.message }] },
    });
  }
  return checkBodyShape(json, schema, what);
}

/** 422 with the zod issues when a parsed body (JSON, or a workbook read into data) does not match `schema`. */
export function checkBodyShape<S extends z.ZodType>(value: unknown, schema: S, what = 'the expected shape'): z.output<S> {
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    throw new HttpProblem('validation-failed', {
      detail: `The body does not match ${what}; see issues.`,
      extensions: { issues: bodyIssues(parsed.error) },
    });
  }
  return parsed.data;
}
