import { execFileSync } from 'node:child_process';
import { closeSync, ftruncateSync, mkdirSync, openSync, rmSync, writeSync } from 'node:fs';
import path from 'node:path';

/**
 * A real, small file system for fault tests: a tmpfs of its own mounted at a folder, which the
 * kernel fills up (ENOSPC) or mounts read-only (EROFS) for real, so the code under test meets
 * the same errors as on a full or read-only production volume. Mounting needs root with
 * CAP_SYS_ADMIN, as CI has (.ci/run runs as root on a fresh machine).
 */
export interface SmallFileSystem {
  readonly path: string;
  /**
   * Writes a filler file until the kernel refuses with ENOSPC, then gives back `leaveBytes` of
   * it (so a write of more than that fails part-way, leaving a cut-off file, as on a real disk).
   */
  fill(leaveBytes?: number): void;
  /** Removes the filler: the space is there again. */
  free(): void;
  /** Unmounts (lazily if something still holds a file open) and removes the folder. */
  remove(): void;
}

const FILLER = '.filler';

function mount(args: readonly string[]): void {
  try {
    execFileSync('mount', args, { stdio: 'pipe' });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim() ?? '';
    throw new Error(`these fault tests mount a small tmpfs and need root with CAP_SYS_ADMIN: mount ${args.join(' ')} failed: ${stderr}`);
  }
}

/** Mounts a tmpfs of `sizeBytes` at `dir` (created if missing); read-only when asked. */
export function mountSmallFileSystem(dir: string, sizeBytes: number, options: { readonly readOnly?: boolean } = {}): SmallFileSystem {
  mkdirSync(dir, { recursive: true });
  mount(['-t', 'tmpfs', '-o', `${options.readOnly ? 'ro,' : ''}size=${sizeBytes},mode=0755`, 'tmpfs', dir]);
  const filler = path.join(dir, FILLER);
  return {
    path: dir,
    fill(leaveBytes = 0) {
      const fd = openSync(filler, 'w');
      let size = 0;
      try {
        const chunk = Buffer.alloc(64 * 1024, 0x2e);
        for (;;) size += writeSync(fd, chunk);
      } catch (err) {
        if ((err as { code?: unknown }).code !== 'ENOSPC') throw err;
      }
      // tmpfs frees the pages of a truncated file at once.
      if (leaveBytes > 0) ftruncateSync(fd, Math.max(0, size - leaveBytes));
      closeSync(fd);
    },
    free() {
      rmSync(filler, { force: true });
    },
    remove() {
      try {
        execFileSync('umount', [dir], { stdio: 'pipe' });
      } catch {
        // Still busy (a test failed before closing its store): detach it, the kernel frees it later.
        execFileSync('umount', ['-l', dir], { stdio: 'pipe' });
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
