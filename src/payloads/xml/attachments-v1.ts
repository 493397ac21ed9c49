import type { Element } from 'xml-js';
import { xmlSafe } from './xml-safe';
import { group, text } from './xml-elements';

/**
 * The `<attachments>` element of the v1 header (docs/payload-v1.md#attachments): one
 * `<attachment>` per uploaded file the submission carries, in the order of the answers, with
 * the metadata FIT-Connect's `contentStructure.attachments` holds (id, file name, media type)
 * plus the size and the SHA-512 of the bytes as uploaded. The authority checks each file it
 * receives (over any channel, after decrypting a JWE) against this list; the answers in `data`
 * name the same ids at the file question.
 */
export interface PayloadAttachment {
  /** The attachment's id (a UUID), as the answers reference it. */
  readonly id: string;
  /** The cleaned name the citizen's file had; shown, never a path. */
  readonly fileName: string;
  /** Decided from the file's content, never from its name. */
  readonly mediaType: string;
  /** In bytes, of the file as uploaded (not of a sealed copy). */
  readonly size: number;
  /** SHA-512 of the file as uploaded, lower-case hex (FIT-Connect: hash type sha512, content hex). */
  readonly sha512: string;
  /**
   * Whether clamd scanned it clean; false when the installation has no scanner or may keep what
   * clamd could not scan (ATTACHMENT_SCAN=off): the authority then knows to scan it itself.
   */
  readonly virusScanned: boolean;
}

function attachmentElement(attachment: PayloadAttachment): Element {
  return group('attachment', [
    text('id', attachment.id),
    // A citizen's file name is cleaned when it is uploaded; this keeps a character XML cannot
    // carry that slipped through from making the whole payload unreadable.
    text('fileName', xmlSafe(attachment.fileName)),
    text('mediaType', attachment.mediaType),
    text('size', String(attachment.size)),
    text('sha512', attachment.sha512.toLowerCase()),
    text('virusScanned', String(attachment.virusScanned)),
  ]);
}

/** The element, or undefined without attachments (the header then has none: payloads from before stay byte for byte). */
export function attachmentsElement(attachments: readonly PayloadAttachment[] | undefined): Element | undefined {
  if (!attachments || attachments.length === 0) return undefined;
  return group('attachments', attachments.map(attachmentElement));
}
