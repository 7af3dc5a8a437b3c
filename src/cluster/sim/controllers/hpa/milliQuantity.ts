/**
 * `resource.NewMilliQuantity(v, DecimalSI).String()`: the canonical decimal form of a milli-value,
 * with the largest SI suffix that keeps the mantissa whole (300 -> `300m`, 2000 -> `2`,
 * 1500000 -> `1500`, 2000000 -> `2k`).
 */
const SUFFIXES = ['m', '', 'k', 'M', 'G', 'T', 'P', 'E'];

export function formatMilli(milli: number): string {
  if (milli === 0) return '0';
  let mantissa = Math.trunc(milli);
  let i = 0;
  while (i < SUFFIXES.length - 1 && mantissa % 1000 === 0) {
    mantissa /= 1000;
    i++;
  }
  return `${mantissa}${SUFFIXES[i]}`;
}
