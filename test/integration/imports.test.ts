// Imports of the library's own data through the import queue's consumer: each format, each kind of bad
// row, re-imports that change nothing, updates in place, withdrawals guarded against copies on loan or
// on hold, full exports, dry runs, resuming after a stopped run, and the files' deletion from R2.
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { advanceRun, type ImportMessage } from "../../src/imports/consumer";
import { runById } from "../../src/imports/runs";
import { resumeStalledImports, startImport } from "../../src/imports/start";
import { runJob } from "../../src/jobs/run";
import { loadCatalog } from "../support/catalog";
import { countingD1 } from "../support/d1-count";
import { call, getJson } from "../support/http";
import { drain, fixture, importBytes, importFixture, rejectsOfRun, steppedEnv, text } from "../support/imports";
import { apiLogin, withToken } from "../support/patrons";

beforeAll(loadCatalog);

/** The imported card holder, registered for web use at the counter in the patrons test. */
let patronToken = "";
const ADMIN = { Authorization: "Bearer test-admin-token" };
const materialOf = (sourceId: string) =>
  env.DB.prepare("SELECT * FROM materials WHERE source_id = ?").bind(sourceId).first<Record<string, unknown>>();
const itemOfBarcode = (barcode: string) =>
  env.DB.prepare("SELECT * FROM items WHERE barcode = ?").bind(barcode).first<Record<string, unknown>>();
const patronOfCard = (card: string) =>
  env.DB.prepare("SELECT * FROM patrons WHERE card_number = ?").bind(card).first<Record<string, unknown>>();
const search = async (q: string) =>
  (await getJson<{ items: Array<{ id: number; title: string }> }>(`/api/v1/materials?q=${encodeURIComponent(q)}`)).body.items;
const snapshot = async () =>
  JSON.stringify(
    await env.DB.batch([
      env.DB.prepare("SELECT * FROM materials WHERE source_id IS NOT NULL ORDER BY id"),
      env.DB.prepare("SELECT * FROM items ORDER BY id"),
      env.DB.prepare("SELECT * FROM material_search ORDER BY material_id"),
      env.DB.prepare("SELECT * FROM patrons ORDER BY id"),
      env.DB.prepare("SELECT * FROM loans ORDER BY id"),
      env.DB.prepare("SELECT * FROM reservations ORDER BY id"),
    ]).then((rs) => rs.map((r) => r.results)),
  );

