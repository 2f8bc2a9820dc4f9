/**
 * Asks before an action that takes access away (Remove, Revoke, a tenant's removal) or needs a
 * reason (Decline): the person sees what will happen, in words, before anything is sent.
 */
import { useState } from 'react';
import { Button, Dialog, DialogActions, DialogBody, DialogContent, DialogSurface, DialogTitle, Field, Textarea } from '@fluentui/react-components';

export interface Confirmation {
  title: string;
  body: string;
  confirm: string;
  /** Ask for a reason: `required` (Decline) or `optional` (Approve). */
  reason?: 'required' | 'optional';
  run: (reason: string | undefined) => Promise<void>;
}

export function ConfirmDialog({ ask, onClose }: { ask: Confirmation | undefined; onClose: () => void }): JSX.Element {
  const [reason, setReason] = useState('');
  const trimmed = reason.trim();
  const ready = ask?.reason !== 'required' || trimmed !== '';
  const close = (): void => {
    setReason('');
    onClose();
  };
  return (
    <Dialog open={ask !== undefined} onOpenChange={(_, d) => (d.open ? undefined : close())}>
      <DialogSurface aria-describedby="confirm-body">
        <DialogBody>
          <DialogTitle>{ask?.title}</DialogTitle>
          <DialogContent>
            <p id="confirm-body">{ask?.body}</p>
            {ask?.reason ? (
              <Field label={ask.reason === 'required' ? 'Reason (the person is shown it)' : 'Reason (optional)'} required={ask.reason === 'required'}>
                <Textarea value={reason} onChange={(_, d) => setReason(d.value)} maxLength={500} />
              </Field>
            ) : null}
          </DialogContent>
          <DialogActions>
            <Button appearance="secondary" onClick={close}>
              Cancel
            </Button>
            <Button
              appearance="primary"
              disabled={!ready}
              onClick={() => {
                const run = ask?.run;
                close();
                void run?.(trimmed === '' ? undefined : trimmed);
              }}
            >
              {ask?.confirm}
            </Button>
          </DialogActions>
        </DialogBody>
      </DialogSurface>
    </Dialog>
  );
}
