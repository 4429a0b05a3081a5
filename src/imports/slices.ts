// Reads the next bounded slice of an import file from R2, from the byte where the last slice ended:
// whole MARC records (ISO 2709 ends each with 0x1D; MARCXML with </record>) or whole CSV rows (a quoted
// field may hold a newline). No file is ever held whole in memory.
import Papa from "papaparse";

/** Bytes read per slice: a few thousand CSV rows or a few hundred MARC records. */
export const SLICE_BYTES = 192 * 1024;
/** A slice grows (doubling) up to this to take in one very long record or quoted row. */
const MAX_SLICE_BYTES = 4 * 1024 * 1024;

export type Format = "iso2709" | "marcxml" | "csv" | "tsv";
export type Encoding = "utf-8" | "shift_jis";

/** One record or row of a slice, numbered as staff will read it (line of the CSV file, record of the MARC file). */
export type Unit =
  | { line: number; kind: "bytes"; bytes: Uint8Array }
  | { line: number; kind: "xml"; xml: string }
  | { line: number; kind: "cells"; cells: string[] }
  | { line: number; kind: "bad"; reason: string };

export interface Slice {
  units: Unit[];
  /** Byte offset of the next slice; `eof` when the file is read to its end. */
  next: number;
  eof: boolean;
  /** Lines (CSV) or records (MARC) consumed, for the next slice's numbering. */
  lines: number;
  encoding?: Encoding;
}

export interface SliceSource {
  bucket: R2Bucket;
  key: string;
  size: number;
  format: Format;
  offset: number;
  /** Lines or records before this slice. */
  line: number;
  encoding: Encoding | null;
  /** Bytes to read per slice (tests make it small to cross slice boundaries). */
  sliceBytes?: number;
}

async function readBytes(s: SliceSource, length: number): Promise<Uint8Array> {
  const obj = await s.bucket.get(s.key, { range: { offset: s.offset, length: Math.min(length, s.size - s.offset) } });
  if (!obj) throw new Error(`import file ${s.key} is missing`);
  return new Uint8Array(await obj.arrayBuffer());
}

const lastIndexOf = (bytes: Uint8Array, value: number) => bytes.lastIndexOf(value);

/** The slice's bytes cut after the last `terminator`, read again larger when none is found yet. */
async function wholeUnits(
  s: SliceSource,
  cut: (bytes: Uint8Array) => number,
): Promise<{ bytes: Uint8Array; end: number; eof: boolean }> {
  for (let length = s.sliceBytes ?? SLICE_BYTES; ; length *= 2) {
    const bytes = await readBytes(s, length);
    const atEnd = s.offset + bytes.length >= s.size;
    const end = cut(bytes);
    if (end > 0) return { bytes: bytes.subarray(0, end), end, eof: atEnd && end === bytes.length };
    if (atEnd || length >= MAX_SLICE_BYTES) return { bytes, end: bytes.length, eof: atEnd };
  }
}

const isBlank = (bytes: Uint8Array) => bytes.every((b) => b === 0x0a || b === 0x0d || b === 0x20 || b === 0x09);

function iso2709Units(bytes: Uint8Array, line: number): Unit[] {
  const units: Unit[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++) {
    if (bytes[i] !== 0x1d) continue;
    let from = start;
    while (from < i && (bytes[from] === 0x0a || bytes[from] === 0x0d)) from++;
    units.push({ line: line + units.length + 1, kind: "bytes", bytes: bytes.subarray(from, i + 1) });
    start = i + 1;
  }
  const rest = bytes.subarray(start);
  if (!isBlank(rest))
    units.push({
      line: line + units.length + 1,
      kind: "bad",
      reason: "MARCレコードが途中で終わっています（レコード終端 0x1D がありません）。",
    });
  return units;
}

const RECORD_START = /<(?:[\w.-]+:)?record[\s>]/;
const CLOSING = /<\/(?:[\w.-]+:)?record\s*$/;
const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Byte ends (exclusive) of every `</record>` (any prefix) in the slice, found on the bytes themselves. */
function recordEnds(bytes: Uint8Array): number[] {
  const ends: number[] = [];
  for (let i = bytes.indexOf(0x3e); i !== -1; i = bytes.indexOf(0x3e, i + 1)) {
    // The tag is ASCII; bytes of multi-byte characters never match it.
    const before = String.fromCharCode(...bytes.subarray(Math.max(0, i - 48), i));
    if (CLOSING.test(before)) ends.push(i + 1);
  }
  return ends;
}

function marcXmlUnits(bytes: Uint8Array, line: number, eof: boolean): Unit[] {
  const units: Unit[] = [];
  let from = 0;
  const numbered = (u: { kind: "xml"; xml: string } | { kind: "bad"; reason: string }): Unit => ({
    line: line + units.length + 1,
    ...u,
  });
  for (const end of recordEnds(bytes)) {
    let text: string | undefined;
    try {
      text = utf8.decode(bytes.subarray(from, end));
    } catch {}
    const start = text?.search(RECORD_START) ?? -1;
    if (text === undefined) units.push(numbered({ kind: "bad", reason: "文字コードが UTF-8 ではありません。" }));
    else if (start < 0) units.push(numbered({ kind: "bad", reason: "MARCXMLの </record> に対応する <record> がありません。" }));
    else units.push(numbered({ kind: "xml", xml: text.slice(start) }));
    from = end;
  }
  const rest = String.fromCharCode(...bytes.subarray(from, Math.min(bytes.length, from + 4096)));
  if (eof && RECORD_START.test(rest))
    units.push(numbered({ kind: "bad", reason: "MARCXMLのレコードが途中で終わっています（</record> がありません）。" }));
  return units;
}