// The tests of this file build on each other in order, as a library's cut-over does: catalog, copies,
// patrons, loans, counter reservations, then the nights after.
describe("a library's cut-over, file by file", () => {
  it("MARC 21 as ISO 2709: records with their copies, searchable at once; every bad record listed", async () => {
    const run = await importFixture("marc", "catalog.mrc");
    expect(run).toMatchObject({
      status: "done",
      format: "iso2709",
      added: 5,
      updated: 0,
      unchanged: 0,
      copiesAdded: 5,
      rejected: 4,
    });
    expect(await rejectsOfRun(run.id)).toEqual([
      { line: 2, key: null, reason: "MARCレコードの長さがリーダーと一致しません。" },
      { line: 4, key: null, reason: "ISBN「978-4-10-101001-5」が正しくありません（チェックディジットが合いません）。" },
      { line: 5, key: "M0000042", reason: "所蔵館「nowhere」は登録されていません（館コードを確かめてください）。" },
      { line: 6, key: "M0000011", reason: "バーコード「M0000011」がこのファイルで重複しています。" },
    ]);
    expect(await materialOf("JP0001")).toMatchObject({
      title: "図書館のしごと",
      title_kana: "トショカン ノ シゴト",
      author: "山田 花子、鈴木 一郎",
      author_kana: "ヤマダ ハナコ、スズキ イチロウ",
      publisher: "みなみ書房",
      year: 2021,
      isbn: "9784101010014",
      ndc: "010.1",
      subject: "図書館",
      series: "しごとの本 ; 3",
      type: "book",
    });
    expect(await materialOf("JP0006")).toMatchObject({ type: "kamishibai" });
    expect(await materialOf("JP0003")).toBeNull();
    // Search finds them by title, reading and author at once (the index follows in the same batch).
    expect((await search("図書館のしごと")).map((m) => m.title)).toContain("図書館のしごと");
    expect((await search("ネコ ノ テチョウ")).map((m) => m.title)).toContain("ねこの手帖");
    expect((await search("山田花子")).map((m) => m.title)).toContain("図書館のしごと");
    const detail = await getJson<{ holdings: Array<{ branch: string; loanable: boolean; callNumber: string }> }>(
      `/api/v1/materials/${(await materialOf("JP0001"))?.id}`,
    );
    expect(detail.body.holdings).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ branch: "central", loanable: true, callNumber: "010.1/ヤ" }),
        expect.objectContaining({ branch: "kita", loanable: false }),
      ]),
    );
    expect(await itemOfBarcode("M0000021")).toMatchObject({ branch_code: "minami", call_number: "645/サ" });
  });

  it("the same file again changes nothing: every record and copy unchanged", async () => {
    const before = await snapshot();
    const run = await importFixture("marc", "catalog.mrc");
    expect(run).toMatchObject({
      status: "done",
      added: 0,
      updated: 0,
      unchanged: 5,
      copiesAdded: 0,
      copiesUpdated: 0,
      copiesUnchanged: 5,
      rejected: 4,
    });
    expect(await snapshot()).toBe(before);
  });

  it("MARCXML of the same records (namespace prefix) reads the same: a dry run finds them all unchanged", async () => {
    const before = await snapshot();
    const run = await importFixture("marc", "catalog.xml", { dryRun: true });
    expect(run).toMatchObject({ status: "done", format: "marcxml", added: 0, updated: 0, unchanged: 5, copiesUnchanged: 5 });
    const rejects = await rejectsOfRun(run.id);
    expect(rejects.map((r) => r.line)).toEqual([3, 4, 5, 7]);
    expect(rejects.at(-1)?.reason).toBe("MARCXMLのレコードが途中で終わっています（</record> がありません）。");
    expect(await snapshot()).toBe(before);
  });

  it("materials as CSV (UTF-8 with BOM, a quoted title with a comma and a line break)", async () => {
    const run = await importFixture("materials", "materials.csv");
    expect(run).toMatchObject({ status: "done", format: "csv", encoding: "utf-8", added: 3, rejected: 3 });
    expect((await rejectsOfRun(run.id)).map((r) => [r.line, r.reason])).toEqual([
      [5, "ISBN「9784101010015」が正しくありません（チェックディジットが合いません）。"],
      [6, "資料ID（書誌番号）がありません。"],
      [8, "書誌番号「C0001」がこのファイルで重複しています。"],
    ]);
    expect(await materialOf("C0001")).toMatchObject({ title: "星の王子さま, 新訳", isbn: "9784101010014", ndc: "953" });
    expect(await materialOf("C0002")).toMatchObject({ title: "ふたつの 行に分かれた書名" });
    expect(await materialOf("C0004")).toMatchObject({ type: "av" });
  });

  it("copies in Shift_JIS with the library's own column names need its mapping file", async () => {
    const without = await importFixture("copies", "copies.sjis.csv");
    expect(without).toMatchObject({ status: "failed" });
    expect(without.error).toContain("見出し行に「バーコード」「書誌番号」「所蔵館」の列がありません");

    const mapping = JSON.parse(new TextDecoder().decode(fixture("mapping-copies.json")));
    const saved = await call("/api/v1/admin/imports/mappings/copies", {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify(mapping),
    });
    expect(saved.status).toBe(200);
    const run = await importFixture("copies", "copies.sjis.csv");
    expect(run).toMatchObject({ status: "done", encoding: "shift_jis", copiesAdded: 4, rejected: 3 });
    expect((await rejectsOfRun(run.id)).map((r) => [r.line, r.reason])).toEqual([
      [5, "書誌番号「C9999」の資料がありません（先に書誌を取り込んでください）。"],
      [6, "所蔵館「nowhere」は登録されていません（館コードを確かめてください）。"],
      [7, "バーコード「C1001」がこのファイルで重複しています。"],
    ]);
    expect(await itemOfBarcode("C1002")).toMatchObject({ loanable: 0, branch_code: "kita", call_number: "953/サ" });
    expect(await itemOfBarcode("C1003")).toMatchObject({ status: "processing" });
    expect(await itemOfBarcode("C1006")).toMatchObject({ status: "missing" });
  });

  it("refuses a mapping that names a field the kind does not have", async () => {
    const res = await call("/api/v1/admin/imports/mappings/copies", {
      method: "PUT",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ columns: { 館: "library" } }),
    });
    expect(res.status).toBe(400);
    const body = (await res.json()) as { error: { code: string; fields: Record<string, string> } };
    expect(body.error.code).toBe("invalid_request");
    expect(body.error.fields.mapping).toContain("割り当て先「library」はありません");
  });

  it("patrons (TSV): card holders ready for web-use registration at the counter; bad rows listed", async () => {
    const run = await importFixture("patrons", "patrons.tsv");
    expect(run).toMatchObject({ status: "done", format: "tsv", added: 2, rejected: 3 });
    expect((await rejectsOfRun(run.id)).map((r) => [r.line, r.reason])).toEqual([
      [4, "メールアドレスの形式が正しくありません。"],
      [5, "利用者番号「30000001」がこのファイルで重複しています。"],
      [6, "有効期限「2027-02-30」が日付として読めません（YYYY-MM-DD）。"],
    ]);
    expect(await patronOfCard("30000001")).toMatchObject({
      name: "図書 太郎",
      name_kana: "トショ タロウ",
      web_enabled: 0,
      password_hash: null,
      email_temporary: 1,
      card_valid_until: "2028-03-31",
    });
    // The counter registers web use for the imported card holder, as for any card holder.
    const reg = await call("/api/v1/admin/patrons", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: JSON.stringify({ cardNumber: "30000001", name: "図書 太郎", email: "taro@example.jp" }),
    });
    expect(reg.status).toBe(201);
    const { temporaryPassword } = (await reg.json()) as { temporaryPassword: string };
    const login = await apiLogin({ cardNumber: "30000001", password: temporaryPassword });
    expect(login.res.status).toBe(200);
    const changed = await call(
      "/api/v1/me/credentials",
      withToken(login.body.token as string, "PUT", {
        currentPassword: temporaryPassword,
        email: "taro.tosho@example.jp",
        emailConfirm: "taro.tosho@example.jp",
        password: "Yomu2718",
        passwordConfirm: "Yomu2718",
        contactMethod: "mail",
      }),
    );
    expect(changed.status, await changed.clone().text()).toBe(200);
    patronToken = ((await changed.json()) as { token: string }).token;
  });

  it("loans: on 貸出状況 of the patron; unknown copies and cards, duplicates listed", async () => {
    const run = await importFixture("loans", "loans.csv");
    expect(run).toMatchObject({ status: "done", added: 2, rejected: 3 });
    expect((await rejectsOfRun(run.id)).map((r) => r.line)).toEqual([4, 5, 6]);
    expect(await itemOfBarcode("C1001")).toMatchObject({ status: "on_loan" });
    expect(await itemOfBarcode("C1003")).toMatchObject({ status: "on_loan" });
    // 貸出状況 of the patron registered at the counter shows the imported loan.
    const mine = await call("/api/v1/me/loans", withToken(patronToken, "GET"));
    expect(mine.status).toBe(200);
    const { items } = (await mine.json()) as { items: Array<{ title: string; dueDate: string }> };
    expect(items).toEqual([expect.objectContaining({ title: "星の王子さま, 新訳", dueDate: "2026-12-09" })]);
    const again = await importFixture("loans", "loans.csv");
    expect(again).toMatchObject({ added: 0, updated: 0, unchanged: 2 });
  });

  it("counter reservations keep the system's queue order; unknown material or pickup branch listed", async () => {
    const run = await importFixture("reservations", "reservations.csv");
    expect(run).toMatchObject({ status: "done", added: 2, rejected: 2 });
    const material = (await materialOf("C0001")) as { id: number };
    const queue = await env.DB.prepare(
      `SELECT p.card_number AS card, r.status, r.source FROM reservations r JOIN patrons p ON p.id = r.patron_id
       WHERE r.material_id = ? ORDER BY r.accepted_at, r.id`,
    )
      .bind(material.id)
      .all();
    expect(queue.results).toEqual([
      { card: "30000002", status: "reserved", source: "counter" },
      { card: "30000001", status: "reserved", source: "counter" },
    ]);
    expect((await importFixture("reservations", "reservations.csv")).unchanged).toBe(2);
  });

  it("the next night's MARC: a changed record updates in place (its reservations stay), copies no longer listed or of a deleted record are withdrawn", async () => {
    const jp1 = (await materialOf("JP0001")) as { id: number };
    const patron = (await patronOfCard("30000002")) as { id: number };
    await env.DB.prepare(
      "INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at, accepted_at) VALUES (?, ?, 'central', 'reserved', 'counter', 1, 1)",
    )
      .bind(patron.id, jp1.id)
      .run();
    // The deleted record's copy is on loan: it is reported, not withdrawn.
    const m61 = (await itemOfBarcode("M0000061")) as { id: number };
    await env.DB.batch([
      env.DB.prepare("UPDATE items SET status = 'on_loan' WHERE id = ?").bind(m61.id),
      env.DB.prepare("INSERT INTO loans (item_id, patron_id, loaned_at, due_date) VALUES (?, ?, 1, '2026-12-20')").bind(
        m61.id,
        patron.id,
      ),
    ]);
    const run = await importFixture("marc", "catalog-changed.mrc");
    // JP0003 is still refused (its ISBN), JP0006 is deleted: neither counts as a record imported.
    expect(run).toMatchObject({ status: "done", updated: 1, unchanged: 3, withdrawn: 1 });
    const after = (await materialOf("JP0001")) as { id: number; title: string };
    expect(after).toMatchObject({ id: jp1.id, title: "図書館のしごと 改訂版" });
    expect((await search("改訂版")).map((m) => m.id)).toContain(jp1.id);
    expect(await itemOfBarcode("M0000012")).toMatchObject({ status: "withdrawn" });
    expect(await itemOfBarcode("M0000061")).toMatchObject({ status: "on_loan" });
    expect((await rejectsOfRun(run.id)).map((r) => [r.key, r.reason])).toContainEqual([
      "M0000061",
      "貸出中の所蔵は除籍しません（返却後に次の取込で除籍されます）。",
    ]);
    const kept = await env.DB.prepare("SELECT count(*) AS n FROM reservations WHERE material_id = ? AND status = 'reserved'")
      .bind(jp1.id)
      .first();
    expect(kept).toEqual({ n: 1 });
  });

  it("a full copies export: a dry run says what would go and changes nothing; then absent copies are withdrawn, never one on loan or on hold", async () => {
    // The file lists one copy of all the imported ones: C1003 and M0000061 are on loan, C1002 is set aside
    // for a reservation; C1006, M0000011, M0000021 and M0000041 are simply absent.
    const c2 = (await itemOfBarcode("C1002")) as { id: number; material_id: number };
    await env.DB.prepare("INSERT INTO patrons (card_number, name) VALUES ('39999999', '取置 テスト')").run();
    const patron = (await patronOfCard("39999999")) as { id: number };
    await env.DB.batch([
      env.DB.prepare("UPDATE items SET status = 'on_hold' WHERE id = ?").bind(c2.id),
      env.DB.prepare(
        "INSERT INTO reservations (patron_id, material_id, pickup_branch, status, source, applied_at, accepted_at, hold_item_id, held_at, hold_until) VALUES (?, ?, 'central', 'on_hold', 'counter', 1, 1, ?, 1, '2026-12-10')",
      ).bind(patron.id, c2.material_id, c2.id),
    ]);
    const file = text("バーコード,書誌番号,所蔵館\nC1001,C0001,central\n");
    const before = await snapshot();
    const dry = await importBytes("copies", file, { full: true, dryRun: true });
    expect(dry).toMatchObject({ status: "done", copiesUnchanged: 0, copiesUpdated: 1, withdrawn: 4 });
    expect(await snapshot()).toBe(before);
    const run = await importBytes("copies", file, { full: true });
    expect(run).toMatchObject({ status: "done", withdrawn: 4 });
    for (const b of ["C1006", "M0000011", "M0000021", "M0000041"])
      expect(await itemOfBarcode(b)).toMatchObject({ status: "withdrawn" });
    expect(await itemOfBarcode("C1003")).toMatchObject({ status: "on_loan" });
    expect(await itemOfBarcode("C1002")).toMatchObject({ status: "on_hold" });
    const reasons = (await rejectsOfRun(run.id)).map((r) => [r.key, r.reason]);
    expect(reasons).toContainEqual(["C1003", "貸出中の所蔵は除籍しません（返却後に次の取込で除籍されます）。"]);
    expect(reasons).toContainEqual(["C1002", "取置中の所蔵は除籍しません（取置が終わった後の取込で除籍されます）。"]);
    // Copies made here, not by an import, are never removed by a full export.
    const local = await env.DB.prepare(
      "SELECT count(*) AS n FROM items WHERE source_hash IS NULL AND status = 'withdrawn'",
    ).first();
    const localBefore = JSON.parse(before)[1].filter(
      (i: { source_hash: string | null; status: string }) => i.source_hash === null && i.status === "withdrawn",
    ).length;
    expect(local).toEqual({ n: localBefore });
  });

  it("a full loans export returns the loans it no longer lists", async () => {
    const run = await importBytes(
      "loans",
      text("バーコード,利用者番号,貸出日,返却期限\nC1001,30000001,2026-11-25,2026-12-16\n"),
      { full: true },
    );
    expect(run).toMatchObject({ status: "done", updated: 1, returned: 2 });
    expect(await itemOfBarcode("C1003")).toMatchObject({ status: "available" });
    expect(await itemOfBarcode("M0000061")).toMatchObject({ status: "available" });
  });
});

