/**
 * The plan's image check (I/O: registries over the network). Every image of the planned manifests
 * is asked of its registry, unless the scenario file names it (then the scenario is the truth, as
 * in the example stories). A registry's "not found" or "unauthorized" becomes the simulated
 * kubelet's failed pull (ErrImagePull), so the simulated rollout fails the way the real one will.
 */
import type { Scenario } from '../cluster/sim/index.js';
import { isValidImageReference } from '../k8s/validation/imageReference.js';
import type { ManifestDocument } from '../manifest/index.js';
import { IMAGES_NOT_ASKED } from '../plan/buildPlan.js';
import type { PlanImages } from '../plan/types.js';
import { checkImages, type ImageChecker } from '../registry/index.js';

export interface PlanImagesResult {
  images: PlanImages;
  /** The scenario with the registries' refusals as image behaviours. */
  scenario: Scenario;
}

/**
 * Asks the registries (`checker` undefined: the check is off). Invalid references are left to the
 * gate (InvalidImageName before any pull).
 */
export async function checkPlanImages(
  documents: readonly ManifestDocument[],
  scenario: Scenario,
  checker: ImageChecker | undefined,
  notes: string[] = [],
): Promise<PlanImagesResult> {
  if (!checker) return { images: { ...IMAGES_NOT_ASKED, notes }, scenario };
  const all = [...new Set(documents.flatMap((d) => podImages(d.object)))].filter(isValidImageReference);
  const named = (image: string) => image !== 'default' && Object.hasOwn(scenario.images, image);
  const fromScenario = all.filter(named);
  const results = await checkImages(
    all.filter((i) => !named(i)),
    checker,
  );
  const images = { ...scenario.images };
  for (const r of results) {
    if (r.result === 'not-found') images[r.image] = { pull: 'missing' };
    if (r.result === 'unauthorized') images[r.image] = { pull: 'unauthorized' };
  }
  return { images: { checked: true, results, fromScenario, notes }, scenario: { ...scenario, images } };
}

/**
 * The images of an object's pod spec: a workload's template, a CronJob's job template, a Pod.
 * Init containers first, as they are pulled first.
 */
export function podImages(object: { kind?: string; spec?: unknown }): string[] {
  const spec = object.spec as Record<string, unknown> | undefined;
  const podSpec = (
    object.kind === 'Pod'
      ? spec
      : object.kind === 'CronJob'
        ? dig(spec, 'jobTemplate', 'spec', 'template', 'spec')
        : dig(spec, 'template', 'spec')
  ) as { initContainers?: unknown; containers?: unknown } | undefined;
  const out: string[] = [];
  for (const list of [podSpec?.initContainers, podSpec?.containers]) {
    if (!Array.isArray(list)) continue;
    for (const c of list) {
      const image = (c as { image?: unknown } | null)?.image;
      if (typeof image === 'string' && image !== '') out.push(image);
    }
  }
  return out;
}

function dig(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = v && typeof v === 'object' ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}
