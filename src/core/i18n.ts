/**
 * Message catalogues. Every user-facing text lives in a fragment defined beside the code
 * that shows it (`defineMessages`), in English and Spanish; the type forces both languages
 * to have the same keys, and `Messages` refuses duplicate keys across fragments.
 */

export const LANGUAGES = ['en', 'es'] as const;
/** A language the bot speaks (every catalogue has each). */
export type Language = (typeof LANGUAGES)[number];

/**
 * Message parameters, interpolated as `{name}`. A count picks a plural form with ICU's
 * syntax, `{n, plural, one {# device} other {# devices}}` (`=0 {…}` for an exact value;
 * `#` is the count), chosen by `Intl.PluralRules` for the message's language.
 */
export type Params = Readonly<Record<string, string | number>>;

/** Message key → text with `{param}` placeholders, for one language. */
export type Catalogue = Readonly<Record<string, string>>;

/** One area's texts in every language. */
export interface CatalogueFragment {
  readonly en: Catalogue;
  readonly es: Catalogue;
}

/** Declares a fragment; Spanish must have exactly the English keys. */
export function defineMessages<const E extends Catalogue>(
  en: E,
  es: { readonly [K in keyof E]: string },
): { readonly en: E; readonly es: { readonly [K in keyof E]: string } } {
  return { en, es };
}

/** The supported language of a platform language code such as `es-ES`; undefined for any other. */
export function supportedLanguage(code: string | undefined): Language | undefined {
  const base = code?.toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(base ?? '') ? (base as Language) : undefined;
}

/** Picks a supported language from a platform language code such as `es-ES`. */
export function pickLanguage(code: string | undefined, fallback: Language = 'en'): Language {
  return supportedLanguage(code) ?? fallback;
}

/**
 * Every catalogue fragment by name. Each fragment's module adds itself beside its texts
 * (declaration merging: `declare module '…/core/i18n.ts' { interface MessageFragments { ups: typeof upsMessages } }`),
 * so core knows every key without importing the areas, and a misspelt key fails to compile.
 */
// eslint-disable-next-line @typescript-eslint/no-empty-object-type -- filled by declaration merging
export interface MessageFragments {}

/** Any key of any fragment. */
export type MessageKey = {
  [F in keyof MessageFragments]: MessageFragments[F] extends { readonly en: infer E } ? keyof E & string : never;
}[keyof MessageFragments];

/** What follows `prefix` in every key that starts with it: `KeySuffix<'role.'>` is each role that has a name. */
export type KeySuffix<P extends string, K extends string = MessageKey> = K extends `${P}${infer R}` ? R : never;

/** Translates a key for one language. */
export type Translate = (key: MessageKey, params?: Params) => string;

/** All fragments merged; `strict` makes an unknown key throw (tests), else it falls back. */
export class Messages {
  private readonly table: Record<Language, Map<string, string>> = { en: new Map(), es: new Map() };
  /** Parsed texts, keyed by the text itself (bounded by the catalogues and the keys used as fallbacks). */
  private readonly templates = new Map<string, readonly Part[]>();
  private readonly translators = new Map<Language, Translate>();

  constructor(
    fragments: readonly CatalogueFragment[],
    private readonly opts: { strict?: boolean; onMissing?: (key: string, lang: Language) => void } = {},
  ) {
    for (const f of fragments) {
      for (const lang of LANGUAGES) {
        for (const [k, v] of Object.entries(f[lang])) {
          if (this.table[lang].has(k)) throw new Error(`duplicate message key ${k}`);
          this.table[lang].set(k, v);
        }
      }
    }
    for (const k of this.table.en.keys()) {
      if (!this.table.es.has(k)) throw new Error(`message key ${k} has no Spanish text`);
    }
  }

  /** True when the key exists: the check for a key that arrives as data (a stored record, a name built at run time). */
  has(key: string): key is MessageKey {
    return this.table.en.has(key);
  }

  /** Every key, for catalogue tests (each came from a registered fragment, so each is a key). */
  keys(): MessageKey[] {
    return [...this.table.en.keys()].filter((k) => this.has(k));
  }

  /** Text for a key in a language, with `{param}` placeholders filled. */
  t(lang: Language, key: MessageKey, params: Params = {}): string {
    let text = this.table[lang].get(key);
    if (text === undefined) {
      if (this.opts.strict) throw new Error(`missing message key ${key}`);
      this.opts.onMissing?.(key, lang);
      text = this.table.en.get(key) ?? key;
    }
    return render(this.compiled(text), lang, params);
  }

  /** A text's parts, parsed once: every command's reply is a handful of lookups. */
  private compiled(text: string): readonly Part[] {
    let parts = this.templates.get(text);
    if (!parts) this.templates.set(text, (parts = compile(text)));
    return parts;
  }

