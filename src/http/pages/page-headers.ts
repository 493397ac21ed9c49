/**
 * The citizen's pages' content security policy: scripts, styles and forms from this origin only,
 * never inline (the pages work without JavaScript), and never framed.
 */
export const PAGE_CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; form-action 'self'; frame-ancestors 'none'; base-uri 'none'; object-src 'none'";
