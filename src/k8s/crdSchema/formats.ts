import { isDNS1123Label } from '../validation/names.js';

/**
 * The string formats a custom resource's schema is checked against, as the API server checks them
 * (apiextensions-apiserver pkg/apiserver/validation/formats.go keeps the go-openapi strfmt formats
 * it supports and strips any other, which then checks nothing). Names are normalised the way
 * go-openapi does (`date-time` = `datetime`).
 */
const checks: Record<string, (s: string) => boolean> = {
  // strfmt.DateTime accepts RFC 3339 with or without fractional seconds, `Z` or an offset.
  datetime: (s) =>
    /^\d{4}-\d{2}-\d{2}[Tt ]\d{2}:\d{2}:\d{2}(\.\d+)?([Zz]|[+-]\d{2}:\d{2})$/.test(s) && !Number.isNaN(Date.parse(s)),
  date: (s) => /^\d{4}-\d{2}-\d{2}$/.test(s) && !Number.isNaN(Date.parse(`${s}T00:00:00Z`)),
  uuid: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid3: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$/i.test(s),
  uuid4: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  uuid5: (s) => /^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$/i.test(s),
  ipv4: isIPv4,
  ipv6: isIPv6,
  cidr: (s) => {
    const [ip, bits, extra] = s.split('/');
    if (extra !== undefined || bits === undefined || !/^\d{1,3}$/.test(bits)) return false;
    return (isIPv4(ip!) && Number(bits) <= 32) || (isIPv6(ip!) && Number(bits) <= 128);
  },
  mac: (s) => /^([0-9a-f]{2}[:-]){5}[0-9a-f]{2}$/i.test(s) || /^([0-9a-f]{4}\.){2}[0-9a-f]{4}$/i.test(s),
  hostname: (s) =>
    s.length <= 255 &&
    /^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$/u.test(
      s,
    ),
  byte: (s) => /^[A-Za-z0-9+/]*={0,2}$/.test(s) && s.length % 4 === 0,
  // time.ParseDuration, or the Scala form go-openapi also accepts ("3 days").
  duration: (s) =>
    /^[-+]?((\d+(\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h))+$/.test(s) ||
    /^\d+\s*(ns|us|ms|s|m|h|d|w|nanoseconds?|microseconds?|milliseconds?|seconds?|minutes?|hours?|days?|weeks?)$/i.test(
      s,
    ),
  email: (s) => /^[^\s@<>]+@[^\s@<>]+$/.test(s),
  uri: (s) => /^[a-zA-Z][a-zA-Z0-9+.-]*:\S*$/.test(s) || /^\/\S*$/.test(s),
  k8sshortname: (s) => isDNS1123Label(s).length === 0,
  k8slongname: (s) => s.length <= 253 && s.split('.').every((part) => /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(part)),
};

function isIPv4(s: string): boolean {
  const parts = s.split('.');
  return parts.length === 4 && parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255);
}

function isIPv6(s: string): boolean {
  if (!s.includes(':') || !/^[0-9a-fA-F:.]+$/.test(s)) return false;
  const double = s.split('::');
  if (double.length > 2) return false;
  const groups = (part: string): string[] => (part === '' ? [] : part.split(':'));
  const all = double.flatMap(groups);
  const last = all.at(-1);
  const v4 = last?.includes('.') ? (isIPv4(last) ? 2 : NaN) : 0;
  const hex = v4 ? all.slice(0, -1) : all;
  if (Number.isNaN(v4) || !hex.every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return false;
  const count = hex.length + v4;
  return double.length === 2 ? count < 8 : count === 8;
}

/** Whether the API server checks `format` on strings at all (unsupported formats are ignored). */
export function isCheckedFormat(format: string): boolean {
  return checks[format.replace(/-/g, '')] !== undefined;
}

/** Whether `value` is of `format`; an unsupported format accepts anything. */
export function matchesFormat(format: string, value: string): boolean {
  const check = checks[format.replace(/-/g, '')];
  return check ? check(value) : true;
}
