import { createHash } from 'node:crypto';
import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import type { FileVersion, LoadedVersions } from '../http/admin-config-router';
import type { OperatorFiles } from '../operator-files';

/** SHA-256 (hex) of each file's bytes, by path; a file that cannot be read is left out. */
export type FileHashes = ReadonlyMap<string, string>;

async function hashOf(file: string): Promise<string | undefined> {
  try {
    return createHash('sha256').update(await readFile(file)).digest('hex');
  } catch {
    // Gone or unreadable: the loader reports it as a problem of its own (or it is no file of the set).
    return undefined;
  }
}

async function names(folder: string): Promise<string[]> {
  try {
    return await readdir(folder);
  } catch {
    return [];
  }
}

/**
 * The hashes of every file the loaders would read: FORMS_DIR/<folder>/form.json and
 * TENANTS_DIR/*.json (the rules of form-registry.ts and load-tenants.ts). Taken before and after a
 * load: when a file the set was built from hashes differently afterwards, it changed while it was
 * being read, and the hash would not describe the bytes that were loaded.
 */
export async function hashOperatorFiles(formsDir: string, tenantsDir: string): Promise<FileHashes> {
  const files = [
    ...(await names(formsDir)).map((name) => path.join(formsDir, name, 'form.json')),
    ...(await names(tenantsDir)).filter((n) => n.endsWith('.json')).map((name) => path.join(tenantsDir, name)),
  ];
  const hashes = new Map<string, string>();
  for (const file of files) {
    const hash = await hashOf(file);
    if (hash !== undefined) hashes.set(file, hash);
  }
  return hashes;
}

/** The files a loaded set was built from: each form's form.json and each tenant file. */
export function filesOfSet(files: Pick<OperatorFiles, 'forms' | 'tenants'>, formsDir: string): string[] {
  return [...files.forms.ids().map((id) => path.join(formsDir, id, 'form.json')), ...files.tenants.map((t) => t.file)];
}

/** Files of the set whose bytes differ between the two hashings (or that one of them missed). */
export function changedWhileLoading(files: readonly string[], before: FileHashes, after: FileHashes): string[] {
  return files.filter((file) => before.get(file) === undefined || before.get(file) !== after.get(file));
}

/**
 * The versions of a newly loaded set. A file whose bytes are the same as in the previous set keeps
 * its earlier loadedAt, so an operator sees which files a reload actually changed.
 */
export function versionsOf(
  files: Pick<OperatorFiles, 'forms' | 'tenants'>,
  formsDir: string,
  hashes: FileHashes,
  loadedAt: Date,
  previous?: LoadedVersions,
): LoadedVersions {
  const earlier = new Map<string, FileVersion>([...(previous?.forms ?? []), ...(previous?.tenants ?? [])].map((v) => [v.file, v]));
  const version = (file: string): FileVersion => {
    const sha256 = hashes.get(file) ?? '';
    const before = earlier.get(file);
    return { file, sha256, loadedAt: before?.sha256 === sha256 ? before.loadedAt : loadedAt };
  };
  return {
    loadedAt,
    forms: files.forms.list().map((form) => ({
      formId: form.definition.id, version: form.definition.version, ...version(path.join(formsDir, form.definition.id, 'form.json')),
    })),
    tenants: files.tenants.map((t) => ({ tenantId: t.tenant.id, ...version(t.file) })),
  };
}
