/**
 * Message catalogues. Every user-facing text lives in a fragment defined beside the code
 * that shows it (`defineMessages`), in English and Spanish; the type forces both languages
 * to have the same keys, and `Messages` refuses duplicate keys across fragments.
 */

export const LANGUAGES = ['en', 'es'] as const;
export type Language = (typeof LANGUAGES)[number];

/** Message parameters, interpolated as `{name}`. */
export type Params = Readonly<Record<string, string | number>>;

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

/** Picks a supported language from a platform language code such as `es-ES`. */
export function pickLanguage(code: string | undefined, fallback: Language = 'en'): Language {
  const base = code?.toLowerCase().split(/[-_]/)[0];
  return (LANGUAGES as readonly string[]).includes(base ?? '') ? (base as Language) : fallback;
}

/** Translates a key for one language. */
export type Translate = (key: string, params?: Params) => string;

/** All fragments merged; `strict` makes an unknown key throw (tests), else it falls back. */
export class Messages {
  private readonly table: Record<Language, Map<string, string>> = { en: new Map(), es: new Map() };

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

  /** True when the key exists. */
  has(key: string): boolean {
    return this.table.en.has(key);
  }

  /** Every key, for catalogue tests. */
  keys(): string[] {
    return [...this.table.en.keys()];
  }

  /** Text for a key in a language, with `{param}` placeholders filled. */
  t(lang: Language, key: string, params: Params = {}): string {
    let text = this.table[lang].get(key);
    if (text === undefined) {
      if (this.opts.strict) throw new Error(`missing message key ${key}`);
      this.opts.onMissing?.(key, lang);
      text = this.table.en.get(key) ?? key;
    }
    return text.replace(/\{(\w+)\}/g, (whole, name: string) => (name in params ? String(params[name]) : whole));
  }

  /** A translate function bound to one language. */
  forLanguage(lang: Language): Translate {
    return (key, params) => this.t(lang, key, params);
  }
}
