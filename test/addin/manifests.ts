/**
 * The add-in's two manifests, checked offline: manifest.xml against the Office XSDs (xmllint, with
 * the Runtimes extension) and manifest.json against the vendored Microsoft 365 app manifest schema
 * (test/fixtures/m365-app-manifest), and the requirement sets each declares.
 */
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import Ajv from 'ajv';
import addFormats from 'ajv-formats';

const XSD = path.resolve(__dirname, '../fixtures/office-manifest-xsd/local-ext/OfficeAppManifestV1_1-with-runtimes.xsd');
const APP_MANIFEST_SCHEMA = path.resolve(__dirname, '../fixtures/m365-app-manifest/MicrosoftTeams.schema.v1.29.json');

export function xmllint(xml: string): { status: number | null; output: string } {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'manifest-'));
  const file = path.join(dir, 'manifest.xml');
  fs.writeFileSync(file, xml);
  const r = spawnSync('xmllint', ['--nonet', '--noout', '--schema', XSD, file], { encoding: 'utf8' });
  fs.rmSync(dir, { recursive: true, force: true });
  return { status: r.status, output: `${r.stdout}${r.stderr}` };
}

let validate: ReturnType<Ajv['compile']> | undefined;

/** Schema errors of a unified manifest, as "path: message" lines; none when it is valid. */
export function jsonManifestErrors(manifest: unknown): string[] {
  if (!validate) {
    // The schema declares draft-04 and uses nothing whose meaning changed since, so Ajv's default draft reads it (see the fixture's README).
    const { $schema: _draft, ...schema } = JSON.parse(fs.readFileSync(APP_MANIFEST_SCHEMA, 'utf8')) as Record<string, unknown>;
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validate = ajv.compile(schema);
  }
  return validate(manifest) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'}: ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

export type RequirementSets = Map<string, string>;

/** The requirement sets manifest.xml's <Requirements> declares, name -> minimum version. */
export function xmlRequirementSets(xml: string): RequirementSets {
  const block = /<Requirements>([\s\S]*?)<\/Requirements>/.exec(xml)?.[1] ?? '';
  return new Map([...block.matchAll(/<Set Name="([^"]+)" MinVersion="([^"]+)"\/>/g)].map((m) => [m[1] as string, m[2] as string]));
}

/** The requirement sets manifest.json's extension declares, name -> minimum version. */
export function jsonRequirementSets(manifest: { extensions?: { requirements?: { capabilities?: { name: string; minVersion?: string }[] } }[] }): RequirementSets {
  return new Map((manifest.extensions?.[0]?.requirements?.capabilities ?? []).map((c) => [c.name, c.minVersion ?? '1.1']));
}

/** Every http(s) URL in a manifest's text (XML comments left out). */
export function manifestUrls(text: string): string[] {
  return [...text.replace(/<!--[\s\S]*?-->/g, '').matchAll(/https?:\/\/[^"<\s]+/g)].map((m) => m[0]);
}
