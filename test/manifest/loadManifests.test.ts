import { describe, expect, test } from '@jest/globals';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadManifests } from '../../src/manifest/index.js';

const cwd = 'test/fixtures/manifests';
const load = (patterns: string[], extra: { namespace?: string; images?: string[]; defaultNamespace?: string } = {}) =>
  loadManifests({ patterns, cwd, ...extra });

describe('loadManifests: good manifests', () => {
  test('no errors; apply order Namespace, ServiceAccount, ConfigMap/Secret, Service, Deployments; namespaces defaulted', () => {
    const { documents, errors } = load(['good']);
    expect(errors).toEqual([]);
    expect(
      documents.map(
        (d) => `${d.file}:${d.line} ${d.object.kind} ${d.object.metadata.namespace ?? '-'}/${d.object.metadata.name}`,
      ),
    ).toEqual([
      'good/base/namespace.yaml:1 Namespace -/shop',
      'good/list.json:5 ServiceAccount default/web',
      'good/app/web.yaml:2 ConfigMap default/web-config',
      'good/list.json:10 Secret default/web-token',
      'good/app/web.yaml:9 Service default/web',
      'good/app/web.yaml:19 Deployment default/web',
      'good/app/worker.yml:1 Deployment default/worker',
    ]);
    expect(documents[5]!.imageLines).toEqual({ migrate: 37, web: 40, proxy: 44 });
    expect(Object.keys(documents[0]!)).toEqual(['file', 'line', 'object', 'imageLines', 'lineOf']);
  });

  test('--namespace fills objects without one; defaultNamespace is only a fallback', () => {
    expect(
      load(['good/app/web.yaml'], { namespace: 'shop' }).documents.map((d) => d.object.metadata.namespace),
    ).toEqual(['shop', 'shop', 'shop']);
    expect(load(['good/app/worker.yml'], { defaultNamespace: 'team' }).documents[0]!.object.metadata.namespace).toBe(
      'team',
    );
  });

  test('an object whose namespace differs from an explicit --namespace is an error (kubectl wording)', () => {
    expect(load(['bad/duplicates.yaml'], { namespace: 'shop' }).errors).toEqual([
      {
        file: 'bad/duplicates.yaml',
        line: 7,
        message:
          'the namespace from the provided object "default" does not match the namespace "shop". ' +
          "You must pass '--namespace=default' to perform this operation.",
      },
    ]);
  });
});

