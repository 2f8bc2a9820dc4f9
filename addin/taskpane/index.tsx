/**
 * The shared runtime's page. It renders the task pane and, when Excel's custom functions runtime
 * is present, loads the custom functions into this same runtime so they share the API source.
 */
import { createRoot } from 'react-dom/client';
import { FluentProvider, webLightTheme } from '@fluentui/react-components';
import { App } from './App';

async function start(): Promise<void> {
  if (typeof Office !== 'undefined') await Office.onReady();
  // Outside Excel (a plain browser) there is no CustomFunctions to associate with.
  const functionsLoaded = typeof CustomFunctions !== 'undefined' ? import('../functions/entry.js').then(() => true) : Promise.resolve(false);
  const root = document.getElementById('root');
  if (!root) return;
  createRoot(root).render(
    <FluentProvider theme={webLightTheme}>
      <App functionsLoaded={functionsLoaded} />
    </FluentProvider>,
  );
}

void start();
