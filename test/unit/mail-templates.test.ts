// The library's mails: Japanese wording per kind, the pickup library and deadline in a hold mail, the
// footer every mail carries, and nothing secret or forged in them.
import { describe, expect, it } from "vitest";
import { digestMail } from "../../src/mail/digest-template";
import { acceptedMail, holdReadyMail, type MailInput, rejectedMail, renderMail } from "../../src/mail/templates";

const common = {
  libraryName: "みなみ市立図書館",
  baseUrl: "https://library.minami.example.jp/",
  patronName: "南 花子",
  title: "吾輩は猫である",
};

const inputs: MailInput[] = [
  { kind: "accepted", ...common, pickupBranchName: "北部分館", queuePosition: 3 },
  { kind: "rejected", ...common, reason: "予約できる件数（10件）を超えています。" },
  { kind: "hold_ready", ...common, pickupBranchName: "うみべ分館", holdUntil: "2026-12-05" },
];

describe("every mail", () => {
  it.each(inputs)("$kind: greets the patron by name with 様 on the first line and signs with the library's name", (input) => {
    const { body } = renderMail(input);
    const lines = body.trimEnd().split("\n");
    expect(lines[0]).toBe("南 花子 様");
    expect(lines.at(-1)).toBe("みなみ市立図書館");
  });

  it.each(inputs)("$kind: names the title and starts the subject with 【みなみ市立図書館】", (input) => {
    const { subject, body } = renderMail(input);
    expect(subject.startsWith("【みなみ市立図書館】")).toBe(true);
    expect(body).toContain("資料名：吾輩は猫である");
  });

  it.each(inputs)("$kind: keeps the title out of the subject (it shows on lock screens and in mail lists)", (input) => {
    expect(renderMail(input).subject).not.toContain("吾輩は猫である");
  });

  it.each(inputs)("$kind: points to 予約状況 and the mail help page on the site, without a double slash", (input) => {
    const { body } = renderMail(input);
    expect(body).toContain("「予約状況」");
    expect(body).toContain("https://library.minami.example.jp/account/reservations\n");
    expect(body).toContain("https://library.minami.example.jp/help/mail\n");
    expect(body).not.toContain("jp//");
  });

  it.each(inputs)("$kind: never carries a password, a token, a card number field or a query string", (input) => {
    const { subject, body } = renderMail(input);
    for (const text of [subject, body]) {
      expect(text).not.toMatch(/パスワード|password|token|トークン|session|セッション|利用者番号/i);
      expect(text).not.toMatch(/\?[a-z]+=/i);
    }
  });

  it.each(inputs)("$kind: is plain text (no HTML tags) with single-line subject", (input) => {
    const { subject, body } = renderMail(input);
    expect(body).not.toMatch(/<[a-z/][^>]*>/i);
    expect(subject).not.toMatch(/[\r\n]/);
  });

  it("keeps a title or name with line breaks on its own line, so it cannot fake another line", () => {
    const { subject, body } = renderMail({
      kind: "hold_ready",
      ...common,
      title: "題名\n受取館：偽の館\r\n",
      patronName: "花子\n様",
      libraryName: "みなみ市立図書館\nBcc: x@example.jp",
      pickupBranchName: "中央図書館",
      holdUntil: "2026-12-05",
    });
    expect(body).toContain("資料名：題名 受取館：偽の館\n");
    expect(body.split("\n").filter((l) => l.startsWith("受取館："))).toEqual(["受取館：中央図書館"]);
    expect(subject).not.toMatch(/[\r\n]/);
  });
});

describe("予約受付 (accepted)", () => {
  it("says the reservation was accepted, with pickup library and 予約順位", () => {
    const { subject, body } = acceptedMail({ ...common, pickupBranchName: "北部分館", queuePosition: 3 });
    expect(subject).toBe("【みなみ市立図書館】予約受付のお知らせ");
    expect(body).toContain("予約を受け付けました");
    expect(body).toContain("受取館：北部分館");
    expect(body).toContain("予約順位：3位");
    expect(body).toContain("あらためてメールでお知らせします");
  });

  it("leaves out the 予約順位 line when there is no position", () => {
    const { body } = acceptedMail({ ...common, pickupBranchName: "北部分館", queuePosition: null });
    expect(body).not.toContain("予約順位");
  });
});

