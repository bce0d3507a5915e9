import { PiiSpan } from './pii-scanner';
import { redact, replaceSpans } from './privacy.service';

const span = (type: PiiSpan['type'], start: number, end: number): PiiSpan => ({ type, start, end, score: 1 });

describe(replaceSpans.name, () => {
  const text = 'mail a@b.io or call 2125550143 now';
  const spans = [span('PHONE', 20, 30), span('EMAIL', 5, 11)];

  it('should replace each span in text order when the spans come unordered', () => {
    expect(replaceSpans(text, spans, (s, value) => `<${s.type}:${value}>`)).toBe(
      'mail <EMAIL:a@b.io> or call <PHONE:2125550143> now',
    );
  });

  it('should mark each span with its type when redacting', () => {
    expect(redact(text, spans)).toBe('mail [REDACTED:EMAIL] or call [REDACTED:PHONE] now');
  });
});
