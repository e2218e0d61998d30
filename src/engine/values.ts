/**
 * Parsers for typed condition values: numbers, dates, IP addresses/CIDRs, base64.
 * Sources: "IAM JSON policy elements: Condition operators" (Numeric, Date, IP address,
 * Binary), spec §2.7 and §2.8. Fixed patterns only: nothing here builds a RegExp from
 * policy text.
 */

const NUMBER = /^[+-]?(?:\d+(?:\.\d*)?|\.\d+)$/;

/** A decimal number (`10` equals `10.0`), or undefined. */
export function parseNumber(s: string): number | undefined {
  if (!NUMBER.test(s)) return undefined;
  const n = Number(s);
  return Number.isFinite(n) ? n : undefined;
}

const EPOCH = /^\d+$/;
// W3C profile of ISO 8601: YYYY-MM, YYYY-MM-DD, YYYY-MM-DDThh:mm[:ss[.s]]TZD; TZD = Z or ±hh:mm.
const ISO = /^(\d{4})-(\d{2})(?:-(\d{2})(?:[Tt ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?)?)?([Zz]|[+-]\d{2}:?\d{2})?$/;

export type AllDigitDates = 'epochSeconds' | 'epochMilliseconds';

/**
 * A date as milliseconds since 1970 (spec §2.7, G24). All-digit text is an epoch
 * (A18: seconds by default, docs/decisions/a18-all-digit-dates.md); a date without zone is UTC.
 */
export function parseDate(s: string, allDigits: AllDigitDates): number | undefined {
  if (EPOCH.test(s)) {
    const n = Number(s);
    if (!Number.isFinite(n)) return undefined;
    return allDigits === 'epochSeconds' ? n * 1000 : n;
  }
  const m = ISO.exec(s);
  if (!m) return undefined;
  const year = Number(m[1]);
  const month = Number(m[2]);
  const day = m[3] === undefined ? 1 : Number(m[3]);
  const hour = m[4] === undefined ? 0 : Number(m[4]);
  const minute = m[5] === undefined ? 0 : Number(m[5]);
  const second = m[6] === undefined ? 0 : Number(m[6]);
  const frac = m[7] === undefined ? 0 : Number(`0.${m[7]}`);
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 24 || minute > 59 || second > 60) return undefined;
  let ms = Date.UTC(year, month - 1, day, hour, minute, second) + Math.round(frac * 1000);
  const tz = m[8];
  if (tz && tz !== 'Z' && tz !== 'z') {
    const sign = tz[0] === '-' ? -1 : 1;
    const digits = tz.slice(1).replace(':', '');
    const offset = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4));
    ms -= sign * offset * 60_000;
  }
  return Number.isFinite(ms) ? ms : undefined;
}

/** An address or network: IPv4 as one 32-bit word, IPv6 as four. */
export interface IpNetwork {
  readonly v6: boolean;
  readonly words: readonly number[];
  readonly prefix: number;
}

const DEC_OCTET = /^\d{1,3}$/;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;

function parseV4(s: string): number | undefined {
  const parts = s.split('.');
  if (parts.length !== 4) return undefined;
  let w = 0;
  for (const p of parts) {
    if (!DEC_OCTET.test(p)) return undefined;
    const n = Number(p);
    if (n > 255) return undefined;
    w = w * 256 + n;
  }
  return w >>> 0;
}

function parseV6(s: string): number[] | undefined {
  const dbl = s.indexOf('::');
  if (dbl >= 0 && s.indexOf('::', dbl + 1) >= 0) return undefined;
  const toGroups = (part: string): number[] | undefined => {
    if (part === '') return [];
    const out: number[] = [];
    const items = part.split(':');
    for (let i = 0; i < items.length; i++) {
      const it = items[i] as string;
      if (i === items.length - 1 && it.includes('.')) {
        const v4 = parseV4(it);
        if (v4 === undefined) return undefined;
        out.push(v4 >>> 16, v4 & 0xffff);
      } else {
        if (!HEX_GROUP.test(it)) return undefined;
        out.push(parseInt(it, 16));
      }
    }
    return out;
  };
  let groups: number[];
  if (dbl >= 0) {
    const head = toGroups(s.slice(0, dbl));
    const tail = toGroups(s.slice(dbl + 2));
    if (!head || !tail || head.length + tail.length > 7) return undefined;
    groups = [...head, ...new Array<number>(8 - head.length - tail.length).fill(0), ...tail];
  } else {
    const g = toGroups(s);
    if (!g || g.length !== 8) return undefined;
    groups = g;
  }
  const words: number[] = [];
  for (let i = 0; i < 8; i += 2) words.push((((groups[i] as number) << 16) | (groups[i + 1] as number)) >>> 0);
  return words;
}

/** Parses `203.0.113.0/24`, `2001:DB8::/64` or a bare address (/32, /128). */
export function parseIpNetwork(s: string): IpNetwork | undefined {
  const slash = s.indexOf('/');
  const addr = slash < 0 ? s : s.slice(0, slash);
  const v6 = addr.includes(':');
  const max = v6 ? 128 : 32;
  let prefix = max;
  if (slash >= 0) {
    const p = s.slice(slash + 1);
    if (!/^\d{1,3}$/.test(p)) return undefined;
    prefix = Number(p);
    if (prefix > max) return undefined;
  }
  if (v6) {
    const words = parseV6(addr);
    return words ? { v6, words, prefix } : undefined;
  }
  const w = parseV4(addr);
  return w === undefined ? undefined : { v6, words: [w], prefix };
}

/** Is the address inside the network? Families never mix (spec §2.8, G26). */
export function networkContains(net: IpNetwork, addr: IpNetwork): boolean {
  if (net.v6 !== addr.v6) return false;
  let bits = net.prefix;
  for (let i = 0; i < net.words.length && bits > 0; i++) {
    const take = Math.min(32, bits);
    const mask = take === 32 ? 0xffffffff : ~(0xffffffff >>> take) >>> 0;
    if ((((net.words[i] as number) & mask) >>> 0) !== (((addr.words[i] as number) & mask) >>> 0)) return false;
    bits -= take;
  }
  return true;
}

const BASE64 = /^[A-Za-z0-9+/]*={0,2}$/;

/** Decodes base64 to a binary string, or undefined when it is not base64. */
export function decodeBase64(s: string): string | undefined {
  const t = s.replace(/\s+/g, '');
  if (!BASE64.test(t) || t.length % 4 === 1) return undefined;
  try {
    return atob(t);
  } catch {
    return undefined;
  }
}
