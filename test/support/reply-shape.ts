/**
 * Structural comparison of JSON replies for the recorded-replies contract tests: a recorded
 * product reply (one or more samples) gives a shape — which keys an object has, which are
 * always there, the JSON type of every value, arrays by the merged shape of their elements —
 * and another reply (a fake's, or the real daemon's) is checked against it, recursively.
 */

/** JSON value kinds (integers and fractions are both `number`). */
type Kind = 'null' | 'boolean' | 'number' | 'string' | 'array' | 'object';

/** What a product reply looks like at one place in the document. */
export interface Shape {
  readonly kinds: ReadonlySet<Kind>;
  /** Object keys seen, and whether every sample had them. */
  readonly fields: ReadonlyMap<string, { readonly shape: Shape; readonly always: boolean }>;
  /** Merged shape of every array element seen; undefined when no sample had elements. */
  readonly items: Shape | undefined;
}

/** How strictly `shapeDiff` compares. */
export interface ShapeOptions {
  /**
   * Paths (as `shapeDiff` prints them, e.g. `data` or `arguments.total_size`) that may be
   * absent even though every product sample has them, or whose keys are open (a
   * dictionary such as a guest's config: only the types of known keys are compared).
   */
  readonly optional?: readonly string[];
  readonly open?: readonly string[];
}

function kindOf(v: unknown): Kind {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  const t = typeof v;
  if (t === 'boolean' || t === 'number' || t === 'string') return t;
  if (t === 'object') return 'object';
  throw new Error(`not a JSON value: ${t}`);
}

/** The shape common to all samples (a key is `always` when every object sample has it). */
export function shapeOf(samples: readonly unknown[]): Shape {
  const kinds = new Set(samples.map(kindOf));
  const objects = samples.filter((s): s is Record<string, unknown> => kindOf(s) === 'object');
  const keys = [...new Set(objects.flatMap((o) => Object.keys(o)))];
  const fields = new Map(
    keys.map((k) => {
      const having = objects.filter((o) => k in o);
      return [k, { shape: shapeOf(having.map((o) => o[k])), always: having.length === objects.length }] as const;
    }),
  );
  const elements = samples.filter(Array.isArray).flat();
  return { kinds, fields, items: elements.length ? shapeOf(elements) : undefined };
}

/** Every way `value` departs from `shape`, one line each (empty when it fits). */
export function shapeDiff(shape: Shape, value: unknown, opts: ShapeOptions = {}, path = ''): string[] {
  const at = path || '(root)';
  const kind = kindOf(value);
  if (!shape.kinds.has(kind)) return [`${at}: ${kind} where the product sends ${[...shape.kinds].join(' or ')}`];
  const out: string[] = [];
  if (kind === 'object') {
    const obj = value as Record<string, unknown>;
    const open = opts.open?.includes(path) ?? false;
    const join = (k: string): string => (path ? `${path}.${k}` : k);
    for (const [k, f] of shape.fields) {
      if (!(k in obj) && f.always && !open && !opts.optional?.includes(join(k))) out.push(`${join(k)}: missing (the product sends it)`);
    }
    for (const [k, v] of Object.entries(obj)) {
      const f = shape.fields.get(k);
      if (f) out.push(...shapeDiff(f.shape, v, opts, join(k)));
      else if (!open) out.push(`${join(k)}: not sent by the product`);
    }
  }
  if (kind === 'array' && shape.items) {
    for (const el of value as unknown[]) out.push(...shapeDiff(shape.items, el, opts, `${path}[]`));
  }
  return [...new Set(out)];
}
