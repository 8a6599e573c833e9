/**
 * Finds every entry point a browser can call, by parsing the sources with the TypeScript compiler API:
 *
 * - server actions: every export of a file whose directive prologue has 'use server', and every function
 *   whose body starts with 'use server' (inline actions, in any file under the scanned folders);
 * - route handlers: the HTTP-method exports of each app route.ts, however exported (`export function GET`,
 *   `export const GET =`, `export { handler as GET }`, `export { GET } from`, `export * from`).
 *
 * For each it reports the guard actions its body asks for: a call `guarded('a', ...)`, `guardedJson('a', ...)`
 * or `authorize('a', ...)` whose action is a string literal (or `cond ? 'a' : 'b'`), made directly in a
 * top-level statement of the function (not in a branch, a loop, a try, a callback or a nested function, and
 * not in a comment), so that every call of the entry point passes the guard.
 */
import fs from 'node:fs';
import path from 'node:path';
import ts from 'typescript';

export const HTTP_METHODS = ['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS'] as const;
const GUARDS = new Set(['guarded', 'guardedJson', 'authorize']);

export interface EntryPoint {
  /** file relative to the project root, '#', and the exported name (or the inline action's name) */
  id: string;
  kind: 'server action' | 'inline server action' | 'route handler';
  /** guard actions asked for directly in the body; empty when there is no such call */
  actions: string[];
  /** why the entry point could not be checked (no function to look at, unresolvable re-export) */
  problem?: string;
}

type FunctionLike = ts.FunctionDeclaration | ts.FunctionExpression | ts.ArrowFunction | ts.MethodDeclaration;

interface Module {
  file: string;
  source: ts.SourceFile;
}

export class EntryPointScanner {
  private modules = new Map<string, Module>();

  /** `root`: the project folder ('@/' points here); `app`: its app folder; `folders`: where to look for 'use server'. */
  constructor(
    private readonly root: string,
    private readonly app: string,
    private readonly folders: string[],
  ) {}

  scan(): EntryPoint[] {
    const found: EntryPoint[] = [];
    for (const file of this.folders.flatMap((f) => walk(f))) {
      const m = this.load(file);
      if (!m) continue;
      const rel = path.relative(this.root, file).split(path.sep).join('/');
      const fileLevel = hasUseServer(m.source.statements);
      if (fileLevel) {
        for (const [name, target] of this.exportsOf(m, new Set())) {
          found.push(this.entry(`${rel}#${name}`, 'server action', target));
        }
      }
      // inline actions: functions whose own body starts with 'use server' (in a 'use server' file they are exports already)
      visitFunctions(m.source, (fn, name) => {
        if (fn.body && ts.isBlock(fn.body) && hasUseServer(fn.body.statements) && !fileLevel) {
          found.push(this.entry(`${rel}#${name}`, 'inline server action', { fn }));
        }
      });
      if (isRouteFile(file, this.app)) {
        for (const [name, target] of this.exportsOf(m, new Set())) {
          if ((HTTP_METHODS as readonly string[]).includes(name)) found.push(this.entry(`${rel}#${name}`, 'route handler', target));
        }
      }
    }
    return found.sort((a, b) => a.id.localeCompare(b.id));
  }

  private entry(id: string, kind: EntryPoint['kind'], target: Target): EntryPoint {
    if ('problem' in target) return { id, kind, actions: [], problem: target.problem };
    return { id, kind, actions: guardActions(target.fn) };
  }

  private load(file: string): Module | null {
    const cached = this.modules.get(file);
    if (cached) return cached;
    if (!/\.tsx?$/.test(file) || file.endsWith('.d.ts') || !fs.existsSync(file)) return null;
    const text = fs.readFileSync(file, 'utf8');
    const source = ts.createSourceFile(file, text, ts.ScriptTarget.Latest, true, file.endsWith('.tsx') ? ts.ScriptKind.TSX : ts.ScriptKind.TS);
    const m = { file, source };
    this.modules.set(file, m);
    return m;
  }

  /** A module specifier as the bundler resolves it ('@/x' and relative paths; packages are not entry points). */
  private resolve(from: string, spec: string): string | null {
    const base = spec.startsWith('@/') ? path.join(this.root, spec.slice(2)) : spec.startsWith('.') ? path.resolve(path.dirname(from), spec) : null;
    if (!base) return null;
    for (const c of [base, `${base}.ts`, `${base}.tsx`, path.join(base, 'index.ts'), path.join(base, 'index.tsx')]) {
      if (fs.existsSync(c) && fs.statSync(c).isFile()) return c;
    }
    return null;
  }