describe('loadManifests: every problem at once, with file and line', () => {
  test('the bad fixtures', () => {
    const files = [
      'bad/selector-mismatch.yaml',
      'bad/zero-zero.yaml',
      'bad/percent.yaml',
      'bad/negative.yaml',
      'bad/image.yaml',
      'bad/duplicates.yaml',
      'bad/broken.yaml',
      'bad/wrong-kind.yaml',
      'bad/empty.yaml',
    ];
    // One file per call where they share Deployment "web", so no duplicate noise; then all together.
    const errorsOf = (f: string) => load([f]).errors.map((e) => `${e.file}:${e.line}: ${e.message}`);
    expect(errorsOf('bad/selector-mismatch.yaml')).toEqual([
      'bad/selector-mismatch.yaml:11: The Deployment "web" is invalid: spec.template.metadata.labels: Invalid value: {"app":"other"}: `selector` does not match template `labels`',
    ]);
    expect(errorsOf('bad/zero-zero.yaml')).toEqual([
      'bad/zero-zero.yaml:12: The Deployment "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: 0: may not be 0 when `maxSurge` is 0',
    ]);
    expect(errorsOf('bad/percent.yaml')).toEqual([
      'bad/percent.yaml:12: The Deployment "web" is invalid: spec.strategy.rollingUpdate.maxUnavailable: Invalid value: "150%": must not be greater than 100%',
    ]);
    expect(errorsOf('bad/negative.yaml')).toEqual([
      'bad/negative.yaml:6: The Deployment "web" is invalid: spec.replicas: Invalid value: -1: must be greater than or equal to 0',
      'bad/negative.yaml:7: The Deployment "web" is invalid: spec.minReadySeconds: Invalid value: -5: must be greater than or equal to 0',
      'bad/negative.yaml:8: The Deployment "web" is invalid: spec.revisionHistoryLimit: Invalid value: -2: must be greater than or equal to 0',
      'bad/negative.yaml:9: The Deployment "web" is invalid: spec.progressDeadlineSeconds: Invalid value: -3: must be greater than or equal to 0',
    ]);
    expect(errorsOf('bad/image.yaml')).toEqual([
      'bad/image.yaml:16: The Deployment "web" has an invalid image in container "web": "Nginx:1.27": invalid reference format: ' +
        'repository name (library/Nginx) must be lowercase (the kubelet would fail the pod with InvalidImageName)',
      'bad/image.yaml:18: The Deployment "web" has an invalid image in container "sidecar": "busybox:bad tag": invalid reference format ' +
        '(the kubelet would fail the pod with InvalidImageName)',
    ]);
    expect(errorsOf('bad/duplicates.yaml')).toEqual([
      'bad/duplicates.yaml:7: duplicate ConfigMap "settings" in namespace "default": also defined at bad/duplicates.yaml:1',
    ]);
    expect(errorsOf('bad/broken.yaml')).toEqual([
      'bad/broken.yaml:11: invalid YAML: deficient indentation (line 11, column 1)' +
        ': a line is indented less than its block, or a quote or bracket above is not closed',
    ]);
    expect(errorsOf('bad/wrong-kind.yaml')).toEqual([
      'bad/wrong-kind.yaml:1: no matches for kind "Deployment" in version "extensions/v1beta1": use apiVersion: apps/v1',
      // Any kind is applied (issue 10); a built-in kind under a removed version is still refused.
      'bad/wrong-kind.yaml:6: no matches for kind "Ingress" in version "extensions/v1beta1": use apiVersion: networking.k8s.io/v1',
      'bad/wrong-kind.yaml:11: apiVersion not set',
      'bad/wrong-kind.yaml:11: metadata.name not set',
    ]);
    expect(errorsOf('bad/empty.yaml')).toEqual([
      'bad/empty.yaml:0: no Kubernetes objects in this file (it is empty or holds only comments)',
    ]);

    const all = load(files).errors;
    expect(all.length).toBe(1 + 1 + 1 + 4 + 2 + 1 + 1 + 4 + 1 + 4); // + 4 duplicate "web" Deployments
    expect([...new Set(all.map((e) => e.file))]).toEqual(files); // sorted by input order, then line
    expect(all.filter((e) => e.message.startsWith('duplicate Deployment "web"')).map((e) => e.file)).toEqual([
      'bad/zero-zero.yaml',
      'bad/percent.yaml',
      'bad/negative.yaml',
      'bad/image.yaml',
    ]);
  });

  test('a missing container image points at the container; a missing selector gives the upstream pair', () => {
    const doc = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      'spec:',
      '  template:',
      '    metadata:',
      '      labels: {app: api}',
      '    spec:',
      '      containers:',
      '        - name: api',
    ].join('\n');
    const errs = loadFromText(doc);
    expect(errs).toEqual([
      'x.yaml:5: The Deployment "api" is invalid: spec.selector: Required value',
      'x.yaml:8: The Deployment "api" is invalid: spec.template.metadata.labels: Invalid value: {"app":"api"}: `selector` does not match template `labels`',
      'x.yaml:11: The Deployment "api" is invalid: spec.template.spec.containers[0].image: Required value',
    ]);
  });

  test('wrong types are reported instead of crashing validation (YAML 1.1 booleans, quoted numbers)', () => {
    const doc = [
      'apiVersion: apps/v1',
      'kind: Deployment',
      'metadata:',
      '  name: api',
      '  labels: {enabled: yes}',
      'spec:',
      '  replicas: "3"',
      '  selector: {matchLabels: {app: api}}',
      '  template:',
      '    metadata: {labels: {app: api}}',
      '    spec: {containers: [{name: api, image: 1.5}]}',
    ].join('\n');
    expect(loadFromText(doc)).toEqual([
      'x.yaml:5: The Deployment "api" is invalid: metadata.labels[enabled]: expected a string, got the boolean true (quote it in YAML)',
      'x.yaml:7: The Deployment "api" is invalid: spec.replicas: expected an integer, got the string "3"',
      'x.yaml:11: The Deployment "api" is invalid: spec.template.spec.containers[0].image: expected a string, got the number 1.5 (quote it in YAML)',
    ]);
  });

  test('names of other kinds follow their own rules (Service: DNS-1035 label)', () => {
    expect(loadFromText('apiVersion: v1\nkind: Service\nmetadata:\n  name: 1web\n')).toEqual([
      'x.yaml:4: The Service "1web" is invalid: metadata.name: Invalid value: "1web": a DNS-1035 label must consist of lower case ' +
        "alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. " +
        "'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')",
    ]);
  });
});

