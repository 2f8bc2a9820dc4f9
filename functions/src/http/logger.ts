/**
 * A structured logger that is safe for a service holding children's special-category data
 * (DOMAIN.md: logs never contain names, UPNs or dates of birth).
 *
 * - Every entry is one JSON object: `{ level, event, ...fields }`.
 * - Values are redacted on the way out: anything shaped like a UPN or an ISO date is masked,
 *   and fields whose key names a person or a date of birth are dropped to "[redacted]".
 * - There is no way to log a request body: callers pass named fields, and the wrappers never log bodies.
 */
import type { InvocationContext } from '@azure/functions';

export type LogLevel = 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;
export type LogSink = (level: LogLevel, line: string) => void;

export interface SafeLogger {
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

/** UPN: 13 characters, a letter, 11 digits, then a digit or letter (temporary UPNs end in a letter). */
const UPN_PATTERN = /\b[A-Z]\d{11}[0-9A-Z]\b/gi;
/** ISO dates (and date-times): a date of birth must never reach a log. */
const ISO_DATE_PATTERN = /\b\d{4}-\d{2}-\d{2}(?:[T ][0-9:.]+(?:Z|[+-]\d{2}:?\d{2})?)?\b/g;
/** Key names that hold a person's identity or a date of birth, compared without case, '_' or '-'. */
const SENSITIVE_KEYS = new Set(
  [
    'name', 'names', 'surname', 'forename', 'forenames', 'firstname', 'lastname', 'givenname', 'familyname',
    'legalsurname', 'legalforename', 'fullname', 'preferredname', 'middlename', 'pupilname', 'childname',
    'dob', 'dateofbirth', 'birthdate', 'upn', 'uln', 'email', 'preferredusername', 'uniquename',
  ].map(normaliseKey),
);
const REDACTED = '[redacted]';
const MAX_DEPTH = 6;

function normaliseKey(key: string): string {
  return key.toLowerCase().replace(/[_\-\s]/g, '');
}

/** Errors whose messages are written by this app about settings, never about pupils. */
const SAFE_MESSAGE_ERRORS = new Set(['ConfigError']);

/**
 * An error as loggable fields: its name, code and stack frames (file:line, which locate the bug),
 * but not its message, which a library may have built from the input (JSON.parse and friends
 * quote what they choke on), and free-text names can't be recognised by pattern.
 */
function errorFields(error: Error): Record<string, unknown> {
  const code = (error as { code?: unknown }).code;
  const frames = (error.stack ?? '')
    .split('\n')
    .filter((l) => /^\s+at /.test(l))
    .slice(0, 12)
    .map((l) => redactText(l.trim()));
  return {
    name: error.name,
    ...(typeof code === 'string' || typeof code === 'number' ? { code } : {}),
    ...(SAFE_MESSAGE_ERRORS.has(error.name) ? { message: error.message } : {}),
    frames,
  };
}

export function redactText(text: string): string {
  return text.replace(UPN_PATTERN, '[upn]').replace(ISO_DATE_PATTERN, '[date]');
}

/** A deep copy with sensitive keys masked and sensitive-looking strings rewritten. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return redactText(value);
  if (value === null || typeof value !== 'object') return value;
  if (depth >= MAX_DEPTH) return '[truncated]';
  if (value instanceof Date) return '[date]';
  if (value instanceof Error) return errorFields(value);
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value)) {
    out[k] = SENSITIVE_KEYS.has(normaliseKey(k)) ? REDACTED : redact(v, depth + 1);
  }
  return out;
}

export function formatLogLine(level: LogLevel, event: string, fields: LogFields = {}): string {
  const safe = redact(fields);
  return JSON.stringify({ level, event: redactText(event), ...(safe as LogFields) });
}

export function createLogger(sink: LogSink, base: LogFields = {}): SafeLogger {
  const write = (level: LogLevel) => (event: string, fields?: LogFields) =>
    sink(level, formatLogLine(level, event, { ...base, ...fields }));
  return { info: write('info'), warn: write('warn'), error: write('error') };
}

/** A logger that writes through the invocation's context, so entries land in Application Insights with the invocation id. */
export function contextLogger(context: InvocationContext, base: LogFields = {}): SafeLogger {
  return createLogger((level, line) => {
    if (level === 'error') context.error(line);
    else if (level === 'warn') context.warn(line);
    else context.info(line);
  }, base);
}
