import { parseXml } from './xml';
import { dict, pdfObjects, resolve, streamData, type PdfObjects, type PdfValue } from './pdf';

/**
 * Structural checks of PDF/A-3b (ISO 19005-3), on the objects as qpdf reads them. No PDF/A
 * validator can be installed here (veraPDF needs Java and is neither in Debian nor on npm), so
 * these check the requirements a receipt could plausibly break; they are not a full validation.
 * Returns the problems found, empty when none.
 */
export function pdfA3bProblems(pdf: Buffer): string[] {
  const problems: string[] = [];
  const objects: PdfObjects = pdfObjects(pdf);
  const check = (ok: boolean, problem: string) => {
    if (!ok) problems.push(problem);
  };

  // File structure: a binary comment after the header, an /ID, no encryption.
  check(/^%PDF-1\.[4-7]\r?\n%[\x80-\xff]{4}/.test(pdf.subarray(0, 20).toString('latin1')), 'header: %PDF-1.x followed by a comment with 4 bytes above 127');
  const id = objects.trailer['/ID'];
  check(Array.isArray(id) && id.length === 2 && id.every((part) => typeof part === 'string' && part.length > 2), 'trailer: /ID with two strings');
  check(!('/Encrypt' in objects.trailer), 'trailer: no /Encrypt');

  const catalog = dict(objects, objects.trailer['/Root']);
  check(catalog['/Type'] === '/Catalog', 'catalog: /Type /Catalog');

  // XMP metadata: uncompressed, well-formed, naming part 3 and conformance B.
  const metadataRef = catalog['/Metadata'];
  if (typeof metadataRef !== 'string') {
    problems.push('catalog: /Metadata stream');
  } else {
    const metadataDict = dict(objects, metadataRef);
    check(metadataDict['/Type'] === '/Metadata' && metadataDict['/Subtype'] === '/XML', 'metadata: /Type /Metadata /Subtype /XML');
    check(!('/Filter' in metadataDict), 'metadata: not compressed (no /Filter)');
    const xmp = streamData(objects, metadataRef).toString('utf8');
    try {
      parseXml(xmp);
    } catch (err) {
      problems.push(`metadata: not well-formed XML (${(err as Error).message})`);
    }
    check(/<pdfaid:part>3<\/pdfaid:part>/.test(xmp), 'metadata: pdfaid:part 3');
    check(/<pdfaid:conformance>B<\/pdfaid:conformance>/.test(xmp), 'metadata: pdfaid:conformance B');
    // Info dictionary and XMP must agree (dates, title).
    const info = objects.trailer['/Info'] !== undefined ? dict(objects, objects.trailer['/Info']) : {};
    const infoString = (key: string) => {
      const value = resolve(objects, info[key]).value;
      return typeof value === 'string' ? value.replace(/^u:/, '') : undefined;
    };
    const infoDate = (key: string) => {
      const match = /^D:(\d{4})(\d{2})(\d{2})(\d{2})(\d{2})(\d{2})Z/.exec(infoString(key) ?? '');
      return match ? `${match[1]}-${match[2]}-${match[3]}T${match[4]}:${match[5]}:${match[6]}Z` : undefined;
    };
    for (const [key, element] of [['/CreationDate', 'xmp:CreateDate'], ['/ModDate', 'xmp:ModifyDate']] as const) {
      if (info[key] === undefined) continue;
      check(new RegExp(`<${element}>${infoDate(key) ?? 'missing'}</${element}>`).test(xmp), `metadata: ${element} equal to the info ${key}`);
    }
    const title = infoString('/Title');
    if (title !== undefined) check(xmp.includes(`<rdf:li xml:lang="x-default">${title}</rdf:li>`), 'metadata: dc:title equal to the info /Title');
  }

  // Output intent: GTS_PDFA1 with an embedded RGB ICC profile (the document paints in RGB).
  const intents = resolve(objects, catalog['/OutputIntents']).value;
  const intent = Array.isArray(intents) && intents.length > 0 ? dict(objects, intents[0] as PdfValue) : undefined;
  check(intent?.['/S'] === '/GTS_PDFA1', 'catalog: /OutputIntents with /S /GTS_PDFA1');
  if (intent) {
    const profileRef = intent['/DestOutputProfile'];
    check(typeof profileRef === 'string', 'output intent: /DestOutputProfile');
    if (typeof profileRef === 'string') {
      const profile = streamData(objects, profileRef);
      check(dict(objects, profileRef)['/N'] === 3, 'output intent: /N 3');
      check(profile.subarray(36, 40).toString('latin1') === 'acsp' && profile.subarray(16, 20).toString('latin1') === 'RGB ', 'output intent: an RGB ICC profile');
      check(profile[8] !== undefined && profile[8] <= 4, 'output intent: ICC profile version at most 4');
    }
  }

  // Fonts: every one embedded (TrueType as FontFile2), none of the 14 standard fonts.
  let fonts = 0;
  for (const [name, object] of Object.entries(objects.objects)) {
    const value = object.value;
    if (value === null || typeof value !== 'object' || Array.isArray(value)) continue;
    const entry = value as Record<string, PdfValue>;
    if (entry['/Type'] === '/Font') {
      fonts++;
      check(entry['/Subtype'] === '/Type0' || entry['/Subtype'] === '/CIDFontType2', `${name}: font ${String(entry['/BaseFont'])} is ${String(entry['/Subtype'])}, not an embedded CID TrueType font`);
    }
    if (entry['/Type'] === '/FontDescriptor') check(typeof entry['/FontFile2'] === 'string', `${name}: font descriptor ${String(entry['/FontName'])} without /FontFile2`);
    if (entry['/Type'] === '/Annot') problems.push(`${name}: annotation (none expected)`);
  }
  check(fonts > 0, 'fonts: at least one');

  // Associated file: the XML, as /Data, listed in the catalog's /AF and the /EmbeddedFiles tree.
  const af = resolve(objects, catalog['/AF']).value;
  check(Array.isArray(af) && af.length > 0, 'catalog: /AF array');
  for (const ref of Array.isArray(af) ? (af as PdfValue[]) : []) {
    const spec = dict(objects, ref);
    check(spec['/Type'] === '/Filespec', 'associated file: /Type /Filespec');
    check(spec['/AFRelationship'] === '/Data', 'associated file: /AFRelationship /Data');
    check(typeof spec['/F'] === 'string' && spec['/F'] === spec['/UF'], 'associated file: /F and /UF');
    const embedded = dict(objects, (spec['/EF'] as Record<string, PdfValue> | undefined)?.['/F']);
    check(embedded['/Type'] === '/EmbeddedFile', 'associated file: /EF /F is an /EmbeddedFile');
    check(embedded['/Subtype'] === '/application/xml', 'associated file: /Subtype application/xml');
    const params = embedded['/Params'] as Record<string, PdfValue> | undefined;
    check(typeof params?.['/ModDate'] === 'string', 'associated file: /Params /ModDate');
  }
  return problems;
}