  /** Every export of a module by name, with the function it stands for (following re-exports and imports). */
  private exportsOf(m: Module, seen: Set<string>): Map<string, Target> {
    const out = new Map<string, Target>();
    if (seen.has(m.file)) return out;
    seen.add(m.file);
    for (const st of m.source.statements) {
      if (ts.isFunctionDeclaration(st) && hasExport(st)) {
        out.set(isDefault(st) ? 'default' : (st.name?.text ?? 'default'), { fn: st });
      } else if (ts.isVariableStatement(st) && hasExport(st)) {
        for (const d of st.declarationList.declarations) {
          if (ts.isIdentifier(d.name)) out.set(d.name.text, this.functionOf(m, d.initializer, new Set()));
        }
      } else if (ts.isExportAssignment(st)) {
        out.set('default', this.functionOf(m, st.expression, new Set()));
      } else if (ts.isClassDeclaration(st) && hasExport(st)) {
        out.set(st.name?.text ?? 'default', { problem: 'a class is exported: not a function the guard check can read' });
      } else if (ts.isExportDeclaration(st) && !st.isTypeOnly) {
        const spec = st.moduleSpecifier && ts.isStringLiteral(st.moduleSpecifier) ? st.moduleSpecifier.text : null;
        const other = spec !== null ? this.resolve(m.file, spec) : null;
        const otherModule = other ? this.load(other) : null;
        if (spec !== null && !otherModule) {
          const problem = `re-exports from "${spec}", which the check cannot read`;
          if (st.exportClause && ts.isNamedExports(st.exportClause)) for (const e of st.exportClause.elements) out.set(e.name.text, { problem });
          else out.set(`* from ${spec}`, { problem });
          continue;
        }
        const theirs = otherModule ? this.exportsOf(otherModule, seen) : null;
        if (!st.exportClause) {
          // export * from '...': all of its exports but the default
          for (const [name, t] of theirs ?? []) if (name !== 'default') out.set(name, t);
        } else if (ts.isNamespaceExport(st.exportClause)) {
          out.set(st.exportClause.name.text, { problem: 'a namespace is exported: not a function the guard check can read' });
        } else {
          for (const e of st.exportClause.elements) {
            if (e.isTypeOnly) continue;
            const local = (e.propertyName ?? e.name).text;
            out.set(e.name.text, theirs ? (theirs.get(local) ?? { problem: `"${local}" is not exported by ${spec}` }) : this.resolveName(m, local, new Set()));
          }
        }
      }
    }
    return out;
  }

  /** The function an expression stands for: a function literal, or a name declared or imported in the module. */
  private functionOf(m: Module, e: ts.Expression | undefined, seen: Set<string>): Target {
    if (!e) return { problem: 'declared without a value' };
    e = unwrap(e);
    if (ts.isArrowFunction(e) || ts.isFunctionExpression(e)) return { fn: e };
    if (ts.isIdentifier(e)) return this.resolveName(m, e.text, seen);
    if (ts.isCallExpression(e)) return { problem: 'made by calling a function (a wrapper): the guard check cannot see inside' };
    return { problem: `a ${ts.SyntaxKind[e.kind]} is not a function the guard check can read` };
  }

  /** What a name declared or imported at the top of a module stands for. */
  private resolveName(m: Module, name: string, seen: Set<string>): Target {
    if (seen.has(`${m.file}#${name}`)) return { problem: `"${name}" refers to itself` };
    seen.add(`${m.file}#${name}`);
    for (const st of m.source.statements) {
      if (ts.isFunctionDeclaration(st) && st.name?.text === name) return { fn: st };
      if (ts.isVariableStatement(st)) {
        for (const d of st.declarationList.declarations) if (ts.isIdentifier(d.name) && d.name.text === name) return this.functionOf(m, d.initializer, seen);
      }
      if (ts.isImportDeclaration(st) && st.importClause && !st.importClause.isTypeOnly && ts.isStringLiteral(st.moduleSpecifier)) {
        const spec = st.moduleSpecifier.text;
        const bindings = st.importClause.namedBindings;
        const named = bindings && ts.isNamedImports(bindings) ? bindings.elements.find((b) => b.name.text === name) : undefined;
        const imported = st.importClause.name?.text === name ? 'default' : named ? (named.propertyName ?? named.name).text : null;
        if (imported === null) continue;
        const other = this.resolve(m.file, spec);
        const otherModule = other ? this.load(other) : null;
        if (!otherModule) return { problem: `"${name}" comes from "${spec}", which the check cannot read` };
        return this.exportsOf(otherModule, new Set()).get(imported) ?? { problem: `"${imported}" is not exported by ${spec}` };
      }
    }
    return { problem: `cannot find what "${name}" is in its module` };
  }
}

