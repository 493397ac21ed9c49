import { MEDIA_TYPE_EXTENSIONS, type DocumentMediaType } from '../support/media-type';

/** At most this many characters of a file name are kept (most file systems allow 255 bytes). */
const MAX_NAME = 120;

/**
 * The name an uploaded file is shown and sent under: the last segment of what the browser sent
 * (old browsers send a whole Windows path), NFC, without control or bidirectional-override
 * characters (which could make `rechnung‮fdp.exe` read as a PDF) and without characters that
 * mean something in a path or a header, shortened, and ending in the extension of its actual
 * type. Never used as a path: files are stored under their UUID.
 */
export function cleanFileName(raw: string, mediaType: DocumentMediaType): string {
  const last = raw.split(/[\\/]/).pop() ?? '';
  const cleaned = last
    .normalize('NFC')
    // eslint-disable-next-line no-control-regex
    .replace(/[\u0000-\u001f\u007f-\u009f\u061c\u200b-\u200f\u202a-\u202e\u2066-\u2069\ufeff]/g, '')
    .replace(/["*:<>?|;]/g, '_')
    .trim()
    .replace(/^\.+/, '');
  const [extension] = MEDIA_TYPE_EXTENSIONS[mediaType];
  const stem = cleaned.replace(/\.[A-Za-z0-9]{1,5}$/, '');
  const shortStem = [...(stem === '' ? 'anlage' : stem)].slice(0, MAX_NAME - extension.length - 1).join('');
  return `${shortStem}.${extension}`;
}
