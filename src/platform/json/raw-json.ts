/**
 * A JSON request body kept as its bytes: a hot route can read a simple body straight into what it needs and
 * parse the rest only when asked. `parse()` is the HTTP layer's own JSON parser, so its answers (400
 * MALFORMED_JSON, prototype poisoning refused) are those of every other route. Neutral on purpose: domain code
 * reads it without depending on the HTTP layer.
 */
export class RawJson {
  private parsed: { value: unknown } | undefined;

  constructor(
    readonly bytes: Buffer,
    private readonly parser: (bytes: Buffer) => unknown,
  ) {}

  /** Parsed once; a second call returns the same value. */
  parse(): unknown {
    this.parsed ??= { value: this.parser(this.bytes) };
    return this.parsed.value;
  }
}
