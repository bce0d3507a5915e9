import { FileHandle, open } from 'node:fs/promises';

/**
 * The operators of an ONNX model's main graph (`domain:op_type`, plain `op_type` for the default domain), read
 * straight from the protobuf wire format with positioned reads: only the node records are read, the weights are
 * skipped, so a 200 MB model costs a few small reads. A model with local functions reports `(function)`.
 * Used to tell whether a model's run time is bounded by its input's shape (see inference's inline runs).
 */
export async function onnxOperators(path: string): Promise<string[]> {
  const file = await open(path, 'r');
  try {
    const reader = new ProtoReader(file, (await file.stat()).size);
    const ops = new Set<string>();
    await reader.fields(reader.size, async (field, end) => {
      if (field === MODEL_FUNCTIONS) ops.add('(function)');
      if (field !== MODEL_GRAPH) return;
      await reader.fields(end, async (graphField, nodeEnd) => {
        if (graphField !== GRAPH_NODE) return;
        let op = '';
        let domain = '';
        await reader.fields(nodeEnd, async (nodeField, valueEnd) => {
          if (nodeField === NODE_OP_TYPE) op = await reader.text(valueEnd);
          if (nodeField === NODE_DOMAIN) domain = await reader.text(valueEnd);
        });
        ops.add(domain && domain !== 'ai.onnx' ? `${domain}:${op}` : op);
      });
    });
    return [...ops].sort();
  } finally {
    await file.close();
  }
}

// Field numbers from onnx.proto (ModelProto.graph, ModelProto.functions, GraphProto.node, NodeProto.*).
const MODEL_GRAPH = 7;
const MODEL_FUNCTIONS = 25;
const GRAPH_NODE = 1;
const NODE_OP_TYPE = 4;
const NODE_DOMAIN = 7;

const LENGTH_DELIMITED = 2;
const CHUNK = 64 * 1024;

class ProtoReader {
  private pos = 0;
  private buf = Buffer.alloc(CHUNK);
  private bufStart = 0;
  private bufEnd = 0;

  constructor(
    private readonly file: FileHandle,
    readonly size: number,
  ) {}

  /**
   * Calls `visit(field, end)` for every length-delimited field up to `end` and moves past it whatever the visitor
   * read; other wire types are skipped.
   */
  async fields(end: number, visit: (field: number, end: number) => Promise<void>): Promise<void> {
    while (this.pos < end) {
      const key = await this.varint();
      const wire = key % 8;
      const field = Math.floor(key / 8);
      if (wire === LENGTH_DELIMITED) {
        const length = await this.varint(); // before reading this.pos: the varint moves it
        const fieldEnd = this.pos + length;
        if (fieldEnd > end) throw new Error('truncated protobuf field');
        await visit(field, fieldEnd);
        this.pos = fieldEnd;
      } else if (wire === 0) await this.varint();
      else if (wire === 1) this.pos += 8;
      else if (wire === 5) this.pos += 4;
      else throw new Error(`unsupported protobuf wire type ${wire}`);
    }
    if (this.pos !== end) throw new Error('malformed protobuf message');
  }

  async text(end: number): Promise<string> {
    const length = end - this.pos;
    if (length > CHUNK) throw new Error('protobuf string too long');
    await this.fill(this.pos, length);
    const value = this.buf.toString('utf8', this.pos - this.bufStart, end - this.bufStart);
    this.pos = end;
    return value;
  }

  private async varint(): Promise<number> {
    let value = 0;
    for (let shift = 1; ; shift *= 128) {
      if (this.pos >= this.bufEnd || this.pos < this.bufStart) await this.fill(this.pos, 1);
      const byte = this.buf[this.pos++ - this.bufStart];
      value += (byte & 0x7f) * shift;
      if (byte < 0x80) return value;
      if (shift > 2 ** 49) throw new Error('protobuf varint too long');
    }
  }

  private async fill(at: number, need: number): Promise<void> {
    if (at >= this.bufStart && at + need <= this.bufEnd) return;
    if (at + need > this.size) throw new Error('truncated protobuf');
    const { bytesRead } = await this.file.read(this.buf, 0, CHUNK, at);
    this.bufStart = at;
    this.bufEnd = at + bytesRead;
  }
}
