#!/usr/bin/env node
// Regenerates src/cluster/sim/api/protobuf/schema.ts: the protobuf schemas of every built-in kind
// `serve` stores, as data, for the codec in src/cluster/sim/api/protobuf/.
//
//   node scripts/protobuf-schema.mjs <k8s.io/api> <apimachinery> <apiextensions-apiserver> <kube-aggregator> [tag]
//
// The tag (default v0.32.4: the staging repositories' tag of Kubernetes v1.32.4, the version serve
// reports) is read in all four git checkouts with `git show`, no work tree needed.
// Inputs are git checkouts of kubernetes/api, kubernetes/apimachinery and
// kubernetes/apiextensions-apiserver, kubernetes/kube-aggregator (APIService). Each
// message of the upstream `generated.proto` files becomes a list of fields; the proto file says
// the field numbers and wire types, and the Go struct tags of the same package (types.go and
// friends: `json:"name,omitempty" protobuf:"bytes,1,opt,name=name"`) say what the proto file
// cannot: the JSON name, omitempty, whether the Go field is a pointer (absent vs zero), and
// embedded structs whose fields JSON inlines (core/v1 Volume.volumeSource).
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import protobuf from 'protobufjs';

const [apiDir, machineryDir, extensionsDir, aggregatorDir, tag = 'v0.32.4'] = process.argv.slice(2);
if (!apiDir || !machineryDir || !extensionsDir || !aggregatorDir) {
  console.error(
    'usage: node scripts/protobuf-schema.mjs <kubernetes/api> <kubernetes/apimachinery> <kubernetes/apiextensions-apiserver> <kubernetes/kube-aggregator> [tag]',
  );
  process.exit(2);
}

/** The k8s.io/api groups builtinResources serves, plus the reviews and tokens kubectl posts. */
const API_PACKAGES = [
  'core/v1',
  'apps/v1',
  'autoscaling/v1',
  'autoscaling/v2',
  'batch/v1',
  'networking/v1',
  'policy/v1',
  'rbac/v1',
  'scheduling/v1',
  'storage/v1',
  'node/v1',
  'coordination/v1',
  'discovery/v1',
  'certificates/v1',
  'admissionregistration/v1',
  'flowcontrol/v1',
  'events/v1',
  'authorization/v1',
  'authentication/v1',
];
const MACHINERY_PACKAGES = [
  'pkg/apis/meta/v1',
  'pkg/runtime',
  'pkg/runtime/schema',
  'pkg/util/intstr',
  'pkg/api/resource',
];

const git = (dir, ...args) => execFileSync('git', ['-C', dir, ...args], { encoding: 'utf8', maxBuffer: 1 << 28 });
const sources = [
  ...API_PACKAGES.map((p) => ({ dir: apiDir, path: p, pkg: `k8s.io.api.${p.replace(/\//g, '.')}` })),
  ...MACHINERY_PACKAGES.map((p) => ({
    dir: machineryDir,
    path: p,
    pkg: `k8s.io.apimachinery.${p.replace(/\//g, '.')}`,
  })),
  {
    dir: extensionsDir,
    path: 'pkg/apis/apiextensions/v1',
    pkg: 'k8s.io.apiextensions_apiserver.pkg.apis.apiextensions.v1',
  },
  {
    dir: aggregatorDir,
    path: 'pkg/apis/apiregistration/v1',
    pkg: 'k8s.io.kube_aggregator.pkg.apis.apiregistration.v1',
  },
];

const root = new protobuf.Root();
/** Go struct tags by proto package, then `Type.protoField`. */
const goTags = new Map();
const commits = new Set();
for (const { dir, path, pkg } of sources) {
  commits.add(
    `${dir.replace(/.*\/\.mirror\//, '').replace(/\/repo$/, '')} ${tag} ${git(dir, 'rev-parse', `${tag}^{commit}`).trim()}`,
  );
  protobuf.parse(git(dir, 'show', `${tag}:${path}/generated.proto`), root, { keepCase: true });
  const tags = new Map();
  const files = git(dir, 'ls-tree', '--name-only', `${tag}:${path}`).split('\n');
  for (const file of files.filter((f) => f.endsWith('.go') && !f.endsWith('_test.go') && !f.includes('generated')))
    readGoTags(git(dir, 'show', `${tag}:${path}/${file}`), tags);
  goTags.set(pkg, tags);
}
root.resolveAll();

