/**
 * PUT /api/returns/{laestab}/{year}[?status=draft|submitted]: a primary submits its transition
 * return, as JSON (a TransitionReturn) or as the filled .xlsx itself, and gets a receipt: the
 * version, status, content hash, the validation report (the CLI's rule ids and cells) and the
 * school summary.
 *
 * - Only the school itself writes its return (a school-role token for that LAESTAB): the LA and
 *   trusts read returns, they never author them (ARCHITECTURE.md, trust boundaries).
 * - Idempotency-Key is required (withIdempotency); If-Match, when sent, must be the head's ETag.
 * - What may be stored is shared/transition/submittability.ts's decision: a return with errors is
 *   refused (422 `return-has-errors`), whatever the status; (design) a draft may be stored with
 *   unexplained queries, `submitted` needs every query explained or fixed (422 `unexplained-queries`). Both 422s carry the validation report as `report`: its first REPORT_ISSUE_LIMIT issues, every issue counted.
 * - A body that is not an xlsx, sent as one, is 422 `workbook-unreadable` (code `not-xlsx`), like
 *   every other workbook that cannot be read; 415 is only for a content type the endpoint does not take.
 * - 201 for a new version; 200 with the existing receipt when the content and status equal the
 *   current version's (a resubmission stores nothing).
 */
import type { HttpRequest, HttpResponseInit } from '@azure/functions';
import { returnTooLarge, transitionReturnSchema, type TransitionReturn } from '../../../shared/transition/schema';
import { submittability } from '../../../shared/transition/submittability';
import { validateReturn } from '../../../shared/transition/validate';
import { WorkbookError } from '../../../shared/workbook/errors';
import { readTransitionWorkbook } from '../../../shared/workbook/reader';
import { NODE_READER } from '../../../xlsx/inflate';
import { authenticate, requireWriteReturn } from '../auth';
import { getConfig } from '../config';
import { checkBodyShape, parseJsonBytes, readBytesBody, requireContentType } from '../http/body';
import { httpEtag, ifMatchHolds, parseEtagList } from '../http/etag';
import { inTurn } from '../http/cpuGate';
import { withErrors } from '../http/handler';
import { invalidParameter, returnTarget } from '../http/params';
import { type IdempotentAction, withIdempotency } from '../http/idempotency';
import { JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE } from '../http/negotiate';
import { HttpProblem, SpecificProblem } from '../http/problems';
import { register } from '../http/registry';
import { defineRoute } from '../http/route';
import { getStore } from '../store';
import { RETURN_STATUSES, type ReturnStatus } from '../../../shared/status';
import { PreconditionFailed, returnsRepository, WriteContention, type WriteResult } from '../store/returns';
import { crossSchoolAuditId, upnIndex } from '../store/upnIndex';

function statusOf(request: HttpRequest): ReturnStatus {
  const raw = request.query.get('status');
  if (raw === null) return 'submitted';
  if ((RETURN_STATUSES as readonly string[]).includes(raw)) return raw as ReturnStatus;
  throw invalidParameter('status', 'status must be draft or submitted.');
}

const WORKBOOK_STATUS: Partial<Record<WorkbookError['code'], 'payload-too-large'>> = {
  'too-large': 'payload-too-large',
};

async function parseBody(bytes: Uint8Array, type: string): Promise<TransitionReturn> {
  if (type === XLSX_MEDIA_TYPE) {
    let raw: TransitionReturn;
    try {
      // Node's zlib as the inflater and Buffer's decoder, as the CLI reads (about 20% faster on a whole read than fflate and TextDecoder); the zip guard holds either way.
      raw = await readTransitionWorkbook(bytes, NODE_READER);
    } catch (error) {
      if (!(error instanceof WorkbookError)) throw error;
      // The reader's messages are written for the SENCo and never quote cell values.
      const slug = WORKBOOK_STATUS[error.code];
      if (slug) throw new HttpProblem(slug, { detail: error.message, extensions: { code: error.code } });
      throw new SpecificProblem('workbook-unreadable', { detail: error.message, extensions: { code: error.code } });
    }
    return checkBodyShape(raw, transitionReturnSchema, 'the transition return shape');
  }
  // A return of more pupils than a school has is refused before its rows are parsed.
  return parseJsonBytes(bytes, transitionReturnSchema, 'the transition return shape', (json) => {
    const message = returnTooLarge(json);
    return message === undefined ? undefined : { path: 'sheets', message };
  });
}

/**
 * If-Match by RFC 9110 (strong comparison, `*` for "any current version"), as the store etag the
 * write is then conditional on, so a change between this read and the commit is still caught.
 */
