/**
 * The API client behind the task pane's PaneApi port (addin/taskpane/ports.ts) and the one
 * translation of a failure into what the pane shows (PaneError): problem slug → kind, the
 * client's user message and next step, the issues, and the reference to quote.
 */
import { BUNDLED_RESOURCE_BASES } from '../../shared/resourceBases/dataset';
import type { DescribeError, PaneApi, PaneError } from '../taskpane/ports';
import { type ApiClient, newIdempotencyKey } from './client';
import { ApiError, ApiProblem } from './problems';
import { sharedDataPublished } from './shared';

/** PaneApi over the typed client. */
export function paneApi(client: ApiClient): PaneApi {
  return {
    async currentReturn(laestab, year) {
      try {
        const { value, etag } = await client.getReturn(laestab, year);
        return { version: value.version, status: value.status, submittedAt: value.submittedAt, contentHash: value.contentHash, etag, seenBy: value.seenBy ?? [] };
      } catch (error) {
        // No return yet is an answer, not a failure.
        if (error instanceof ApiProblem && error.status === 404) return null;
        throw error;
      }
    },
    async history(laestab, year) {
      try {
        return (await client.history(laestab, year)).versions;
      } catch (error) {
        if (error instanceof ApiProblem && error.status === 404) return [];
        throw error;
      }
    },
    async submitReturn(laestab, year, ret, options) {
      const result = await client.putReturn(laestab, year, ret, {
        status: options.status,
        idempotencyKey: options.idempotencyKey,
        ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
        ...(options.onRetry ? { onRetry: (n) => options.onRetry?.(n.attempt, n.of) } : {}),
      });
      return { receipt: result.value, etag: result.etag, replayed: result.replayed, created: result.created };
    },
    cohort: (laestab, year) => client.cohort(laestab, year),
    async crossSchoolCheck(laestab, year, upns) {
      const { upns: found, notice } = await client.crossSchoolCheck(laestab, year, upns);
      return { upns: found, notice };
    },
    async tracker(year) {
      const t = await client.tracker(year);
      return {
        year: t.year,
        schools: t.schools.map((s) => ({
          school: s.school,
          name: s.name,
          area: s.area,
          phase: s.phase ?? 'primary',
          email: s.email ?? null,
          status: s.status,
          version: s.version,
          submittedAt: s.submittedAt,
          rows: s.rows,
          errors: s.errors,
          queries: s.queries,
          unexplainedQueries: s.unexplainedQueries,
          ...(s.crossSchoolUpns !== undefined ? { crossSchoolUpns: s.crossSchoolUpns } : {}),
        })),
        ...(t.crossSchool ? { crossSchool: t.crossSchool } : {}),
      };
    },
    async aggregates(year) {
      const a = await client.aggregates(year);
      return { year: a.year, tables: a.tables, schools: a.schools, disclosureControlled: a.disclosureControlled };
    },
    async consolidatedExport(year) {
      const { bytes, filename } = await client.consolidatedExport(year);
      return { bytes, filename: filename ?? `good-start-consolidated-${year}.xlsx` };
    },
    newIdempotencyKey,
    async latestResourceBases() {
      try {
        const { value, etag } = await client.resourceBases('latest');
        return { dataset: value, etag };
      } catch (error) {
        // Nothing published yet: the bundled review is where the LA's first edit starts (as the RB.* functions do).
        if (error instanceof ApiProblem && error.status === 404) return { dataset: BUNDLED_RESOURCE_BASES, etag: undefined };
        throw error;
      }
    },
    async publishResourceBases(dataset, options) {
      const result = await client.putResourceBases(dataset.academicYear, dataset, {
        idempotencyKey: options.idempotencyKey,
        ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
      });
      sharedDataPublished();
      return { dataset: result.value, etag: result.etag, replayed: result.replayed };
    },
    async withdrawResourceBases(academicYear, options) {
      const result = await client.deleteResourceBases(academicYear, {
        idempotencyKey: options.idempotencyKey,
        ...(options.ifMatch !== undefined ? { ifMatch: options.ifMatch } : {}),
      });
      sharedDataPublished();
      return { latest: result.value.latest };
    },
    people: {
      members: (scope) => client.members(scope),
      invitations: (scope) => client.invitations(scope),
      requests: (scope) => client.accessRequests(scope),
      invite: (body) => client.invite(body),
      async revoke(id) {
        await client.revokeInvitation(id);
      },
      async remove(memberId) {
        await client.removeMember(memberId);
      },
      async approve(id, reason) {
        await client.approveRequest(id, reason);
      },
      async decline(id, reason) {
        await client.declineRequest(id, reason);
      },
      tenants: () => client.tenants(),
      async addTenant(tenant) {
        await client.addTenant(tenant);
      },
      async removeTenant(tid) {
        await client.removeTenant(tid);
      },
      async myAccess() {
        const { invitation, requests } = await client.myAccess();
        return { invitation: invitation ? { id: invitation.id, text: invitation.text, expiresAt: invitation.expiresAt } : null, requests };
      },
      async accept(invitationId) {
        await client.acceptInvitation(invitationId);
      },
      async requestAccess(body) {
        const { request, reviewers } = await client.requestAccess(body);
        return { request, reviewers };
      },
    },
  };
}

const VALIDATION_SLUGS = new Set(['return-has-errors', 'unexplained-queries', 'validation-failed', 'workbook-unreadable', 'payload-too-large']);

function kindOf(error: ApiError): PaneError['kind'] {
  if (error.kind === 'offline') return 'offline';
  if (!(error instanceof ApiProblem)) return 'other';
  if (error.slug === 'precondition-failed') return 'stale';
  if (error.slug === 'invalid-token') return 'signin';
  if (error.slug === 'forbidden') return 'forbidden';
  if (error.status === 503 || error.status === 429 || error.slug === 'request-in-progress') return 'offline';
  return VALIDATION_SLUGS.has(error.slug) ? 'validation' : 'other';
}

/** Any error with a message for the user (ApiError, SignInFailed), structurally. */
const hasUserMessage = (e: unknown): e is Error & { userMessage: string; nextStep: string } =>
  e instanceof Error && typeof (e as { userMessage?: unknown }).userMessage === 'string' && typeof (e as { nextStep?: unknown }).nextStep === 'string';

/** What the pane shows for a failure: never a bare status code. */
export const describeError: DescribeError = (error) => {
  if (error instanceof ApiError) {
    const problem = error instanceof ApiProblem ? error : undefined;
    const issues = problem?.validation ? [...problem.validation.errors, ...problem.validation.queries] : undefined;
    return {
      kind: kindOf(error),
      title: error.userMessage,
      detail: problem?.detail ?? '',
      next: error.nextStep,
      ...(issues && issues.length > 0 ? { issues } : {}),
      ...(problem?.correlationId ? { correlationId: problem.correlationId } : {}),
      ...(problem ? { problem: problem.slug } : {}),
    };
  }
  if (hasUserMessage(error)) return { kind: error.name === 'SignInFailed' ? 'signin' : 'other', title: error.userMessage, detail: error.message, next: error.nextStep };
  return { kind: 'other', title: 'Something went wrong in the add-in.', detail: error instanceof Error ? error.message : String(error), next: 'Try again. If it keeps happening, reload the add-in.' };
};