describe("bad input", () => {
  it("a line in neither UTF-8 nor Shift_JIS is listed; the other lines are imported", async () => {
    const bytes = new Uint8Array([
      ...text("書誌番号,書名\nE0001,よい行\nE0002,"),
      0xff,
      0xfe,
      0x0a,
      ...text("E0003,もうひとつよい行\n"),
    ]);
    const run = await importBytes("materials", bytes);
    expect(run).toMatchObject({ status: "done", added: 2, rejected: 1 });
    expect(await rejectsOfRun(run.id)).toEqual([
      { line: 3, key: null, reason: "文字コードが正しくありません（UTF-8 または Shift_JIS で保存してください）。" },
    ]);
  });

  it("a MARC file that is not MARC, or a CSV sent as MARC, is refused before anything runs", async () => {
    const post = (kind: string, body: string) =>
      call(`/api/v1/admin/imports?kind=${kind}`, { method: "POST", headers: { ...ADMIN, "content-type": "text/plain" }, body });
    const notMarc = await post("marc", "書誌番号,書名\n1,本\n");
    expect(notMarc.status).toBe(400);
    expect(((await notMarc.json()) as { error: { fields: { file: string } } }).error.fields.file).toContain("MARC");
    const notCsv = await post("copies", "00100nam a2200000 i 4500");
    expect(notCsv.status).toBe(400);
    const kind = await post("books", "x");
    expect(kind.status).toBe(400);
    expect(((await kind.json()) as { error: { fields: Record<string, string> } }).error.fields.kind).toContain("marc");
    const empty = await call("/api/v1/admin/imports?kind=copies", { method: "POST", headers: ADMIN });
    expect(empty.status).toBe(400);
    const unauthorised = await call("/api/v1/admin/imports?kind=copies", { method: "POST", body: "a,b\n" });
    expect(unauthorised.status).toBe(401);
    expect((await call("/api/v1/admin/imports/999999", { headers: ADMIN })).status).toBe(404);
  });

  it("a long quoted row crossing slice boundaries is read whole", async () => {
    const long = "長".repeat(450);
    const run = await importBytes("materials", text(`書誌番号,書名\nQ0001,"${long}\n${long}"\nQ0002,短い\n`), {
      sliceBytes: 256,
    });
    expect(await rejectsOfRun(run.id)).toEqual([]);
    expect(run).toMatchObject({ status: "done", added: 2, rejected: 0 });
    expect(String((await materialOf("Q0001"))?.title).length).toBe(901);
  });
});

