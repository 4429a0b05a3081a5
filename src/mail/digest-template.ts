// The morning's one mail per patron: what the acceptance decided (予約受付, 予約拒否), copies set aside,
// 不要になる日 cancellations and the opt-in reminders (返却期限が近い, 延滞, 取置期限が近い), each listed under its
// heading. A morning with one event for a reservation keeps that event's own mail (templates.ts).
import type { MailKind, ReminderKind } from "../domain/mail-keys";
import { jaDateWithYear } from "../views/format";
import { compose, type MailCommon, type MailContent, oneLine, subject, titleOf } from "./templates";

export type DigestItem =
  | { kind: "accepted"; title: string; pickupBranchName: string; queuePosition: number | null }
  | { kind: "rejected"; title: string; reason: string | null }
  | { kind: "hold_ready"; title: string; pickupBranchName: string; holdUntil: string }
  | { kind: "not_needed"; title: string; notNeededAfter: string }
  | { kind: "due_soon"; title: string; dueDate: string }
  | { kind: "overdue"; title: string; dueDate: string }
  | { kind: "hold_expiring"; title: string; pickupBranchName: string; holdUntil: string };

export interface DigestMail extends Omit<MailCommon, "title"> {
  items: DigestItem[];
}

type Kind = MailKind | ReminderKind;

/** In this order: what needs the patron at the counter first. */
const SECTIONS: Array<{ kind: Kind; subject: string; heading: string }> = [
  { kind: "hold_ready", subject: "予約資料のご用意ができました", heading: "ご用意ができました（受取館でお取り置きしています）" },
  {
    kind: "hold_expiring",
    subject: "取置期限が近づいています",
    heading: "取置期限が近づいています（期限を過ぎますと次の方へお回しします）",
  },
  { kind: "overdue", subject: "返却期限を過ぎた資料があります", heading: "返却期限を過ぎています。お早めにご返却ください" },
  { kind: "due_soon", subject: "返却期限のお知らせ", heading: "返却期限が近づいています" },
  { kind: "accepted", subject: "予約受付のお知らせ", heading: "予約を受け付けました" },
  { kind: "rejected", subject: "予約をお受けできませんでした", heading: "予約をお受けできませんでした" },
  { kind: "not_needed", subject: "予約を取り消しました", heading: "「不要になる日」を過ぎたため、予約を取り消しました" },
];

function line(m: DigestMail, item: DigestItem): string {
  const title = titleOf({ title: item.title, titlesHidden: m.titlesHidden });
  const until = (d: string) => `${jaDateWithYear(d)}まで`;
  switch (item.kind) {
    case "accepted":
      return `・${title}（受取館：${oneLine(item.pickupBranchName)}${item.queuePosition ? `、予約順位：${item.queuePosition}位` : ""}）`;
    case "rejected":
      return `・${title}（理由：${item.reason ? oneLine(item.reason) : "詳しくは図書館へお問い合わせください。"}）`;
    case "hold_ready":
    case "hold_expiring":
      return `・${title}（受取館：${oneLine(item.pickupBranchName)}、取置期限：${until(item.holdUntil)}）`;
    case "not_needed":
      return `・${title}（不要になる日：${jaDateWithYear(item.notNeededAfter)}）`;
    case "due_soon":
    case "overdue":
      return `・${title}（返却期限：${jaDateWithYear(item.dueDate)}）`;
  }
}

/** One mail listing every item under its heading; the subject names the kind when there is only one. */
export function digestMail(m: DigestMail): MailContent {
  const present = SECTIONS.filter((s) => m.items.some((i) => i.kind === s.kind));
  const lines: string[] = ["ご利用中の資料と予約について、お知らせします。"];
  for (const s of present) {
    const items = m.items.filter((i) => i.kind === s.kind);
    lines.push("", `■${s.heading}（${items.length}点）`, ...items.map((i) => line(m, i)));
  }
  const kinds = new Set(m.items.map((i) => i.kind));
  if (kinds.has("due_soon") || kinds.has("overdue"))
    lines.push(
      "",
      "返却期限の確認と延長は、ホームページの「利用状況照会」→「貸出状況」からできます（予約の入っている資料などは延長できません）。",
      `${m.baseUrl.replace(/\/+$/, "")}/account/loans`,
    );
  if (kinds.has("hold_ready") || kinds.has("hold_expiring"))
    lines.push("", "お受け取りの際は、市立図書館利用者カードをお持ちください。");
  const only = present.length === 1 ? present[0] : undefined;
  const what = only ? only.subject : "予約・貸出のお知らせ";
  return { subject: subject(m, `${what}（${m.items.length}点）`), body: compose(m, lines) };
}
