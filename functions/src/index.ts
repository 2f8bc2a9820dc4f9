/**
 * The Functions app's entry point ("main" in functions/package.json). Loads every function file
 * and registers the shared route table with the host. Settings are validated here, at start-up,
 * so a misconfigured app fails to start with the setting's name rather than on a request.
 */
import { app } from '@azure/functions';
import { getConfig } from './config';
import { loadRoutes } from './routes';

getConfig();

for (const { name, methods, route, authLevel, handler } of loadRoutes()) {
  app.http(name, { methods, route, authLevel, handler });
}
