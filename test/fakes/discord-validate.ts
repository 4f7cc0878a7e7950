/**
 * Discord's documented limits for messages, components, autocomplete choices and application
 * commands, checked like the API does: violations come back as the nested `errors` object of a
 * 400 `{code: 50035, message: "Invalid Form Body", errors}`, keyed by the path to the field.
 */

type Path = readonly (string | number)[];

/** Collects field errors into Discord's nested `{a: {0: {b: {_errors: [...]}}}}` shape. */
export class FormErrors {
  readonly tree: Record<string, unknown> = {};
  private count = 0;

  /** Records one error at a path. */
  add(path: Path, code: string, message: string): void {
    let node = this.tree;
    for (const k of path) node = (node[String(k)] ??= {}) as Record<string, unknown>;
    ((node._errors ??= []) as unknown[]).push({ code, message });
    this.count++;
  }

  /** True when nothing was recorded. */
  get empty(): boolean {
    return this.count === 0;
  }
}

const str = (v: unknown): string | undefined => (typeof v === 'string' ? v : undefined);

function maxLen(e: FormErrors, path: Path, v: unknown, max: number, required = false): number {
  if (v === undefined || v === null) {
    if (required) e.add(path, 'BASE_TYPE_REQUIRED', 'This field is required');
    return 0;
  }
  const s = str(v);
  if (s === undefined) {
    e.add(path, 'BASE_TYPE_STRING', 'Must be a string.');
    return 0;
  }
  if (required && s.length === 0) e.add(path, 'BASE_TYPE_MIN_LENGTH', 'Must be 1 or more in length.');
  if (s.length > max) e.add(path, 'BASE_TYPE_MAX_LENGTH', `Must be ${max} or fewer in length.`);
  return s.length;
}

