import type { LabelSelector } from './objects.js';

/**
 * Label selector matching, as `metav1.LabelSelectorAsSelector` + `labels.Selector.Matches`.
 * An empty selector (no matchLabels, no matchExpressions) matches everything; a nil one nothing
 * (callers decide which applies: Deployments reject empty selectors in validation).
 */
export function selectorMatches(
  selector: LabelSelector | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector) return false;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const req of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(have, req.key);
    const values = req.values ?? [];
    switch (req.operator) {
      case 'In':
        if (!present || !values.includes(have[req.key]!)) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[req.key]!)) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** True when the selector has neither matchLabels nor matchExpressions. */
export function selectorIsEmpty(selector: LabelSelector | undefined): boolean {
  return (
    !!selector && Object.keys(selector.matchLabels ?? {}).length === 0 && (selector.matchExpressions ?? []).length === 0
  );
}

/**
 * Parses the `labelSelector` query string syntax (`a=b,c!=d,e in (x,y),f notin (z),g,!h`)
 * into a LabelSelector. Throws on syntax it does not understand.
 */
export function parseSelectorString(text: string): LabelSelector {
  const selector: Required<LabelSelector> = { matchLabels: {}, matchExpressions: [] };
  for (const part of splitTopLevel(text)) {
    const term = part.trim();
    if (term === '') continue;
    let m: RegExpMatchArray | null;
    if ((m = term.match(/^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/))) {
      const values = m[3]!
        .split(',')
        .map((v) => v.trim())
        .filter((v) => v !== '');
      selector.matchExpressions.push({ key: m[1]!, operator: m[2] === 'in' ? 'In' : 'NotIn', values });
    } else if ((m = term.match(/^([^\s!=]+)\s*!=\s*(\S*)$/))) {
      selector.matchExpressions.push({ key: m[1]!, operator: 'NotIn', values: [m[2]!] });
    } else if ((m = term.match(/^([^\s!=]+)\s*==?\s*(\S*)$/))) {
      selector.matchLabels[m[1]!] = m[2]!;
    } else if ((m = term.match(/^!\s*([^\s!=]+)$/))) {
      selector.matchExpressions.push({ key: m[1]!, operator: 'DoesNotExist' });
    } else if ((m = term.match(/^([^\s!=(),]+)$/))) {
      selector.matchExpressions.push({ key: m[1]!, operator: 'Exists' });
    } else {
      throw new Error(`unable to parse requirement: ${JSON.stringify(term)}`);
    }
  }
  return selector;
}

/** Renders a selector in the query-string syntax (what `kubectl` sends as labelSelector). */
export function formatSelector(selector: LabelSelector): string {
  const parts = Object.entries(selector.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const req of selector.matchExpressions ?? []) {
    const values = (req.values ?? []).join(',');
    if (req.operator === 'In') parts.push(`${req.key} in (${values})`);
    else if (req.operator === 'NotIn') parts.push(`${req.key} notin (${values})`);
    else if (req.operator === 'Exists') parts.push(req.key);
    else if (req.operator === 'DoesNotExist') parts.push(`!${req.key}`);
  }
  return parts.join(',');
}

function splitTopLevel(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    else if (c === ',' && depth === 0) {
      parts.push(text.slice(start, i));
      start = i + 1;
    }
  }
  parts.push(text.slice(start));
  return parts;
}
