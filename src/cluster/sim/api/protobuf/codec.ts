import protobuf from 'protobufjs/minimal.js';
import { SCHEMA_JSON } from './schemaData.js';
import { formatMicroTime, formatTime, parseTime } from './times.js';

/**
 * Kubernetes objects as protobuf, the way the API server's gogo-generated marshalers write them and
 * `encoding/json` then prints the decoded Go structs. The schema (./schemaData.ts, generated from
 * the upstream generated.proto files and Go struct tags) gives per message its fields as
 * `[number, jsonName, type, flags?]`; the few types with their own JSON form (metav1.Time,
 * resource.Quantity, intstr.IntOrString, runtime.RawExtension ...) are converted below.
 *
 * Encoding follows gogo (k8s.io/api generated.pb.go): every non-pointer field is written, its zero
 * value when the JSON lacks it; pointers, slices and maps only when set; map keys sorted. Decoding
 * follows `json.Marshal` of the Go struct: zero values of `omitempty` fields are dropped, nil
 * pointers, slices and maps without `omitempty` are `null`, structs are always there.
 */
type Field = [id: number, json: string, type: string, flags?: number];
type Json = unknown;
type JsonObject = Record<string, Json>;

const REPEATED = 1;
const MAP = 2;
const POINTER = 4;
const OMITEMPTY = 8;
const INLINE = 16;

const META = 'k8s.io.apimachinery.pkg.apis.meta.v1.';
const TIME = `${META}Time`;
const MICRO_TIME = `${META}MicroTime`;
const FIELDS_V1 = `${META}FieldsV1`;
const VERBS = `${META}Verbs`;
const QUANTITY = 'k8s.io.apimachinery.pkg.api.resource.Quantity';
const INT_OR_STRING = 'k8s.io.apimachinery.pkg.util.intstr.IntOrString';
const RAW_EXTENSION = 'k8s.io.apimachinery.pkg.runtime.RawExtension';
const EXTENSIONS = 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1.';
const JSON_VALUE = `${EXTENSIONS}JSON`;
const PROPS = `${EXTENSIONS}JSONSchemaProps`;
const PROPS_OR_ARRAY = `${EXTENSIONS}JSONSchemaPropsOrArray`;
const PROPS_OR_BOOL = `${EXTENSIONS}JSONSchemaPropsOrBool`;
const PROPS_OR_STRINGS = `${EXTENSIONS}JSONSchemaPropsOrStringArray`;
/** authentication/v1, authorization/v1 and certificates/v1 ExtraValue: a []string, an array in JSON. */
const EXTRA_VALUE = 'ExtraValue';

const specialName = (type: string): string => (type.endsWith('.ExtraValue') ? EXTRA_VALUE : type);

type Schema = Record<string, Field[]>;
let schema: Schema | undefined;
const messages = (): Schema => (schema ??= JSON.parse(SCHEMA_JSON) as Schema);

/** Whether the schema has this message (a full proto name such as `k8s.io.api.apps.v1.Deployment`). */
export function hasMessage(type: string): boolean {
  return messages()[type] !== undefined;
}

/** A malformed body or a value of the wrong shape (the caller answers 400). */
export class ProtobufError extends Error {}

// ---------------------------------------------------------------------------------------------------
// JSON -> protobuf

/** The protobuf bytes of `value` as message `type`. */
export function encodeMessage(type: string, value: Json): Uint8Array {
  const writer = protobuf.Writer.create();
  writeMessage(writer, type, value);
  return writer.finish();
}

