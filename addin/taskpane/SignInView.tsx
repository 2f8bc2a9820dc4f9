/**
 * Sign-in. Production: one button, Microsoft Entra through nested app authentication. Local
 * mode (a developer build against a local API): a clearly labelled picker of test identities.
 */
import { Suspense, lazy } from 'react';
import { Body1, Button, Spinner } from '@fluentui/react-components';
import { PersonRegular } from '@fluentui/react-icons';
import { ErrorBar, Section, useAction, useCommonStyles } from './common';
import type { DescribeError, PaneSession } from './ports';

/** Set by webpack's DefinePlugin: true only in builds with the developer sign-in. */
declare const GOODSTART_DEV_SIGNIN: boolean | undefined;

/** The picker's module, only in a dev-sign-in build: a literal false drops the import entirely. */
const DevPicker = typeof GOODSTART_DEV_SIGNIN !== 'undefined' && GOODSTART_DEV_SIGNIN ? lazy(() => import('./DevPicker.js').then((m) => ({ default: m.DevPicker }))) : undefined;

export function SignInView({ session, describe, onSignedIn }: { session: PaneSession; describe: DescribeError; onSignedIn: () => void }): JSX.Element {
  const common = useCommonStyles();
  const { busy, error, run } = useAction(describe);

  const signIn = (): Promise<void> =>
    run(async () => {
      await session.signIn();
      onSignedIn();
    });

  return (
    <Section title="Sign in" id="signin-heading">
      <Body1>Sign in with your school or council Microsoft account to build, check and send your transition return.</Body1>
      <div className={common.row}>
        <Button appearance="primary" icon={<PersonRegular />} onClick={() => void signIn()} disabled={busy}>
          Sign in with Microsoft
        </Button>
        {busy ? <Spinner size="tiny" label="Signing in…" /> : null}
      </div>
      {error ? <ErrorBar error={error} /> : null}
      {session.dev && DevPicker ? (
        <Suspense fallback={<Spinner size="tiny" label="Loading the developer sign-in…" />}>
          <DevPicker dev={session.dev} describe={describe} onSignedIn={onSignedIn} />
        </Suspense>
      ) : null}
    </Section>
  );
}
