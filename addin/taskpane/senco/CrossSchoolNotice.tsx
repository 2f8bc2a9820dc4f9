/**
 * Issue 29, for the primary: pupils of its sheet whose UPN is also on another school's return.
 * Shown by the Check step (asked of the API beside the local check) and on the receipt. It names
 * the rows, never the other school: the LA resolves which school the pupil belongs to.
 */
import { MessageBar, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';
import { plural } from '../common';
import type { CrossSchoolNotice } from '../ports';

export function CrossSchoolNoticeBar({ notice }: { notice: CrossSchoolNotice | undefined }): JSX.Element | null {
  if (!notice || notice.pupils.length === 0) return null;
  return (
    <MessageBar intent="warning" layout="multiline" aria-label="Pupils also on another school's return">
      <MessageBarBody>
        <MessageBarTitle>{`${plural(notice.pupils.length, 'pupil')} also on another school's return`}</MessageBarTitle> {notice.notice}{' '}
        {`On this sheet: ${notice.pupils.map((p) => `row ${p.row} of '${p.sheet}'`).join(', ')}.`}
      </MessageBarBody>
    </MessageBar>
  );
}