function writeMessage(w: protobuf.Writer, type: string, value: Json): void {
  if (writeSpecial(w, type, value)) return;
  const fields = messages()[type];
  if (!fields) throw new ProtobufError(`no protobuf schema for ${type}`);
  const obj = isObject(value) ? value : {};
  for (const [id, json, fieldType, flags = 0] of fields) {
    const v = flags & INLINE ? obj : obj[json];
    if (flags & MAP) {
      if (!isObject(v)) continue;
      for (const key of Object.keys(v).sort()) {
        const entry = v[key];
        if (fieldType === 'bytes' && (entry === null || entry === undefined)) continue;
        w.uint32((id << 3) | 2).fork();
        w.uint32(10).string(key);
        writeField(w, 2, fieldType, entry);
        w.ldelim();
      }
    } else if (flags & REPEATED) {
      if (!Array.isArray(v)) continue;
      for (const item of v) writeField(w, id, fieldType, item);
    } else if (v === undefined || v === null) {
      // gogo writes a non-pointer field even when it is zero; nil pointers and []byte are skipped.
      if (!(flags & POINTER) && fieldType !== 'bytes') writeField(w, id, fieldType, undefined);
    } else writeField(w, id, fieldType, v);
  }
}

function writeField(w: protobuf.Writer, id: number, type: string, v: Json): void {
  switch (type) {
    case 'string':
      w.uint32((id << 3) | 2).string(v === undefined ? '' : String(v));
      return;
    case 'bytes':
      w.uint32((id << 3) | 2).bytes(base64(v));
      return;
    case 'bool':
      w.uint32(id << 3).bool(v === true);
      return;
    case 'int32':
      w.uint32(id << 3).int32(integer(v));
      return;
    case 'int64':
      w.uint32(id << 3).int64(integer(v));
      return;
    case 'double':
      w.uint32((id << 3) | 1).double(typeof v === 'number' ? v : 0);
      return;
    default:
      w.uint32((id << 3) | 2).fork();
      writeMessage(w, type, v);
      w.ldelim();
  }
}

/** The types whose JSON is not an object of their fields; true when written. */
function writeSpecial(w: protobuf.Writer, type: string, v: Json): boolean {
  switch (specialName(type)) {
    case TIME:
    case MICRO_TIME: {
      // metav1.Time.Marshal: a zero time is an empty message, otherwise a Timestamp.
      if (typeof v !== 'string' || v === '') return true;
      const t = parseTime(v);
      if (!t) throw new ProtobufError(`invalid time ${JSON.stringify(v)}`);
      w.uint32(8).int64(t.seconds).uint32(16).int32(t.nanos);
      return true;
    }
    case QUANTITY:
      w.uint32(10).string(v === undefined || v === null ? '0' : String(v));
      return true;
    case INT_OR_STRING: {
      const isString = typeof v === 'string';
      w.uint32(8).int64(isString ? 1 : 0);
      w.uint32(16).int32(isString ? 0 : integer(v));
      w.uint32(26).string(isString ? v : '');
      return true;
    }
    case RAW_EXTENSION:
    case JSON_VALUE:
    case FIELDS_V1:
      // The raw JSON bytes (RawExtension.Marshal writes nothing for nil Raw).
      if (v !== undefined) w.uint32(10).bytes(Buffer.from(JSON.stringify(v)));
      return true;
    case VERBS:
    case EXTRA_VALUE:
      for (const item of Array.isArray(v) ? v : []) w.uint32(10).string(String(item));
      return true;
    case PROPS_OR_ARRAY:
      if (Array.isArray(v)) for (const item of v) writeField(w, 2, PROPS, item);
      else if (v !== undefined && v !== null) writeField(w, 1, PROPS, v);
      return true;
    case PROPS_OR_BOOL:
      if (typeof v === 'boolean') w.uint32(8).bool(v);
      else if (v !== undefined && v !== null) {
        w.uint32(8).bool(true);
        writeField(w, 2, PROPS, v);
      }
      return true;
    case PROPS_OR_STRINGS:
      if (Array.isArray(v)) for (const item of v) w.uint32(18).string(String(item));
      else if (v !== undefined && v !== null) writeField(w, 1, PROPS, v);
      return true;
    default:
      return false;
  }
}

function integer(v: Json): number {
  return typeof v === 'number' ? Math.trunc(v) : 0;
}

/** A `bytes` field: base64 in JSON (a Uint8Array passes as is: the envelope's raw object). */
function base64(v: Json): Uint8Array {
  if (v instanceof Uint8Array) return v;
  if (typeof v !== 'string') return new Uint8Array(0);
  return Buffer.from(v, 'base64');
}

