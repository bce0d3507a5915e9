// A labelled set of strings for the PII scanner, made from templates (seeded, so every run is the same):
// synthetic PII of every type in sentence templates, and look-alikes that are not PII. Each item lists the
// exact spans expected. Used by bench/pii-eval.js (precision and recall per type).
function rng(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

function makeDataset(count = 1200, seed = 7) {
  const rand = rng(seed);
  const int = (a, b) => a + Math.floor(rand() * (b - a + 1));
  const pick = (xs) => xs[Math.floor(rand() * xs.length)];
  const digits = (n) => Array.from({ length: n }, () => int(0, 9)).join('');
  const pad = (n, w) => String(n).padStart(w, '0');

  const luhnDigit = (body) => {
    let sum = 0;
    for (let i = 0; i < body.length; i++) {
      let d = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) {
        d *= 2;
        if (d > 9) d -= 9;
      }
      sum += d;
    }
    return String((10 - (sum % 10)) % 10);
  };
  const card = () => {
    const [prefix, len] = pick([
      ['4', 16],
      ['51', 16],
      ['55', 16],
      ['2221', 16],
      ['34', 15],
      ['37', 15],
      ['6011', 16],
      ['65', 16],
      ['36', 14],
    ]);
    const body = prefix + digits(len - prefix.length - 1);
    const num = body + luhnDigit(body);
    const style = int(0, 2);
    if (style === 0) return num;
    const sep = style === 1 ? ' ' : '-';
    return num.match(/.{1,4}/g).join(sep);
  };
  const badCard = () => {
    const body = '4' + digits(14);
    const good = luhnDigit(body);
    return body + String((Number(good) + int(1, 9)) % 10);
  };

  const IBAN_LEN = { GB: 22, DE: 22, FR: 27, ES: 24, IT: 27, NL: 18, BE: 16, CH: 21, PL: 28, AT: 20 };
  const mod97 = (s) => {
    let r = 0;
    for (const ch of s) {
      const v = /[A-Z]/.test(ch) ? String(ch.charCodeAt(0) - 55) : ch;
      for (const d of v) r = (r * 10 + Number(d)) % 97;
    }
    return r;
  };
  const iban = (valid = true) => {
    const cc = pick(Object.keys(IBAN_LEN));
    const bban =
      cc === 'GB' || cc === 'NL'
        ? 'ABCD'
            .split('')
            .map(() => String.fromCharCode(65 + int(0, 25)))
            .join('') + digits(IBAN_LEN[cc] - 8)
        : digits(IBAN_LEN[cc] - 4);
    let check = 98 - mod97(bban + cc + '00');
    if (!valid) check = ((check + int(1, 50)) % 97) + 2 > 98 ? 3 : ((check + int(1, 50)) % 97) + 2;
    if (!valid && check === 98 - mod97(bban + cc + '00')) check = check === 2 ? 3 : check - 1;
    const compact = cc + pad(check, 2) + bban;
    return int(0, 1) ? compact : compact.match(/.{1,4}/g).join(' ');
  };

  const ssn = () => {
    let area;
    do area = int(1, 899);
    while (area === 666);
    const parts = [pad(area, 3), pad(int(1, 99), 2), pad(int(1, 9999), 4)];
    const d = pick(['-', ' ', '.']);
    return parts.join(d);
  };
  const badSsn = () =>
    pick([
      `000-${pad(int(1, 99), 2)}-${pad(int(1, 9999), 4)}`,
      `666-${pad(int(1, 99), 2)}-${pad(int(1, 9999), 4)}`,
      `9${pad(int(0, 99), 2)}-${pad(int(1, 99), 2)}-${pad(int(1, 9999), 4)}`,
      `${pad(int(1, 665), 3)}-00-${pad(int(1, 9999), 4)}`,
      `${pad(int(1, 665), 3)}-${pad(int(1, 99), 2)}-0000`,
    ]);

  const ipv4 = () => [int(1, 223), int(0, 255), int(0, 255), int(1, 254)].join('.');
  const hex = () => int(1, 0xffff).toString(16);
  const ipv6 = () =>
    pick([
      `2001:db8::${hex()}:${hex()}`,
      `2001:db8:${hex()}:${hex()}::${hex()}`,
      `fe80::${hex()}:${hex()}:${hex()}:${hex()}`,
      `2001:db8:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}:${hex()}`,
    ]);

  const NAMES = ['jane', 'john', 'ana', 'li', 'omar', 'sara', 'kim', 'dev', 'ops', 'maria'];
  const DOMAINS = ['example.com', 'mail.example.org', 'acme-corp.io', 'uni.ac.uk', 'x.co', 'data.example.net'];
  const email = () =>
    `${pick(NAMES)}${pick(['', '.', '_', '+'])}${pick(NAMES)}${int(0, 1) ? int(1, 99) : ''}@${pick(DOMAINS)}`;

  const US_AREAS = [201, 212, 213, 305, 312, 415, 503, 617, 646, 702, 713, 818, 917];
  const phone = () =>
    pick([
      () => `(${pick(US_AREAS)}) ${int(200, 999)}-${pad(int(0, 9999), 4)}`,
      () => `+1 ${pick(US_AREAS)} ${int(200, 999)} ${pad(int(0, 9999), 4)}`,
      () => `+1${pick(US_AREAS)}${int(200, 999)}${pad(int(0, 9999), 4)}`,
      () => `+44 20 7946 0${pad(int(0, 999), 3)}`,
      () => `+33 1 ${pad(int(10, 99), 2)} ${pad(int(10, 99), 2)} ${pad(int(10, 99), 2)} ${pad(int(10, 99), 2)}`,
      () => `+49 30 ${int(1000000, 9999999)}`,
    ])();

  const positives = [
    ['EMAIL', email, ['Contact {} for access', 'email: {}', 'sent by {} yesterday', '{},active,2024']],
    ['PHONE', phone, ['call {} after 5pm', 'tel {}', 'phone={}', 'reach us on {}.']],
    ['CREDIT_CARD', card, ['paid with {}', 'card={}', 'cc {} exp 12/29', 'number {} on file']],
    ['IBAN', () => iban(true), ['IBAN {}', 'wire to {}', 'iban:{}', 'account {} (EUR)']],
    ['US_SSN', ssn, ['SSN {}', 'social security number {}', 'ssn: {}', 'SSN={}']],
    [
      'IP',
      () => (int(0, 1) ? ipv4() : ipv6()),
      ['client {} connected', 'from {}', 'peer={} ok', 'blocked {} at 10:00'],
    ],
  ];
  const negatives = [
    () => `Order #${badCard()}`,
    () => `Invoice ${digits(4)}-${digits(4)}-${digits(4)}-${digits(4)}`.replace(/^Invoice 4/, 'Invoice 1'),
    () => `ts=${int(1600000000, 1800000000)}${digits(3)}`,
    () =>
      `created 20${pad(int(10, 30), 2)}-${pad(int(1, 12), 2)}-${pad(int(1, 28), 2)}T${pad(int(0, 23), 2)}:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)}Z`,
    () => `build v${int(1, 20)}.${int(0, 9)}.${int(0, 9)}.${int(0, 9)}`,
    () => `version ${int(256, 999)}.${int(0, 9)}.${int(0, 9)}.${int(0, 9)}`,
    () => badSsn(),
    () => `IBAN ${iban(false)}`,
    () => `commit ${Array.from({ length: 40 }, () => '0123456789abcdef'[int(0, 15)]).join('')}`,
    () =>
      `id ${[8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => '0123456789abcdef'[int(0, 15)]).join('')).join('-')}`,
    () => `npm i @scope/pkg@${int(1, 20)}.${int(0, 20)}.${int(0, 20)}`,
    () => `ISBN 978-${int(0, 9)}-${digits(2)}-${digits(6)}-${int(0, 9)}`,
    () => `Total: ${int(1, 9)},${digits(3)},${digits(3)}.${digits(2)} USD`,
    () => `+${digits(18)}`,
    () => `use std::vector<int>`,
    () => `CVE-20${pad(int(10, 26), 2)}-${int(1000, 99999)}`,
    () => `at 12:${pad(int(0, 59), 2)}:${pad(int(0, 59), 2)} on 0${int(1, 9)}/1${int(0, 2)}`,
    () => `mac ${Array.from({ length: 6 }, () => pad(int(0, 255).toString(16), 2)).join(':')}`,
    () => `ratio ${int(1, 99)}.${digits(6)}`,
    () => `user@localhost is not an address`,
  ];

  const items = [];
  for (let i = 0; i < count; i++) {
    if (i % 2 === 0) {
      const [type, make, templates] = positives[(i / 2) % positives.length];
      const value = make();
      const template = pick(templates);
      const at = template.indexOf('{}');
      const text = template.replace('{}', value);
      items.push({ text, expected: [{ type, start: at, end: at + value.length }] });
    } else {
      items.push({ text: negatives[((i - 1) / 2) % negatives.length](), expected: [] });
    }
  }
  return items;
}

module.exports = { makeDataset };
