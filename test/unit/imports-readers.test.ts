// The import readers on their own: ISO 2709 and MARCXML (against files written by the maintained MARC
// serializer), the MARC → material mapping, row checks, header mapping, and slices of files in R2.
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { columnsOf, DEFAULT_HOLDINGS, fieldsOf } from "../../src/imports/mapping";
import { isDataField, MarcError, parseIso2709, parseMarcXml } from "../../src/imports/marc";
import { marcRow } from "../../src/imports/marc-map";
import { copyRecord, copyStatus, dateOf, flag, materialRecord, RowError } from "../../src/imports/records";
import { readSlice, type Unit } from "../../src/imports/slices";
import { sniffFormat } from "../../src/imports/start";
import { fixture, text } from "../support/imports";

const isoRecords = (bytes: Uint8Array) => {
  const out: Uint8Array[] = [];
  let start = 0;
  for (let i = 0; i < bytes.length; i++)
    if (bytes[i] === 0x1d) {
      out.push(bytes.subarray(start, i + 1));
      start = i + 1;
    }
  return out;
};

describe("MARC readers", () => {
  const iso = isoRecords(fixture("catalog.mrc"));
  const xml = [...new TextDecoder().decode(fixture("catalog.xml")).matchAll(/<marc:record[\s\S]*?<\/marc:record>/g)].map(
    (m) => m[0],
  );

  it("read the same fields from ISO 2709 (byte offsets, multi-byte text) and MARCXML (namespace prefix)", () => {
    // Record 2 of the .mrc is the broken one; the others are the six records in order, as in the XML.
    const good = [iso[0], ...iso.slice(2)] as Uint8Array[];
    expect(good).toHaveLength(6);
    good.forEach((bytes, i) => {
      expect(parseIso2709(bytes).fields).toEqual(parseMarcXml(xml[i] as string).fields);
    });
    const r = parseIso2709(good[0] as Uint8Array);
    expect(r.leader.slice(5, 8)).toBe("nam");
    const f245 = r.fields.find((f) => f.tag === "245");
    expect(f245 && isDataField(f245) ? f245.subfields.map((s) => s.code) : []).toEqual(["6", "a", "c"]);
  });

  it("refuse a broken record with a Japanese reason", () => {
    expect(() => parseIso2709(iso[1] as Uint8Array)).toThrow(new MarcError("MARCレコードの長さがリーダーと一致しません。"));
    expect(() => parseIso2709(text("short"))).toThrow(MarcError);
    const bad = new Uint8Array(iso[0] as Uint8Array);
    bad[30] = 0x41; // a letter inside the directory's numbers
    expect(() => parseIso2709(bad)).toThrow("ディレクトリ");
    expect(() => parseMarcXml("<record><controlfield tag='001'>x</controlfield></record>")).toThrow("leader");
  });

  it("reads XML entities, single-quoted attributes and character references", () => {
    const r = parseMarcXml(
      `<record><leader>00000nam a2200000 i 4500</leader><datafield ind2="0" tag='245' ind1="1"><subfield code="a">A &amp; B &#x732B;</subfield></datafield></record>`,
    );
    expect(r.fields).toEqual([{ tag: "245", ind1: "1", ind2: "0", subfields: [{ code: "a", value: "A & B 猫" }] }]);
  });

  it("map JAPAN/MARC MARC21 fields: 880 readings, 264 imprint, 084 NDC, 490 series, 852/949 holdings, leader types", () => {
    const row = marcRow(parseIso2709(iso[0] as Uint8Array), DEFAULT_HOLDINGS);
    expect(row.fields).toMatchObject({
      sourceId: "JP0001",
      title: "図書館のしごと",
      titleKana: "トショカン ノ シゴト",
      publisher: "みなみ書房",
      ndc: "010.1",
    });
    expect(row.copies.map((c) => [c.branch, c.barcode, c.notLoanable])).toEqual([
      ["central", "M0000011", ""],
      ["kita", "M0000012", "禁帯出"],
    ]);
    expect(marcRow(parseIso2709(iso[2] as Uint8Array), DEFAULT_HOLDINGS).copies[0]).toMatchObject({
      branch: "minami",
      barcode: "M0000021",
    });
    expect(marcRow(parseIso2709(iso[6] as Uint8Array), DEFAULT_HOLDINGS).fields.type).toBe("kamishibai");
    const changed = isoRecords(fixture("catalog-changed.mrc"));
    expect(marcRow(parseIso2709(changed[0] as Uint8Array), DEFAULT_HOLDINGS).deleted).toBe(false);
    expect(marcRow(parseIso2709(changed[5] as Uint8Array), DEFAULT_HOLDINGS).deleted).toBe(true);
    expect(() => marcRow({ leader: "00000nam a2200000 i 4500", fields: [] }, DEFAULT_HOLDINGS)).toThrow(RowError);
  });
});

