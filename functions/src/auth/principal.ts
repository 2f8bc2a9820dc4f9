/** Who is calling, as established from a verified token and nothing else (STYLE.md habit 5). */
import type { Role } from '../../../shared/roles';

export { ROLES, type Role } from '../../../shared/roles';

export interface Principal {
  /** The token's `sub`: an opaque, stable id for the signed-in user (kept in the audit log). */
  subject: string;
  role: Role;
  /** The user's school LAESTAB, for the school role; checked against the LA's directory. */
  school?: string;
  /** The trust id, for the trust role; checked against the LA's directory. */
  trust?: string;
  /** Display name, for greeting the user in the add-in; never logged. */
  name?: string;
}