describe('loadManifests: image overrides', () => {
  const images = (docs: ReturnType<typeof load>['documents']) =>
    docs
      .filter((d) => d.object.kind === 'Deployment')
      .flatMap((d) => {
        const spec = (
          d.object.spec as {
            template: {
              spec: {
                containers: Array<{ name: string; image: string }>;
                initContainers?: Array<{ name: string; image: string }>;
              };
            };
          }
        ).template.spec;
        return [...(spec.initContainers ?? []), ...spec.containers].map(
          (c) => `${d.object.metadata.name}/${c.name}=${c.image}`,
        );
      });

  test('by container name, by image name (normalised), and * for the rest', () => {
    const r = load(['good/app'], {
      images: ['web=ghcr.io/acme/web:2.0.0\ndocker.io/library/nginx=nginx:1.28', '*=busybox:1'],
    });
    expect(r.errors).toEqual([]);
    expect(images(r.documents)).toEqual([
      'web/migrate=busybox:1',
      'web/web=ghcr.io/acme/web:2.0.0',
      'web/proxy=nginx:1.28',
      'worker/worker=busybox:1',
    ]);
    // image lines still point at the file
    expect(
      r.documents.find((d) => d.object.kind === 'Deployment' && d.object.metadata.name === 'web')!.imageLines.web,
    ).toBe(40);
  });

  test('an override that matches nothing, or does not parse, is an error; nothing else hides', () => {
    expect(load(['good/app'], { images: ['wbe=ghcr.io/acme/web:2'] }).errors).toEqual([
      {
        file: '',
        line: 0,
        message:
          'image override "wbe=ghcr.io/acme/web:2" matches no container: no container is named "wbe" and no container uses the image "wbe"',
      },
    ]);
    expect(
      load(['good/app'], { images: ['web', 'web=Bad:Image', '=x:1', 'proxy=', 'proxy=a:1', 'proxy=b:1'] }).errors.map(
        (e) => e.message,
      ),
    ).toEqual([
      'invalid image override "web": expected NAME=IMAGE (a container name, an image name or *, then the new image)',
      'invalid image override "web=Bad:Image": "Bad:Image" is not a valid image reference: invalid reference format: repository name (library/Bad) must be lowercase',
      'invalid image override "=x:1": the name before "=" is empty',
      'invalid image override "proxy=": the image after "=" is empty',
      'invalid image override "proxy=b:1": "proxy" is overridden more than once',
    ]);
    expect(load(['good/base'], { images: ['*=x:1'] }).errors.map((e) => e.message)).toEqual([
      'image override "*=x:1" matches no container: the manifests define no containers',
    ]);
  });
});

function loadFromText(text: string): string[] {
  const dir = mkdtempSync(join(tmpdir(), 'rollout-gate-manifest-'));
  writeFileSync(join(dir, 'x.yaml'), text);
  return loadManifests({ patterns: ['x.yaml'], cwd: dir }).errors.map((e) => `${e.file}:${e.line}: ${e.message}`);
}
