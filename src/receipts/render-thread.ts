/**
 * The body of a receipt render thread (render-pool.ts starts it with worker_threads): parses
 * the fonts once, then renders every model it is sent with the same code as the main thread
 * (createReceiptRenderer), so a receipt's bytes do not depend on where it was rendered.
 */
import { parentPort } from 'node:worker_threads';
import { loadReceiptFonts } from './receipt-fonts';
import type { ReceiptModel } from './receipt-model';
import { createReceiptRenderer } from './render-receipt';

export interface RenderRequest {
  readonly id: number;
  readonly model: ReceiptModel;
  readonly xml: string;
}

export type RenderReply =
  | { readonly id: number; readonly pdf: Uint8Array }
  /** Only the error's class and message: the model's answers never travel in an error. */
  | { readonly id: number; readonly error: { readonly name: string; readonly message: string } };

const port = parentPort;
if (port) {
  const renderer = createReceiptRenderer(loadReceiptFonts());
  port.on('message', (request: RenderRequest) => {
    renderer.render(request.model, request.xml).then(
      (pdf) => {
        // The bytes move to the main thread instead of being copied.
        const bytes = new Uint8Array(pdf.buffer, pdf.byteOffset, pdf.byteLength);
        const transferable = pdf.byteOffset === 0 && pdf.byteLength === pdf.buffer.byteLength;
        port.postMessage({ id: request.id, pdf: bytes } satisfies RenderReply, transferable ? [pdf.buffer as ArrayBuffer] : []);
      },
      (err: unknown) => {
        const error = err instanceof Error ? { name: err.name, message: err.message } : { name: 'Error', message: String(err) };
        port.postMessage({ id: request.id, error } satisfies RenderReply);
      },
    );
  });
}
