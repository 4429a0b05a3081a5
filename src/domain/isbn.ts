// ISBN as the catalog stores and searches it: 13 digits, whatever form (ISBN-10, hyphens, full width) was typed.
// Checked by its check digit alone: the world's range table (isbn3) cost 39 KB of the Worker for hyphens.

const digitsOf = (s: string) => [...s].map((c) => (c === "X" ? 10 : Number(c)));

function isbn10Valid(s: string): boolean {
  const sum = digitsOf(s).reduce((acc, d, i) => acc + d * (10 - i), 0);
  return !s.slice(0, 9).includes("X") && sum % 11 === 0;
}

function isbn13CheckDigit(first12: string): number {
  const sum = digitsOf(first12).reduce((acc, d, i) => acc + d * (i % 2 === 0 ? 1 : 3), 0);
  return (10 - (sum % 10)) % 10;
}

/** The ISBN-13 digits of a valid ISBN-10 or ISBN-13, or undefined when it is not one. */
export function toIsbn13(input: string): string | undefined {
  const compact = input.normalize("NFKC").replace(/[\s-]/g, "").toUpperCase();
  if (/^\d{9}[\dX]$/.test(compact)) {
    if (!isbn10Valid(compact)) return undefined;
    const first12 = `978${compact.slice(0, 9)}`;
    return `${first12}${isbn13CheckDigit(first12)}`;
  }
  if (/^97[89]\d{10}$/.test(compact) && isbn13CheckDigit(compact.slice(0, 12)) === Number(compact[12])) return compact;
  return undefined;
}

/** Japan's registration group (978-4): publisher codes by their first digits, as the ISBN agency assigns them. */
const JAPAN_PUBLISHER_RANGES: Array<[from: string, to: string]> = [
  ["00", "19"],
  ["200", "699"],
  ["7000", "8499"],
  ["85000", "89999"],
  ["900000", "949999"],
  ["9500000", "9999999"],
];

/** The hyphenated ISBN-13 of a Japanese book (978-4-…) for display; any other number as its digits. */
export function formatIsbn(isbn13: string): string {
  if (!/^9784\d{9}$/.test(isbn13) || toIsbn13(isbn13) !== isbn13) return isbn13;
  const rest = isbn13.slice(4, 12);
  for (const [from, to] of JAPAN_PUBLISHER_RANGES) {
    const publisher = rest.slice(0, from.length);
    if (publisher >= from && publisher <= to) return `978-4-${publisher}-${rest.slice(from.length)}-${isbn13[12]}`;
  }
  return isbn13;
}
