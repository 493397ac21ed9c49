import { randomUUID } from 'node:crypto';
import { Readable } from 'node:stream';
import type { AttachmentFiles } from '../attachment-ports';
import { FILE_ID, takeIn } from '../file-intake';
import type { PgClient } from './pg-client';

/** Chunks are gathered to this size before each insert: few round trips, bounded memory per upload. */
const CHUNK_BYTES = 1024 * 1024;

/**
 * Files in PostgreSQL, so several web and worker processes on other machines share them: chunks
 * of up to 1 MiB, each inserted as it fills (never the whole file in memory), then one row in
 * attachment_files that makes the file exist. A refused or failed write deletes its chunks.
 */
export function pgAttachmentFiles(client: PgClient): AttachmentFiles {
  const check = (id: string) => {
    if (!FILE_ID.test(id)) throw new Error('not an attachment id');
  };

  async function store(id: string, fill: (sink: (chunk: Buffer) => Promise<void>) => Promise<boolean>): Promise<{ size: number } | undefined> {
    let pending: Buffer[] = [];
    let pendingBytes = 0;
    let seq = 0;
    let size = 0;
    const flush = async () => {
      if (pendingBytes === 0) return;
      const data = Buffer.concat(pending, pendingBytes);
      pending = [];
      pendingBytes = 0;
      await client.query('INSERT INTO attachment_chunks (file_id, seq, data) VALUES ($1, $2, $3)', [id, seq, data]);
      seq += 1;
    };
    try {
      const keep = await fill(async (chunk) => {
        size += chunk.length;
        pending.push(chunk);
        pendingBytes += chunk.length;
        if (pendingBytes >= CHUNK_BYTES) await flush();
      });
      if (!keep) {
        pending = [];
        await client.query('DELETE FROM attachment_chunks WHERE file_id = $1', [id]);
        return undefined;
      }
      await flush();
      await client.query('INSERT INTO attachment_files (file_id, size, chunks, created_at) VALUES ($1, $2, $3, $4)', [id, size, seq, new Date()]);
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
      async function* chunks() {
        const [file] = await client.query<{ chunks: number }>('SELECT chunks FROM attachment_files WHERE file_id = $1', [id]);
        if (!file) throw Object.assign(new Error(`attachment file ${id} does not exist`), { code: 'ENOENT' });
        for (let seq = 0; seq < file.chunks; seq++) {
          const [row] = await client.query<{ data: Buffer }>('SELECT data FROM attachment_chunks WHERE file_id = $1 AND seq = $2', [id, seq]);
          if (!row) throw new Error(`attachment file ${id} lost its chunk ${seq}`);
          yield row.data;
        }
      }
      return Readable.from(chunks(), { objectMode: false });
    },
    async remove(id) {
      check(id);
      await client.transaction(async (tx) => {
        await tx.query('DELETE FROM attachment_files WHERE file_id = $1', [id]);
        await tx.query('DELETE FROM attachment_chunks WHERE file_id = $1', [id]);
      });
    },
  };
}
