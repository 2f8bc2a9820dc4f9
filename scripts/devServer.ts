/**
 * The add-in's dev server: webpack-dev-server over webpack.config.js on https://localhost:3000,
 * the URLs manifest.xml names, with a self-signed certificate for localhost kept in
 * .local/dev-cert/ (generated once, renewed when it is about to expire). Office requires HTTPS
 * for add-in pages; trust the certificate (.local/dev-cert/localhost.crt) once to sideload.
 */
import fs from 'node:fs';
import path from 'node:path';
import crypto from 'node:crypto';
import { generate } from 'selfsigned';
import webpack from 'webpack';
import WebpackDevServer from 'webpack-dev-server';

export const ADDIN_DEV_PORT = 3000;
const REPO = path.resolve(__dirname, '..');
export const DEV_CERT_DIR = path.join(REPO, '.local/dev-cert');

export interface DevCertificate {
  key: string;
  cert: string;
  certFile: string;
}

/** The dev certificate for localhost, created when missing or within 30 days of expiry. */
export async function devCertificate(dir = DEV_CERT_DIR): Promise<DevCertificate> {
  const keyFile = path.join(dir, 'localhost.key');
  const certFile = path.join(dir, 'localhost.crt');
  if (fs.existsSync(keyFile) && fs.existsSync(certFile)) {
    const cert = fs.readFileSync(certFile, 'utf8');
    const validTo = new Date(new crypto.X509Certificate(cert).validTo).getTime();
    if (validTo - Date.now() > 30 * 24 * 3600_000) return { key: fs.readFileSync(keyFile, 'utf8'), cert, certFile };
  }
  const now = new Date();
  const pems = await generate([{ name: 'commonName', value: 'localhost' }], {
    keySize: 2048,
    algorithm: 'sha256',
    notBeforeDate: now,
    notAfterDate: new Date(now.getTime() + 365 * 24 * 3600_000),
    extensions: [
      { name: 'basicConstraints', cA: false },
      { name: 'keyUsage', digitalSignature: true, keyEncipherment: true },
      { name: 'extKeyUsage', serverAuth: true },
      { name: 'subjectAltName', altNames: [{ type: 2, value: 'localhost' }, { type: 7, ip: '127.0.0.1' }] },
    ],
  });
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(keyFile, pems.private, { mode: 0o600 });
  fs.writeFileSync(certFile, pems.cert);
  return { key: pems.private, cert: pems.cert, certFile };
}

export interface RunningAddinServer {
  url: string;
  certFile: string;
  stop(): Promise<void>;
}

type ConfigFactory = (env: Record<string, string>, argv: { mode: string }) => webpack.Configuration & { devServer?: WebpackDevServer.Configuration };

/** Builds in memory (development mode) and serves on https://localhost:{port}. */
export async function startAddinDevServer(options: { port?: number } = {}): Promise<RunningAddinServer> {
  const port = options.port ?? ADDIN_DEV_PORT;
  const { key, cert, certFile } = await devCertificate();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const factory = require(path.join(REPO, 'webpack.config.js')) as ConfigFactory;
  const { devServer, ...config } = factory({}, { mode: 'development' });
  const compiler = webpack({ ...config, infrastructureLogging: { level: 'warn' }, stats: 'errors-warnings' });
  if (!compiler) throw new Error('webpack could not be configured');
  const server = new WebpackDevServer({ ...devServer, port, server: { type: 'https', options: { key, cert } } }, compiler);
  await server.start();
  return {
    url: `https://localhost:${port}`,
    certFile,
    stop: () => server.stop(),
  };
}

if (require.main === module) {
  startAddinDevServer()
    .then((s) => console.log(`add-in on ${s.url}/taskpane.html; sideload manifest.xml (certificate: ${path.relative(process.cwd(), s.certFile)})`))
    .catch((error: unknown) => {
      console.error(error);
      process.exitCode = 1;
    });
}
