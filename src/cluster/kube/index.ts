/** The real-cluster adapter: the only module tree that imports @kubernetes/client-node. */
export { KubeCluster, type KubeClusterOptions } from './kubeCluster.js';
export {
  describeCluster,
  loadKubeconfig,
  KubeconfigError,
  type KubeconfigEnvironment,
  type KubeconfigOptions,
  type LoadedKubeconfig,
} from './kubeconfig.js';
export { ConnectionError, toApiError } from './errors.js';
export { DEFAULT_RETRY_POLICY, withRetry, type RetryPolicy, type RandomSource } from './retry.js';
