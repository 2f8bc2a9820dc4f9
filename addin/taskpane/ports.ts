/**
 * What the task pane's views need from the other rooms, as narrow interfaces: who is signed in
 * (addin/auth) and the API calls (addin/api). The views are written against these, so a test
 * or a bench can run them with any implementation.
 */
import type { CountTable } from '../../shared/aggregate/table';
import type { AccessRequestBody, InvitationRequest } from '../../shared/api/identity';
import type { MembershipRole } from '../../shared/identity';
import type { SchoolState } from '../../shared/status';
import type { ResourceBaseDataset } from '../../shared/resourceBases/dataset';
import type { TransitionReturn, ValidationIssue, ValidationReport } from '../../shared/transition/schema';

export type Role = 'school' | 'trust' | 'la';

export interface SchoolEntry {
  laestab: string;
  name: string;
  phase: 'primary' | 'secondary' | string;
  area?: string;
}

export interface Identity {
  role: Role;
  /**
   * The membership role acted under (/me's principal.access): tells an LA admin from an LA
   * officer, and a school approver from a SENCo, where `role` (the API's scope) cannot.
   */
  access?: MembershipRole;
  /** The person's tenant (their organisation's Microsoft 365 tenant id). */
  tid?: string;
  /** Display name from the token, when it has one. */
  name?: string;
  /** For a school user: their school, from the directory. */
  school?: SchoolEntry;
  /** For a trust user: the trust id and its schools. */
  trust?: string;
  schools: SchoolEntry[];
}

export interface RemoteReturn {
  version: number;
  status: string;
  submittedAt: string;
  contentHash: string;
  etag: string | undefined;
  /** Read receipts: receiving secondaries that have opened a version of this return. */
  seenBy: Array<{ secondary: string; version: number; at: string }>;
}

export interface HistoryEntry {
  version: number;
  status: string;
  submittedAt: string;
  contentHash: string;
  rows?: number;
  errors?: number;
  queries?: number;
  submittedBy?: { subject?: string; name?: string; role?: string } | string;
}

export interface Receipt {
  version: number;
  status: string;
  contentHash: string;
  submittedAt: string;
  report?: ValidationReport;
  summary?: { pupils?: number } & Record<string, unknown>;
  /** This return's pupils also on another school's return, by sheet and row, never which school (issue 29). */
  crossSchool?: CrossSchoolNotice;
}

/** What a primary is told of its pupils also on another school's latest submitted return: where they are in its own sheet, never the other school. */
export interface CrossSchoolNotice {
  pupils: Array<{ sheet: string; row: number; otherReturns: number }>;
  /** What to show, or '' when there are none. */
  notice: string;
}

export interface SubmitResult {
  receipt: Receipt;
  etag: string | undefined;
  /** True when the API answered from an earlier request with the same key (a retry). */
  replayed: boolean;
  /** True when a new version was stored (201); false when the same content was already current. */
  created: boolean;
}

export interface CohortPupil extends Record<string, unknown> {
  upn: string;
  surname: string;
  forename: string;
  sourceSchool: string;
}

export interface Cohort {
  school: string;
  year: number;
  feeders: Array<{ primary: string; version: number; pupils: number }>;
  pupils: CohortPupil[];
  /** Pupils whose UPN is on more than one school's return: listed once, for the LA to resolve (issue 29). */
  crossSchool?: Array<{ upn: string; sourceSchool: string; alsoFrom: string[]; otherReturns: number }>;
}

export interface SubmitOptions {
  status: 'draft' | 'submitted';
  idempotencyKey: string;
  ifMatch?: string;
  /** Called before each retry of a 429, 503 or lost connection. */
  onRetry?: (attempt: number, of: number) => void;
}

/** One expected school on the tracker (GET /tracker/{year}), as the LA or a trust sees it. */
export interface TrackerSchool {
  school: string;
  name: string;
  area: string;
  phase: string;
  email: string | null;
  status: SchoolState;
  version: number | null;
  submittedAt: string | null;
  rows: number;
  errors: number;
  queries: number;
  unexplainedQueries: number;
  /** UPNs on this school's latest submitted return that another school's also holds (issue 29). */
  crossSchoolUpns?: number;
}

/** UPNs on more than one school's return (issue 29): the sets of schools sharing them, for the LA to resolve. */
export interface TrackerCrossSchool {
  upns: number;
  groups: Array<{ schools: string[]; count: number }>;
  /** What the count means for the city tables, in the CLI's words. */
  line: string;
}

export interface TrackerView {
  year: number;
  schools: TrackerSchool[];
  crossSchool?: TrackerCrossSchool;
}

/** The city (or trust) roll-up tables, as the API published them. */
export interface AggregatesView {
  year: number;
  tables: CountTable[];
  schools: { expected: number; included: number; outstanding: number; draftOnly: number };
  disclosureControlled: boolean;
}

/** The LA's resource base dataset with the ETag it was read or published at. */
export interface TaggedDataset {
  dataset: ResourceBaseDataset;
  etag: string | undefined;
}

export interface PublishOptions {
  idempotencyKey: string;
  /** The ETag the edit started from: a publish by someone else since then is refused (412). */
  ifMatch?: string;
}

