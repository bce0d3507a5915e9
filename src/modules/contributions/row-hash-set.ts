/**
 * A set of sha256 row hashes held as 32-byte keys in one Buffer (open addressing, linear probing) rather than as
 * strings on the JS heap: a batch of hundreds of thousands of rows keeps ~64 bytes per row outside the heap, so
 * the garbage collector's heap limit (a multiple of the live heap) does not grow with the batch.
 */
export class RowHashSet {
  size = 0;
  private table = Buffer.alloc(32 * 1024);
  private used = new Uint8Array(1024);
  private readonly key = Buffer.alloc(32);

  /** Adds a hash (64 hex digits); whether it was not there yet. */
  add(hex: string): boolean {
    if ((this.size + 1) * 2 > this.used.length) this.grow();
    this.key.write(hex, 0, 'hex');
    const slot = this.slotOf(this.key, this.table, this.used);
    if (this.used[slot]) return false;
    this.used[slot] = 1;
    this.key.copy(this.table, slot * 32);
    this.size++;
    return true;
  }

  private slotOf(key: Buffer, table: Buffer, used: Uint8Array): number {
    const mask = used.length - 1;
    // The hash is uniform already: its first 4 bytes pick the slot.
    let i = key.readUInt32BE(0) & mask;
    while (used[i] && table.compare(key, 0, 32, i * 32, i * 32 + 32) !== 0) i = (i + 1) & mask;
    return i;
  }

  private grow(): void {
    const table = Buffer.alloc(this.table.length * 2);
    const used = new Uint8Array(this.used.length * 2);
    for (let i = 0; i < this.used.length; i++) {
      if (!this.used[i]) continue;
      const key = this.table.subarray(i * 32, i * 32 + 32);
      const slot = this.slotOf(key, table, used);
      used[slot] = 1;
      key.copy(table, slot * 32);
    }
    this.table = table;
    this.used = used;
  }
}
