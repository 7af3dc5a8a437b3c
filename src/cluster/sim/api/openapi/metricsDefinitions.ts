/**
 * The schemas of metrics.k8s.io/v1beta1, which a real cluster's OpenAPI carries when metrics-server
 * is installed (the aggregator merges the APIService's document): transcribed from
 * https://github.com/kubernetes/metrics/blob/release-1.32/pkg/apis/metrics/v1beta1/types.go.
 * Read-only kinds served by serve's metrics route (../metrics.ts); in the v2 `$ref` form of the
 * upstream definitions.
 */
const META = '#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.';
const QUANTITY = '#/definitions/io.k8s.apimachinery.pkg.api.resource.Quantity';
const PREFIX = 'io.k8s.metrics.pkg.apis.metrics.v1beta1.';
const GROUP = 'metrics.k8s.io';
const VERSION = 'v1beta1';

const usage = {
  description: 'The memory and CPU usage of the object over the window.',
  type: 'object',
  additionalProperties: { $ref: QUANTITY },
};
const timestamp = {
  description:
    'The following fields define time interval from which metrics were collected from the interval [Timestamp-Window, Timestamp].',
  $ref: `${META}Time`,
};
const window = { type: 'string' }; // metav1.Duration: a Go duration string (`15s`)
const typeMeta = {
  apiVersion: { type: 'string' },
  kind: { type: 'string' },
};

function gvk(kind: string): Array<{ group: string; version: string; kind: string }> {
  return [{ group: GROUP, version: VERSION, kind }];
}

function list(kind: string): Record<string, unknown> {
  return {
    description: `${kind}List is a list of ${kind}.`,
    type: 'object',
    required: ['items'],
    properties: {
      ...typeMeta,
      metadata: { $ref: `${META}ListMeta` },
      items: { description: `List of ${kind}.`, type: 'array', items: { $ref: `#/definitions/${PREFIX}${kind}` } },
    },
    'x-kubernetes-group-version-kind': gvk(`${kind}List`),
  };
}

export const METRICS_DEFINITIONS: Readonly<Record<string, Record<string, unknown>>> = {
  [`${PREFIX}ContainerMetrics`]: {
    description: 'ContainerMetrics sets resource usage metrics of a container.',
    type: 'object',
    required: ['name', 'usage'],
    properties: {
      name: { description: 'Container name corresponding to the one from pod.spec.containers.', type: 'string' },
      usage,
    },
  },
  [`${PREFIX}NodeMetrics`]: {
    description: 'NodeMetrics sets resource usage metrics of a node.',
    type: 'object',
    required: ['timestamp', 'window', 'usage'],
    properties: { ...typeMeta, metadata: { $ref: `${META}ObjectMeta` }, timestamp, window, usage },
    'x-kubernetes-group-version-kind': gvk('NodeMetrics'),
  },
  [`${PREFIX}NodeMetricsList`]: list('NodeMetrics'),
  [`${PREFIX}PodMetrics`]: {
    description: 'PodMetrics sets resource usage metrics of a pod.',
    type: 'object',
    required: ['timestamp', 'window', 'containers'],
    properties: {
      ...typeMeta,
      metadata: { $ref: `${META}ObjectMeta` },
      timestamp,
      window,
      containers: {
        description: 'Metrics for all containers are collected within the same time window.',
        type: 'array',
        items: { $ref: `#/definitions/${PREFIX}ContainerMetrics` },
        'x-kubernetes-list-type': 'atomic',
      },
    },
    'x-kubernetes-group-version-kind': gvk('PodMetrics'),
  },
  [`${PREFIX}PodMetricsList`]: list('PodMetrics'),
};

/** The definition names of a metrics kind and its list, when `apiVersion`/`kind` is one. */
export function metricsSchemaNames(apiVersion: string, kind: string): { kind: string; list: string } | undefined {
  const name = `${PREFIX}${kind}`;
  return apiVersion === `${GROUP}/${VERSION}` && METRICS_DEFINITIONS[name]
    ? { kind: name, list: `${name}List` }
    : undefined;
}
