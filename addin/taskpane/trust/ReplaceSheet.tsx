/** Asks before a sheet the user has content on is replaced: nothing is overwritten without asking. */
import { Button, MessageBar, MessageBarActions, MessageBarBody, MessageBarTitle } from '@fluentui/react-components';

export function ReplaceSheet({ sheet, consequence, keepLabel = 'Keep it', onReplace, onKeep }: { sheet: string; consequence: string; keepLabel?: string; onReplace: () => void; onKeep: () => void }): JSX.Element {
  return (
    <MessageBar intent="warning" layout="multiline">
      <MessageBarBody>
        <MessageBarTitle>{`'${sheet}' already has content`}</MessageBarTitle> {consequence}
      </MessageBarBody>
      <MessageBarActions>
        <Button onClick={onReplace}>{`Replace '${sheet}'`}</Button>
        <Button appearance="primary" onClick={onKeep}>
          {keepLabel}
        </Button>
      </MessageBarActions>
    </MessageBar>
  );
}
