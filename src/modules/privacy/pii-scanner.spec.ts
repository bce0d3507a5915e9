import { PiiScanner, PiiType } from './pii-scanner';

const scanner = new PiiScanner();

// The 40 regression strings of webhooks-pii-reliability.md §5: positives with the expected type and span.
const POSITIVES: [string, string, PiiType, string?][] = [
  ['P1', 'Contact me at jane.doe@example.com for access', 'EMAIL', 'jane.doe@example.com'],
  ['P2', '42,a.b-c+tag@sub.example.co.uk,2024-01-01', 'EMAIL', 'a.b-c+tag@sub.example.co.uk'],
  ['P3', 'Email: JOHN.SMITH@EXAMPLE.ORG', 'EMAIL', 'JOHN.SMITH@EXAMPLE.ORG'],
  ['P4', '+14155552671', 'PHONE', '+14155552671'],
  ['P5', 'office +44 20 7946 0958', 'PHONE', '+44 20 7946 0958'],
  ['P6', 'call (212) 555-0143 after 5pm', 'PHONE', '(212) 555-0143'],
  ['P7', 'tel +33 1 23 45 67 89', 'PHONE', '+33 1 23 45 67 89'],
  ['P8', 'paid with 4111 1111 1111 1111', 'CREDIT_CARD', '4111 1111 1111 1111'],
  ['P9', 'cc 5555-5555-5555-4444 exp 12/29', 'CREDIT_CARD', '5555-5555-5555-4444'],
  ['P10', 'amex 378282246310005', 'CREDIT_CARD', '378282246310005'],
  ['P11', 'card=6011111111111117', 'CREDIT_CARD', '6011111111111117'],
  ['P12', 'IBAN GB82 WEST 1234 5698 7654 32', 'IBAN', 'GB82 WEST 1234 5698 7654 32'],
  ['P13', 'iban:DE89370400440532013000', 'IBAN', 'DE89370400440532013000'],
  ['P14', 'wire to fr14 2004 1010 0505 0001 3m02 606', 'IBAN', 'fr14 2004 1010 0505 0001 3m02 606'],
  ['P15', 'SSN 536-90-4399', 'US_SSN', '536-90-4399'],
  ['P16', 'ssn: 536904399', 'US_SSN', '536904399'],
  ['P17', 'client 203.0.113.42 connected', 'IP', '203.0.113.42'],
  ['P18', 'POST http://198.51.100.7:8080/upload', 'IP', '198.51.100.7'],
  ['P19', 'from 2001:db8::8a2e:370:7334', 'IP', '2001:db8::8a2e:370:7334'],
  ['P20', 'peer=[2001:db8:85a3::8a2e:370:7334]:443', 'IP', '2001:db8:85a3::8a2e:370:7334'],
];

const NEGATIVES: [string, string][] = [
  ['N1', 'Order #4111111111111112'],
  ['N2', 'Invoice 1234-5678-9012-3456'],
  ['N3', 'ts=1700000000000'],
  ['N4', 'created 2024-03-15T10:22:33Z'],
  ['N5', 'build v10.2.3.4'],
  ['N6', 'version 300.1.2.4'],
  ['N7', '999.999.999.999'],
  ['N8', '000-12-3456'],
  ['N9', '666-45-6789'],
  ['N10', '912-34-5678'],
  ['N11', '123-00-4567'],
  ['N12', 'IBAN GB82 WEST 1234 5698 7654 33'],
  ['N13', 'commit 4f2a9c1e8b7d6a5f4e3d2c1b0a9f8e7d6c5b4a39'],
  ['N14', 'id 550e8400-e29b-41d4-a716-446655440000'],
  ['N15', 'npm i @nestjs/core@12.5.1'],
  ['N16', 'ISBN 978-3-16-148410-0'],
  ['N17', 'Total: 1,234,567.89 USD'],
  ['N18', '+123456789012345678'],
  ['N19', 'use std::vector<int>'],
  ['N20', 'CVE-2021-44228'],
];

describe(PiiScanner.name, () => {
  it.each(POSITIVES)('should find %s as the expected type and span when it holds PII', (_id, text, type, value) => {
    const spans = scanner.scan(text);
    expect(spans).toHaveLength(1);
    expect(spans[0].type).toBe(type);
    expect(text.slice(spans[0].start, spans[0].end)).toBe(value);
    expect(spans[0].score).toBeGreaterThan(0);
    expect(spans[0].score).toBeLessThanOrEqual(1);
  });

  it.each(NEGATIVES)('should find nothing in %s when it only looks like PII', (_id, text) => {
    expect(scanner.scan(text)).toEqual([]);
  });

  it('should report every finding in order when a text holds several', () => {
    const text = 'mail a@b.io or call +14155552671 from 203.0.113.42';
    expect(scanner.scan(text).map((s) => s.type)).toEqual(['EMAIL', 'PHONE', 'IP']);
  });

  it('should keep the higher-priority type when two candidates overlap', () => {
    const spans = scanner.scan('4111111111111111');
    expect(spans.map((s) => s.type)).toEqual(['CREDIT_CARD']);
  });

  it('should scan a long text in linear time when it is adversarial', () => {
    const text = `${'1-'.repeat(50_000)}x ${'a.'.repeat(50_000)}@`;
    expect(Array.isArray(scanner.scan(text))).toBe(true);
  });
});
