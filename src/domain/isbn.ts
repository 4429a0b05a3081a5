// ISBN as the catalog stores and searches it: 13 digits, whatever form (ISBN-10, hyphens, full width) was typed.
import ISBN from "isbn3";

/** The ISBN-13 digits of a valid ISBN-10 or ISBN-13, or undefined when it is not one. */
export function toIsbn13(input: string): string | undefined {
  const compact = input.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
  if (!/^(\d{9}[\dX]|\d{13})$/.test(compact)) return undefined;
  return ISBN.parse(compact)?.isbn13 ?? undefined;
}

/** The hyphenated ISBN-13 for display, or the digits when the ranges are unknown. */
export function formatIsbn(isbn13: string): string {
  return ISBN.hyphenate(isbn13) || isbn13;
}
