/**
 * The role and its scope, as the Invite form and the Request access form both ask for them: a
 * role, then the school's LAESTAB or the trust's id that role needs (none for the LA's roles).
 */
import { Dropdown, Field, Input, Option } from '@fluentui/react-components';
import type { MembershipRole } from '../../../shared/identity';
import { roleLabel, scopeKindOf } from './names';

export interface RoleScopeFieldsProps {
  roles: readonly MembershipRole[];
  role: MembershipRole;
  onRole: (role: MembershipRole) => void;
  school: string;
  onSchool: (school: string) => void;
  trust: string;
  onTrust: (trust: string) => void;
  /** Shown under the school field. */
  schoolHint?: string;
  /** The school is given (an approver invites for their own school only). */
  schoolFixed?: boolean;
}

export function RoleScopeFields({ roles, role, onRole, school, onSchool, trust, onTrust, schoolHint, schoolFixed = false }: RoleScopeFieldsProps): JSX.Element {
  const kind = scopeKindOf(role);
  return (
    <>
      <Field label="Role">
        <Dropdown value={roleLabel(role)} selectedOptions={[role]} onOptionSelect={(_, d) => onRole((d.optionValue as MembershipRole | undefined) ?? 'senco')}>
          {roles.map((r) => (
            <Option key={r} value={r} text={roleLabel(r)}>
              {roleLabel(r)}
            </Option>
          ))}
        </Dropdown>
      </Field>
      {kind === 'school' ? (
        <Field label="School (LAESTAB, 7 digits)" required {...(schoolHint !== undefined ? { hint: schoolHint } : {})}>
          <Input value={school} onChange={(_, d) => onSchool(d.value)} disabled={schoolFixed} inputMode="numeric" maxLength={7} />
        </Field>
      ) : null}
      {kind === 'trust' ? (
        <Field label="Trust id" required>
          <Input value={trust} onChange={(_, d) => onTrust(d.value)} maxLength={40} />
        </Field>
      ) : null}
    </>
  );
}
