/**
 * Reading the values of neo4j-driver records (turned into plain objects with `record.toObject()`), column by
 * column, without guessing: a column that is absent or NULL is unknown (null); a value of the wrong type is
 * unknown too, and says so in `problems`. Integers arrive as neo4j-driver `Integer`s (or as numbers or bigints
 * when the driver is told so); they are numbers here only when they fit exactly. Pure: no I/O.
 */
import { isDate, isDateTime, isInt, isLocalDateTime } from 'neo4j-driver-core';

/** One row as `record.toObject()` gives it: column name → value. */
export type Row = Readonly<Record<string, unknown>>;

/** Reads the columns of one row; every value that is not what the column should hold is noted in `problems`. */
export class RowReader {
  constructor(
    private readonly row: Row,
    /** for messages: "SHOW DATABASES row 3" */
    private readonly where: string,
    private readonly problems: string[],
  ) {}

  /** Whether the row has the column at all (a version without it, or a YIELD that left it out). */
  has(column: string): boolean {
    return Object.hasOwn(this.row, column);
  }

  private raw(column: string): unknown {
    return this.has(column) ? this.row[column] : undefined;
  }

  private wrong(column: string, expected: string, v: unknown): null {
    this.problems.push(`${this.where}: ${column} is not ${expected} (${describeValue(v)}); shown as unknown`);
    return null;
  }

  string(column: string): string | null {
    const v = this.raw(column);
    if (v === undefined || v === null) return null;
    return typeof v === 'string' ? v : this.wrong(column, 'a string', v);
  }

  boolean(column: string): boolean | null {
    const v = this.raw(column);
    if (v === undefined || v === null) return null;
    return typeof v === 'boolean' ? v : this.wrong(column, 'a boolean', v);
  }

  /** An INTEGER column as a number, when it is one that a number holds exactly. */
  integer(column: string): number | null {
    const v = this.raw(column);
    if (v === undefined || v === null) return null;
    const n = toSafeInteger(v);
    return n === null ? this.wrong(column, 'an integer a number holds exactly', v) : n;
  }

  strings(column: string): string[] | null {
    const v = this.raw(column);
    if (v === undefined || v === null) return null;
    if (!Array.isArray(v) || !v.every((x) => typeof x === 'string')) return this.wrong(column, 'a list of strings', v);
    return [...v];
  }

  /** A temporal column (DATETIME) as the driver prints it (ISO 8601), or a string as given. */
  temporal(column: string): string | null {
    const v = this.raw(column);
    if (v === undefined || v === null) return null;
    if (typeof v === 'string') return v;
    if (isDateTime(v as never) || isLocalDateTime(v as never) || isDate(v as never)) return String(v);
    return this.wrong(column, 'a date and time', v);
  }
}

/** A neo4j-driver Integer, a bigint or an integral number, as a number when it is exact; else null. */
export function toSafeInteger(v: unknown): number | null {
  if (typeof v === 'number') return Number.isSafeInteger(v) ? v : null;
  if (typeof v === 'bigint') return v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : null;
  if (isInt(v as never)) {
    const i = v as { inSafeRange(): boolean; toNumber(): number };
    return i.inSafeRange() ? i.toNumber() : null;
  }
  return null;
}

/** A short, bounded description of a value for a message (never the whole of a large value). */
export function describeValue(v: unknown): string {
  let s: string;
  try {
    s = typeof v === 'string' ? JSON.stringify(v) : typeof v === 'bigint' ? `${v}n` : isInt(v as never) ? String(v) : JSON.stringify(v) ?? String(v);
  } catch {
    s = Object.prototype.toString.call(v);
  }
  return s.length > 80 ? `${s.slice(0, 77)}...` : s;
}
