import type { IdentityRef } from "../../lib/ingest/types";
import type { Rng } from "./rng";
import type { MessengerStyle } from "./types";

const MALE = ["Александр", "Дмитрий", "Максим", "Сергей", "Андрей", "Алексей", "Артём", "Илья", "Кирилл", "Михаил", "Никита", "Матвей", "Роман", "Егор", "Арсений", "Иван", "Денис", "Евгений", "Даниил", "Тимофей", "Владислав", "Игорь", "Павел", "Руслан", "Марк", "Константин", "Олег", "Глеб", "Фёдор", "Антон"];
const FEMALE = ["Анастасия", "Мария", "Анна", "Виктория", "Екатерина", "Наталья", "Ольга", "Елена", "Дарья", "Полина", "Алина", "Ксения", "Софья", "Татьяна", "Юлия", "Ирина", "Валерия", "Вероника", "Алиса", "Марина", "Светлана", "Кристина", "Евгения", "Арина", "Диана", "Надежда", "Людмила", "Василиса", "Ульяна", "Маргарита"];
const SURNAMES = ["Иванов", "Смирнов", "Кузнецов", "Попов", "Васильев", "Петров", "Соколов", "Михайлов", "Новиков", "Фёдоров", "Морозов", "Волков", "Алексеев", "Лебедев", "Семёнов", "Егоров", "Павлов", "Козлов", "Степанов", "Николаев", "Орлов", "Андреев", "Макаров", "Никитин", "Захаров", "Зайцев", "Соловьёв", "Борисов", "Яковлев", "Григорьев", "Романов", "Воробьёв", "Сергеев", "Кузьмин", "Фролов", "Александров", "Дмитриев", "Королёв", "Гусев", "Киселёв", "Ильин", "Максимов", "Поляков", "Сорокин", "Виноградов", "Ковалёв", "Белов", "Медведев", "Антонов", "Тарасов", "Жуков", "Баранов", "Филиппов", "Комаров", "Давыдов", "Беляев", "Герасимов", "Богданов", "Осипов", "Сидоров"];
const EN_FIRST = ["Emma", "Liam", "Olivia", "Noah", "Sofia", "Lucas", "Mia", "Leon", "Amelia", "Daniel"];
const EN_LAST = ["Smith", "Müller", "Novak", "Kowalski", "Brown", "Garcia", "Rossi", "Jensen", "Wilson", "Schmidt"];

const TRANSLIT: Record<string, string> = {
  а: "a", б: "b", в: "v", г: "g", д: "d", е: "e", ё: "e", ж: "zh", з: "z", и: "i", й: "y", к: "k", л: "l", м: "m", н: "n", о: "o", п: "p", р: "r",
  с: "s", т: "t", у: "u", ф: "f", х: "kh", ц: "ts", ч: "ch", ш: "sh", щ: "shch", ъ: "", ы: "y", ь: "", э: "e", ю: "yu", я: "ya", ü: "u",
};

export function translit(s: string): string {
  return [...s.toLowerCase()].map((c) => TRANSLIT[c] ?? (/[a-z0-9]/.test(c) ? c : "")).join("");
}

function feminine(surname: string): string {
  if (/(ов|ев|ёв|ин|ын)$/.test(surname)) return `${surname}а`;
  if (surname.endsWith("ский")) return `${surname.slice(0, -4)}ская`;
  return surname;
}

export interface HumanName {
  first: string;
  last: string;
  full: string;
  female: boolean;
}

export function randomName(rng: Rng, english = false): HumanName {
  if (english) {
    const first = rng.pick(EN_FIRST);
    const last = rng.pick(EN_LAST);
    return { first, last, full: `${first} ${last}`, female: ["Emma", "Olivia", "Sofia", "Mia", "Amelia"].includes(first) };
  }
  const female = rng.chance(0.55);
  const first = rng.pick(female ? FEMALE : MALE);
  const base = rng.pick(SURNAMES);
  const last = female ? feminine(base) : base;
  return { first, last, full: `${first} ${last}`, female };
}

const SLACK_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ0123456789";

/**
 * One part of a school's id space. The streaming generator (./stream) builds a big school as slices, each
 * with its own IdFactory; every slice owns a disjoint share of each id space (a sub-range of numbers, a
 * fixed prefix of characters, a share of the email and staff-name hashes), so slices never collide and any
 * slice can be generated without the others. `index === count - 1` is conventionally kept for school-wide ids.
 */
export interface IdSpace {
  index: number;
  count: number;
}

/** Ids in each source's own style, unique within one school's plan (and, with a space, across its slices). */
export class IdFactory {
  private used = new Set<string>();
  constructor(
    private rng: Rng,
    private readonly space?: IdSpace,
  ) {
    if (space && !(Number.isInteger(space.index) && space.index >= 0 && space.index < space.count && space.count <= 256)) throw new Error(`IdFactory: bad id space ${space.index}/${space.count}`);
  }

  private unique(make: () => string): string {
    for (;;) {
      const id = make();
      if (!this.used.has(id)) {
        this.used.add(id);
        return id;
      }
    }
  }

  /** Whether a key (an email, a staff member's name) falls in this factory's share; always true without a space. */
  claims(key: string): boolean {
    return !this.space || fnv1a(key) % this.space.count === this.space.index;
  }

  /** Whether a staff member's name is this slice's to give: their work e-mail is made of it, and team pages tell people apart by it. */
  claimsName(name: HumanName): boolean {
    return this.claims(`${translit(name.first)}.${translit(name.last)}`);
  }

