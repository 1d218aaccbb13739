// Safe HTML building: every interpolated value is escaped unless it is markup made by `html` itself.
const RAW = Symbol('raw html');

export interface Raw {
  readonly [RAW]: string;
}

export function raw(markup: string): Raw {
  return { [RAW]: markup };
}

function isRaw(v: unknown): v is Raw {
  return typeof v === 'object' && v !== null && RAW in v;
}

export function escapeHtml(value: string): string {
  return value
    .replaceAll('&', '&amp;')
    .replaceAll('<', '&lt;')
    .replaceAll('>', '&gt;')
    .replaceAll('"', '&quot;')
    .replaceAll("'", '&#39;');
}

type Value = string | number | boolean | null | undefined | Raw | readonly Value[];

function render(v: Value): string {
  if (v === null || v === undefined || v === false) {
    return '';
  }
  if (Array.isArray(v)) {
    return v.map((x: Value) => render(x)).join('');
  }
  if (isRaw(v)) {
    return v[RAW];
  }
  return typeof v === 'string' ? escapeHtml(v) : typeof v === 'number' || typeof v === 'boolean' ? String(v) : '';
}

/** Tagged template: html`<p>${userText}</p>` escapes userText; nested html`` results pass through. */
export function html(strings: TemplateStringsArray, ...values: Value[]): Raw {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return raw(out);
}

export function toString(markup: Raw): string {
  return markup[RAW];
}