describe("予約拒否 (rejected)", () => {
  it("says the reservation could not be accepted and gives the library's reason", () => {
    const { subject, body } = rejectedMail({ ...common, reason: "予約できる件数（10件）を超えています。" });
    expect(subject).toBe("【みなみ市立図書館】予約をお受けできませんでした");
    expect(body).toContain("お受けできませんでした");
    expect(body).toContain("理由：予約できる件数（10件）を超えています。");
  });

  it("asks the patron to contact the library when no reason was recorded", () => {
    const { body } = rejectedMail({ ...common, reason: null });
    expect(body).toContain("理由：詳しくは図書館へお問い合わせください。");
  });
});

describe("お取り置き (hold_ready)", () => {
  const hold = holdReadyMail({ ...common, pickupBranchName: "うみべ分館", holdUntil: "2026-12-05" });

  it("says the item is ready and set aside (お取り置き)", () => {
    expect(hold.subject).toBe("【みなみ市立図書館】予約資料のご用意ができました");
    expect(hold.body).toContain("お取り置きしています");
  });

  it("names the pickup library", () => {
    expect(hold.body).toContain("受取館：うみべ分館");
    expect(hold.body).toContain("うみべ分館のカウンターでお受け取りください");
  });

  it("gives the hold deadline as 2026年12月5日 with its weekday", () => {
    expect(hold.body).toContain("取置期限：2026年12月5日(土)まで");
  });

  it("tells the patron to bring the library card", () => {
    expect(hold.body).toContain("利用者カードをお持ちください");
  });

  it("says what happens after the deadline and that a hold is cancelled by calling the library", () => {
    expect(hold.body).toContain("取置期限切れ");
    expect(hold.body).toContain("受取館へご連絡ください");
  });
});

describe("mail without titles (a shared mailbox)", () => {
  it.each(inputs)("$kind: shows only the start of the title and the count, and says why", (input) => {
    const { subject, body } = renderMail({ ...input, titlesHidden: true });
    expect(body).not.toContain("吾輩は猫である");
    expect(subject).not.toContain("吾輩");
    expect(body).toContain("資料名：吾輩…（1点）");
    expect(body).toContain("（ご希望により、資料名は最初の数文字だけをお知らせしています。）");
  });

  it("keeps the whole title otherwise", () => {
    expect(renderMail({ ...(inputs[0] as MailInput), titlesHidden: false }).body).toContain("資料名：吾輩は猫である");
  });
});

describe("digestMail", () => {
  const base = { libraryName: "みなみ市立図書館", baseUrl: "https://library.example.jp/", patronName: "山田 花子" };
  it("names the kind in the subject when all items are of one kind, else 予約・貸出のお知らせ", () => {
    const one = digestMail({
      ...base,
      items: [
        { kind: "due_soon", title: "坊っちゃん", dueDate: "2026-12-05" },
        { kind: "due_soon", title: "こころ", dueDate: "2026-12-05" },
      ],
    });
    expect(one.subject).toBe("【みなみ市立図書館】返却期限のお知らせ（2点）");
    expect(one.body).toContain("■返却期限が近づいています（2点）");
    expect(one.body).toContain("https://library.example.jp/account/loans");
    const mixed = digestMail({
      ...base,
      items: [
        { kind: "accepted", title: "坊っちゃん", pickupBranchName: "中央図書館", queuePosition: 2 },
        { kind: "rejected", title: "こころ", reason: null },
      ],
    });
    expect(mixed.subject).toBe("【みなみ市立図書館】予約・貸出のお知らせ（2点）");
    expect(mixed.body).toContain("・坊っちゃん（受取館：中央図書館、予約順位：2位）");
    expect(mixed.body).toContain("・こころ（理由：詳しくは図書館へお問い合わせください。）");
  });

  it("keeps each item on one line and leaves titles out when asked", () => {
    const { body } = digestMail({
      ...base,
      titlesHidden: true,
      items: [{ kind: "hold_expiring", title: "吾輩は\n猫である", pickupBranchName: "北\r\n分館", holdUntil: "2026-12-08" }],
    });
    expect(body).toContain("・吾輩…（1点）（受取館：北 分館、取置期限：2026年12月8日(火)まで）");
    expect(body).not.toContain("猫である");
  });
});