describe("retention", () => {
  it("rejected rows are deleted by the nightly refresh 14 days after their run ended, not before", async () => {
    const old = await importBytes("materials", text("書誌番号,書名\n,書誌番号なし\n"));
    const recent = await importBytes("materials", text("書誌番号,書名\n,これも書誌番号なし\n"));
    const day = 24 * 60 * 60 * 1000;
    await env.DB.batch([
      env.DB.prepare("UPDATE import_runs SET finished_at = ? WHERE id = ?").bind(Date.now() - 15 * day, old.id),
      env.DB.prepare("UPDATE import_runs SET finished_at = ? WHERE id = ?").bind(Date.now() - 13 * day, recent.id),
    ]);
    const summary = await runJob(env, "nightly", { date: "2031-01-05", now: Date.now() });
    expect(summary.importRejectsDeleted).toBeGreaterThanOrEqual(1);
    expect(await rejectsOfRun(old.id)).toEqual([]);
    expect(await rejectsOfRun(recent.id)).toHaveLength(1);
  });
});

describe("a run that stops", () => {
  const many = () => {
    let csv = "書誌番号,書名\n";
    for (let i = 1; i <= 300; i++) csv += `R${String(i).padStart(4, "0")},再開のテスト ${i}\n`;
    return text(csv);
  };

  it("resumes where it stopped after the Worker died between two steps, and counts each row once", async () => {
    const stepped = steppedEnv();
    const bytes = many();
    const id = await startImport(
      stepped.env,
      { kind: "materials", dryRun: false, full: false, origin: "api", actor: "test", fileName: "r.csv" },
      new Blob([bytes]),
      bytes.length,
    );
    // One slice is written, then the Worker dies before its next message is sent: the message is lost.
    const first = stepped.sent.shift();
    if (!first) throw new Error("no first message");
    await advanceRun(stepped.env, first, { sliceBytes: 1024, maxSlices: 1 });
    stepped.sent.length = 0;
    const stopped = await runById(env.DB, id);
    expect(stopped).toMatchObject({ status: "running", phase: "rows" });
    expect(stopped?.added).toBeGreaterThan(0);
    expect(stopped?.added).toBeLessThan(300);
    // The same first message delivered again (at least once) is dropped: the slice is not applied twice.
    await advanceRun(stepped.env, first, { sliceBytes: 1024 });
    expect((await runById(env.DB, id))?.added).toBe(stopped?.added);
    stepped.sent.length = 0;
    // The nightly refresh finds the run quiet and asks for its next step.
    expect(await resumeStalledImports(stepped.env, Date.now(), 60 * 60 * 1000)).toBe(0);
    expect(await resumeStalledImports(stepped.env, Date.now() + 11 * 60 * 1000)).toBe(1);
    const done = await drain(stepped, id, { sliceBytes: 1024 });
    expect(done).toMatchObject({ status: "done", added: 300, rejected: 0 });
    const n = await env.DB.prepare("SELECT count(*) AS n FROM materials WHERE source_id LIKE 'R%'").first();
    expect(n).toEqual({ n: 300 });
    expect(await env.IMPORTS.head(done.objectKey)).toBeNull();
  });

  // Thousands of slices through local D1: what it checks is the query count, not the time, which on a
  // loaded 2-core machine passes the default 5 s.
  it("one message stays inside D1's 1,000 queries per invocation, however many slices the file has", async () => {
    const { db, tally } = countingD1(env.DB);
    const stepped = steppedEnv();
    const countedEnv = { ...stepped.env, DB: db };
    let csv = "書誌番号,書名\n";
    for (let i = 1; i <= 3000; i++) csv += `L${String(i).padStart(5, "0")},問い合わせ数のテスト ${i}\n`;
    const bytes = text(csv);
    const id = await startImport(
      countedEnv,
      { kind: "materials", dryRun: false, full: false, origin: "api", actor: "test", fileName: "l.csv" },
      new Blob([bytes]),
      bytes.length,
    );
    tally.queries = 0;
    await advanceRun(countedEnv, stepped.sent.shift() as ImportMessage, { sliceBytes: 256 });
    expect(tally.queries).toBeLessThan(1000);
    const after = await runById(env.DB, id);
    expect(after?.status).toBe("running");
    expect(stepped.sent).toHaveLength(1);
    // The rest of the run, so the imports after it do not wait for it.
    expect(await drain(stepped, id, { sliceBytes: 256 })).toMatchObject({ status: "done", added: 3000 });
  }, 60_000);

  it("imports run one at a time in the order they were started: loans wait for the patrons file before them", async () => {
    const stepped = steppedEnv();
    const start = (kind: "patrons" | "loans", csv: string) => {
      const bytes = text(csv);
      return startImport(
        stepped.env,
        { kind, dryRun: false, full: false, origin: "api", actor: "test", fileName: `${kind}.csv` },
        new Blob([bytes]),
        bytes.length,
      );
    };
    await env.DB.prepare(
      "INSERT INTO items (material_id, branch_code, barcode, status) SELECT id, 'central', 'WAIT0001', 'available' FROM materials WHERE source_id = 'C0001'",
    ).run();
    const patrons = await start("patrons", "利用者番号,氏名\n50000001,順番 待子\n");
    const loans = await start("loans", "バーコード,利用者番号,貸出日,返却期限\nWAIT0001,50000001,2026-12-01,2026-12-15\n");
    const [first, second] = stepped.sent.splice(0);
    if (!first || !second) throw new Error("two runs, two messages");
    // The loans run's message comes first: it waits, asking again later.
    expect(await advanceRun(stepped.env, second)).toBe("waiting");
    expect(await runById(env.DB, loans)).toMatchObject({ status: "queued", added: 0 });
    stepped.sent.unshift(first);
    expect(await drain(stepped, patrons)).toMatchObject({ status: "done", added: 1 });
    const done = await runById(env.DB, loans);
    expect(done).toMatchObject({ status: "done", added: 1, rejected: 0 });
  });

  it("a slice delivered to two consumers at once is written once", async () => {
    const stepped = steppedEnv();
    const bytes = text("書誌番号,書名\nD0001,二重配達\n");
    const id = await startImport(
      stepped.env,
      { kind: "materials", dryRun: false, full: false, origin: "api", actor: "test", fileName: "d.csv" },
      new Blob([bytes]),
      bytes.length,
    );
    const first = stepped.sent.shift();
    if (!first) throw new Error("no first message");
    const outcomes = await Promise.all([advanceRun(stepped.env, first), advanceRun(stepped.env, first)]);
    expect(outcomes).toContain("finished");
    const run = await drain(stepped, id);
    expect(run).toMatchObject({ status: "done", added: 1 });
  });
});

