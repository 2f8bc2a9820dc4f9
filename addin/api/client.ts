/**
 * The typed Good Start API client: one method per endpoint the add-in uses, each answer checked
 * against its schema before anyone reads it. Transport (token, retries, problem+json) is
 * ./transport.ts; messages for the user are ./problems.ts.
 */
import type { z } from 'zod';
import type { ResourceBaseDataset } from '../../shared/resourceBases/dataset';
import type { TransitionReturnInput } from '../../shared/transition/schema';
import { defaultApiBaseUrl } from './baseUrl';
import {
  type AccessRequest,
  type AccessRequestBody,
  type AccessRequestCreated,
  accessRequestCreatedSchema,
  accessRequestListSchema,
  accessRequestSchema,
  type IdentityAuditEntry,
  identityAuditListSchema,
  type Invitation,
  invitationAcceptedSchema,
  invitationListSchema,
  type InvitationRequest,
  invitationSchema,
  type Member,
  memberListSchema,
  memberSchema,
  type MyAccess,
  myAccessSchema,
  type ScopeFilter,
  type Tenant,
  tenantListSchema,
  tenantSchema,
} from './identity';
import { ApiUnexpectedResponse } from './problems';
import {
  type AggregateDimension,
  type Aggregates,
  aggregatesSchema,
  type Cohort,
  cohortSchema,
  type CrossSchoolCheck,
  crossSchoolCheckSchema,
  type CurrentReturn,
  currentReturnSchema,
  type Health,
  healthSchema,
  historySchema,
  type Me,
  meSchema,
  type Receipt,
  receiptSchema,
  resourceBasesResponseSchema,
  type ResourceBaseWithdrawal,
  resourceBaseWithdrawalSchema,
  type ReturnHistory,
  type ReturnStatus,
  type Tracker,
  trackerSchema,
} from './schemas';
import { type ApiRequest, type ApiResponseLike, createTransport, type RetryNotice, type RetryPolicy, type TransportOptions } from './transport';

export const XLSX_MEDIA_TYPE = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';

/** A new Idempotency-Key: make one per user action and reuse it on every retry of that action. */
export function newIdempotencyKey(): string {
  return globalThis.crypto.randomUUID();
}

export interface ApiClientOptions extends Partial<TransportOptions> {}

/** Per-call options: cancel the call, or send it with another retry policy (the custom functions send once). */
export interface CallOptions {
  signal?: AbortSignal;
  retry?: Partial<RetryPolicy>;
  /** Told before each retry of this call, e.g. to show "Retrying (2 of 4)…". */
  onRetry?: (notice: RetryNotice) => void;
}

/** A value with the ETag it was read at (send it back as If-Match). */
export interface Tagged<T> {
  value: T;
  etag: string | undefined;
}

/** The answer to a write. */
export interface WriteResult<T> extends Tagged<T> {
  /** 201: a new version was stored (200: the same content was already current). */
  created: boolean;
  /** The API replayed the first answer to this Idempotency-Key instead of running it again. */
  replayed: boolean;
}

export interface PutReturnOptions extends CallOptions {
  status: ReturnStatus;
  /** From newIdempotencyKey(), made when the user pressed the button, reused on every retry. */
  idempotencyKey: string;
  /** The ETag of the version the user last loaded: someone else's newer version is then a 412. */
  ifMatch?: string;
}

export interface PutResourceBasesOptions extends CallOptions {
  idempotencyKey: string;
  /** The ETag the dataset was read at: publishing over someone else's change is a 412. */
  ifMatch?: string;
}

/** The body of a return PUT: the return as JSON, or the filled workbook's bytes. */
export type ReturnBody = TransitionReturnInput | { xlsx: Uint8Array };

