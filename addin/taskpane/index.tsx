/**
 * The shared runtime's page. It renders the task pane and, when Excel's custom functions runtime
 * is present, loads the custom functions into this same runtime so they share the API source.
 */
import { createRoot } from 'react-dom/client';
import { FluentProvider, Spinner, type Theme, webDarkTheme, webLightTheme } from '@fluentui/react-components';
import { describeError, paneApi, sharedApiClient } from '../api';
import { paneSession, startAuth } from '../auth';
import { App } from './App';

/** Light or dark, following the Office theme (Office.context.officeTheme), light outside Office. */
export function themeFor(background: string | undefined): Theme {
  const m = /^#?([0-9a-f]{2})([0-9a-f]{2})([0-9a-f]{2})$/i.exec(background ?? '');
  if (!m) return webLightTheme;
  const [r, g, b] = [m[1], m[2], m[3]].map((h) => parseInt(h ?? 'ff', 16) / 255) as [number, number, number];
  // Relative luminance (WCAG): a dark Office theme has a dark body background.
  const lum = 0.2126 * r + 0.7152 * g + 0.0722 * b;
  return lum < 0.5 ? webDarkTheme : webLightTheme;
}

async function start(): Promise<void> {
  if (typeof Office !== 'undefined') await Office.onReady();
  const rootElement = document.getElementById('root');
  if (!rootElement) return;
  const theme = themeFor(typeof Office !== 'undefined' ? Office.context?.officeTheme?.bodyBackgroundColor : undefined);
  const root = createRoot(rootElement);
  root.render(
    <FluentProvider theme={theme}>
      <Spinner size="small" label="Starting Good Start…" style={{ padding: 16 }} />
    </FluentProvider>,
  );
  // Outside Excel (a plain browser) there is no CustomFunctions to associate with.
  const functionsLoaded = typeof CustomFunctions !== 'undefined' ? import('../functions/entry.js').then(() => true) : Promise.resolve(false);
  // The API's mode decides whether the dev picker may be offered (a dev build against a local API only).
  const api = sharedApiClient();
  const health = await api.health({ retry: { attempts: 1 }, signal: AbortSignal.timeout(5_000) }).then(
    (h) => ({ mode: h.mode, reachable: true }),
    () => ({ mode: 'cloud' as const, reachable: false }),
  );
  const { mode } = health;
  const auth = await startAuth({ mode, api, ...(typeof Office !== 'undefined' ? { office: Office } : {}) });
  root.render(
    <FluentProvider theme={theme}>
      <App session={paneSession(auth)} api={paneApi(api)} describe={describeError} functionsLoaded={functionsLoaded} {...(health.reachable ? {} : { apiUnreachable: api.baseUrl })} />
    </FluentProvider>,
  );
}

void start();
