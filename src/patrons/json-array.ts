/**
 * Finds the users in an Alma Users JSON export without parsing it whole: the Users API's list form
 * (`{"user": [ … ], "total_record_count": n}`) or a plain array of users. Each element of that array is
 * handed on as its own text (to JSON.parse one at a time), with its index. O(n) in the text; holds one
 * element at a time, so a file of a million users needs the memory of one user, not of the file.
 */

export type ElementSink = (text: string, index: number) => void;

export class JsonArraySplitter {
  private depth = 0;
  private inString = false;
  private escaped = false;
  /** The array of users: the depth inside it, once found; -1 after it ended. */
  private arrayDepth = 0;
  /** Top-level object: the last key read at depth 1, and whether its ':' came. */
  private key = '';
  private keyText: string | undefined;
  private afterColon = false;
  private element: string[] = [];
  private capturing = false;
  /** The element being read is a bare value (a number, a string): it ends at a comma or the ']'. */
  private bare = false;
  private index = 0;
  private ended = false;
  private sawTop = false;
  private problem: string | undefined;

  /** Reads `chunk`, calling `sink` for each complete element of the users' array. */
  push(chunk: string, sink: ElementSink): void {
    let start = this.capturing ? 0 : -1;
    const emit = (to: number) => {
      this.element.push(chunk.slice(Math.max(start, 0), to));
      this.capturing = false;
      this.bare = false;
      start = -1;
      sink(this.element.join(''), this.index++);
      this.element = [];
    };
    for (let i = 0; i < chunk.length; i++) {
      const c = chunk.charCodeAt(i);
      if (this.inString) {
        if (this.escaped) this.escaped = false;
        else if (c === 0x5c) this.escaped = true;
        else if (c === 0x22) {
          this.inString = false;
          if (this.keyText !== undefined) {
            this.key = this.keyText;
            this.keyText = undefined;
          }
        } else if (this.keyText !== undefined && this.keyText.length < 64) this.keyText += chunk[i];
        continue;
      }
      if (c === 0x20 || c === 0x0a || c === 0x0d || c === 0x09 || (c === 0xfeff && !this.sawTop)) continue;
      const top = !this.sawTop;
      this.sawTop = true;
      // At the level of the users' array itself: between, or at the start of, its elements.
      const atArray = this.arrayDepth > 0 && !this.ended && this.depth === this.arrayDepth;
      if (atArray && this.bare && (c === 0x2c || c === 0x5d)) emit(i);
      if (c === 0x22) {
        this.inString = true;
        if (this.depth === 1 && this.arrayDepth === 0 && !this.afterColon) this.keyText = '';
        else if (atArray && !this.capturing) {
          this.capturing = this.bare = true;
          start = i;
        }
      } else if (c === 0x7b || c === 0x5b) {
        if (top && c === 0x5b) this.arrayDepth = 1;
        else if (
          this.depth === 1 &&
          this.arrayDepth === 0 &&
          this.afterColon &&
          this.key === 'user' &&
          c === 0x5b
        )
          this.arrayDepth = 2;
        else if (atArray && !this.capturing) {
          this.capturing = true;
          start = i;
        }
        this.depth++;
      } else if (c === 0x7d || c === 0x5d) {
        this.depth--;
        if (this.capturing && !this.bare && this.depth === this.arrayDepth) emit(i + 1);
        else if (this.arrayDepth > 0 && this.depth === this.arrayDepth - 1) this.ended = true;
      } else if (atArray && c !== 0x2c && !this.capturing) {
        this.capturing = this.bare = true;
        start = i;
      }
      if (this.depth === 1 && this.arrayDepth === 0) {
        if (c === 0x3a) this.afterColon = true;
        else if (c === 0x2c) this.afterColon = false;
      }
      if (this.depth < 0) this.problem ??= 'more closing brackets than opening ones';
    }
    if (this.capturing && start >= 0) this.element.push(chunk.slice(start));
  }

  /** What was wrong with the text as a whole, at its end; undefined when the users' array was read. */
  end(): string | undefined {
    if (this.problem) return this.problem;
    if (this.arrayDepth === 0)
      return 'no users found: expected {"user": [ … ]} as the Users API gives, or an array of users';
    if (!this.ended || this.depth !== 0 || this.inString)
      return 'the file ends before its users do (cut short?)';
    return undefined;
  }
}