async function storeIfMatch(header: string, laestab: string, year: number): Promise<string> {
  if (parseEtagList(header) === '*') return '*';
  const head = await returnsRepository().head(laestab, year);
  if (!head || !ifMatchHolds(header, httpEtag(head.etag))) {
    throw new HttpProblem('precondition-failed', {
      detail: head ? 'The return has changed since you read it; fetch it again and resubmit.' : `School ${laestab} has no return for ${year} to replace.`,
      ...(head ? { headers: { etag: httpEtag(head.etag) ?? '' } } : {}),
    });
  }
  return head.etag;
}

export const returnsPut = withErrors(async (request, { correlationId, log }) => {
  const principal = await authenticate(request);
  const { laestab, year } = returnTarget(request);
  requireWriteReturn(principal, laestab);
  const status = statusOf(request);
  requireContentType(request, JSON_MEDIA_TYPE, XLSX_MEDIA_TYPE);
  const type = request.headers.get('content-type')?.split(';')[0]?.trim().toLowerCase() ?? '';
  const { limits } = getConfig();
  const bytes = await readBytesBody(request, type === XLSX_MEDIA_TYPE ? limits.maxXlsxBytes : limits.maxJsonBytes);
  const ifMatchHeader = request.headers.get('if-match');

  const receiptResponse = (result: WriteResult): HttpResponseInit => ({
    status: result.created ? 201 : 200,
    headers: {
      // A replayed older action's version is not the current one: no ETag to write on top of.
      ...(result.etag !== undefined ? { etag: httpEtag(result.etag) ?? '' } : {}),
      location: `/api/returns/${laestab}/${year}`,
      'cache-control': 'no-store',
    },
    jsonBody: result.receipt,
  });
  // A receipt too large to keep with the key is rebuilt from the version the action stored.
  const rebuild = async (action: IdempotentAction) => {
    const earlier = await returnsRepository().actionOutcome(laestab, year, action.id);
    return earlier && receiptResponse(earlier);
  };

  return withIdempotency(request, principal, bytes, async (action): Promise<HttpResponseInit> => {
    // Preconditions before the content is processed (RFC 9110 §13.2.2): a stale If-Match is 412 whatever the body.
    const ifMatch = ifMatchHeader === null ? undefined : await storeIfMatch(ifMatchHeader, laestab, year);
    const store = getStore();
    const directory = await store.directory.get();
    // Reading and validating hold the thread; one request at a time, so the process answers meanwhile.
    const { ret, report, pupils } = await inTurn(async () => {
      const parsed = await parseBody(bytes, type);
      return { ret: parsed, ...validateReturn(parsed, { directory, year, school: laestab }) };
    });
    const verdict = submittability(report.summary, status);
    if (verdict.verdict === 'has-errors') {
      throw new SpecificProblem('return-has-errors', { detail: `${verdict.errors} error(s) must be fixed before the return can be stored.`, extensions: { report } });
    }
    if (verdict.verdict === 'unexplained-queries') {
      throw new SpecificProblem('unexplained-queries', {
        detail: `${verdict.unexplainedQueries} query(ies) need a fix or an explanation; save as a draft (?status=draft) meanwhile.`,
        extensions: { report },
      });
    }

    let result;
    try {
      result = await returnsRepository().write({ school: laestab, year, status, ret, report, pupils, principal, action: action.id, ...(ifMatch !== undefined ? { ifMatch } : {}) });
    } catch (error) {
      if (error instanceof PreconditionFailed) {
        throw new HttpProblem('precondition-failed', {
          detail: 'The return has changed since you read it; fetch it again and resubmit.',
          ...(error.currentEtag ? { headers: { etag: httpEtag(error.currentEtag) ?? '' } } : {}),
        });
      }
      if (error instanceof WriteContention) {
        throw new HttpProblem('service-unavailable', { detail: 'Too many simultaneous submissions for this school; retry shortly with the same Idempotency-Key.', headers: { 'retry-after': '2' } });
      }
      throw error;
    }
    // Issue 29: pupils also on another school's return, told without naming it; the index read is in the audit record.
    // Advisory: once the version is committed, a failure to read the index must not turn its receipt into an error.
    const crossSchool = await upnIndex()
      .notice(laestab, year, pupils)
      .catch((error: unknown) => {
        log.warn('crossSchool.notice.unavailable', { error });
        return undefined;
      });
    await store.audit.record({ who: principal.subject, role: principal.role, school: laestab, action: 'return.write', ids: [result.versionDocId, crossSchoolAuditId(year)], correlationId });
    return { ...receiptResponse(result), jsonBody: { ...result.receipt, ...(crossSchool ? { crossSchool } : {}) } };
  }, { correlationId, rebuild });
});

export const route = defineRoute({ name: 'returnsPut', methods: ['PUT'], route: 'returns/{laestab}/{year}', authLevel: 'anonymous', handler: returnsPut });

register(route);