export interface PaneApi {
  /** The school's current return, or null when it has none for the year. */
  currentReturn(laestab: string, year: number): Promise<RemoteReturn | null>;
  history(laestab: string, year: number): Promise<HistoryEntry[]>;
  submitReturn(laestab: string, year: number, ret: TransitionReturn, options: SubmitOptions): Promise<SubmitResult>;
  cohort(laestab: string, year: number): Promise<Cohort>;
  /** Which of these UPNs (the school's own) another school's latest submitted return holds: with how many, never which school. */
  crossSchoolCheck(laestab: string, year: number, upns: readonly string[]): Promise<{ upns: Array<{ upn: string; otherReturns: number }>; notice: string }>;
  /** Every expected school's state for the year (LA: the city; trust: its own schools). */
  tracker(year: number): Promise<TrackerView>;
  aggregates(year: number): Promise<AggregatesView>;
  /** The consolidated city workbook's bytes (LA). */
  consolidatedExport(year: number): Promise<{ bytes: Uint8Array; filename: string }>;
  newIdempotencyKey(): string;
  /** The latest published resource base dataset (GET /resource-bases/latest). */
  latestResourceBases(): Promise<TaggedDataset>;
  /** Publishes a dataset for its academic year (LA); the RB.* functions' cache is dropped on success. */
  publishResourceBases(dataset: ResourceBaseDataset, options: PublishOptions): Promise<TaggedDataset & { replayed: boolean }>;
  /** Withdraws a published year (LA); the RB.* functions' cache is dropped. Gives the year `latest` names now (null: none, the bundled review answers). */
  withdrawResourceBases(academicYear: string, options: PublishOptions): Promise<{ latest: string | null }>;
  /** Who may act for which school: the People view and the first-run screens. */
  people: PeopleApi;
}

/** Where the People view looks: one school, one trust, or (LA admins) everyone. */
export type PeopleScope = { school: string } | { trust: string } | Record<string, never>;

/** A role in a scope, as the People view lists it. */
export interface ScopedRole {
  role: MembershipRole;
  school?: string;
  trust?: string;
  /** The school's or trust's name, or "the LA". */
  scopeName: string;
}

export interface PersonMember extends ScopedRole {
  /** The membership's id, to remove it. */
  id: string;
  tid: string;
  oid: string;
  name?: string;
  grantedAt: string;
}

export interface PersonInvitation extends ScopedRole {
  id: string;
  email: string;
  state: 'pending' | 'claimed' | 'revoked' | 'expired';
  invitedByName: string;
  createdAt: string;
  expiresAt: string;
}

export interface PersonRequest extends ScopedRole {
  id: string;
  tid: string;
  oid: string;
  name?: string;
  email?: string;
  message?: string;
  state: 'pending' | 'approved' | 'declined';
  requestedAt: string;
  decidedByName?: string;
  reason?: string;
}

export interface AllowedTenant {
  tid: string;
  name: string;
  reason: string;
  addedAt: string;
}

/** What a person with no role yet is shown: an invitation to accept, and their own requests' outcomes. */
export interface MyAccessView {
  invitation: { id: string; text: string; expiresAt: string } | null;
  requests: PersonRequest[];
}

export interface PeopleApi {
  members(scope: PeopleScope): Promise<PersonMember[]>;
  invitations(scope: PeopleScope): Promise<PersonInvitation[]>;
  requests(scope: PeopleScope): Promise<PersonRequest[]>;
  invite(body: InvitationRequest): Promise<PersonInvitation>;
  revoke(id: string): Promise<void>;
  remove(memberId: string): Promise<void>;
  approve(id: string, reason: string | undefined): Promise<void>;
  decline(id: string, reason: string): Promise<void>;
  tenants(): Promise<AllowedTenant[]>;
  addTenant(tenant: { tid: string; name: string; reason: string }): Promise<void>;
  removeTenant(tid: string): Promise<void>;
  /** Works with no membership: the first-run screens. */
  myAccess(): Promise<MyAccessView>;
  accept(invitationId: string): Promise<void>;
  /** Sends a request; answers it as stored (with the school's or trust's name) and who can approve it. */
  requestAccess(body: AccessRequestBody): Promise<{ request: PersonRequest; reviewers: string[] }>;
}

/** An error as the pane shows it: what happened and what to do next, never a bare status code. */
export interface PaneError {
  kind: 'stale' | 'offline' | 'validation' | 'signin' | 'forbidden' | 'other';
  title: string;
  detail: string;
  next?: string;
  /** Issues the API found (return-has-errors, unexplained-queries). */
  issues?: ValidationIssue[];
  correlationId?: string;
  /** The API's problem type (e.g. `no-membership`, `tenant-not-registered`), for the screens that branch on it. */
  problem?: string;
}

export type DescribeError = (error: unknown) => PaneError;

/** A developer identity to sign in as, in local mode. */
export interface DevChoice {
  role: Role;
  school?: string;
  trust?: string;
  /** A synthetic person by (tid, oid), from `people`: overrides role, school and trust. */
  person?: { tid: string; oid: string };
}

/** A synthetic person of local mode, in their tenant; `role` absent: they hold none yet. */
export interface DevPerson {
  tid: string;
  oid: string;
  name: string;
  role?: string;
  school?: string;
  trust?: string;
}

export interface DevDirectory {
  schools: SchoolEntry[];
  trusts: Array<{ id: string; name?: string }>;
  /** The synthetic tenants (the council's, each trust's) and their people. */
  tenants?: Array<{ tid: string; name: string }>;
  people?: DevPerson[];
}

/** Sign-in as the pane sees it: production (Microsoft Entra via nested app auth) and, in local builds, the developer picker. */
export interface PaneSession {
  /** Present only in a build with the developer sign-in, when the API says it runs locally. */
  dev: { identities(): Promise<DevDirectory>; signIn(choice: DevChoice): Promise<void> } | undefined;
  /** Microsoft sign-in (nested app authentication, or the Office dialog where NAA is missing). */
  signIn(): Promise<void>;
  signOut(): Promise<void>;
  /** Who is signed in, from the API's /me; undefined when nobody is. */
  identity(): Promise<Identity | undefined>;
}
