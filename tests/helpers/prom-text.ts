/**
 * A strict reader of the Prometheus text exposition format (0.0.4), for tests: no parser package is installed,
 * so this checks the line grammar itself and throws, naming the line, at the first thing a Prometheus server
 * would refuse or a careless exporter gets wrong:
 *
 * - every line is `# HELP name text`, `# TYPE name type`, another `#` comment, a sample, or empty;
 * - names and label names match the format's patterns; label values are quoted with only \\ \" \n escapes;
 *   a value is a Go float (NaN, +Inf, -Inf in any case, as Go's ParseFloat reads them), an optional timestamp an integer;
 * - a family's TYPE comes before its first sample, at most once, and so does its HELP (and here: every family
 *   has both, the issue's "HELP and TYPE from the start");
 * - a family's lines are contiguous; a histogram's samples are name_bucket (with `le`), name_sum, name_count,
 *   a summary's name, name_sum, name_count; a counter is never below zero;
 * - no series (name and label set) appears twice.
 */
export interface PromSample {
  name: string;
  labels: Record<string, string>;
  value: number;
  timestamp?: number;
}

export interface PromFamily {
  name: string;
  help: string;
  type: 'counter' | 'gauge' | 'histogram' | 'summary' | 'untyped';
  samples: PromSample[];
}

const NAME = '[a-zA-Z_:][a-zA-Z0-9_:]*';
const LABEL = '[a-zA-Z_][a-zA-Z0-9_]*';
const HELP_RE = new RegExp(`^# HELP (${NAME}) (.*)$`);
const TYPE_RE = new RegExp(`^# TYPE (${NAME}) (counter|gauge|histogram|summary|untyped)$`);
const SAMPLE_HEAD = new RegExp(`^(${NAME})`);
const LABEL_HEAD = new RegExp(`^(${LABEL})="`);
/** Go's strconv.ParseFloat, as Prometheus reads a value: decimal or exponent forms; NaN and Inf(inity) in any case */
const FLOAT = /^(?:[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity)|nan)$/i;

function unescapeHelp(s: string, where: string): string {
  return s.replace(/\\(.)/g, (_, c: string) => {
    if (c === '\\') return '\\';
    if (c === 'n') return '\n';
    throw new Error(`${where}: bad escape \\${c} in HELP`);
  });
}

function parseValue(s: string, where: string): number {
  if (!FLOAT.test(s)) throw new Error(`${where}: "${s}" is not a sample value`);
  if (/^nan$/i.test(s)) return NaN;
  if (/^\+?inf(inity)?$/i.test(s)) return Infinity;
  if (/^-inf(inity)?$/i.test(s)) return -Infinity;
  return Number(s);
}

/** The sample's base family name: what its TYPE line must name. */
function familyOf(name: string, families: Map<string, PromFamily>): string {
  if (families.has(name)) return name;
  for (const suffix of ['_bucket', '_sum', '_count']) {
    if (name.endsWith(suffix)) {
      const base = name.slice(0, -suffix.length);
      const f = families.get(base);
      if (f && (f.type === 'histogram' || (f.type === 'summary' && suffix !== '_bucket'))) return base;
    }
  }
  return name;
}

