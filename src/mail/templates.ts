// The library's mails to patrons, one function per message, so the wording can be reviewed with the library.
// Pure: they take only what the message shows. No password, session token or login link ever goes in a mail;
// links are plain pages (予約状況, the mail help) that ask the patron to log in as usual.
import { jaDateWithYear } from "../views/format";

export { MAIL_KINDS, type MailKind } from "../domain/mail-keys";

/** Text from the database goes into a plain-text mail: no line breaks inside one field (they could fake lines). */
export const oneLine = (s: string): string => s.replace(/[\r\n\u2028\u2029]+/g, " ").trim();

export interface MailContent {
  subject: string;
  body: string;
}

/** What every mail carries: who it is for, which material, who sends it and where the site is. */
export interface MailCommon {
  libraryName: string;
  /** The site's origin, e.g. https://library.minami.example.jp (a trailing slash is ignored). */
  baseUrl: string;
  patronName: string;
  title: string;
  /** The patron asked for mail without titles (a shared mailbox): only the title's first characters are shown. */
  titlesHidden?: boolean;
}

/** Characters of a title kept in mail without titles: enough to tell one's own books apart, not to read them. */
const TITLE_HINT_CHARS = 2;

/** 「吾輩…」 (1点): the start of a title and the count, for mail without titles. */
export function titleHint(title: string, count = 1): string {
  const chars = [...oneLine(title)];
  return `${chars.slice(0, TITLE_HINT_CHARS).join("")}…（${count}点）`;
}

/** The title as this mail may show it. */
export const titleOf = (m: Pick<MailCommon, "title" | "titlesHidden">): string =>
  m.titlesHidden ? titleHint(m.title) : oneLine(m.title);

export interface AcceptedMail extends MailCommon {
  pickupBranchName: string;
  /** 予約順位 at the time of the mail; null when the reservation no longer waits in the queue. */
  queuePosition: number | null;
}

export interface RejectedMail extends MailCommon {
  /** The reason as the library words it; null when none was given. */
  reason: string | null;
}

export interface HoldReadyMail extends MailCommon {
  pickupBranchName: string;
  /** The last day to collect, 'YYYY-MM-DD'. */
  holdUntil: string;
}

export interface NotNeededMail extends MailCommon {
  /** The 不要になる日 the patron set, 'YYYY-MM-DD'. */
  notNeededAfter: string;
}

export type MailInput =
  | ({ kind: "accepted" } & AcceptedMail)
  | ({ kind: "rejected" } & RejectedMail)
  | ({ kind: "hold_ready" } & HoldReadyMail)
  | ({ kind: "not_needed" } & NotNeededMail);

const origin = (baseUrl: string): string => baseUrl.replace(/\/+$/, "");

export function subject(m: Pick<MailCommon, "libraryName">, what: string): string {
  return oneLine(`【${m.libraryName}】${what}`);
}

/** Salutation, the message lines, then the same footer on every mail: 予約状況, the mail help, the signature. */
export function compose(m: Omit<MailCommon, "title">, lines: string[]): string {
  const site = origin(m.baseUrl);
  return [
    `${oneLine(m.patronName)} 様`,
    "",
    `${oneLine(m.libraryName)}です。`,
    ...lines,
    ...(m.titlesHidden ? ["", "（ご希望により、資料名は最初の数文字だけをお知らせしています。）"] : []),
    "",
    "予約の状況は、ホームページの「利用状況照会」→「予約状況」でご確認いただけます。",
    `${site}/account/reservations`,
    "",
    "図書館からのメールが届かない場合や、お心当たりのない場合は、次のページをご覧ください。",
    `${site}/help/mail`,
    "",
    "※このメールは送信専用のアドレスからお送りしています。ご返信いただいてもお答えできません。",
    "",
    "――――――――――――――――",
    oneLine(m.libraryName),
    "",
  ].join("\n");
}

/** 予約受付: the morning acceptance made an application 予約中. */
export function acceptedMail(m: AcceptedMail): MailContent {
  return {
    subject: subject(m, "予約受付のお知らせ"),
    body: compose(m, [
      "インターネットでお申し込みいただいた次の予約を受け付けました。",
      "",
      `資料名：${titleOf(m)}`,
      `受取館：${oneLine(m.pickupBranchName)}`,
      ...(m.queuePosition ? [`予約順位：${m.queuePosition}位（受付時点）`] : []),
      "",
      "資料のご用意ができましたら、あらためてメールでお知らせします。",
    ]),
  };
}

/** 予約拒否: the morning acceptance refused an application, with the library's reason. */
export function rejectedMail(m: RejectedMail): MailContent {
  const reason = m.reason ? oneLine(m.reason) : "";
  return {
    subject: subject(m, "予約をお受けできませんでした"),
    body: compose(m, [
      "インターネットでお申し込みいただいた次の予約は、お受けできませんでした。",
      "",
      `資料名：${titleOf(m)}`,
      `理由：${reason || "詳しくは図書館へお問い合わせください。"}`,
      "",
      "ご不明な点は、図書館のカウンターまたはお電話でお問い合わせください。",
    ]),
  };
}

/** お取り置き: a copy is set aside at the pickup library until the hold deadline. */
export function holdReadyMail(m: HoldReadyMail): MailContent {
  const until = jaDateWithYear(m.holdUntil);
  return {
    subject: subject(m, "予約資料のご用意ができました"),
    body: compose(m, [
      "ご予約の資料をご用意しました。受取館でお取り置きしています。",
      "",
      `資料名：${titleOf(m)}`,
      `受取館：${oneLine(m.pickupBranchName)}`,
      `取置期限：${until}まで`,
      "",
      `${until}までに、${oneLine(m.pickupBranchName)}のカウンターでお受け取りください。`,
      "お受け取りの際は、市立図書館利用者カードをお持ちください。",
      "期限を過ぎますと予約は取置期限切れとなり、資料は次にお待ちの方へお回しします。",
      "お取り置き中の予約はホームページから取り消せません。取り消す場合は受取館へご連絡ください。",
    ]),
  };
}

/** 不要になる日: the nightly refresh cancelled a reservation the patron no longer needed after that date. */
export function notNeededMail(m: NotNeededMail): MailContent {
  return {
    subject: subject(m, "予約を取り消しました（不要になる日を過ぎました）"),
    body: compose(m, [
      `ご指定の「不要になる日」（${jaDateWithYear(m.notNeededAfter)}）を過ぎたため、次の予約を取り消しました。`,
      "",
      `資料名：${titleOf(m)}`,
      "",
      "引き続きご希望の場合は、あらためて予約をお申し込みください（予約の順番は最後になります）。",
    ]),
  };
}

/** The message of any kind. */
export function renderMail(input: MailInput): MailContent {
  switch (input.kind) {
    case "accepted":
      return acceptedMail(input);
    case "rejected":
      return rejectedMail(input);
    case "hold_ready":
      return holdReadyMail(input);
    case "not_needed":
      return notNeededMail(input);
  }
}
