/**
 * What the sign-in dialog page (signinPage.ts) sends the task pane with Office's messageParent:
 * a token and when it expires, or why there is none. One schema for both ends.
 */
import { z } from 'zod';

export const dialogMessageSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('token'), accessToken: z.string().min(1), expiresOn: z.iso.datetime({ offset: true }) }),
  z.strictObject({ kind: z.literal('error'), message: z.string() }),
]);
export type DialogMessage = z.infer<typeof dialogMessageSchema>;

/** The message as text for messageParent. */
export const encodeDialogMessage = (m: DialogMessage): string => JSON.stringify(m);

/** The message from text, or an error message when it is not one of ours. */
export function decodeDialogMessage(text: string): DialogMessage {
  try {
    const parsed = dialogMessageSchema.safeParse(JSON.parse(text));
    if (parsed.success) return parsed.data;
  } catch {
    // fall through
  }
  return { kind: 'error', message: 'the sign-in window sent something that is not a sign-in result' };
}
