import { invalidPattern } from "./errors.js";

/** Reads a pattern left to right; every parser of the three syntaxes shares it. */
export class Cursor {
  private index = 0;

  constructor(readonly text: string) {}

  get position(): number {
    return this.index;
  }

  /** Goes back to a position read earlier, for the one place that must look ahead. */
  rewind(position: number): void {
    this.index = position;
  }

  atEnd(): boolean {
    return this.index >= this.text.length;
  }

  peek(offset = 0): string {
    return this.text[this.index + offset] ?? "";
  }

  next(): string {
    const char = this.peek();
    this.index += 1;
    return char;
  }

  lookingAt(literal: string): boolean {
    return this.text.startsWith(literal, this.index);
  }

  /** Consumes `literal` when it comes next. */
  accept(literal: string): boolean {
    if (!this.lookingAt(literal)) return false;
    this.index += literal.length;
    return true;
  }

  expect(literal: string): void {
    if (!this.accept(literal)) throw invalidPattern();
  }

  skipSpaces(): void {
    while (/\s/.test(this.peek())) this.index += 1;
  }

  /** Consumes characters while `test` holds and returns them. */
  takeWhile(test: (char: string) => boolean): string {
    const start = this.index;
    while (!this.atEnd() && test(this.peek())) this.index += 1;
    return this.text.slice(start, this.index);
  }

  /**
   * Text between double quotes, without them; a backslash makes the next character literal (`\"`,
   * `\\`), as the quoting of AWS's own CDK FilterPattern assumes. Undefined when the quote is not
   * closed, which each syntax reports in its own way.
   */
  quoted(): string | undefined {
    const start = this.index;
    this.expect('"');
    let text = "";
    while (!this.atEnd()) {
      const char = this.next();
      if (char === '"') return text;
      text += char === "\\" && !this.atEnd() ? this.next() : char;
    }
    this.index = start;
    return undefined;
  }

  /** Text between percent signs (a regex), the signs consumed and not returned. */
  percentDelimited(): string {
    this.expect("%");
    const end = this.text.indexOf("%", this.index);
    if (end < 0) throw invalidPattern();
    const content = this.text.slice(this.index, end);
    this.index = end + 1;
    return content;
  }

  /** The rest of the current word, for error messages about it. */
  restOfWord(): string {
    return this.text.slice(this.index).split(/\s/)[0] ?? "";
  }
}
