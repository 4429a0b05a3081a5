// Text for XML documents (feeds, the sitemap, OpenSearch): the five markup characters escaped, and the
// control characters XML 1.0 does not allow at all removed (a record imported with a stray one).
export const xmlText = (s: string): string =>
  s
    .replace(/[<>&'"]/g, (ch) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", "'": "&apos;", '"': "&quot;" })[ch] as string)
    // biome-ignore lint/suspicious/noControlCharactersInRegex: these are the ones removed
    .replace(/[\u0000-\u0008\u000b\u000c\u000e-\u001f]/g, "");