/** Tries UTF-8, then Shift_JIS (CP932, as Japanese systems write it). */
function detectEncoding(bytes: Uint8Array): Encoding | null {
  for (const enc of ["utf-8", "shift_jis"] as const) {
    try {
      new TextDecoder(enc, { fatal: true, ignoreBOM: false }).decode(bytes);
      return enc;
    } catch {}
  }
  return null;
}

const BAD_ENCODING = "文字コードが正しくありません（UTF-8 または Shift_JIS で保存してください）。";

/** The slice as text; a line that does not decode becomes empty and is reported with its number. */
function decodeLines(bytes: Uint8Array, encoding: Encoding, line: number): { text: string; bad: Unit[] } {
  try {
    return { text: new TextDecoder(encoding, { fatal: true, ignoreBOM: false }).decode(bytes), bad: [] };
  } catch {
    const decoder = new TextDecoder(encoding, { fatal: true, ignoreBOM: false });
    const bad: Unit[] = [];
    const lines: string[] = [];
    let start = 0;
    for (let i = 0; i <= bytes.length; i++) {
      if (i < bytes.length && bytes[i] !== 0x0a) continue;
      const part = bytes.subarray(start, i);
      try {
        lines.push(decoder.decode(part));
      } catch {
        bad.push({ line: line + lines.length + 1, kind: "bad", reason: BAD_ENCODING });
        lines.push("");
      }
      start = i + 1;
    }
    return { text: lines.join("\n"), bad };
  }
}

/** Byte offset just after the n-th LF of the slice (0 → the slice's start). */
function afterNthNewline(bytes: Uint8Array, n: number): number {
  if (n === 0) return 0;
  let seen = 0;
  for (let i = 0; i < bytes.length; i++) if (bytes[i] === 0x0a && ++seen === n) return i + 1;
  return bytes.length;
}

const newlines = (text: string, from: number, to: number) => {
  let n = 0;
  for (let i = text.indexOf("\n", from); i !== -1 && i < to; i = text.indexOf("\n", i + 1)) n++;
  return n;
};

async function csvSlice(s: SliceSource): Promise<Slice> {
  for (let sliceBytes = s.sliceBytes ?? SLICE_BYTES; ; sliceBytes *= 2) {
    const slice = await csvSliceOf({ ...s, sliceBytes });
    // A quoted row longer than the slice: read a larger one.
    if (slice !== undefined) return slice;
    if (sliceBytes >= MAX_SLICE_BYTES) throw new Error("a CSV row longer than the largest slice");
  }
}

async function csvSliceOf(s: SliceSource): Promise<Slice | undefined> {
  const { bytes, eof } = await wholeUnits(s, (b) => lastIndexOf(b, 0x0a) + 1);
  const encoding = s.encoding ?? detectEncoding(bytes) ?? "utf-8";
  const { text: decoded, bad } = decodeLines(bytes, encoding, s.line);
  const text = s.offset === 0 ? decoded.replace(/^\uFEFF/, "") : decoded;
  const units: Unit[] = [...bad];
  let prev = 0;
  let cutLines: number | undefined;
  Papa.parse<string[]>(text, {
    delimiter: s.format === "tsv" ? "\t" : ",",
    skipEmptyLines: false,
    step(result, parser) {
      const end = result.meta.cursor;
      const unterminated = result.errors.some((e) => e.code === "MissingQuotes");
      const startLine = s.line + newlines(text, 0, prev) + 1;
      if (unterminated && !eof) {
        // The row goes on in the next slice: stop before it.
        cutLines = newlines(text, 0, prev);
        parser.abort();
        return;
      }
      const cells = result.data;
      const blank = cells.length === 1 && (cells[0] ?? "").trim() === "";
      if (unterminated) units.push({ line: startLine, kind: "bad", reason: '引用符（"）が閉じていません。' });
      else if (!blank && !bad.some((b) => b.line === startLine)) units.push({ line: startLine, kind: "cells", cells });
      prev = end;
    },
  });
  units.sort((a, b) => a.line - b.line);
  if (cutLines !== undefined) {
    const end = afterNthNewline(bytes, cutLines);
    if (end === 0) return undefined;
    return { units, next: s.offset + end, eof: false, lines: cutLines, encoding };
  }
  return {
    units,
    next: s.offset + bytes.length,
    eof,
    lines: newlines(text, 0, text.length) + (eof && !text.endsWith("\n") ? 1 : 0),
    encoding,
  };
}

/** The next slice of the file. */
export async function readSlice(s: SliceSource): Promise<Slice> {
  if (s.offset >= s.size) return { units: [], next: s.offset, eof: true, lines: 0 };
  if (s.format === "csv" || s.format === "tsv") return csvSlice(s);
  if (s.format === "iso2709") {
    const { bytes, end, eof } = await wholeUnits(s, (b) => lastIndexOf(b, 0x1d) + 1);
    const units = iso2709Units(bytes, s.line);
    return { units, next: s.offset + end, eof, lines: units.length };
  }
  const { bytes, end, eof } = await wholeUnits(s, (b) => recordEnds(b).at(-1) ?? 0);
  const units = marcXmlUnits(bytes, s.line, eof);
  return { units, next: s.offset + end, eof, lines: units.length };
}