describe("row checks", () => {
  it("dates in the forms Japanese systems write", () => {
    expect(dateOf("2026-12-02", "日")).toBe("2026-12-02");
    expect(dateOf("2026/1/5", "日")).toBe("2026-01-05");
    expect(dateOf("20261202", "日")).toBe("2026-12-02");
    expect(dateOf("2026年12月2日", "日")).toBe("2026-12-02");
    expect(dateOf("", "日")).toBeNull();
    expect(() => dateOf("2026-02-30", "返却期限")).toThrow("返却期限「2026-02-30」が日付として読めません");
  });

  it("flags, copy statuses and 禁帯出", () => {
    expect(flag("可", "Web利用")).toBe(true);
    expect(flag("不可", "Web利用")).toBe(false);
    expect(() => flag("たぶん", "Web利用")).toThrow("Web利用「たぶん」が読めません");
    expect(copyStatus("在架")).toBe("available");
    expect(copyStatus("貸出中")).toBeNull();
    expect(copyStatus("除籍")).toBe("withdrawn");
    expect(copyStatus("X", { X: "damaged" })).toBe("damaged");
    expect(() => copyStatus("ふめい")).toThrow("所蔵状態「ふめい」が読めません");
    expect(copyRecord({ barcode: "A1", materialSourceId: "M", branch: "central", notLoanable: "禁帯出" }).loanable).toBe(false);
    expect(copyRecord({ barcode: "A1", materialSourceId: "M", branch: "central", notLoanable: "" }).loanable).toBe(true);
    expect(() => copyRecord({ barcode: "A 1", materialSourceId: "M", branch: "central" })).toThrow(
      "バーコード「A 1」が正しくありません",
    );
  });

  it("materials: title required, ISBN checked, type words", () => {
    expect(materialRecord({ sourceId: "1", title: "本", isbn: "4-10-101001-3", type: "紙芝居" })).toMatchObject({
      isbn: "9784101010014",
      type: "kamishibai",
    });
    expect(() => materialRecord({ sourceId: "1", title: " " })).toThrow("書名がありません。");
    expect(() => materialRecord({ sourceId: "1", title: "本", type: "巻物" })).toThrow("資料種別「巻物」は使えません");
  });
});

describe("header mapping", () => {
  it("finds the built-in Japanese names, takes the library's own, and says which required columns are missing", () => {
    const cols = columnsOf("copies", ["\uFEFFバーコード", "書誌番号", "所蔵館", "備考"], {});
    expect("index" in cols && fieldsOf(["B1", "M1", "central", "x"], cols)).toEqual({
      barcode: "B1",
      materialSourceId: "M1",
      branch: "central",
    });
    const own = columnsOf("copies", ["資料No", "書誌No", "館"], {
      columns: { 資料No: "barcode", 書誌No: "materialSourceId", 館: "branch" },
    });
    expect("index" in own).toBe(true);
    expect(columnsOf("copies", ["資料No"], {})).toEqual({
      problem: expect.stringContaining("「バーコード」「書誌番号」「所蔵館」"),
    });
  });

  it("tells the format from the first bytes", () => {
    expect(sniffFormat("marc", text("<?xml version"))).toBe("marcxml");
    expect(sniffFormat("marc", text("00714nam a2200"))).toBe("iso2709");
    expect(sniffFormat("copies", text("a\tb\n1\t2"))).toBe("tsv");
    expect(sniffFormat("copies", text("a,b\n"))).toBe("csv");
    expect(sniffFormat("marc", text("a,b"))).toContain("MARC");
  });
});

describe("slices of a file in R2", () => {
  const slices = async (key: string, bytes: Uint8Array, format: "csv" | "iso2709", sliceBytes: number) => {
    await env.IMPORTS.put(key, bytes);
    const units: Unit[] = [];
    let offset = 0;
    let line = 0;
    let encoding: "utf-8" | "shift_jis" | null = null;
    for (let n = 0; n < 1000; n++) {
      const s = await readSlice({ bucket: env.IMPORTS, key, size: bytes.length, format, offset, line, encoding, sliceBytes });
      units.push(...s.units);
      offset = s.next;
      line += s.lines;
      encoding ??= s.encoding ?? null;
      if (s.eof) return { units, encoding, lines: line };
    }
    throw new Error("no end");
  };

  it("CSV rows keep their file line numbers across slices (CRLF, Shift_JIS detected)", async () => {
    const r = await slices("t/copies.csv", fixture("copies.sjis.csv"), "csv", 48);
    expect(r.encoding).toBe("shift_jis");
    expect(r.units.map((u) => u.line)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
    const u = r.units[1];
    expect(u?.kind === "cells" ? u.cells : []).toEqual(["C1001", "C0001", "central", "953/サ", "在架", ""]);
  });

  it("ISO 2709 records are cut at their terminators whatever the slice size", async () => {
    const bytes = fixture("catalog.mrc");
    const small = await slices("t/catalog.mrc", bytes, "iso2709", 100);
    const large = await slices("t/catalog2.mrc", bytes, "iso2709", 1 << 20);
    expect(small.units.map((u) => u.line)).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(small.units.map((u) => (u.kind === "bytes" ? u.bytes.length : 0))).toEqual(
      large.units.map((u) => (u.kind === "bytes" ? u.bytes.length : 0)),
    );
  });

  it("a file ending inside a quoted field or a record says so on its last line", async () => {
    const csv = await slices("t/open.csv", text('a,b\n1,"open\n'), "csv", 1024);
    expect(csv.units.at(-1)).toEqual({ line: 2, kind: "bad", reason: '引用符（"）が閉じていません。' });
    const marc = await slices("t/cut.mrc", fixture("catalog.mrc").subarray(0, 700), "iso2709", 1024);
    expect(marc.units.at(-1)).toMatchObject({ kind: "bad", reason: expect.stringContaining("途中で終わっています") });
  });
});
