// The library's password rule (4–8 half-width letters or digits) plus refusal of the guessable.

export const PASSWORD_PATTERN = /^[A-Za-z0-9]{4,8}$/;

/** The most common short passwords (lower-cased), refused even though they fit the library's rule. */
const COMMON = new Set([
  "password",
  "passwor",
  "passw0rd",
  "pass",
  "pass1234",
  "qwerty",
  "qwertyui",
  "asdf",
  "asdfgh",
  "asdfghjk",
  "zxcv",
  "zxcvbnm",
  "abc123",
  "abcd1234",
  "a1b2c3",
  "a1b2c3d4",
  "iloveyou",
  "admin",
  "admin123",
  "root",
  "test",
  "test1234",
  "guest",
  "login",
  "welcome",
  "letmein",
  "monkey",
  "dragon",
  "master",
  "sunshine",
  "princess",
  "football",
  "baseball",
  "soccer",
  "hello",
  "hello123",
  "secret",
  "library",
  "tosho",
  "toshokan",
  "yoyaku",
  "user",
  "user1234",
  "changeme",
  "trustno1",
  "111111",
  "112233",
  "121212",
  "123123",
  "123321",
  "159753",
  "654321",
  "666666",
  "696969",
  "123qwe",
  "qwe123",
  "1q2w3e",
  "1q2w3e4r",
  "qazwsx",
  "pokemon",
  "naruto",
  "sakura",
  "doraemon",
  "kari",
  "karipass",
]);

function isRepeated(p: string): boolean {
  return [...p].every((ch) => ch === p[0]);
}

/** 1234, 4321, abcd, dcba, and digits round the keypad (7890, 9012): each one step from the previous, all one way. */
function isSequential(p: string): boolean {
  const chars = [...p.toLowerCase()];
  const stepOf = (a: string, b: string) => {
    if (/\d/.test(a) && /\d/.test(b)) return (((Number(b) - Number(a)) % 10) + 10) % 10; // 1 up, 9 down
    const d = b.charCodeAt(0) - a.charCodeAt(0);
    return d === 1 ? 1 : d === -1 ? 9 : 0;
  };
  const step = stepOf(chars[0] ?? "", chars[1] ?? "");
  if (step !== 1 && step !== 9) return false;
  return chars.every((ch, i) => i === 0 || stepOf(chars[i - 1] ?? "", ch) === step);
}

/** A short pattern repeated (1212, abab, 123123). */
function isRepeatedPattern(p: string): boolean {
  for (let len = 1; len <= p.length / 2; len++) {
    if (p.length % len === 0 && p.slice(0, len).repeat(p.length / len) === p) return true;
  }
  return false;
}

export interface PasswordContext {
  cardNumber: string;
  /** The password being replaced (the temporary one at first login). */
  currentPassword?: string;
}

/** The Japanese reason a new password is refused, or undefined when it may be used. */
export function newPasswordProblem(password: string, ctx: PasswordContext): string | undefined {
  if (!PASSWORD_PATTERN.test(password)) return "パスワードは半角英数字4〜8文字で入力してください。";
  const lower = password.toLowerCase();
  if (ctx.cardNumber.includes(password) || password === ctx.cardNumber) return "利用者番号と同じ文字列はパスワードに使えません。";
  if (ctx.currentPassword && lower === ctx.currentPassword.toLowerCase())
    return "今までと同じパスワード（仮パスワード）は使えません。";
  if (isRepeated(password) || isRepeatedPattern(password)) return "同じ文字のくり返しは推測されやすいため使えません。";
  if (isSequential(password)) return "1234 や abcd のような連続した文字は推測されやすいため使えません。";
  if (COMMON.has(lower)) return "よく使われるパスワードは推測されやすいため使えません。";
  return undefined;
}