/**
 * Struct fields with a `protobuf:"...,name=x"` tag: `Name Type \`tags\`` or an embedded `Type \`tags\``.
 * A field tagged `json:",inline"`, or embedded with no JSON name, is flattened into its parent's JSON.
 */
function readGoTags(source, tags) {
  let struct;
  for (const line of source.split('\n')) {
    const start = /^type (\w+) struct \{/.exec(line);
    if (start) {
      struct = start[1];
      continue;
    }
    if (/^\}/.test(line)) struct = undefined;
    if (!struct) continue;
    const m = /^\s+([^`/]*?)\s*`([^`]*)`/.exec(line);
    if (!m) continue;
    const proto = /protobuf:"([^"]*)"/.exec(m[2]);
    if (!proto) continue;
    const json = /json:"([^"]*)"/.exec(m[2])?.[1] ?? '';
    const [jsonName, ...options] = json.split(',');
    const parts = m[1].split(/\s+/);
    const embedded = parts.length === 1;
    const goType = embedded ? parts[0] : parts.slice(1).join(' ');
    // go-to-protobuf names an unnamed field after its Go name, first letter lowered
    // (core/v1 EphemeralContainer.EphemeralContainerCommon is tagged `protobuf:"bytes,1,req"`).
    const goName = embedded ? goType.replace(/^\*/, '').replace(/^.*\./, '') : parts[0];
    const protoName = /(?:^|,)name=([^,]+)/.exec(proto[1])?.[1] ?? goName[0].toLowerCase() + goName.slice(1);
    tags.set(`${struct}.${protoName}`, {
      json: jsonName,
      omitempty: options.includes('omitempty'),
      inline: options.includes('inline') || (embedded && jsonName === ''),
      pointer: goType.startsWith('*'),
    });
  }
}

const REPEATED = 1;
const MAP = 2;
const POINTER = 4;
const OMITEMPTY = 8;
const INLINE = 16;

const messages = {};
const visit = (ns) => {
  for (const nested of ns.nestedArray) {
    if (nested instanceof protobuf.Type) {
      const pkg = nested.parent.fullName.slice(1);
      const tags = goTags.get(pkg);
      messages[nested.fullName.slice(1)] = nested.fieldsArray
        .slice()
        .sort((a, b) => a.id - b.id)
        .map((field) => {
          const tag = tags?.get(`${nested.name}.${field.name}`);
          if (field.map && field.keyType !== 'string')
            throw new Error(`${nested.fullName}.${field.name}: map key ${field.keyType}`);
          const type = field.resolvedType ? field.resolvedType.fullName.slice(1) : field.type;
          const flags =
            (field.repeated ? REPEATED : 0) |
            (field.map ? MAP : 0) |
            (tag?.pointer ? POINTER : 0) |
            (tag?.omitempty ? OMITEMPTY : 0) |
            (tag?.inline ? INLINE : 0);
          const entry = [field.id, tag && !tag.inline && tag.json ? tag.json : field.name, type];
          return flags ? [...entry, flags] : entry;
        });
    }
    if (nested.nestedArray) visit(nested);
  }
};
visit(root);

const json = JSON.stringify(messages);
// As prettier prints it: single quotes, so the JSON needs no escapes (it has no quote or backslash).
if (/['\\]/.test(json)) throw new Error('the schema JSON has a quote or a backslash');
const out = `// Generated by scripts/protobuf-schema.mjs from the upstream generated.proto files and Go struct tags of
// ${[...commits].join('\n// ')}
// Do not edit: regenerate. Each message's fields are [number, JSON name, type, flags] (./codec.ts).
export const SCHEMA_JSON =
  '${json}';
`;
writeFileSync(new URL('../src/cluster/sim/api/protobuf/schemaData.ts', import.meta.url), out);
console.log(`${Object.keys(messages).length} messages, ${out.length} bytes`);
