import { SERVER_VERSION } from '../api/discovery.js';
import { timestamp } from '../store/timestamp.js';
import { fnv1a } from './images.js';

/**
 * What a kubelet reports about its node at registration (pkg/kubelet/nodestatus/setters.go): the
 * node info of a kind-like Debian/containerd node whose kubelet has the API server's version, and the
 * four conditions with the kubelet's reasons and messages, in the order the kubelet appends them.
 * https://github.com/kubernetes/kubernetes/blob/master/pkg/kubelet/nodestatus/setters.go
 */
export const KUBELET_VERSION = SERVER_VERSION.gitVersion;
export const CONTAINER_RUNTIME_VERSION = 'containerd://1.7.24';
export const OS_IMAGE = 'Debian GNU/Linux 12 (bookworm)';
export const KERNEL_VERSION = '6.1.0-28-cloud-amd64';

export interface NodeCondition {
  type: string;
  status: 'True' | 'False' | 'Unknown';
  reason: string;
  message: string;
  lastHeartbeatTime?: string;
  lastTransitionTime?: string;
}

/** status.nodeInfo: ids derived from the node's name, so they are stable across runs. */
export function nodeInfo(name: string): Record<string, string> {
  const hex = (salt: string) =>
    [0, 1, 2, 3].map((i) => fnv1a(`${salt}/${i}/${name}`).toString(16).padStart(8, '0')).join('');
  const uuid = (h: string) =>
    `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20, 32)}`;
  return {
    machineID: hex('machine'),
    systemUUID: uuid(hex('system')),
    bootID: uuid(hex('boot')),
    kernelVersion: KERNEL_VERSION,
    osImage: OS_IMAGE,
    containerRuntimeVersion: CONTAINER_RUNTIME_VERSION,
    kubeletVersion: KUBELET_VERSION,
    // DisableNodeKubeProxyVersion is off by default until 1.33: a 1.32 kubelet still fills it in.
    kubeProxyVersion: KUBELET_VERSION,
    operatingSystem: 'linux',
    architecture: 'amd64',
  };
}

/** MemoryPressure, DiskPressure, PIDPressure and Ready of a healthy node, stamped `at` (virtual ms) when given. */
export function healthyNodeConditions(at?: number): NodeCondition[] {
  const time = at === undefined ? {} : { lastHeartbeatTime: timestamp(at), lastTransitionTime: timestamp(at) };
  return [
    {
      type: 'MemoryPressure',
      status: 'False',
      reason: 'KubeletHasSufficientMemory',
      message: 'kubelet has sufficient memory available',
      ...time,
    },
    {
      type: 'DiskPressure',
      status: 'False',
      reason: 'KubeletHasNoDiskPressure',
      message: 'kubelet has no disk pressure',
      ...time,
    },
    {
      type: 'PIDPressure',
      status: 'False',
      reason: 'KubeletHasSufficientPID',
      message: 'kubelet has sufficient PID available',
      ...time,
    },
    { type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', ...time },
  ];
}

/** The kubelet's endpoint as it reports it (status.daemonEndpoints). */
export const DAEMON_ENDPOINTS = { kubeletEndpoint: { Port: 10250 } };
