/**
 * A streaming CSV reader (RFC 4180 and what spreadsheets and Alma Analytics write): quoted fields,
 * doubled quotes inside them, commas and line breaks inside quotes, CRLF or LF, a UTF-8 byte order mark.
 * Text goes in by chunks; each complete record comes out with the line it began on, so a bad row can be
 * named. O(n) in the text, and holds only the record being read.
 */

export interface CsvRecord {
  /** The 1-based line of the file on which the record begins. */
  line: number;
  fields: string[];
}

/** A malformed record: text after a closing quote, or a quote never closed. */
export interface CsvProblem {
  line: number;
  problem: string;
}

export class CsvReader {
  private field = '';
  private fields: string[] = [];
  private quoted = false;
  /** Inside quotes and just saw a quote: either the closing one or the first of a doubled pair. */
  private quoteSeen = false;
  /** After a closing quote: only a comma or a line end may follow. */
  private closed = false;
  private pendingCr = false;
  private quotedCr = false;
  private line = 1;
  private recordLine = 1;
  private started = false;
  private first = true;
  private bad: string | undefined;

  /** Reads `chunk`; calls `record` for each complete record and `problem` for each malformed one. */
  push(chunk: string, record: (r: CsvRecord) => void, problem: (p: CsvProblem) => void): void {
    let i = 0;
    if (this.first && chunk.length > 0) {
      this.first = false;
      if (chunk.charCodeAt(0) === 0xfeff) i = 1;
    }
    for (; i < chunk.length; i++) {
      const c = chunk[i]!;
      if (this.pendingCr) {
        this.pendingCr = false;
        if (c === '\n') continue; // CRLF: the record already ended at CR
      }
      if (this.quoted) {
        if (this.quoteSeen) {
          this.quoteSeen = false;
          if (c === '"') {
            this.field += '"';
            continue;
          }
          this.quoted = false;
          this.closed = true;
          // falls through to the unquoted handling of c below
        } else {
          if (c === '"') {
            this.quoteSeen = true;
            this.quotedCr = false;
          } else {
            // A line break inside quotes is part of the field, and still a line of the file.
            if (c === '\r' || (c === '\n' && !this.quotedCr)) this.line++;
            this.quotedCr = c === '\r';
            this.field += c;
          }
          continue;
        }
      }
      this.started = true;
      if (c === ',') {
        this.fields.push(this.field);
        this.field = '';
        this.closed = false;
      } else if (c === '\n' || c === '\r') {
        this.endRecord(record, problem);
        this.line++;
        this.recordLine = this.line;
        if (c === '\r') this.pendingCr = true;
      } else if (c === '"' && this.field === '' && !this.closed) {
        this.quoted = true;
        this.quotedCr = false;
      } else if (this.closed) {
        this.bad ??= 'text after a closing quote';
        this.field += c;
      } else {
        this.field += c;
      }
    }
  }

  /** The end of the text: the last record, even without a final line break. */
  end(record: (r: CsvRecord) => void, problem: (p: CsvProblem) => void): void {
    if (this.quoted && !this.quoteSeen) {
      this.bad ??= 'a quoted field is never closed';
      this.quoted = false;
    }
    this.quoted = false;
    this.quoteSeen = false;
    if (this.started || this.field !== '' || this.fields.length > 0) this.endRecord(record, problem);
  }

  private endRecord(record: (r: CsvRecord) => void, problem: (p: CsvProblem) => void): void {
    this.fields.push(this.field);
    const fields = this.fields;
    this.field = '';
    this.fields = [];
    this.closed = false;
    this.started = false;
    if (this.bad !== undefined) {
      problem({ line: this.recordLine, problem: this.bad });
      this.bad = undefined;
      return;
    }
    // A blank line is no record (a final line break, a spreadsheet's trailing empty rows).
    if (fields.length === 1 && fields[0] === '') return;
    record({ line: this.recordLine, fields });
  }
}

/** Reads a whole CSV text (tests and small files). */
export function parseCsv(text: string): { records: CsvRecord[]; problems: CsvProblem[] } {
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const reader = new CsvReader();
  const r = (x: CsvRecord) => records.push(x);
  const p = (x: CsvProblem) => problems.push(x);
  reader.push(text, r, p);
  reader.end(r, p);
  return { records, problems };
}

/** One field as CSV writes it: quoted when it holds a comma, quote or line break. */
export function csvField(value: string): string {
  return /[",\r\n]/.test(value) || value === '' ? `"${value.replace(/"/g, '""')}"` : value;
}
