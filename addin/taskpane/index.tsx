/**
 * The shared runtime's page. It renders the task pane and, when Excel's custom functions runtime
 * is present, loads the custom functions into this same runtime so they share the API source.
 */
import { createRoot } from 'react-dom/client';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { describeError, paneApi, sharedApiClient } from '../api';
import { paneSession, startAuth } from '../auth';
import { App } from './App';

async function start(): Promise<void> {
  if (typeof Office !== 'undefined') await Office.onReady();
  // Outside Excel (a plain browser) there is no CustomFunctions to associate with.
  const functionsLoaded = typeof CustomFunctions !== 'undefined' ? import('../functions/entry.js').then(() => true) : Promise.resolve(false);
  const root = document.getElementById('root');
  if (!root) return;
  // The API's mode decides whether the dev picker may be offered (a dev build against a local API only).
  const api = sharedApiClient();
  const mode = await api.health({ retry: { attempts: 1 }, signal: AbortSignal.timeout(5_000) }).then(
    (h) => h.mode,
    () => 'cloud' as const,
  );
  const auth = await startAuth({ mode, api, ...(typeof Office !== 'undefined' ? { office: Office } : {}) });
  createRoot(root).render(
    <FluentProvider theme={webLightTheme}>
      <App session={paneSession(auth)} api={paneApi(api)} describe={describeError} functionsLoaded={functionsLoaded} />
    </FluentProvider>,
  );
}

void start();
