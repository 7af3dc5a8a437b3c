/**
 * The swagger 2.0 document in the protobuf form client-go asks for first
 * (`Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf`; discovery_client.go's
 * OpenAPISchema decodes nothing else): gnostic's `openapi.v2.Document`, field numbers from
 * https://github.com/google/gnostic-models/blob/main/openapiv2/OpenAPIv2.proto. Only the parts
 * of the document ./paths.ts and ./components.ts write are encoded. Vendor extensions and other
 * free values travel as the `yaml` of a gnostic `Any`; JSON is YAML, and kube-openapi reads them
 * with a YAML decoder (pkg/util/proto/document.go, VendorExtensionToMap).
 */
type Json = Record<string, unknown>;

/** proto3 wire format: varint (0), 64-bit (1) and length-delimited (2) fields. */
function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v > 0x7f) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

class Message {
  private readonly parts: Buffer[] = [];

  private key(field: number, wire: number): void {
    this.parts.push(Buffer.from(varint(field * 8 + wire)));
  }

  /** A string (proto3 leaves out empty ones). */
  string(field: number, value: unknown): this {
    if (typeof value !== 'string' || value === '') return this;
    return this.bytes(field, Buffer.from(value, 'utf8'));
  }

  strings(field: number, values: unknown): this {
    if (Array.isArray(values)) for (const v of values) this.string(field, v);
    return this;
  }

  bool(field: number, value: unknown): this {
    if (value !== true) return this;
    this.key(field, 0);
    this.parts.push(Buffer.from([1]));
    return this;
  }

  int(field: number, value: unknown): this {
    if (typeof value !== 'number' || value <= 0 || !Number.isInteger(value)) return this;
    this.key(field, 0);
    this.parts.push(Buffer.from(varint(value)));
    return this;
  }

  double(field: number, value: unknown): this {
    if (typeof value !== 'number' || value === 0) return this;
    this.key(field, 1);
    const b = Buffer.alloc(8);
    b.writeDoubleLE(value);
    this.parts.push(b);
    return this;
  }

  message(field: number, value: Message | undefined): this {
    return value ? this.bytes(field, value.encode()) : this;
  }

  private bytes(field: number, value: Buffer): this {
    this.key(field, 2);
    this.parts.push(Buffer.from(varint(value.length)), value);
    return this;
  }

  encode(): Buffer {
    return Buffer.concat(this.parts);
  }
}

/** gnostic `Any`: a free value as YAML (written as JSON). */
function any(value: unknown): Message {
  return new Message().string(2, JSON.stringify(value));
}

/** gnostic `NamedX`: a map entry. */
function named(name: string, value: Message): Message {
  return new Message().string(1, name).message(2, value);
}

/** The `x-` keys of an object as `NamedAny` entries, in field `field`. */
function extensions(m: Message, field: number, value: Json): Message {
  for (const [k, v] of Object.entries(value)) if (k.startsWith('x-')) m.message(field, named(k, any(v)));
  return m;
}

export function schema(s: Json): Message {
  const m = new Message().string(1, s.$ref).string(2, s.format).string(3, s.title).string(4, s.description);
  if (s.default !== undefined) m.message(5, any(s.default));
  m.double(6, s.multipleOf)
    .double(7, s.maximum)
    .bool(8, s.exclusiveMaximum)
    .double(9, s.minimum)
    .bool(10, s.exclusiveMinimum)
    .int(11, s.maxLength)
    .int(12, s.minLength)
    .string(13, s.pattern)
    .int(14, s.maxItems)
    .int(15, s.minItems)
    .bool(16, s.uniqueItems)
    .int(17, s.maxProperties)
    .int(18, s.minProperties)
    .strings(19, s.required);
  if (Array.isArray(s.enum)) for (const v of s.enum) m.message(20, any(v));
  const additional = s.additionalProperties;
  if (typeof additional === 'boolean') m.message(21, new Message().bool(2, additional));
  else if (additional && typeof additional === 'object')
    m.message(21, new Message().message(1, schema(additional as Json)));
  if (s.type !== undefined) m.message(22, new Message().strings(1, Array.isArray(s.type) ? s.type : [s.type]));
  if (s.items && typeof s.items === 'object') {
    const items = new Message();
    for (const item of Array.isArray(s.items) ? s.items : [s.items]) items.message(1, schema(item as Json));
    m.message(23, items);
  }
  if (Array.isArray(s.allOf)) for (const part of s.allOf) m.message(24, schema(part as Json));
  if (s.properties && typeof s.properties === 'object') {
    const properties = new Message();
    for (const [k, v] of Object.entries(s.properties as Json)) properties.message(1, named(k, schema(v as Json)));
    m.message(25, properties);
  }
  m.bool(27, s.readOnly);
  if (s.example !== undefined) m.message(30, any(s.example));
  return extensions(m, 31, s);
}

