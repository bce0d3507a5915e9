import { parsePhoneNumberFromString, CountryCode } from 'libphonenumber-js';
import { IBAN_LENGTHS, isCardNumber, isIban, isIp, isSsn } from './pii-validators';

export type PiiType = 'EMAIL' | 'PHONE' | 'CREDIT_CARD' | 'IBAN' | 'US_SSN' | 'IP';

export const PII_TYPES: readonly PiiType[] = ['EMAIL', 'PHONE', 'CREDIT_CARD', 'IBAN', 'US_SSN', 'IP'];

/** A finding: `[start, end)` character offsets of the value within the scanned text. */
export interface PiiSpan {
  type: PiiType;
  start: number;
  end: number;
  score: number;
}

/** When spans overlap, the type earlier in this list wins. */
const PRIORITY: PiiType[] = ['EMAIL', 'IBAN', 'CREDIT_CARD', 'US_SSN', 'IP', 'PHONE'];

// Candidates only: every regex is linear (no nested quantifiers over the same characters); validators decide.
const EMAIL =
  /(?<![A-Za-z0-9._%+-])[A-Za-z0-9._%+-]{1,64}@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.){1,10}[A-Za-z]{2,63}(?![A-Za-z0-9-])/g;
const IBAN = /(?<![A-Za-z0-9])[A-Za-z]{2}\d{2}(?: ?[A-Za-z0-9]){11,40}/g;
const CARD = /(?<![\w+-])\d(?:[ -]?\d){11,18}(?![\w])/g;
const SSN_DELIMITED = /(?<![\d-])(\d{3})([- .])(\d{2})\2(\d{4})(?![\d-])/g;
const SSN_PLAIN = /(?<!\d)\d{9}(?!\d)/g;
const SSN_CONTEXT = /\b(ssn|social security)/i;
const IPV4 = /(?<![\w.])(?:\d{1,3}\.){3}\d{1,3}(?![\w.])/g;
const IPV6 = /(?<![\w:.])[0-9A-Fa-f]{0,4}(?::[0-9A-Fa-f]{0,4}){2,7}(?:(?:\.\d{1,3}){3})?(?![\w:])/g;
/** How a North American number is written without its +1: (212) 555-0143, 212-555-0143, 212.555.0143, 2125550143. */
const NANP_NATIONAL = /^(?:\(\d{3}\) ?|\d{3}[ .-]?)\d{3}[ .-]?\d{4}$/;
const PHONE = /(?<![\w+])(?:\+\d|\(\d|\d)[\d ().-]{6,22}\d(?![\w])/g;

export interface ScannerOptions {
  /** Regions tried for national phone numbers (numbers with a leading + need none). */
  phoneRegions: CountryCode[];
}

export class PiiScanner {
  constructor(private readonly options: ScannerOptions = { phoneRegions: ['US'] }) {}

  scan(text: string): PiiSpan[] {
    const found: PiiSpan[] = [];
    const add = (type: PiiType, start: number, end: number, score: number): void => {
      found.push({ type, start, end, score });
    };

    for (const m of text.matchAll(EMAIL)) add('EMAIL', m.index, m.index + m[0].length, 0.9);

    for (const m of text.matchAll(IBAN)) {
      const country = m[0].slice(0, 2).toUpperCase();
      const length = IBAN_LENGTHS[country];
      if (!length) continue;
      // Take exactly the country's number of characters, so trailing words are not swallowed.
      let taken = 0;
      let end = m.index;
      for (const ch of m[0]) {
        end++;
        if (ch !== ' ') taken++;
        if (taken === length) break;
      }
      if (taken !== length) continue;
      const compact = text.slice(m.index, end).replace(/ /g, '').toUpperCase();
      if (isIban(compact)) add('IBAN', m.index, end, 0.95);
    }

    for (const m of text.matchAll(CARD)) {
      if (isCardNumber(m[0].replace(/[ -]/g, ''))) add('CREDIT_CARD', m.index, m.index + m[0].length, 0.95);
    }

    for (const m of text.matchAll(SSN_DELIMITED)) {
      if (!isSsn(m[1] + m[3] + m[4])) continue;
      const context = SSN_CONTEXT.test(text.slice(Math.max(0, m.index - 30), m.index));
      add('US_SSN', m.index, m.index + m[0].length, context ? 0.95 : 0.6);
    }
    for (const m of text.matchAll(SSN_PLAIN)) {
      if (isSsn(m[0]) && SSN_CONTEXT.test(text.slice(Math.max(0, m.index - 30), m.index))) {
        add('US_SSN', m.index, m.index + m[0].length, 0.7);
      }
    }

    for (const m of text.matchAll(IPV4)) if (isIp(m[0])) add('IP', m.index, m.index + m[0].length, 0.85);
    for (const m of text.matchAll(IPV6)) {
      if ((m[0].match(/:/g) ?? []).length >= 2 && isIp(m[0])) add('IP', m.index, m.index + m[0].length, 0.85);
    }

    for (const m of text.matchAll(PHONE)) {
      const raw = m[0].trim();
      const digits = raw.replace(/\D/g, '');
      if (digits.length < 8 || digits.length > 15) continue;
      if (this.isPhone(raw)) add('PHONE', m.index, m.index + raw.length, 0.75);
    }

    return resolveOverlaps(found);
  }

  private isPhone(raw: string): boolean {
    if (raw.startsWith('+')) return parsePhoneNumberFromString(raw)?.isValid() ?? false;
    return this.options.phoneRegions.some(
      (region) =>
        (region !== 'US' || NANP_NATIONAL.test(raw)) && (parsePhoneNumberFromString(raw, region)?.isValid() ?? false),
    );
  }
}

function resolveOverlaps(spans: PiiSpan[]): PiiSpan[] {
  const ordered = [...spans].sort(
    (a, b) => PRIORITY.indexOf(a.type) - PRIORITY.indexOf(b.type) || b.end - b.start - (a.end - a.start),
  );
  const kept: PiiSpan[] = [];
  for (const s of ordered) {
    if (!kept.some((k) => s.start < k.end && k.start < s.end)) kept.push(s);
  }
  return kept.sort((a, b) => a.start - b.start);
}
