/** Escaping and building blocks for GitHub-flavoured markdown (pure). */

/** Escapes `&`, `<`, `>` and `"` for HTML contexts such as `<summary>`. */
export function escapeHtml(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/**
 * Escapes user-provided text for inline markdown, including table cells: HTML is neutralised,
 * markdown punctuation is backslash-escaped, pipes are escaped and newlines become `<br>`.
 */
export function escapeMarkdown(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/([\\`*_[\]|~#!])/g, '\\$1')
    .replace(/\r?\n/g, '<br>');
}

/**
 * A code span that survives any content: the fence is longer than the longest run of backticks
 * inside, and pipes are escaped (GFM tables split cells on `|` even inside code spans).
 */
export function codeSpan(s: string): string {
  const text = s.replace(/\r?\n/g, ' ').replace(/\|/g, '\\|');
  const longest = Math.max(0, ...(text.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(longest + 1);
  const pad = text.startsWith('`') || text.endsWith('`') ? ' ' : '';
  return `${fence}${pad}${text}${pad}${fence}`;
}

/** A fenced code block (as lines) whose fence cannot be closed by the content. */
export function codeBlock(lines: readonly string[], lang = 'text'): string[] {
  const longest = Math.max(0, ...lines.flatMap((l) => l.match(/`+/g) ?? []).map((run) => run.length));
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${lang}`, ...lines, fence];
}

/** One table row from already-escaped cells. */
export function tableRow(cells: readonly string[]): string {
  return `| ${cells.join(' | ')} |`;
}

/** A whole table: header, separator, rows (cells already escaped). */
export function table(header: readonly string[], rows: readonly (readonly string[])[]): string[] {
  return [tableRow(header), tableRow(header.map(() => '---')), ...rows.map(tableRow)];
}

/**
 * `file:line` as a link to `<blobUrl>/<file>#L<line>` when a blob URL is known (for example
 * `https://github.com/o/r/blob/<sha>`), else as a code span.
 */
export function fileLink(file: string, line: number | undefined, blobUrl: string | undefined): string {
  const label = line === undefined ? file : `${file}:${line}`;
  if (!blobUrl || /^[a-z]+:/i.test(file) || file.startsWith('/')) return codeSpan(label);
  const path = file
    .replace(/^\.\//, '')
    .split('/')
    .map((segment) => encodeURIComponent(segment))
    .join('/');
  const anchor = line === undefined ? '' : `#L${line}`;
  return `[${escapeMarkdown(label)}](${blobUrl.replace(/\/+$/, '')}/${path}${anchor})`;
}