export function parsePrometheusText(text: string): Map<string, PromFamily> {
  if (text.length > 0 && !text.endsWith('\n')) throw new Error('the exposition must end with a newline');
  const families = new Map<string, PromFamily>();
  const helps = new Map<string, string>();
  const types = new Map<string, PromFamily['type']>();
  const closed = new Set<string>();
  const seen = new Set<string>();
  let current: string | null = null;
  const enter = (name: string, where: string) => {
    if (current === name) return;
    if (closed.has(name)) throw new Error(`${where}: the lines of ${name} are not contiguous`);
    if (current !== null) closed.add(current);
    current = name;
  };
  const lines = text.split('\n');
  lines.pop();
  lines.forEach((line, i) => {
    const where = `line ${i + 1} ("${line.slice(0, 80)}")`;
    if (line === '') return;
    if (line.startsWith('#')) {
      const h = HELP_RE.exec(line);
      if (h) {
        if (helps.has(h[1])) throw new Error(`${where}: a second HELP for ${h[1]}`);
        if (families.get(h[1])?.samples.length) throw new Error(`${where}: HELP of ${h[1]} after its samples`);
        enter(h[1], where);
        helps.set(h[1], unescapeHelp(h[2], where));
        return;
      }
      const t = TYPE_RE.exec(line);
      if (t) {
        if (types.has(t[1])) throw new Error(`${where}: a second TYPE for ${t[1]}`);
        if (families.get(t[1])?.samples.length) throw new Error(`${where}: TYPE of ${t[1]} after its samples`);
        enter(t[1], where);
        types.set(t[1], t[2] as PromFamily['type']);
        families.set(t[1], { name: t[1], help: helps.get(t[1]) ?? '', type: t[2] as PromFamily['type'], samples: [] });
        return;
      }
      if (/^# (HELP|TYPE)\b/.test(line)) throw new Error(`${where}: a malformed ${line.slice(2, 6)} line`);
      return; // a comment
    }
    const head = SAMPLE_HEAD.exec(line);
    if (!head) throw new Error(`${where}: not a metric name`);
    const name = head[1];
    let rest = line.slice(name.length);
    const labels: Record<string, string> = {};
    if (rest.startsWith('{')) {
      rest = rest.slice(1);
      while (!rest.startsWith('}')) {
        const l = LABEL_HEAD.exec(rest);
        if (!l) throw new Error(`${where}: a malformed label`);
        rest = rest.slice(l[0].length);
        let value = '';
        for (;;) {
          if (rest === '') throw new Error(`${where}: an unterminated label value`);
          const c = rest[0];
          if (c === '"') break;
          if (c === '\\') {
            const e = rest[1];
            if (e === '\\' || e === '"') value += e;
            else if (e === 'n') value += '\n';
            else throw new Error(`${where}: bad escape \\${e ?? ''} in a label value`);
            rest = rest.slice(2);
          } else {
            value += c;
            rest = rest.slice(1);
          }
        }
        rest = rest.slice(1);
        if (l[1] in labels) throw new Error(`${where}: the label ${l[1]} twice`);
        labels[l[1]] = value;
        if (rest.startsWith(',')) rest = rest.slice(1);
        else if (!rest.startsWith('}')) throw new Error(`${where}: expected , or } after a label`);
      }
      rest = rest.slice(1);
    }
    const parts = rest.split(' ');
    if (parts[0] !== '' || parts.length < 2 || parts.length > 3) throw new Error(`${where}: expected " <value> [timestamp]" after the name and labels`);
    const value = parseValue(parts[1], where);
    let timestamp: number | undefined;
    if (parts.length === 3) {
      if (!/^-?\d+$/.test(parts[2])) throw new Error(`${where}: "${parts[2]}" is not a timestamp`);
      timestamp = Number(parts[2]);
    }
    const fam = familyOf(name, families);
    const f = families.get(fam);
    if (!f) throw new Error(`${where}: a sample of ${name} before any TYPE line of it`);
    if (!helps.has(fam)) throw new Error(`${where}: a sample of ${name} before any HELP line of it`);
    enter(fam, where);
    if (f.type === 'histogram' && name === `${fam}_bucket` && !('le' in labels)) throw new Error(`${where}: a histogram bucket without le`);
    if (f.type === 'histogram' && name === fam) throw new Error(`${where}: a histogram's sample must be _bucket, _sum or _count`);
    if (f.type === 'counter' && value < 0) throw new Error(`${where}: a counter below zero`);
    const key = `${name}{${Object.entries(labels)
      .sort(([a], [b]) => a.localeCompare(b))
      .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
      .join(',')}}`;
    if (seen.has(key)) throw new Error(`${where}: the series ${key} twice`);
    seen.add(key);
    f.help = helps.get(fam) ?? '';
    f.samples.push({ name, labels, value, ...(timestamp !== undefined ? { timestamp } : {}) });
  });
  for (const [name] of helps) if (!types.has(name)) throw new Error(`${name} has a HELP line and no TYPE line`);
  for (const [name] of types) if (!helps.has(name)) throw new Error(`${name} has a TYPE line and no HELP line`);
  return families;
}