function isObject(v: Json): v is JsonObject {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

// ---------------------------------------------------------------------------------------------------
// protobuf -> JSON

/** The JSON `encoding/json` prints for the Go struct that `bytes` (message `type`) decodes to. */
export function decodeMessage(type: string, bytes: Uint8Array): Json {
  return readValue(type, bytes);
}

type Raw = Map<number, unknown[]>;

function readValue(type: string, bytes: Uint8Array | undefined): Json {
  const special = readSpecial(type, bytes);
  if (special !== NOT_SPECIAL) return special;
  const fields = messages()[type];
  if (!fields) throw new ProtobufError(`no protobuf schema for ${type}`);
  const raw = readRaw(fields, bytes ?? new Uint8Array(0));
  const out: JsonObject = {};
  for (const [id, json, fieldType, flags = 0] of fields) {
    const values = raw.get(id);
    if (flags & INLINE) {
      Object.assign(out, readValue(fieldType, values?.at(-1) as Uint8Array | undefined));
      continue;
    }
    let v: Json;
    if (flags & MAP) {
      if (!values) v = undefined;
      else
        v = Object.fromEntries(
          values.map((entry) => {
            const f = readRaw(
              [
                [1, 'key', 'string'],
                [2, 'value', fieldType],
              ],
              entry as Uint8Array,
            );
            const value = f.get(2)?.at(-1);
            return [f.get(1)?.at(-1) ?? '', scalarOrMessage(fieldType, value, value !== undefined)];
          }),
        );
    } else if (flags & REPEATED) {
      v = values?.map((item) => scalarOrMessage(fieldType, item, true));
    } else if (values) {
      v = scalarOrMessage(fieldType, values.at(-1), true);
    } else if (flags & POINTER || fieldType === 'bytes') {
      v = undefined;
    } else {
      v = scalarOrMessage(fieldType, undefined, false);
    }
    // encoding/json: nil is null, unless omitempty; omitempty drops zero scalars and empty
    // slices/maps, never a struct.
    if (v === undefined) {
      if (!(flags & OMITEMPTY)) out[json] = null;
    } else if (!(flags & OMITEMPTY) || !isEmpty(v, fieldType, flags)) out[json] = v;
  }
  return out;
}

function isEmpty(v: Json, type: string, flags: number): boolean {
  if (flags & (MAP | REPEATED)) return Array.isArray(v) ? v.length === 0 : Object.keys(v as object).length === 0;
  if (flags & POINTER) return false;
  if (type === 'string' || type === 'bytes') return v === '';
  if (type === 'bool') return v === false;
  if (type === 'int32' || type === 'int64' || type === 'double') return v === 0;
  return false;
}

function scalarOrMessage(type: string, v: unknown, present: boolean): Json {
  switch (type) {
    case 'string':
      return present ? v : '';
    case 'bool':
      return present ? v : false;
    case 'int32':
    case 'int64':
    case 'double':
      return present ? v : 0;
    case 'bytes':
      return present ? Buffer.from(v as Uint8Array).toString('base64') : null;
    default:
      return readValue(type, v as Uint8Array | undefined);
  }
}

const BY_ID = new WeakMap<Field[], Map<number, Field>>();

/** Every field of one message by number, scalars decoded, messages and bytes as their bytes. */
function readRaw(fields: Field[], bytes: Uint8Array): Raw {
  let byId = BY_ID.get(fields);
  if (!byId) BY_ID.set(fields, (byId = new Map(fields.map((f) => [f[0], f]))));
  const reader = protobuf.Reader.create(bytes);
  const out: Raw = new Map();
  const push = (id: number, v: unknown) => {
    const list = out.get(id);
    if (list) list.push(v);
    else out.set(id, [v]);
  };
  try {
    while (reader.pos < reader.len) {
      const tag = reader.uint32();
      const id = tag >>> 3;
      const wire = tag & 7;
      const field = byId.get(id);
      if (!field) {
        reader.skipType(wire);
        continue;
      }
      const type = field[3] !== undefined && field[3] & MAP ? 'message' : field[2];
      if (wire === 2 && NUMERIC.has(type)) {
        // A packed repeated scalar.
        const end = reader.uint32() + reader.pos;
        while (reader.pos < end) push(id, readScalar(reader, type));
      } else if (wire === WIRE[type] || (wire === 2 && !(type in WIRE))) push(id, readScalar(reader, type));
      else throw new ProtobufError(`field ${id} (${field[1]}) has wire type ${wire}`);
    }
  } catch (err) {
    if (err instanceof ProtobufError) throw err;
    throw new ProtobufError(`invalid protobuf: ${(err as Error).message}`);
  }
  return out;
}

const WIRE: Record<string, number> = { string: 2, bytes: 2, bool: 0, int32: 0, int64: 0, double: 1 };
const NUMERIC = new Set(['bool', 'int32', 'int64', 'double']);

function readScalar(reader: protobuf.Reader, type: string): unknown {
  switch (type) {
    case 'string':
      return reader.string();
    case 'bool':
      return reader.bool();
    case 'int32':
      return reader.int32();
    case 'int64':
      return toNumber(reader.int64());
    case 'double':
      return reader.double();
    default:
      // bytes and messages
      return reader.bytes();
  }
}

/** int64 as a JS number (a Long when the `long` package is loaded, a number otherwise). */
function toNumber(v: number | protobuf.Long): number {
  return typeof v === 'number' ? v : protobuf.util.LongBits.from(v).toNumber(false);
}

const NOT_SPECIAL = Symbol('not special');

function readSpecial(type: string, bytes: Uint8Array | undefined): Json | typeof NOT_SPECIAL {
  const fields = (...f: Array<[number, string]>): Raw =>
    readRaw(
      f.map(([id, t]) => [id, '', t]),
      bytes ?? new Uint8Array(0),
    );
  switch (specialName(type)) {
    case TIME:
    case MICRO_TIME: {
      if (!bytes || bytes.length === 0) return null;
      const f = fields([1, 'int64'], [2, 'int32']);
      const seconds = (f.get(1)?.at(-1) as number | undefined) ?? 0;
      const nanos = (f.get(2)?.at(-1) as number | undefined) ?? 0;
      return type === TIME ? formatTime(seconds) : formatMicroTime(seconds, nanos);
    }
    case QUANTITY:
      return (fields([1, 'string']).get(1)?.at(-1) as string | undefined) ?? '0';
    case INT_OR_STRING: {
      const f = fields([1, 'int64'], [2, 'int32'], [3, 'string']);
      return f.get(1)?.at(-1) === 1 ? (f.get(3)?.at(-1) ?? '') : (f.get(2)?.at(-1) ?? 0);
    }
    case RAW_EXTENSION:
    case JSON_VALUE:
    case FIELDS_V1: {
      const raw = fields([1, 'bytes']).get(1)?.at(-1) as Uint8Array | undefined;
      if (!raw || raw.length === 0) return null;
      try {
        return JSON.parse(Buffer.from(raw).toString('utf8')) as Json;
      } catch {
        throw new ProtobufError(`${type.slice(type.lastIndexOf('.') + 1)} is not JSON`);
      }
    }
    case VERBS:
    case EXTRA_VALUE:
      return fields([1, 'string']).get(1) ?? null;
    case PROPS_OR_ARRAY: {
      const f = fields([1, 'message'], [2, 'message']);
      const many = f.get(2);
      if (many) return many.map((b) => readValue(PROPS, b as Uint8Array));
      const one = f.get(1)?.at(-1) as Uint8Array | undefined;
      return one ? readValue(PROPS, one) : null;
    }
    case PROPS_OR_BOOL: {
      const f = fields([1, 'bool'], [2, 'message']);
      const one = f.get(2)?.at(-1) as Uint8Array | undefined;
      return one ? readValue(PROPS, one) : f.get(1)?.at(-1) === true;
    }
    case PROPS_OR_STRINGS: {
      const f = fields([1, 'message'], [2, 'string']);
      const one = f.get(1)?.at(-1) as Uint8Array | undefined;
      return one ? readValue(PROPS, one) : (f.get(2) ?? null);
    }
    default:
      return NOT_SPECIAL;
  }
}
