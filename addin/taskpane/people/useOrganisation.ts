/**
 * The signed-in person's organisation as the header names it: their tenant's name on the LA's
 * allow-list. Only LA admins may read that list, so for everyone else it is not known and the
 * header names their school, trust or the council as before.
 */
import { useEffect, useState } from 'react';
import type { Identity, PeopleApi } from '../ports';

export function useOrganisation(identity: Identity | null | undefined, api: PeopleApi): string | undefined {
  const [name, setName] = useState<string | undefined>();
  const tid = identity?.tid;
  const admin = identity?.access === 'laAdmin';
  useEffect(() => {
    setName(undefined);
    if (!admin || tid === undefined) return;
    let live = true;
    api.tenants().then(
      (tenants) => live && setName(tenants.find((t) => t.tid === tid)?.name),
      // The header does without it: the People view reports a failure to read the list.
      () => undefined,
    );
    return () => {
      live = false;
    };
  }, [api, tid, admin]);
  return name;
}