describe("through the Worker: the staff API, the import queue and R2", () => {
  const poll = async (id: number) => {
    for (let i = 0; i < 100; i++) {
      const res = await call(`/api/v1/admin/imports/${id}`, { headers: ADMIN });
      const body = (await res.json()) as { status: string };
      if (body.status === "done" || body.status === "failed") return body as Record<string, unknown>;
      await new Promise((r) => setTimeout(r, 200));
    }
    throw new Error("import did not finish");
  };

  it("POST the file: 202 {id}, the queue's consumer runs it, GET shows counts and rejected rows, the file is deleted", async () => {
    const res = await call("/api/v1/admin/imports?kind=materials", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "text/csv" },
      body: "書誌番号,書名,ISBN\nW0001,ウェブから取り込む本,\nW0002,おかしなISBN,123\n",
    });
    expect(res.status).toBe(202);
    const { id } = (await res.json()) as { id: number };
    const report = await poll(id);
    expect(report).toMatchObject({
      id,
      kind: "materials",
      status: "done",
      counts: { added: 1, updated: 0, unchanged: 0, withdrawn: 0, rejected: 1 },
      rejected: [{ line: 3, key: null, reason: "ISBN「123」が正しくありません（チェックディジットが合いません）。" }],
    });
    const csv = await call(`/api/v1/admin/imports/${id}/rejected.csv`, { headers: ADMIN });
    expect(csv.headers.get("content-type")).toContain("text/csv");
    expect(await csv.text()).toContain("3,,ISBN「123」が正しくありません");
    const run = await runById(env.DB, id);
    expect(await env.IMPORTS.head(run?.objectKey ?? "")).toBeNull();
  });

  it("files the library system drops in R2 are picked up by the nightly refresh, in order, and deleted once imported", async () => {
    await env.IMPORTS.put("incoming/patrons.20261202.csv", "利用者番号,氏名\n40000001,夜間 取込\n");
    await env.IMPORTS.put("incoming/materials.20261202.csv", "書誌番号,書名\nN0001,夜間の本\n");
    await env.IMPORTS.put("incoming/unknown-file.bin", "x");
    const res = await call("/api/v1/admin/jobs/nightly", {
      method: "POST",
      headers: { ...ADMIN, "content-type": "application/json" },
      body: "{}",
    });
    expect(res.status).toBe(200);
    const summary = (await res.json()) as { importsStarted: number };
    expect(summary.importsStarted).toBe(3);
    const list = (await (await call("/api/v1/admin/imports", { headers: ADMIN })).json()) as {
      items: Array<{ id: number; fileName: string; kind: string; status: string; error: string | null }>;
    };
    const dropped = list.items.filter((i) =>
      ["patrons.20261202.csv", "materials.20261202.csv", "unknown-file.bin"].includes(i.fileName),
    );
    expect(dropped.map((d) => d.fileName).sort()).toEqual(["materials.20261202.csv", "patrons.20261202.csv", "unknown-file.bin"]);
    expect(dropped.find((d) => d.fileName === "unknown-file.bin")).toMatchObject({ status: "failed" });
    for (const d of dropped.filter((d) => d.fileName !== "unknown-file.bin"))
      expect(await poll(d.id)).toMatchObject({ status: "done" });
    expect(await patronOfCard("40000001")).toMatchObject({ name: "夜間 取込", web_enabled: 0 });
    expect(await env.IMPORTS.head("incoming/patrons.20261202.csv")).toBeNull();
    // The same drop seen again (a rerun) makes no new run.
    const again = (await (await call("/api/v1/admin/imports/pickup", { method: "POST", headers: ADMIN })).json()) as {
      started: number[];
    };
    expect(again.started).toEqual([]);
  });
});
