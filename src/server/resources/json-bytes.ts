/**
 * A response body written text by text into one Buffer: a page of a list goes to the socket as
 * one chunk whose texts were encoded once, without a joined string in between (which would be
 * copied again to be flattened, measured for Content-Length and encoded on the way out).
 */

// UTF-8 takes at most three bytes per UTF-16 code unit (a surrogate pair takes four for two).
const MAX_BYTES_PER_UNIT = 3
// Texts up to this long are copied by a loop here rather than by the encoder (commas, heads).
const SHORT = 96

/** JsonBytes collects UTF-8 text into a Buffer that grows as needed. */
export class JsonBytes {
  private buffer: Buffer
  private length = 0

  /** `capacity` is a first guess of the byte length; the Buffer grows past it when needed. */
  constructor(capacity: number) {
    this.buffer = Buffer.allocUnsafe(Math.max(capacity, 64))
  }

  /** write appends `text` as UTF-8. */
  write(text: string): void {
    if (text.length <= SHORT && this.writeShortAscii(text)) return
    const room = this.buffer.length - this.length
    if (text.length * MAX_BYTES_PER_UNIT > room) {
      // Measured only near the end: a text that fits at its real size needs no larger Buffer.
      const needed = Buffer.byteLength(text)
      if (needed > room) this.grow(this.length + needed)
    }
    this.length += this.buffer.write(text, this.length)
  }

  /** bytes answers what was written, sharing the Buffer's memory. */
  bytes(): Buffer {
    return this.buffer.subarray(0, this.length)
  }

  // Stores the bytes of a short ASCII text one by one, which costs less than a call into the
  // encoder; answers false, having written nothing, for any other text.
  private writeShortAscii(text: string): boolean {
    const n = text.length
    if (this.length + n > this.buffer.length) return false
    for (let i = 0; i < n; i++) {
      const c = text.charCodeAt(i)
      if (c >= 0x80) return false
      this.buffer[this.length + i] = c
    }
    this.length += n
    return true
  }

  private grow(atLeast: number): void {
    const next = Buffer.allocUnsafe(Math.max(atLeast, this.buffer.length * 2))
    this.buffer.copy(next, 0, 0, this.length)
    this.buffer = next
  }
}
