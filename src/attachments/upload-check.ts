import type { AttachmentFiles, FileLimits, FileRefusal, StoredFile } from '../storage/attachment-ports';
import type { VirusScanner } from './clamd-scanner';

/** Why an upload was refused: the file's own problems, malware, or a scan that could not be made. */
export type UploadRefusal = FileRefusal | 'malware' | 'scan unavailable';

export type UploadOutcome =
  | { readonly ok: true; readonly file: StoredFile; readonly scanned: boolean }
  | { readonly ok: false; readonly refusal: UploadRefusal };

/** Takes one upload: stores it within its limits, has it scanned, keeps it only when it passes. */
export interface UploadCheck {
  take(content: AsyncIterable<Buffer>, limits: FileLimits): Promise<UploadOutcome>;
}

export interface UploadCheckOptions {
  readonly files: AttachmentFiles;
  /** From CLAMD_URL; undefined when no scanner is configured. */
  readonly scanner: VirusScanner | undefined;
  /**
   * Whether a file may only be kept once scanned clean. With it, a scanner that cannot scan just
   * now refuses the file ("try again later"): a file is never accepted unscanned.
   */
  readonly scanRequired: boolean;
}

/**
 * The file is streamed to disk first (attachment-files.ts: limits, media type, hash), then
 * streamed from there to the scanner: the upload is never held in memory, and what is scanned is
 * exactly what was stored. A file that is infected, or could not be scanned while scanning is
 * required, is removed before the answer.
 */
export function createUploadCheck(options: UploadCheckOptions): UploadCheck {
  if (options.scanRequired && !options.scanner) throw new Error('scanning is required but no scanner is configured (CLAMD_URL)');
  return {
    async take(content, limits) {
      const written = await options.files.write(content, limits);
      if (!written.ok) return written;
      const { file } = written;
      if (!options.scanner) return { ok: true, file, scanned: false };
      const stored = options.files.read(file.id);
      // What cannot be read (the scanner stopped early, the file removed meanwhile) is the scan's
      // to report; the stream is ended either way, before the file may be removed below.
      stored.on('error', () => undefined);
      let result;
      try {
        result = await options.scanner.scan(stored as AsyncIterable<Buffer>);
      } finally {
        stored.destroy();
      }
      if (result.verdict === 'clean') return { ok: true, file, scanned: true };
      if (result.verdict === 'unavailable' && !options.scanRequired) return { ok: true, file, scanned: false };
      await options.files.remove(file.id);
      return { ok: false, refusal: result.verdict === 'infected' ? 'malware' : 'scan unavailable' };
    },
  };
}