function embeds(e: FormErrors, list: unknown): void {
  if (list === undefined || list === null) return;
  if (!Array.isArray(list)) return e.add(['embeds'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
  if (list.length > 10) e.add(['embeds'], 'BASE_TYPE_MAX_LENGTH', 'Must be 10 or fewer in length.');
  let total = 0;
  list.forEach((raw: unknown, i) => {
    const em = (raw ?? {}) as Record<string, unknown>;
    const p = ['embeds', i];
    total += maxLen(e, [...p, 'title'], em.title, 256);
    total += maxLen(e, [...p, 'description'], em.description, 4096);
    const footer = em.footer as Record<string, unknown> | undefined;
    if (footer) total += maxLen(e, [...p, 'footer', 'text'], footer.text, 2048, true);
    const author = em.author as Record<string, unknown> | undefined;
    if (author) total += maxLen(e, [...p, 'author', 'name'], author.name, 256, true);
    if (em.color !== undefined && (typeof em.color !== 'number' || em.color < 0 || em.color > 0xffffff)) {
      e.add([...p, 'color'], 'NUMBER_TYPE_MAX', 'int value should be less than or equal to 16777215.');
    }
    const fields = em.fields;
    if (Array.isArray(fields)) {
      if (fields.length > 25) e.add([...p, 'fields'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      fields.forEach((f: Record<string, unknown>, j) => {
        total += maxLen(e, [...p, 'fields', j, 'name'], f.name, 256, true);
        total += maxLen(e, [...p, 'fields', j, 'value'], f.value, 1024, true);
      });
    }
  });
  if (total > 6000) e.add(['embeds'], 'MAX_EMBED_SIZE_EXCEEDED', 'Embed size exceeds maximum size of 6000');
}

function components(e: FormErrors, rows: unknown): void {
  if (rows === undefined || rows === null) return;
  if (!Array.isArray(rows)) return e.add(['components'], 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
  if (rows.length > 5) e.add(['components'], 'BASE_TYPE_MAX_LENGTH', 'Must be 5 or fewer in length.');
  const seen = new Set<string>();
  rows.forEach((row: Record<string, unknown>, i) => {
    if (row.type !== 1) return e.add(['components', i, 'type'], 'UNION_TYPE_CHOICES', 'Value of field "type" must be one of (1,).');
    const items = Array.isArray(row.components) ? (row.components as Record<string, unknown>[]) : [];
    if (items.length === 0 || items.length > 5)
      e.add(['components', i, 'components'], 'BASE_TYPE_BAD_LENGTH', 'Must be between 1 and 5 in length.');
    items.forEach((b, j) => {
      const p = ['components', i, 'components', j];
      if (b.type !== 2) return;
      const style = b.style;
      if (typeof style !== 'number' || style < 1 || style > 6)
        e.add([...p, 'style'], 'BASE_TYPE_CHOICES', 'Value must be one of {1, 2, 3, 4, 5, 6}.');
      maxLen(e, [...p, 'label'], b.label, 80);
      if (style === 5) {
        if (!str(b.url)) e.add([...p, 'url'], 'BUTTON_COMPONENT_URL_REQUIRED', 'A url is required');
        return;
      }
      const id = str(b.custom_id);
      if (id === undefined) return e.add([...p, 'custom_id'], 'BUTTON_COMPONENT_CUSTOM_ID_REQUIRED', 'A custom id is required');
      maxLen(e, [...p, 'custom_id'], id, 100, true);
      if (seen.has(id)) e.add([...p, 'custom_id'], 'COMPONENT_CUSTOM_ID_DUPLICATED', 'Component custom id cannot be duplicated');
      seen.add(id);
    });
  });
}

/** Checks a message create/edit body; returns the errors (empty when valid). */
export function validateMessage(body: Record<string, unknown>): FormErrors {
  const e = new FormErrors();
  maxLen(e, ['content'], body.content, 2000);
  embeds(e, body.embeds);
  components(e, body.components);
  return e;
}

/** True when a new message would have nothing to show (Discord's 50006). */
export function isEmptyMessage(body: Record<string, unknown>, fileCount: number): boolean {
  const content = str(body.content) ?? '';
  const has = (k: string): boolean => Array.isArray(body[k]) && (body[k] as unknown[]).length > 0;
  return content.length === 0 && !has('embeds') && !has('components') && !has('sticker_ids') && fileCount === 0 && !body.poll;
}

/** Checks autocomplete choices (type 8 callback). */
export function validateChoices(choices: unknown): FormErrors {
  const e = new FormErrors();
  if (!Array.isArray(choices)) {
    e.add(['choices'], 'BASE_TYPE_REQUIRED', 'This field is required');
    return e;
  }
  if (choices.length > 25) e.add(['choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  choices.forEach((c: Record<string, unknown>, i) => {
    maxLen(e, ['choices', i, 'name'], c.name, 100, true);
    if (typeof c.value === 'string') maxLen(e, ['choices', i, 'value'], c.value, 100);
    else if (typeof c.value !== 'number') e.add(['choices', i, 'value'], 'BASE_TYPE_REQUIRED', 'This field is required');
  });
  return e;
}

const NAME = /^[-_\p{L}\p{N}]{1,32}$/u;

function name(e: FormErrors, path: Path, v: unknown): void {
  const s = str(v);
  if (s === undefined || !NAME.test(s) || s !== s.toLowerCase()) {
    e.add(path, 'APPLICATION_COMMAND_INVALID_NAME', 'Command name is invalid');
  }
}

function options(e: FormErrors, path: Path, list: unknown): void {
  if (list === undefined) return;
  if (!Array.isArray(list)) return e.add(path, 'LIST_TYPE_CONVERT', 'Only iterables may be used in a ListType');
  if (list.length > 25) e.add(path, 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
  const names = new Set<string>();
  let optionalSeen = false;
  list.forEach((o: Record<string, unknown>, i) => {
    const p = [...path, i];
    name(e, [...p, 'name'], o.name);
    if (names.has(String(o.name))) e.add([...p, 'name'], 'APPLICATION_COMMAND_OPTIONS_NAME_ALREADY_EXISTS', 'Option name already exists');
    names.add(String(o.name));
    maxLen(e, [...p, 'description'], o.description, 100, true);
    const type = o.type;
    if (typeof type !== 'number' || type < 1 || type > 11) e.add([...p, 'type'], 'BASE_TYPE_CHOICES', 'Value must be one of 1..11.');
    if (type === 1 || type === 2) return options(e, [...p, 'options'], o.options);
    if (o.required === true && optionalSeen) {
      e.add(
        [...p, 'required'],
        'APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID',
        'Required options must be placed before non-required options',
      );
    }
    if (o.required !== true) optionalSeen = true;
    if (Array.isArray(o.choices)) {
      if (o.autocomplete === true)
        e.add([...p, 'autocomplete'], 'AUTOCOMPLETE_CHOICES_CONFLICT', 'Autocomplete cannot be set when choices are present');
      if (o.choices.length > 25) e.add([...p, 'choices'], 'BASE_TYPE_MAX_LENGTH', 'Must be 25 or fewer in length.');
      (o.choices as Record<string, unknown>[]).forEach((c, j) => {
        maxLen(e, [...p, 'choices', j, 'name'], c.name, 100, true);
        if (type === 3 && typeof c.value !== 'string') e.add([...p, 'choices', j, 'value'], 'BASE_TYPE_STRING', 'Must be a string.');
        if (type === 4 && !Number.isInteger(c.value)) e.add([...p, 'choices', j, 'value'], 'NUMBER_TYPE_COERCE', 'Value is not int.');
      });
    }
  });
}

/** Checks one application command (slash commands: type 1 or absent). */
export function validateCommand(e: FormErrors, path: Path, c: Record<string, unknown>): void {
  name(e, [...path, 'name'], c.name);
  if ((c.type ?? 1) === 1) maxLen(e, [...path, 'description'], c.description, 100, true);
  options(e, [...path, 'options'], c.options);
  if (JSON.stringify(c).length > 8000) e.add(path, 'APPLICATION_COMMAND_TOO_LARGE', 'Command exceeds maximum size (8000)');
}
