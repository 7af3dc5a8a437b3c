/**
 * The health of any object, in kstatus's words (sigs.k8s.io/cli-utils pkg/kstatus/status, used by
 * Flux and Helm 4): Current, InProgress, Failed or Terminating, with the reason kstatus puts on its
 * Reconciling (InProgress) or Stalled (Failed) condition and a message for people.
 * https://github.com/kubernetes-sigs/cli-utils/blob/master/pkg/kstatus/status/status.go
 *
 * kstatus's Unknown (the Go code returned an error) and NotFound (the poller's business) are not
 * statuses here: malformed status fields read as absent, an unknown Pod phase is InProgress.
 */
export type HealthStatus = 'Current' | 'InProgress' | 'Failed' | 'Terminating';

export interface Health {
  status: HealthStatus;
  /** CamelCase reason of kstatus's Reconciling / Stalled condition; '' for Current and Terminating. */
  reason: string;
  message: string;
}

/** An object as plain JSON: kstatus reads unstructured data, and so do we. */
export type JsonObject = Record<string, unknown>;

/** util.go newInProgressStatus. */
export function inProgress(reason: string, message: string): Health {
  return { status: 'InProgress', reason, message };
}

/** util.go newFailedStatus. */
export function failed(reason: string, message: string): Health {
  return { status: 'Failed', reason, message };
}

export function current(message: string): Health {
  return { status: 'Current', reason: '', message };
}

/** The value at a dotted path (`.status.readyReplicas`), or undefined; util.go NestedFieldNoCopy. */
function fieldAt(obj: JsonObject, path: string): unknown {
  let value: unknown = obj;
  for (const key of path.replace(/^\./, '').split('.')) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return undefined;
    value = (value as JsonObject)[key];
  }
  return value;
}

/** util.go GetIntField: only an integer counts; anything else (absent, string, 1.5) is the default. */
export function intField(obj: JsonObject, path: string, defaultValue: number): number {
  const value = fieldAt(obj, path);
  return typeof value === 'number' && Number.isInteger(value) ? value : defaultValue;
}

/** Whether an integer is set at `path` (unstructured.NestedInt64's `found`). */
export function hasIntField(obj: JsonObject, path: string): boolean {
  const value = fieldAt(obj, path);
  return typeof value === 'number' && Number.isInteger(value);
}

/** util.go GetStringField. */
export function stringField(obj: JsonObject, path: string, defaultValue: string): string {
  const value = fieldAt(obj, path);
  return typeof value === 'string' ? value : defaultValue;
}

/** util.go GetBoolField. */
export function boolField(obj: JsonObject, path: string, defaultValue: boolean): boolean {
  const value = fieldAt(obj, path);
  return typeof value === 'boolean' ? value : defaultValue;
}

/** A non-empty array at `path`, else []. */
export function arrayField(obj: JsonObject, path: string): unknown[] {
  const value = fieldAt(obj, path);
  return Array.isArray(value) ? value : [];
}

/** util.go BasicCondition: the fields every condition convention shares. */
export interface BasicCondition {
  type: string;
  status: string;
  reason: string;
  message: string;
}

/** `.status.conditions` as BasicConditions (util.go GetObjectWithConditions); entries that are not objects are skipped. */
export function conditionsOf(obj: JsonObject): BasicCondition[] {
  const text = (v: unknown): string => (typeof v === 'string' ? v : '');
  return arrayField(obj, '.status.conditions')
    .filter((c): c is JsonObject => c !== null && typeof c === 'object' && !Array.isArray(c))
    .map((c) => ({
      type: text(c['type']),
      status: text(c['status']),
      reason: text(c['reason']),
      message: text(c['message']),
    }));
}

/** util.go getConditionWithStatus. */
export function conditionWithStatus(
  conditions: readonly BasicCondition[],
  type: string,
  status: string,
): BasicCondition | undefined {
  return conditions.find((c) => c.type === type && c.status === status);
}
