import type { IntOrString } from '../../../../k8s/objects.js';

/**
 * intstr.GetScaledValueFromIntOrPercent
 * (https://github.com/kubernetes/apimachinery/blob/master/pkg/util/intstr/intstr.go).
 * An int is used as is; a string must be `<int>%` and is scaled against `total`, rounded up
 * (surge) or down (unavailable). Throws the same errors as Go for anything else.
 */
export function getScaledValueFromIntOrPercent(
  value: IntOrString | null | undefined,
  total: number,
  roundUp: boolean,
): number {
  if (value === undefined || value === null) throw new Error('nil value for IntOrString');
  if (typeof value === 'number') return value;
  const percent = getIntValueFromPercent(value);
  // Multiply before dividing, as Go's float64 `(value*total)/100` does: `7/100*100` would give
  // 7.000000000000001 and ceil would turn it into 8.
  const scaled = (percent * total) / 100;
  return roundUp ? Math.ceil(scaled) : Math.floor(scaled);
}

/** intstr.getIntOrPercentValueSafely for a string: `<int>%` only (strconv.Atoi accepts a sign). */
function getIntValueFromPercent(value: string): number {
  if (!value.endsWith('%')) throw new Error('invalid type: string is not a percentage');
  const digits = value.slice(0, -1);
  if (!/^[+-]?[0-9]+$/.test(digits)) {
    throw new Error(`invalid value "${value}": strconv.Atoi: parsing ${JSON.stringify(digits)}: invalid syntax`);
  }
  return Number.parseInt(digits, 10);
}