type Target = { fn: FunctionLike } | { problem: string };

/** The guard actions a function asks for directly in its top-level statements. */
export function guardActions(fn: FunctionLike): string[] {
  const body = fn.body;
  if (!body) return [];
  const exprs: ts.Expression[] = [];
  if (!ts.isBlock(body)) exprs.push(body);
  else {
    for (const st of body.statements) {
      if (ts.isExpressionStatement(st)) exprs.push(st.expression);
      else if (ts.isReturnStatement(st) && st.expression) exprs.push(st.expression);
      else if (ts.isVariableStatement(st)) for (const d of st.declarationList.declarations) if (d.initializer) exprs.push(d.initializer);
    }
  }
  const actions: string[] = [];
  for (const raw of exprs) {
    const e = unwrap(raw);
    if (!ts.isCallExpression(e) || !ts.isIdentifier(e.expression) || !GUARDS.has(e.expression.text)) continue;
    const first = e.arguments[0];
    if (!first) continue;
    actions.push(...literalChoices(unwrap(first)));
  }
  return [...new Set(actions)];
}

/** 'a' -> [a]; c ? 'a' : 'b' -> [a, b]; anything else -> [] (a computed action cannot be checked). */
function literalChoices(e: ts.Expression): string[] {
  if (ts.isStringLiteral(e) || ts.isNoSubstitutionTemplateLiteral(e)) return [e.text];
  if (ts.isConditionalExpression(e)) {
    const a = literalChoices(unwrap(e.whenTrue));
    const b = literalChoices(unwrap(e.whenFalse));
    return a.length && b.length ? [...a, ...b] : [];
  }
  return [];
}

function unwrap(e: ts.Expression): ts.Expression {
  for (;;) {
    if (ts.isParenthesizedExpression(e) || ts.isAwaitExpression(e) || ts.isAsExpression(e) || ts.isSatisfiesExpression(e) || ts.isNonNullExpression(e) || ts.isTypeAssertionExpression(e)) e = e.expression;
    else return e;
  }
}

function hasUseServer(statements: ts.NodeArray<ts.Statement>): boolean {
  for (const st of statements) {
    if (!ts.isExpressionStatement(st) || !ts.isStringLiteral(st.expression)) return false; // the prologue ended
    if (st.expression.text === 'use server') return true;
  }
  return false;
}

function hasExport(n: ts.Node): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.ExportKeyword);
}

function isDefault(n: ts.Node): boolean {
  return ts.canHaveModifiers(n) && (ts.getModifiers(n) ?? []).some((m) => m.kind === ts.SyntaxKind.DefaultKeyword);
}

/** Every function in a file with a name for it (its own, its variable's or property's, or its position). */
function visitFunctions(source: ts.SourceFile, visit: (fn: FunctionLike, name: string) => void): void {
  const nameOf = (fn: FunctionLike): string => {
    if ((ts.isFunctionDeclaration(fn) || ts.isFunctionExpression(fn) || ts.isMethodDeclaration(fn)) && fn.name && ts.isIdentifier(fn.name)) return fn.name.text;
    const p = fn.parent;
    if (p && (ts.isVariableDeclaration(p) || ts.isPropertyAssignment(p)) && ts.isIdentifier(p.name)) return p.name.text;
    const { line } = source.getLineAndCharacterOfPosition(fn.getStart(source));
    return `<function at line ${line + 1}>`;
  };
  const walkNode = (n: ts.Node): void => {
    if (ts.isFunctionDeclaration(n) || ts.isFunctionExpression(n) || ts.isArrowFunction(n) || ts.isMethodDeclaration(n)) visit(n, nameOf(n));
    ts.forEachChild(n, walkNode);
  };
  walkNode(source);
}

function isRouteFile(file: string, app: string): boolean {
  const rel = path.relative(app, file);
  return !rel.startsWith('..') && /(^|[\\/])route\.tsx?$/.test(rel);
}

function walk(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) return e.name === 'node_modules' || e.name.startsWith('.') ? [] : walk(p);
    return /\.tsx?$/.test(e.name) && !e.name.endsWith('.d.ts') ? [p] : [];
  });
}
