/**
 * Names the pod templates of a timeline the way a person knows them: by their images and by what
 * they are to this run, "nginx:1.231 (this deploy)", "nginx:1.14.2 (last good)". Never by revision
 * number: `kubectl rollout undo` re-adds the good template as the newest revision, so "new
 * revision" after a rollback is the old template (issue 12). Pure: the gate records pods by
 * template hash while it watches, and names them here once the run's roles are known.
 */
import type { TemplatePods, TimelinePoint } from '../gate/result.js';
import type { PodTemplateSpec } from '../k8s/objects.js';
import { templateImages, templatesEqualIgnoringHash, withoutHash } from '../rollout/revisions.js';

/** What a run knows about the templates of one workload, for naming them. */
export interface TemplateCatalogue {
  /** Every template the run saw pods of, by hash (`pod-template-hash`, `controller-revision-hash`). */
  seen: Map<string, PodTemplateSpec | undefined>;
  /** The template this run applied. */
  applied?: PodTemplateSpec;
  /** The template the workload had before the apply. */
  previous?: PodTemplateSpec;
  /** The previous template was fully rolled out and available before the apply. */
  previousGood?: boolean;
  /** The template the rollback restored. */
  restored?: PodTemplateSpec;
}

export type TemplateRole = 'this deploy' | 'last good' | 'before' | 'unchanged' | 'older';

/** What a template is to the run. */
export function templateRole(template: PodTemplateSpec | undefined, c: TemplateCatalogue): TemplateRole {
  const is = (other: PodTemplateSpec | undefined): boolean =>
    template !== undefined && other !== undefined && templatesEqualIgnoringHash(template, other);
  if (is(c.applied)) return is(c.previous) ? 'unchanged' : 'this deploy';
  if (is(c.restored)) return 'last good';
  if (is(c.previous)) return c.restored === undefined && c.previousGood === true ? 'last good' : 'before';
  return 'older';
}

/** `nginx@sha256:0123456789ab…`: a digest shortened to 12 hex digits, tags kept. */
export function shortImage(image: string): string {
  return image.replace(/@sha256:([0-9a-f]{12})[0-9a-f]{52}$/, '@sha256:$1…');
}

const CONTAINER_FIELDS: ReadonlyArray<[string, string[]]> = [
  ['env', ['env', 'envFrom']],
  ['command', ['command', 'args', 'workingDir']],
  ['resources', ['resources']],
  ['probes', ['readinessProbe', 'livenessProbe', 'startupProbe']],
  ['ports', ['ports']],
  ['volume mounts', ['volumeMounts']],
];

/**
 * What differs between two templates with the same images, briefly: `env changed`, `resources
 * changed`, `labels changed`, `spec changed` (the first difference found, in this order).
 */
export function templateDifference(a: PodTemplateSpec, b: PodTemplateSpec): string {
  const x = withoutHash(a);
  const y = withoutHash(b);
  const same = (p: unknown, q: unknown): boolean => JSON.stringify(p ?? null) === JSON.stringify(q ?? null);
  const containers = (t: PodTemplateSpec) => [...(t.spec?.initContainers ?? []), ...(t.spec?.containers ?? [])];
  const cx = containers(x) as unknown as Record<string, unknown>[];
  const cy = containers(y) as unknown as Record<string, unknown>[];
  if (cx.length !== cy.length) return 'containers changed';
  for (const [what, fields] of CONTAINER_FIELDS) {
    if (cx.some((c, i) => fields.some((f) => !same(c[f], cy[i]?.[f])))) return `${what} changed`;
  }
  if (!same(x.metadata?.labels, y.metadata?.labels)) return 'labels changed';
  if (!same(x.metadata?.annotations, y.metadata?.annotations)) return 'annotations changed';
  if (!same(x.spec?.volumes, y.spec?.volumes)) return 'volumes changed';
  return 'spec changed';
}

/**
 * The name of every template in the catalogue: its images (several containers joined with ", "),
 * its role in brackets; two templates with the same images also say what differs from the
 * reference template (the restored one, else the previous one), or fall back to their hash.
 */
export function templateNames(c: TemplateCatalogue): Map<string, string> {
  const reference = c.restored ?? c.previous;
  const entries = [...c.seen.entries()].map(([hash, template]) => ({
    hash,
    template,
    images: template ? templateImages(template).map(shortImage).join(', ') || hash : hash,
    role: templateRole(template, c),
  }));
  const names = new Map<string, string>();
  for (const e of entries) {
    const twins = entries.filter((o) => o.images === e.images && o.hash !== e.hash);
    let what = e.images;
    if (twins.length > 0 && e.template && reference && !templatesEqualIgnoringHash(e.template, reference)) {
      what = `${e.images}, ${templateDifference(e.template, reference)}`;
    }
    names.set(e.hash, `${what} (${e.role})`);
  }
  // Still ambiguous (two older templates differing the same way): the hash tells them apart.
  const counts = new Map<string, number>();
  for (const name of names.values()) counts.set(name, (counts.get(name) ?? 0) + 1);
  for (const [hash, name] of names) {
    if ((counts.get(name) ?? 0) > 1) names.set(hash, name.replace(/ \((?=[^(]*\)$)/, ` @${hash} (`));
  }
  return names;
}

const ROLE_ORDER: readonly TemplateRole[] = ['last good', 'before', 'unchanged', 'this deploy', 'older'];

/** Pods per template keyed by hash (as the gate records them), renamed by `names`, the good template first. */
function renamed(pods: TemplatePods[], names: Map<string, string>, roles: Map<string, TemplateRole>): TemplatePods[] {
  const rank = (p: TemplatePods): number => ROLE_ORDER.indexOf(roles.get(p.template) ?? 'older');
  return [...pods]
    .sort((a, b) => rank(a) - rank(b))
    .map((p) => ({ ...p, template: names.get(p.template) ?? p.template }));
}

/** The timeline with every template named (see {@link templateNames}). */
export function namedTimeline(timeline: readonly TimelinePoint[], c: TemplateCatalogue): TimelinePoint[] {
  const names = templateNames(c);
  const roles = new Map([...c.seen].map(([hash, template]) => [hash, templateRole(template, c)]));
  return timeline.map((p) => (p.templates ? { ...p, templates: renamed(p.templates, names, roles) } : { ...p }));
}
