/**
 * Kubernetes resource quantities (`500m`, `1`, `8Gi`, `128Mi`, `1e3`, `1.5k`), parsed exactly with BigInt
 * so `0.1` CPU is 100 millicores, not 100.00000000000001.
 * Grammar and rounding follow apimachinery's resource.Quantity:
 * https://github.com/kubernetes/apimachinery/blob/master/pkg/api/resource/quantity.go
 */

const QUANTITY = /^([+-]?)([0-9]+(?:\.[0-9]*)?|\.[0-9]+)(Ki|Mi|Gi|Ti|Pi|Ei|n|u|m|k|M|G|T|P|E|[eE][+-]?[0-9]+)?$/;

const BINARY: Record<string, bigint> = {
  Ki: 1n << 10n,
  Mi: 1n << 20n,
  Gi: 1n << 30n,
  Ti: 1n << 40n,
  Pi: 1n << 50n,
  Ei: 1n << 60n,
};
const DECIMAL: Record<string, number> = { n: -9, u: -6, m: -3, '': 0, k: 3, M: 6, G: 9, T: 12, P: 15, E: 18 };

/** An exact quantity: numerator / 10^scale. */
interface Exact {
  numerator: bigint;
  scale: number;
}

export class QuantityError extends Error {}

/** Parsed quantities by text: the same few strings are parsed for every pod and node. */
const memo = new Map<string, Exact>();
const MEMO_LIMIT = 10_000;

function parseExact(input: string | number): Exact {
  const text = String(input).trim();
  const known = memo.get(text);
  if (known) return known;
  const parsed = parseText(text);
  if (memo.size >= MEMO_LIMIT) memo.clear();
  memo.set(text, parsed);
  return parsed;
}

function parseText(text: string): Exact {
  const m = QUANTITY.exec(text);
  if (!m)
    throw new QuantityError(
      `quantities must match the regular expression '^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'`,
    );
  const [, sign, number, suffix = ''] = m;
  const [whole = '', fraction = ''] = number!.split('.');
  let numerator = BigInt((whole || '0') + fraction);
  let scale = fraction.length;
  if (sign === '-') numerator = -numerator;
  if (suffix in BINARY) numerator *= BINARY[suffix]!;
  else if (suffix in DECIMAL) scale -= DECIMAL[suffix]!;
  else scale -= Number(suffix.slice(1)); // e/E exponent
  return { numerator, scale };
}

/** Ceil(numerator * 10^(shift - scale)), the rounding `Quantity.Value()`/`MilliValue()` use (away from zero up). */
function scaled(q: Exact, shift: number): number {
  const exp = shift - q.scale;
  if (exp >= 0) return Number(q.numerator * 10n ** BigInt(exp));
  const div = 10n ** BigInt(-exp);
  const quotient = q.numerator / div;
  const rem = q.numerator % div;
  return Number(rem > 0n ? quotient + 1n : quotient);
}

/** Integer value, rounded up (`Quantity.Value()`): bytes for memory, count for pods. */
export function quantityValue(input: string | number): number {
  return scaled(parseExact(input), 0);
}

/** Value in thousandths, rounded up (`Quantity.MilliValue()`): millicores for CPU. */
export function quantityMilliValue(input: string | number): number {
  return scaled(parseExact(input), 3);
}

/** True when `input` parses as a quantity. */
export function isQuantity(input: string | number): boolean {
  try {
    parseExact(input);
    return true;
  } catch {
    return false;
  }
}