/** `ParametersItem` -> `Parameter`: a body parameter, or a query/path one (`NonBodyParameter`). */
function parameter(p: Json): Message {
  let parameter: Message;
  if (p.in === 'body') {
    parameter = new Message().message(
      1,
      new Message()
        .string(1, p.description)
        .string(2, p.name)
        .string(3, p.in)
        .bool(4, p.required)
        .message(5, schema(p.schema as Json)),
    );
  } else {
    const path = p.in === 'path';
    // QueryParameterSubSchema and PathParameterSubSchema differ after `name` (query has allow_empty_value).
    const sub = new Message()
      .bool(1, p.required)
      .string(2, p.in)
      .string(3, p.description)
      .string(4, p.name)
      .string(path ? 5 : 6, p.type)
      .bool(path ? 19 : 20, p.uniqueItems);
    parameter = new Message().message(2, new Message().message(path ? 4 : 3, sub));
  }
  return new Message().message(1, parameter);
}

function operation(op: Json): Message {
  const m = new Message().string(5, op.operationId).strings(6, op.produces).strings(7, op.consumes);
  for (const p of (op.parameters as Json[] | undefined) ?? []) m.message(8, parameter(p));
  const responses = new Message();
  for (const [code, r] of Object.entries((op.responses as Record<string, Json> | undefined) ?? {})) {
    const response = new Message().string(1, r.description);
    if (r.schema) response.message(2, new Message().message(1, schema(r.schema as Json)));
    responses.message(1, named(code, new Message().message(1, response)));
  }
  m.message(9, responses).strings(10, op.schemes);
  return extensions(m, 13, op);
}

const METHODS: Record<string, number> = { get: 2, put: 3, post: 4, delete: 5, options: 6, head: 7, patch: 8 };

function pathItem(item: Json): Message {
  const m = new Message();
  for (const [method, field] of Object.entries(METHODS))
    if (item[method]) m.message(field, operation(item[method] as Json));
  for (const p of (item.parameters as Json[] | undefined) ?? []) m.message(9, parameter(p));
  return extensions(m, 10, item);
}

/** The swagger 2.0 document `doc` (as ../openapi.ts builds it) in gnostic's protobuf form. */
export function encodeV2(doc: Json): Buffer {
  const info = doc.info as Json;
  const paths = new Message();
  for (const [path, item] of Object.entries(doc.paths as Record<string, Json>))
    paths.message(2, named(path, pathItem(item)));
  const definitions = new Message();
  for (const [name, s] of Object.entries(doc.definitions as Record<string, Json>))
    definitions.message(1, named(name, schema(s)));
  const m = new Message()
    .string(1, doc.swagger)
    .message(2, new Message().string(1, info.title).string(2, info.version))
    .message(8, paths)
    .message(9, definitions);
  for (const requirement of (doc.security as Array<Record<string, string[]>> | undefined) ?? []) {
    const r = new Message();
    for (const [name, scopes] of Object.entries(requirement))
      r.message(1, named(name, new Message().strings(1, scopes)));
    m.message(12, r);
  }
  const securityDefinitions = new Message();
  for (const [name, d] of Object.entries((doc.securityDefinitions as Record<string, Json> | undefined) ?? {})) {
    const apiKey = new Message().string(1, d.type).string(2, d.name).string(3, d.in).string(4, d.description);
    securityDefinitions.message(1, named(name, new Message().message(2, apiKey)));
  }
  return m.message(13, securityDefinitions).encode();
}
