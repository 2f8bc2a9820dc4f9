import { randomUUID } from 'node:crypto';
import type { HttpRequest } from '@azure/functions';

export const CORRELATION_HEADER = 'x-correlation-id';

/**
 * The caller's correlation id when it is a plausible token (so a header can't inject text
 * into logs), otherwise a fresh UUID. The add-in sends one per user action.
 */
export function correlationIdOf(request: HttpRequest): string {
  return correlationIdFrom(request.headers.get(CORRELATION_HEADER) ?? undefined);
}

/** The same rule for a raw header value (the local host answers some requests before a handler runs). */
export function correlationIdFrom(header: string | undefined): string {
  const given = header?.trim();
  return given && /^[A-Za-z0-9._:-]{8,128}$/.test(given) ? given : randomUUID();
}
