import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AttachmentFiles } from '../attachment-ports';
import { FILE_ID, takeIn } from '../file-intake';
import type { PgClient, PgQueries } from './pg-client';

/**
 * Chunks are gathered to this size before each insert: bounded memory per upload, at the cost
 * of more round trips. Each reader and writer holds a few times this (the gathered chunk, the
 * pg message, a chunk read back as hex text for the scan): with 20 uploads of 10 MiB at once the
 * web process reached 289 MB with 1 MiB chunks, 228 MB with 256 KiB and 194 MB with 64 KiB
 * (npm run bench -- --only uploads; the goal is 200 MB).
 */
const CHUNK_BYTES = 64 * 1024;

/**
 * Files in PostgreSQL, so several web and worker processes on other machines share them: chunks
 * of up to 64 KiB, each inserted as it fills (never the whole file in memory), then one row in
 * attachment_files that makes the file exist. A refused or failed write deletes its chunks.
 */
export function pgAttachmentFiles(client: PgClient): AttachmentFiles {
  const check = (id: string) => {
    if (!FILE_ID.test(id)) throw new Error('not an attachment id');
  };

  async function store(id: string, fill: (sink: (chunk: Buffer) => Promise<void>) => Promise<boolean>): Promise<{ size: number } | undefined> {
    const writer = chunkWriter(client, id);
    try {
      const keep = await fill((chunk) => writer.sink(chunk));
      if (!keep) {
        writer.discard();
        await client.query('DELETE FROM attachment_chunks WHERE file_id = $1', [id]);
        return undefined;
      }
      const { size } = await writer.finish(new Date());
      return { size };
    } catch (err) {
      await client.query('DELETE FROM attachment_chunks WHERE file_id = $1', [id]).catch(() => undefined);
      throw err;
    }
  }

  return {
    async write(content, limits) {
      const id = randomUUID();
      let outcome: Awaited<ReturnType<AttachmentFiles['write']>> = { ok: false, refusal: 'empty' };
      await store(id, async (sink) => {
        outcome = await takeIn(id, content, limits, sink);
        return outcome.ok;
      });
      return outcome;
    },
    async writeRaw(content) {
      const id = randomUUID();
      const stored = await store(id, async (sink) => {
        for await (const chunk of content) await sink(chunk);
        return true;
      });
      return { id, size: stored?.size ?? 0 };
    },
    read(id) {
      check(id);
      return Readable.from(fileChunks(client, id), { objectMode: false });
    },
    async remove(id) {
      check(id);
      await client.transaction(async (tx) => {
        await tx.query('DELETE FROM attachment_files WHERE file_id = $1', [id]);
        await tx.query('DELETE FROM attachment_chunks WHERE file_id = $1', [id]);
      });
    },
    async *filesBefore(before) {
      // In pages by id, so no query holds more than a page of ids.
      let after = '';
      for (;;) {
        const rows = await client.query<{ file_id: string }>(
          'SELECT file_id FROM attachment_files WHERE created_at < $1 AND file_id > $2 ORDER BY file_id LIMIT $3', [before, after, LIST_PAGE],
        );
        for (const row of rows) yield row.file_id;
        if (rows.length < LIST_PAGE) return;
        after = rows[rows.length - 1]!.file_id;
      }
    },
    async removeUnfinished(before) {
      // Chunks without the attachment_files row that makes a file exist, written before `before`.
      const rows = await client.query<{ file_id: string }>(
        `DELETE FROM attachment_chunks c
          WHERE c.written_at < $1 AND NOT EXISTS (SELECT 1 FROM attachment_files f WHERE f.file_id = c.file_id)
          RETURNING c.file_id`,
        [before],
      );
      return new Set(rows.map((r) => r.file_id)).size;
    },
  };
}

/** How many file ids filesBefore reads at once. */
const LIST_PAGE = 500;

/**
 * Gathers one file's pieces into chunks of CHUNK_BYTES, each inserted as it fills (sink), then
 * in finish() the rest and the attachment_files row that makes the file exist. Cleaning up after
 * a failure is the caller's.
 */
function chunkWriter(queries: PgQueries, id: string) {
  let pending: Buffer[] = [];
  let pendingBytes = 0;
  let seq = 0;
  let size = 0;
  const flush = async () => {
    if (pendingBytes === 0) return;
    const data = Buffer.concat(pending, pendingBytes);
    pending = [];
    pendingBytes = 0;
    await queries.query('INSERT INTO attachment_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [id, seq, data]);
    seq += 1;
  };
  return {
    async sink(chunk: Buffer): Promise<void> {
      size += chunk.length;
      pending.push(chunk);
      pendingBytes += chunk.length;
      if (pendingBytes >= CHUNK_BYTES) await flush();
    },
    /** Drops what is not inserted yet (a refused upload). */
    discard(): void {
      pending = [];
      pendingBytes = 0;
    },
    async finish(createdAt: Date): Promise<{ size: number; chunks: number }> {
      await flush();
      await queries.query('INSERT INTO attachment_files (file_id, size, chunks, created_at) VALUES ($1, $2, $3, $4)', [id, size, seq, createdAt]);
      return { size, chunks: seq };
    },
  };
}

/**
 * Stores `content` under a given id, in the same chunks as an upload: for `efa-forms
 * copy-to-postgres`, which keeps every file under the id its row names. Meant for a
 * transaction (`queries`): it cleans up nothing itself, the rollback does.
 */
export async function putFileUnderId(queries: PgQueries, id: string, content: AsyncIterable<Buffer>, createdAt: Date): Promise<{ size: number; chunks: number }> {
  if (!FILE_ID.test(id)) throw new Error('not an attachment id');
  const writer = chunkWriter(queries, id);
  for await (const chunk of content) await writer.sink(chunk);
  return writer.finish(createdAt);
}

/** A stored file's bytes, one query per chunk; rejects (code ENOENT) when there is no such file. Also read inside a transaction (the copy's check). */
export async function* fileChunks(queries: PgQueries, id: string): AsyncGenerator<Buffer> {
  const [file] = await queries.query<{ chunks: number }>('SELECT chunks FROM attachment_files WHERE file_id = $1', [id]);
  if (!file) throw Object.assign(new Error(`attachment file ${id} does not exist`), { code: 'ENOENT' });
  for (let seq = 0; seq < file.chunks; seq++) {
    const [row] = await queries.query<{ data: Buffer }>('SELECT data FROM attachment_chunks WHERE file_id = $1 AND seq = $2', [id, seq]);
    if (!row) throw new Error(`attachment file ${id} lost its chunk ${seq}`);
    yield row.data;
  }
}
