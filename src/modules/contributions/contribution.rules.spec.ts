import { Wallet } from 'ethers';
import {
  canonicalJson,
  checkSignature,
  datasetHash,
  datasetHashOfRows,
  expectedColumns,
  normaliseWallet,
  typeTextRow,
  rowHash,
  signatureMessage,
  validateRows,
} from './contribution.rules';
import { applyPiiPolicy, pseudonym } from './pii-policy';
import { QualityTally } from './contribution-quality';

const CHECKSUMMED = '0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed';

describe('contribution rules', () => {
  describe('normaliseWallet', () => {
    it('should return the checksum form when the address is all lower case or correctly checksummed', () => {
      expect(normaliseWallet(CHECKSUMMED.toLowerCase())).toBe(CHECKSUMMED);
      expect(normaliseWallet(CHECKSUMMED)).toBe(CHECKSUMMED);
    });

    it('should return null when a mixed-case checksum is wrong or the address is malformed', () => {
      expect(normaliseWallet('0x5AaEB6053f3e94c9B9a09F33669435e7eF1bEaED')).toBeNull();
      expect(normaliseWallet('0x1234')).toBeNull();
      expect(normaliseWallet('5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed00')).toBeNull();
    });
  });

  describe('hashing', () => {
    it('should give the same row hash when keys are reordered or numbers written differently', () => {
      expect(canonicalJson({ b: 1.0, a: -0, c: 'x' })).toBe('{"a":0,"b":1,"c":"x"}');
      expect(rowHash({ b: 1, a: 2 })).toBe(rowHash({ a: 2, b: 1.0 }));
      expect(rowHash({ a: 1 })).toMatch(/^[0-9a-f]{64}$/);
    });

    it('should give the same dataset hash when rows come in another order', () => {
      const rows = [{ a: 1 }, { a: 2 }, { a: 3 }];
      expect(datasetHashOfRows(rows)).toBe(datasetHashOfRows([...rows].reverse()));
      expect(datasetHashOfRows(rows)).toMatch(/^sha256:[0-9a-f]{64}$/);
      expect(datasetHash([])).not.toBe(datasetHashOfRows(rows));
    });
  });

  describe('validateRows', () => {
    const columns = expectedColumns(
      [
        { name: 'x', type: 'float' },
        { name: 'n', type: 'int' },
      ],
      'y',
      'numeric',
    );

    it('should list each problem and keep the good rows when some rows are bad', () => {
      const { valid, problems } = validateRows(
        [
          { x: 1.5, n: 2, y: 3 },
          { x: 'a', n: 2.5, y: 1, z: 0 },
          { n: 1, y: null },
          { x: null, n: 1, y: 0 },
        ],
        columns,
      );
      expect(valid).toEqual([0, 3]);
      expect(problems).toEqual([
        { row: 1, column: 'x', code: 'WRONG_TYPE' },
        { row: 1, column: 'n', code: 'WRONG_TYPE' },
        { row: 1, column: 'z', code: 'UNKNOWN_COLUMN' },
        { row: 2, column: 'x', code: 'MISSING_COLUMN' },
        { row: 2, column: 'y', code: 'MISSING_LABEL' },
      ]);
    });
  });

  describe('QualityTally', () => {
    const columns = expectedColumns([{ name: 'x', type: 'float' }], 'label', 'classes');
    const tally = (rows: Record<string, unknown>[], chunk = rows.length): QualityTally => {
      const t = new QualityTally(columns);
      for (let i = 0; i < rows.length; i += chunk) {
        const part = rows.slice(i, i + chunk);
        t.add(part, part.map(rowHash));
      }
      return t;
    };

    it('should score 1 when the batch is complete, unique, without outliers and balanced', () => {
      const rows = Array.from({ length: 10 }, (_, i) => ({ x: i, label: i % 2 ? 'a' : 'b' }));
      const report = tally(rows).report({}, 'batch');
      expect(report).toMatchObject({ completeness: 1, duplicateRows: 0, outlierRate: 0, labelBalance: 1, score: 1 });
    });

    it('should count duplicates across chunks, missing values and labels when the batch has them', () => {
      const rows = [
        ...Array.from({ length: 30 }, (_, i) => ({ x: i % 3, label: 'a' })),
        { x: 1000, label: 'b' },
        { x: null, label: 'b' },
      ];
      const report = tally(rows, 7).report({ x: 1 }, 'model');
      expect(report.outliers).toEqual({ x: 1 });
      expect(report.outlierRate).toBeCloseTo(1 / 31, 4);
      expect(report.outlierReference).toBe('model');
      expect(report.duplicateRows).toBe(27);
      expect(report.completeness).toBeCloseTo(63 / 64, 4);
      expect(report.labelCounts).toEqual({ a: 30, b: 2 });
      expect(report.score).toBeLessThan(1);
    });

    it('should give the mean and population deviation of the batch when fed in chunks', () => {
      const xs = [2, 4, 4, 4, 5, 5, 7, 9];
      const reference = tally(
        xs.map((x, i) => ({ x, label: String(i) })),
        3,
      ).batchReference();
      expect(reference.x.mean).toBeCloseTo(5, 12);
      expect(reference.x.std).toBeCloseTo(2, 12);
    });
  });

  describe('typeTextRow', () => {
    const columns = expectedColumns(
      [
        { name: 'x', type: 'float' },
        { name: 'code', type: 'string' },
      ],
      'label',
      'classes',
    );

    it('should make numeric cells numbers and keep string features as text when a CSV row is typed', () => {
      expect(typeTextRow({ x: '1.5e2', code: '123', label: '2' }, columns)).toEqual({ x: 150, code: '123', label: 2 });
      expect(typeTextRow({ x: null, code: '007', label: 'yes' }, columns)).toEqual({
        x: null,
        code: '007',
        label: 'yes',
      });
    });

    it('should report NOT_A_NUMBER when a numeric cell of a CSV row is not a number', () => {
      const row = typeTextRow({ x: 'abc', code: 'x', label: 'a' }, columns);
      expect(validateRows([row], columns, { offset: 4, textCells: true }).problems).toEqual([
        { row: 4, column: 'x', code: 'NOT_A_NUMBER' },
      ]);
      expect(validateRows([row], columns).problems[0].code).toBe('WRONG_TYPE');
    });
  });

  describe('signatures', () => {
    it('should accept a fresh signature by the wallet and refuse a stale or foreign one', async () => {
      const wallet = Wallet.createRandom();
      const at = new Date().toISOString();
      const message = signatureMessage('churn', datasetHashOfRows([{ a: 1 }]), at);
      const signature = await wallet.signMessage(message);
      expect(checkSignature(wallet.address, signature, message, at)).toBeNull();
      expect(checkSignature(Wallet.createRandom().address, signature, message, at)).toBe('SIGNATURE_INVALID');
      expect(checkSignature(wallet.address, '0x00', message, at)).toBe('SIGNATURE_INVALID');
      expect(checkSignature(wallet.address, signature, message, at, Date.now() + 11 * 60 * 1000)).toBe(
        'SIGNATURE_STALE',
      );
    });
  });

  describe('applyPiiPolicy', () => {
    const rows = [{ note: 'mail a@b.co now', phone: 4155552671 }];
    const findings = [
      { type: 'EMAIL' as const, start: 5, end: 11, score: 1, row: 0, column: 'note' },
      { type: 'PHONE' as const, start: 0, end: 10, score: 1, row: 0, column: 'phone' },
    ];

    it('should replace string spans and null numeric cells when the policy is redact', () => {
      expect(applyPiiPolicy(rows, findings, 'redact')).toEqual([{ note: 'mail [REDACTED:EMAIL] now', phone: null }]);
      expect(rows[0].note).toBe('mail a@b.co now');
    });

    it('should put the same pseudonym for the same value when the policy is pseudonymize', () => {
      const [out] = applyPiiPolicy(rows, findings, 'pseudonymize', 'k'.repeat(32));
      expect(out.note).toBe(`mail ${pseudonym('k'.repeat(32), 'EMAIL', 'a@b.co')} now`);
    });
  });
});