export interface ApiClient {
  readonly baseUrl: string;
  /** GET /health (anonymous): version, `local` or `cloud` mode, and whether the database answers. */
  health(call?: CallOptions): Promise<Health>;
  /** GET /me: who the token says the user is, with their school(s). */
  me(call?: CallOptions): Promise<Me>;
  /** GET /returns/{laestab}/{year}: the current version, with the ETag to submit against. */
  getReturn(laestab: string, year: number, call?: CallOptions): Promise<Tagged<CurrentReturn>>;
  /** GET /returns/{laestab}/{year}/history: every committed version, newest first. */
  history(laestab: string, year: number, call?: CallOptions): Promise<ReturnHistory>;
  /** PUT /returns/{laestab}/{year}?status=: save a draft or submit; idempotent by the caller's key. */
  putReturn(laestab: string, year: number, body: ReturnBody, options: PutReturnOptions): Promise<WriteResult<Receipt>>;
  /** GET /cohorts/{laestab}/{year}: a secondary's incoming Year 7 from every feeder. */
  cohort(laestab: string, year: number, call?: CallOptions): Promise<Cohort>;
  /** POST /returns/{laestab}/{year}/cross-school: which of the school's own UPNs another school's return holds (never which school). */
  crossSchoolCheck(laestab: string, year: number, upns: readonly string[], call?: CallOptions): Promise<CrossSchoolCheck>;
  /** GET /tracker/{year}: every expected primary's state (LA, or a trust's own). */
  tracker(year: number, call?: CallOptions): Promise<Tracker>;
  /** GET /aggregates/{year}?by=: city roll-ups (disclosure-controlled outside the LA). */
  aggregates(year: number, by?: readonly AggregateDimension[], call?: CallOptions): Promise<Aggregates>;
  /** GET /resource-bases/{year|latest}: the resource-base dataset. */
  resourceBases(year: string | 'latest', call?: CallOptions): Promise<Tagged<ResourceBaseDataset>>;
  /** PUT /resource-bases/{year} (LA): publish a dataset. */
  putResourceBases(year: string, dataset: ResourceBaseDataset, options: PutResourceBasesOptions): Promise<WriteResult<ResourceBaseDataset>>;
  /** DELETE /resource-bases/{year} (LA): withdraw a dataset published by mistake; says what `latest` names now. */
  deleteResourceBases(year: string, options: PutResourceBasesOptions): Promise<WriteResult<ResourceBaseWithdrawal>>;
  /** GET /exports/{year}/consolidated.xlsx (LA): the consolidated workbook's bytes. */
  consolidatedExport(year: number, options?: CallOptions & { includeDrafts?: boolean }): Promise<{ bytes: Uint8Array; filename: string | undefined }>;

  // Who may act for which school (issue 25).
  /** GET /tenants (LA admin): the organisations whose people may sign in. */
  tenants(call?: CallOptions): Promise<Tenant[]>;
  /** POST /tenants (LA admin): add an organisation (or rename it), with the reason kept in the audit. */
  addTenant(tenant: { tid: string; name: string; reason: string }, call?: CallOptions): Promise<Tenant>;
  /** DELETE /tenants/{tid} (LA admin): its people are refused from their next request. */
  removeTenant(tid: string, call?: CallOptions): Promise<Tenant>;
  /** GET /invitations?school=|trust= (approvers, LA admins): every state, newest first. */
  invitations(filter: ScopeFilter, call?: CallOptions): Promise<Invitation[]>;
  /** POST /invitations: invite an e-mail address to a role in a scope (single use, 7 days). */
  invite(body: InvitationRequest, call?: CallOptions): Promise<Invitation>;
  /** POST /invitations/{id}/accept (the invitee, no role needed): binds them to the role. */
  acceptInvitation(id: string, call?: CallOptions): Promise<{ invitation: Invitation; member: Member }>;
  /** DELETE /invitations/{id}: withdraw a pending invitation. */
  revokeInvitation(id: string, call?: CallOptions): Promise<Invitation>;
  /** GET /access-requests?school=|trust= (approvers, LA admins). */
  accessRequests(filter: ScopeFilter, call?: CallOptions): Promise<AccessRequest[]>;
  /** POST /access-requests (anyone signed in from a registered tenant): the request and who can approve it. */
  requestAccess(body: AccessRequestBody, call?: CallOptions): Promise<AccessRequestCreated>;
  /** POST /access-requests/{id}/approve: grants the role asked for. */
  approveRequest(id: string, reason: string | undefined, call?: CallOptions): Promise<AccessRequest>;
  /** POST /access-requests/{id}/decline: the requester is shown the reason. */
  declineRequest(id: string, reason: string, call?: CallOptions): Promise<AccessRequest>;
  /** GET /access-requests/mine (no role needed): a pending invitation and the person's own requests. */
  myAccess(call?: CallOptions): Promise<MyAccess>;
  /** GET /memberships?school=|trust= (approvers, LA admins): who holds which role. */
  members(filter: ScopeFilter, call?: CallOptions): Promise<Member[]>;
  /** DELETE /memberships/{id}: effective on the holder's next request. */
  removeMember(id: string, call?: CallOptions): Promise<Member>;
  /** GET /audit?school=|trust= (LA admins; a school's approvers theirs): the identity audit trail, newest first. */
  identityAudit(filter: ScopeFilter, call?: CallOptions): Promise<IdentityAuditEntry[]>;
}

