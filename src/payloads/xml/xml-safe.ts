/**
 * Operators' texts (tenant files) and citizens' file names are not refused for characters XML
 * 1.0 cannot carry, as answers are on submit. One such character would make the whole payload
 * unreadable to the authority, so it becomes U+FFFD. A carriage return is left to the document's
 * text function (written as a reference).
 */
export function xmlSafe(value: string): string {
  // eslint-disable-next-line no-control-regex -- matching control characters is the point here
  return value.replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}
