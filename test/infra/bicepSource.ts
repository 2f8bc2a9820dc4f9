/**
 * Reads the Bicep sources in infra/ as text, enough for the invariant tests: declarations
 * (param, output, resource, module) and the brace-matched body of each. There is no Bicep compiler
 * in npm test; .ci/run compiles and lints where one is on PATH.
 */
import fs from 'node:fs';
import path from 'node:path';

export const INFRA = path.resolve(__dirname, '../../infra');

export function infraFile(name: string): string {
  return fs.readFileSync(path.join(INFRA, name), 'utf8');
}

/** Every .bicep file under infra/, by path relative to it. */
export function bicepFiles(dir = INFRA): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return bicepFiles(p);
    return e.name.endsWith('.bicep') ? [path.relative(INFRA, p)] : [];
  });
}

/** The source with `//` and block comments blanked (strings kept: 'https://…' is not a comment). */
export function withoutComments(source: string): string {
  let out = '';
  let i = 0;
  let inString = false;
  while (i < source.length) {
    const c = source[i] as string;
    if (inString) {
      out += c;
      if (c === '\\') {
        out += source[i + 1] ?? '';
        i += 2;
        continue;
      }
      if (c === "'") inString = false;
      i += 1;
    } else if (c === "'") {
      inString = true;
      out += c;
      i += 1;
    } else if (source.startsWith('//', i)) {
      while (i < source.length && source[i] !== '\n') i += 1;
    } else if (source.startsWith('/*', i)) {
      const end = source.indexOf('*/', i + 2);
      i = end === -1 ? source.length : end + 2;
    } else {
      out += c;
      i += 1;
    }
  }
  return out;
}

/** The text from `start` (an opening brace or bracket) to its match, inclusive; strings respected. */
export function balanced(source: string, start: number): string {
  const open = source[start];
  const close = open === '{' ? '}' : open === '[' ? ']' : undefined;
  if (!close) throw new Error(`no brace at ${start}`);
  let depth = 0;
  let inString = false;
  for (let i = start; i < source.length; i++) {
    const c = source[i];
    if (inString) {
      if (c === '\\') i += 1;
      else if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') {
      depth -= 1;
      if (depth === 0) return source.slice(start, i + 1);
    }
  }
  throw new Error('unbalanced braces');
}

export interface Declaration {
  kind: 'resource' | 'module';
  symbol: string;
  /** The resource type with API version, or the module's path or registry reference. */
  target: string;
  body: string;
}

/** Every resource and module declaration of a file (comments removed). */
export function declarations(source: string): Declaration[] {
  const text = withoutComments(source);
  const out: Declaration[] = [];
  for (const m of text.matchAll(/^(resource|module)\s+(\w+)\s+'([^']+)'(?:\s+existing)?\s*=\s*(?:if\s*\([^\n]*\)\s*)?/gm)) {
    const at = (m.index ?? 0) + m[0].length;
    const brace = text.slice(at).search(/[[{]/);
    out.push({ kind: m[1] as 'resource' | 'module', symbol: m[2] as string, target: m[3] as string, body: balanced(text, at + brace) });
  }
  return out;
}

export function declaration(source: string, symbol: string): Declaration {
  const found = declarations(source).find((d) => d.symbol === symbol);
  if (!found) throw new Error(`no declaration ${symbol}`);
  return found;
}

export interface Param {
  name: string;
  type: string;
  /** The default's source text, if it has one. */
  defaultValue?: string;
  secure: boolean;
}

/** Parameter declarations, with whether `@secure()` decorates them. */
export function params(source: string): Param[] {
  const text = withoutComments(source);
  return [...text.matchAll(/^((?:@[^\n]*\n)*)param\s+(\w+)\s+(\w+)(?:\s*=\s*([^\n]+))?$/gm)].map((m) => ({
    name: m[2] as string,
    type: m[3] as string,
    ...(m[4] !== undefined ? { defaultValue: m[4].trim() } : {}),
    secure: /@secure\(\)/.test(m[1] ?? ''),
  }));
}

export interface Output {
  name: string;
  type: string;
  expression: string;
  secure: boolean;
}

export function outputs(source: string): Output[] {
  const text = withoutComments(source);
  return [...text.matchAll(/^((?:@[^\n]*\n)*)output\s+(\w+)\s+(\w+)\s*=\s*([^\n]+)$/gm)].map((m) => ({
    name: m[2] as string,
    type: m[3] as string,
    expression: (m[4] as string).trim(),
    secure: /@secure\(\)/.test(m[1] ?? ''),
  }));
}

/** `key: value` lines directly inside an object literal's body (nested objects skipped). */
export function objectEntries(body: string): Map<string, string> {
  const inner = body.slice(1, -1);
  const entries = new Map<string, string>();
  let depth = 0;
  let inString = false;
  let line = '';
  const flush = (): void => {
    const m = /^\s*([A-Za-z_][\w]*)\s*:\s*(.+?)\s*$/.exec(line);
    if (m && depth === 0) entries.set(m[1] as string, m[2] as string);
    line = '';
  };
  for (let i = 0; i < inner.length; i++) {
    const c = inner[i] as string;
    if (c === '\n' && !inString) {
      flush();
      continue;
    }
    if (depth === 0) line += c;
    if (inString) {
      if (c === "'") inString = false;
    } else if (c === "'") inString = true;
    else if (c === '{' || c === '[') depth += 1;
    else if (c === '}' || c === ']') depth -= 1;
  }
  flush();
  return entries;
}

/** The object literal assigned to `var name = {…}`. */
export function variableObject(source: string, name: string): string {
  const text = withoutComments(source);
  const m = new RegExp(`^var\\s+${name}\\s*=\\s*`, 'm').exec(text);
  if (!m) throw new Error(`no var ${name}`);
  return balanced(text, m.index + m[0].length);
}
