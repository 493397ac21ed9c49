import { readFileSync } from 'node:fs';

/**
 * How many transactions the WAL holds since it was last restarted. Every COMMIT in WAL mode ends
 * with exactly one frame whose "database size after commit" field is not 0; frames count only while
 * they carry the header's salts and their cumulative checksum is right (as SQLite itself reads the
 * WAL). `PRAGMA data_version` cannot count commits: it changes once per read that finds any change,
 * however many commits came in between, so 1 and 50 commits look the same to it. (WAL padding, which
 * would repeat a commit frame, happens only without powersafe overwrite, which Linux builds have.)
 */
export function walCommits(dbFile: string): { salt: string; commits: number } {
  const wal = readFileSync(`${dbFile}-wal`);
  const bigEndian = (wal.readUInt32BE(0) & 1) === 1;
  const word = (i: number) => (bigEndian ? wal.readUInt32BE(i) : wal.readUInt32LE(i));
  let s0 = 0;
  let s1 = 0;
  const add = (from: number, to: number) => {
    for (let i = from; i < to; i += 8) {
      s0 = (s0 + word(i) + s1) >>> 0;
      s1 = (s1 + word(i + 4) + s0) >>> 0;
    }
  };
  const checksumAt = (i: number) => s0 === wal.readUInt32BE(i) && s1 === wal.readUInt32BE(i + 4);
  add(0, 24);
  if (!checksumAt(24)) throw new Error('the WAL header is not valid');
  const pageSize = wal.readUInt32BE(8);
  const salt = wal.subarray(16, 24);
  let commits = 0;
  for (let at = 32; at + 24 + pageSize <= wal.length; at += 24 + pageSize) {
    if (!wal.subarray(at + 8, at + 16).equals(salt)) break;
    add(at, at + 8);
    add(at + 24, at + 24 + pageSize);
    if (!checksumAt(at + 16)) break;
    if (wal.readUInt32BE(at + 4) !== 0) commits += 1;
  }
  return { salt: salt.toString('hex'), commits };
}
