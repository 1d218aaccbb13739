// What each pattern walks: rule contexts (XSLT patterns) turned into XPath selections over the document.

/** The variable holding every element of the document in document order, walked once per document. */
export const ALL_ELEMENTS = '$kihsch:all';

/** Replaces string literals by empty ones, so that brackets and operators inside them do not count. */
function withoutLiterals(text: string): string {
  return text.replace(/'[^']*'|"[^"]*"/g, "''");
}

/** Removes bracketed (and, with `parens`, parenthesised) content, innermost first. */
function withoutGroups(text: string, parens = false): string {
  const group = parens ? /\[[^[\]]*\]|\([^()]*\)/g : /\[[^[\]]*\]/g;
  let rest = text;
  for (let previous = ''; previous !== rest;) {
    previous = rest;
    rest = rest.replace(group, '');
  }
  return rest;
}

/**
 * Whether a rule context could match an attribute node. Conservative: predicates and string
 * literals are dropped first (`a[@b]` matches elements only), then any `@`, `attribute`, variable
 * or bare `.` left counts as a possible attribute match.
 */
export function mayMatchAttribute(context: string): boolean {
  const rest = withoutGroups(withoutLiterals(context));
  return /@|attribute|\$|(^|[|(])\s*\.(?![\w.])/.test(rest);
}

/** Each character outside string literals, with the bracket depth before it (`[` and `(` alike). */
function* outsideQuotes(text: string): Generator<readonly [index: number, char: string, depth: number]> {
  let depth = 0;
  let quote = '';
  for (let i = 0; i < text.length; i++) {
    const c = text.charAt(i);
    if (quote) {
      if (c === quote) {
        quote = '';
      }
    } else if (c === "'" || c === '"') {
      quote = c;
    } else {
      yield [i, c, depth];
      if (c === '[' || c === '(') {
        depth++;
      } else if (c === ']' || c === ')') {
        depth--;
      }
    }
  }
}

/** Splits at top-level `separator` characters, outside quotes, brackets and parentheses. */
function splitTopLevel(text: string, separator: string, limit = Infinity): string[] {
  const parts: string[] = [];
  let start = 0;
  for (const [i, c, depth] of outsideQuotes(text)) {
    if (parts.length >= limit) {
      break;
    }
    if (c === separator && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}

/**
 * The branches of a rule context as XPath selections, or null when the context is not a union of
 * plain paths: `/a/b` as it is, a relative `a[…]/b` as `//a[…]/b` (XSLT defines a relative
 * pattern as matching what `//pattern` selects). Anything else (functions such as `id()`,
 * variables, axes, parentheses outside predicates) needs the full walk.
 */
function contextBranches(context: string): string[] | null {
  const out: string[] = [];
  for (const raw of splitTopLevel(context, '|')) {
    const branch = raw.trim();
    // Only the path's own steps count, not what its predicates say.
    const steps = withoutGroups(withoutLiterals(branch));
    if (steps === '' || /[()$]|::|\.\./.test(steps) || /(^|\/)\.(\/|$)/.test(steps)) {
      return null;
    }
    out.push(branch);
  }
  return out;
}

/** An XPath expression selecting exactly the nodes a rule context can match, or null (see contextBranches). */
export function contextSelection(context: string): string | null {
  const branches = contextBranches(context);
  return branches === null ? null : branches.map((b) => (b.startsWith('/') ? b : `//${b}`)).join(' | ');
}

const NAME = String.raw`(?:[A-Za-z_][\w.-]*:)?(?:[A-Za-z_][\w.-]*|\*)`;
const PATH_STEP = String.raw`(?:@|(?:self|child|attribute)::)?${NAME}`;
/** A relative path of name tests only: it selects nodes, so as a predicate it is a test, never a position. */
const NODE_PATH = new RegExp(String.raw`^\s*(?:\.\/)?${PATH_STEP}(?:\s*\/\/?\s*${PATH_STEP})*\s*$`);
const FIRST_STEP = new RegExp(String.raw`^${NAME}`);

/**
 * Whether a predicate is certainly a boolean test and never a position, so that filtering a list
 * of elements with it keeps the same nodes as filtering each element among its siblings. True
 * for a path of name tests, or a top-level comparison, `and` or `or` (which always yield a
 * boolean); false whenever position() or last() appears, or a conditional, a `for`/`let` or an
 * arrow could make the value a number after all.
 */
export function isBooleanPredicate(predicate: string): boolean {
  const bare = withoutLiterals(predicate);
  if (/\b(position|last)\s*\(/.test(bare)) {
    return false;
  }
  if (NODE_PATH.test(withoutGroups(bare))) {
    return true;
  }
  const top = withoutGroups(bare, true);
  if (/=>|\b(if|then|else|for|let|return)\b/.test(top)) {
    return false;
  }
  return /!=|<|>|=|\s(and|or|eq|ne|lt|le|gt|ge)\s/.test(top);
}

/**
 * The predicates of a step that is a name test followed by predicates only (`a[x][y]` → `x`,
 * `y`), or null for any other step.
 */
function namePredicates(step: string): string[] | null {
  const name = FIRST_STEP.exec(step)?.[0];
  if (name === undefined) {
    return null;
  }
  const rest = step.slice(name.length).trim();
  if (rest === '') {
    return [];
  }
  if (!rest.startsWith('[') || !rest.endsWith(']')) {
    return null;
  }
  // `[x][y]`: each predicate opens at depth 0 and closes back to it; nothing may stand between them.
  const predicates: string[] = [];
  let start = -1;
  let depth = 0;
  for (const [i, c, before] of outsideQuotes(rest)) {
    depth = before + (c === '[' || c === '(' ? 1 : c === ']' || c === ')' ? -1 : 0);
    if (before === 0) {
      if (c !== '[') {
        return null;
      }
      start = i + 1;
    } else if (depth === 0) {
      if (c !== ']') {
        return null;
      }
      predicates.push(rest.slice(start, i));
    }
  }
  return depth === 0 ? predicates : null;
}

/** A relative branch split for the element list: its first step's name test and predicates, then the rest. */
interface ListBranch {
  readonly name: string;
  readonly predicates: readonly string[];
  readonly rest: string;
}

/**
 * Whether a relative branch can filter the document's element list instead of scanning the
 * tree: its first step is a name test whose predicates cannot be positions (`[1]` counts among
 * siblings in `//a[1]`, but would count along the list).
 */
function asListBranch(branch: string): ListBranch | null {
  const [first = '', ...others] = splitTopLevel(branch, '/', 1);
  const step = first.trim();
  const predicates = namePredicates(step);
  if (predicates === null || !predicates.every(isBooleanPredicate)) {
    return null;
  }
  const name = FIRST_STEP.exec(step)?.[0] ?? '*';
  return { name, predicates, rest: others.length > 0 ? `/${others.join('/')}` : '' };
}

/**
 * Plans what the patterns walk. The document's elements are listed once (`$kihsch:all`); each
 * distinct first step of a relative context (`cda:organizer[…]`) becomes a global variable that
 * filters that list once, shared by every pattern that starts there; SaxonJS pays a few
 * microseconds per node and step, so one filter per step instead of one descendant scan per
 * pattern is most of the walking saved. A first step whose predicates name a variable is not
 * shared (a pattern's let may shadow the global of that name), only its name test.
 */
export class SelectionPlan {
  private readonly steps = new Map<string, string>();

  /** The selections of a pattern's rule contexts, or null when one needs the full walk. */
  pattern(contexts: readonly string[]): string[] | null {
    const out: string[] = [];
    for (const context of contexts) {
      const branches = contextBranches(context);
      if (branches === null) {
        return null;
      }
      out.push(...branches.map((b) => this.branch(b)));
    }
    return out;
  }

  /** Global variables the selections use, in dependency order: [name without `$`, select]. */
  variables(): [string, string][] {
    if (this.steps.size === 0) {
      return [];
    }
    return [
      [ALL_ELEMENTS.slice(1), '//*'],
      ...[...this.steps].map(([select, name]): [string, string] => [name.slice(1), select]),
    ];
  }

  private branch(branch: string): string {
    if (branch.startsWith('/')) {
      return branch;
    }
    const list = asListBranch(branch);
    if (list === null) {
      return `//${branch}`;
    }
    const predicates = list.predicates.map((p) => `[${p}]`).join('');
    if (/\$/.test(withoutLiterals(predicates))) {
      return `${this.step(list.name, '')}${predicates}${list.rest}`;
    }
    return `${this.step(list.name, predicates)}${list.rest}`;
  }

  /** The variable holding the elements a first step selects (name test, then predicates). */
  private step(name: string, predicates: string): string {
    if (predicates !== '') {
      // The predicates filter the name's own list, which is then shared too.
      const select = `${this.step(name, '')}${predicates}`;
      return this.variable(select);
    }
    return this.variable(`${ALL_ELEMENTS}/self::${name}`);
  }

  private variable(select: string): string {
    let name = this.steps.get(select);
    if (name === undefined) {
      name = `$kihsch:s${this.steps.size + 1}`;
      this.steps.set(select, name);
    }
    return name;
  }
}