  /** An integer in [min, max], restricted to this space's sub-range. */
  private int(min: number, max: number): number {
    if (!this.space) return this.rng.int(min, max);
    const span = Math.floor((max - min + 1) / this.space.count);
    return this.rng.int(min + this.space.index * span, min + (this.space.index + 1) * span - 1);
  }

  /** `n` characters whose first two spell the space's index. */
  private chars(alphabet: string, n: number): string {
    if (!this.space) return this.rng.chars(alphabet, n);
    const k = alphabet.length;
    const i = this.space.index;
    return `${alphabet[Math.floor(i / k) % k] ?? ""}${alphabet[i % k] ?? ""}${this.rng.chars(alphabet, n - 2)}`;
  }

  user(style: MessengerStyle): string {
    const r = this.rng;
    switch (style) {
      case "telegram":
        return this.unique(() => String(this.int(150_000_000, 7_900_000_000)));
      case "slack":
        return this.unique(() => `U0${this.chars(SLACK_ALPHABET, 9)}`);
      case "discord":
        return this.unique(() => snowflake(r.int(1_500_000_000_000, 1_700_000_000_000), this.int(0, 4095)));
      case "mattermost":
        return this.unique(() => this.chars(MM_ALPHABET, 26));
    }
  }

  channel(style: MessengerStyle, dm: boolean, atMs: number): string {
    const r = this.rng;
    switch (style) {
      case "telegram":
        return this.unique(() => `-100${this.int(1_000_000_000, 2_999_999_999)}`);
      case "slack":
        return this.unique(() => `${dm ? "D" : "C"}0${this.chars(SLACK_ALPHABET, 9)}`);
      case "discord":
        return this.unique(() => snowflake(atMs - r.int(0, 86_400_000), this.int(0, 4095)));
      case "mattermost":
        return this.unique(() => this.chars(MM_ALPHABET, 26));
    }
  }

  workspace(style: MessengerStyle | "xapi" | "lms_csv", domain: string): string {
    const r = this.rng;
    switch (style) {
      case "telegram":
        return String(r.int(6_000_000_000, 7_999_999_999));
      case "slack":
        return `T0${r.chars("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", 9)}`;
      case "discord":
        return snowflake(r.int(1_550_000_000_000, 1_650_000_000_000), r.int(0, 4095));
      case "mattermost":
        return r.chars(MM_ALPHABET, 26);
      case "xapi":
        return `https://lrs.${domain}`;
      case "lms_csv":
        return `getcourse:${domain}`;
    }
  }

  /**
   * A work address at `domain` (staff: their names are claimed by the slice, see claims(), so the base is
   * the slice's own), or a personal one. With a space, a personal address is redrawn until its hash falls
   * in the space, so two slices never hand out one address.
   */
  email(name: HumanName, domain: string | null): string {
    const r = this.rng;
    const base = `${translit(name.first)}.${translit(name.last)}`;
    if (domain) return this.unique(() => (this.used.has(`${base}@${domain}`) ? `${base}${r.int(2, 99)}@${domain}` : `${base}@${domain}`));
    const mail = r.pick(["gmail.com", "yandex.ru", "mail.ru", "inbox.ru", "ya.ru", "outlook.com"]);
    const short = translit(name.first) + translit(name.last).slice(0, 3);
    const make = () => `${r.chance(0.5) ? base : short}${r.chance(0.6) ? r.int(1, 2005) : ""}@${mail}`;
    if (!this.space) return this.unique(make);
    return this.unique(() => {
      let e = make();
      while (!this.claims(e)) e = make();
      return e;
    });
  }

  lmsUser(kind: "xapi" | "lms_csv"): string {
    if (this.space && kind === "xapi") return this.unique(() => `u-${this.chars("0123456789abcdef", 10)}`);
    return this.unique(() => (kind === "xapi" ? `u-${this.rng.hex(10)}` : String(this.int(1_000_000, 99_999_999))));
  }
}

/** FNV-1a over UTF-16 code units: a fast, stable hash to share keys out between id spaces. */
function fnv1a(s: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < s.length; i++) {
    h ^= s.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return h >>> 0;
}

export const MM_ALPHABET = "ybndrfg8ejkmcpqxot1uwisza345h769";

const DISCORD_EPOCH = 1_420_070_400_000n;

export function snowflake(ms: number, increment: number): string {
  return (((BigInt(Math.floor(ms)) - DISCORD_EPOCH) << 22n) | (1n << 17n) | BigInt(increment & 4095)).toString();
}

export function identity(externalId: string, name: HumanName | string, style: MessengerStyle | "xapi" | "lms_csv", extra: Partial<IdentityRef> = {}): IdentityRef {
  const full = typeof name === "string" ? name : name.full;
  const username = typeof name === "string" ? undefined : usernameFor(name, style, externalId);
  return { externalId, name: full, ...(username ? { username } : {}), ...extra };
}

function usernameFor(name: HumanName, style: MessengerStyle | "xapi" | "lms_csv", externalId: string): string | undefined {
  const base = `${translit(name.first)}_${translit(name.last)}`;
  const tail = externalId.slice(-3).replace(/[^a-z0-9]/gi, "");
  if (style === "telegram") return Number(externalId.slice(-1)) % 3 === 0 ? undefined : `${base}${tail}`;
  if (style === "discord" || style === "mattermost") return `${translit(name.first)}.${translit(name.last)}${tail}`.slice(0, 32);
  if (style === "slack") return `${translit(name.first)}.${translit(name.last)}`;
  return undefined;
}