  /** The `{name}` placeholders a key's English text needs (plural counts aside). */
  placeholders(key: MessageKey): string[] {
    const parts = this.compiled(this.table.en.get(key) ?? '');
    return parts.flatMap((p) => (typeof p === 'object' && 'param' in p ? [p.param] : []));
  }

  /** The translate function bound to one language: one per language, so caches of translated texts can key on it. */
  forLanguage(lang: Language): Translate {
    let t = this.translators.get(lang);
    if (!t) this.translators.set(lang, (t = (key, params) => this.t(lang, key, params)));
    return t;
  }
}

/** Literal text, a `{name}` placeholder, `#` (a plural form's count) or a plural block. */
type Piece = string | { readonly param: string } | { readonly count: true };
type Part = Piece | { readonly plural: string; readonly opener: string; readonly forms: ReadonlyMap<string, readonly Piece[]> };

const PLACEHOLDER = /\{(\w+)\}/g;
const PLACEHOLDER_OR_COUNT = /\{(\w+)\}|#/g;
const PLURAL_START = /\{(\w+),\s*plural,/g;
const pluralRules = new Map<Language, Intl.PluralRules>();

/** Splits text into literals and `{name}` placeholders (and `#` counts inside a plural form). */
function pieces(text: string, inForm: boolean): Piece[] {
  const re = inForm ? PLACEHOLDER_OR_COUNT : PLACEHOLDER;
  const out: Piece[] = [];
  let from = 0;
  re.lastIndex = 0;
  for (let m = re.exec(text); m; m = re.exec(text)) {
    if (m.index > from) out.push(text.slice(from, m.index));
    out.push(m[1] === undefined ? { count: true } : { param: m[1] });
    from = m.index + m[0].length;
  }
  if (from < text.length) out.push(text.slice(from));
  return out;
}

/**
 * Parses a text: each well-formed `{n, plural, …}` block becomes its forms; a malformed one and
 * everything after it stay text (placeholders still filled).
 */
function compile(text: string): Part[] {
  const out: Part[] = [];
  let from = 0;
  PLURAL_START.lastIndex = 0;
  for (let m = PLURAL_START.exec(text); m; m = PLURAL_START.exec(text)) {
    const block = parsePluralOptions(text, m.index + m[0].length);
    if (!block) break;
    out.push(...pieces(text.slice(from, m.index), false));
    const forms = new Map([...block.options].map(([k, v]) => [k, pieces(v, true)] as const));
    out.push({ plural: m[1] ?? '', opener: m[0], forms });
    from = block.end;
    PLURAL_START.lastIndex = block.end;
  }
  out.push(...pieces(text.slice(from), false));
  return out;
}

/** Fills a parsed text: placeholders from `params`, each plural block by its count in `lang`. */
function render(parts: readonly Part[], lang: Language, params: Params): string {
  let out = '';
  for (const p of parts) {
    if (typeof p === 'string') out += p;
    else if ('param' in p) out += fill(p.param, params);
    else if ('plural' in p) {
      const count = Number(params[p.plural]);
      // Not a count: the opener stays as written (the forms are dropped), as a reader would spot.
      if (!Number.isFinite(count)) out += p.opener;
      else
        for (const f of pickForm(lang, count, p.forms))
          out += typeof f === 'string' ? f : 'param' in f ? fill(f.param, params) : String(count);
    }
  }
  return out;
}

/** A placeholder's value; an unknown name stays `{name}`. */
const fill = (name: string, params: Params): string => (name in params ? String(params[name]) : `{${name}}`);

function pickForm(lang: Language, count: number, forms: ReadonlyMap<string, readonly Piece[]>): readonly Piece[] {
  let rules = pluralRules.get(lang);
  if (!rules) pluralRules.set(lang, (rules = new Intl.PluralRules(lang)));
  return forms.get(`=${count}`) ?? forms.get(rules.select(count)) ?? forms.get('other') ?? [];
}

/** Reads `key {text} key {text} }` from `start`; texts may hold `{name}` placeholders. */
function parsePluralOptions(text: string, start: number): { options: Map<string, string>; end: number } | undefined {
  const options = new Map<string, string>();
  let i = start;
  for (;;) {
    while (/\s/.test(text[i] ?? '')) i++;
    if (text[i] === '}') return { options, end: i + 1 };
    const key = /^(=\d+|\w+)\s*\{/.exec(text.slice(i));
    if (!key) return undefined;
    i += key[0].length;
    let depth = 1;
    const bodyStart = i;
    for (; i < text.length && depth > 0; i++) {
      if (text[i] === '{') depth++;
      else if (text[i] === '}') depth--;
    }
    if (depth > 0) return undefined;
    options.set(key[1] ?? '', text.slice(bodyStart, i - 1));
  }
}