/** `?school=…`, `?trust=…` or nothing. */
function scopeQuery(filter: ScopeFilter): string {
  if ('school' in filter) return `?school=${seg(filter.school)}`;
  if ('trust' in filter) return `?trust=${seg(filter.trust)}`;
  return '';
}

const seg = (s: string | number): string => encodeURIComponent(String(s));

export function createApiClient(options: ApiClientOptions = {}): ApiClient {
  const transport = createTransport({ ...options, baseUrl: options.baseUrl ?? defaultApiBaseUrl() });

  async function json<S extends z.ZodType>(request: ApiRequest, schema: S, expected: string): Promise<{ value: z.output<S>; res: ApiResponseLike }> {
    const res = await transport.send(request);
    let body: unknown;
    try {
      body = await res.json();
    } catch {
      throw new ApiUnexpectedResponse(res.status, expected);
    }
    const parsed = schema.safeParse(body);
    if (!parsed.success) throw new ApiUnexpectedResponse(res.status, expected);
    return { value: parsed.data, res };
  }

  const callFields = (call: CallOptions = {}): Pick<ApiRequest, 'signal' | 'retry' | 'onRetry'> => ({
    ...(call.signal ? { signal: call.signal } : {}),
    ...(call.retry ? { retry: call.retry } : {}),
    ...(call.onRetry ? { onRetry: call.onRetry } : {}),
  });
  const get = <S extends z.ZodType>(path: string, schema: S, expected: string, call?: CallOptions, auth = true) =>
    json({ method: 'GET', path, auth, ...callFields(call) }, schema, expected);

  /** A POST or DELETE with an optional JSON body: sent once (the transport retries only idempotent calls). */
  const send = <S extends z.ZodType>(method: 'POST' | 'DELETE', path: string, body: unknown, schema: S, expected: string, call?: CallOptions) =>
    json({ method, path, ...(body !== undefined ? { body: { contentType: 'application/json', data: JSON.stringify(body) } } : {}), ...callFields(call) }, schema, expected).then((r) => r.value);

  const etagOf = (res: ApiResponseLike) => res.headers.get('etag') ?? undefined;
  const written = <T>(value: T, res: ApiResponseLike): WriteResult<T> => ({
    value,
    etag: etagOf(res),
    created: res.status === 201,
    replayed: res.headers.get('idempotent-replayed') === 'true',
  });

  return {
    baseUrl: transport.baseUrl,
    health: async (call) => (await get('/health', healthSchema, 'a health report', call, false)).value,
    me: async (call) => (await get('/me', meSchema, 'your account details', call)).value,
    async getReturn(laestab, year, call) {
      const { value, res } = await get(`/returns/${seg(laestab)}/${seg(year)}`, currentReturnSchema, 'a return', call);
      return { value, etag: etagOf(res) };
    },
    history: async (laestab, year, call) => (await get(`/returns/${seg(laestab)}/${seg(year)}/history`, historySchema, 'a return history', call)).value,
    async putReturn(laestab, year, body, opts) {
      const data = 'xlsx' in body ? { contentType: XLSX_MEDIA_TYPE, data: body.xlsx } : { contentType: 'application/json', data: JSON.stringify(body) };
      const { value, res } = await json(
        {
          method: 'PUT',
          path: `/returns/${seg(laestab)}/${seg(year)}?status=${opts.status}`,
          body: data,
          idempotencyKey: opts.idempotencyKey,
          ...(opts.ifMatch !== undefined ? { headers: { 'if-match': opts.ifMatch } } : {}),
          ...callFields(opts),
        },
        receiptSchema,
        'a return receipt',
      );
      return written(value, res);
    },
    cohort: async (laestab, year, call) => (await get(`/cohorts/${seg(laestab)}/${seg(year)}`, cohortSchema, 'a cohort', call)).value,
    crossSchoolCheck: async (laestab, year, upns, call) =>
      (
        await json(
          { method: 'POST', path: `/returns/${seg(laestab)}/${seg(year)}/cross-school`, body: { contentType: 'application/json', data: JSON.stringify({ upns }) }, ...callFields(call) },
          crossSchoolCheckSchema,
          'which pupils are on another return',
        )
      ).value,
    tracker: async (year, call) => (await get(`/tracker/${seg(year)}`, trackerSchema, 'a tracker', call)).value,
    async aggregates(year, by, call) {
      const query = by && by.length > 0 ? `?by=${by.map(seg).join(',')}` : '';
      return (await get(`/aggregates/${seg(year)}${query}`, aggregatesSchema, 'aggregate tables', call)).value;
    },
    async resourceBases(year, call) {
      const { value, res } = await get(`/resource-bases/${seg(year)}`, resourceBasesResponseSchema, 'a resource base dataset', call);
      return { value, etag: etagOf(res) };
    },
    async putResourceBases(year, dataset, opts) {
      const { value, res } = await json(
        {
          method: 'PUT',
          path: `/resource-bases/${seg(year)}`,
          body: { contentType: 'application/json', data: JSON.stringify(dataset) },
          idempotencyKey: opts.idempotencyKey,
          ...(opts.ifMatch !== undefined ? { headers: { 'if-match': opts.ifMatch } } : {}),
          ...callFields(opts),
        },
        resourceBasesResponseSchema,
        'a resource base dataset',
      );
      return written(value, res);
    },
    async deleteResourceBases(year, opts) {
      const { value, res } = await json(
        {
          method: 'DELETE',
          path: `/resource-bases/${seg(year)}`,
          idempotencyKey: opts.idempotencyKey,
          ...(opts.ifMatch !== undefined ? { headers: { 'if-match': opts.ifMatch } } : {}),
          ...callFields(opts),
        },
        resourceBaseWithdrawalSchema,
        'the withdrawal of a resource base dataset',
      );
      return written(value, res);
    },
    async consolidatedExport(year, opts = {}) {
      const res = await transport.send({
        method: 'GET',
        path: `/exports/${seg(year)}/consolidated.xlsx${opts.includeDrafts ? '?include=drafts' : ''}`,
        accept: XLSX_MEDIA_TYPE,
        ...callFields(opts),
      });
      const filename = /filename="([^"]+)"/.exec(res.headers.get('content-disposition') ?? '')?.[1];
      return { bytes: new Uint8Array(await res.arrayBuffer()), filename };
    },
    tenants: async (call) => (await get('/tenants', tenantListSchema, 'the tenant allow-list', call)).value.tenants,
    addTenant: (tenant, call) => send('POST', '/tenants', tenant, tenantSchema, 'a tenant', call),
    removeTenant: (tid, call) => send('DELETE', `/tenants/${seg(tid)}`, undefined, tenantSchema, 'the tenant removed', call),
    invitations: async (filter, call) => (await get(`/invitations${scopeQuery(filter)}`, invitationListSchema, 'a list of invitations', call)).value.invitations,
    invite: (body, call) => send('POST', '/invitations', body, invitationSchema, 'an invitation', call),
    acceptInvitation: (id, call) => send('POST', `/invitations/${seg(id)}/accept`, undefined, invitationAcceptedSchema, 'the invitation accepted', call),
    revokeInvitation: (id, call) => send('DELETE', `/invitations/${seg(id)}`, undefined, invitationSchema, 'the invitation withdrawn', call),
    accessRequests: async (filter, call) => (await get(`/access-requests${scopeQuery(filter)}`, accessRequestListSchema, 'a list of access requests', call)).value.requests,
    requestAccess: (body, call) => send('POST', '/access-requests', body, accessRequestCreatedSchema, 'your access request', call),
    approveRequest: (id, reason, call) => send('POST', `/access-requests/${seg(id)}/approve`, reason !== undefined ? { reason } : {}, accessRequestSchema, 'the request approved', call),
    declineRequest: (id, reason, call) => send('POST', `/access-requests/${seg(id)}/decline`, { reason }, accessRequestSchema, 'the request declined', call),
    myAccess: async (call) => (await get('/access-requests/mine', myAccessSchema, 'your invitations and requests', call)).value,
    members: async (filter, call) => (await get(`/memberships${scopeQuery(filter)}`, memberListSchema, 'a list of members', call)).value.members,
    removeMember: (id, call) => send('DELETE', `/memberships/${seg(id)}`, undefined, memberSchema, 'the membership removed', call),
    identityAudit: async (filter, call) => (await get(`/audit${scopeQuery(filter)}`, identityAuditListSchema, 'the identity audit trail', call)).value.entries,
  };
}
