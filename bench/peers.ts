/** The systems measured side by side, each in its own process on the same adapter. */

export const PEERS = ['dawnflow', 'dawnflow-dynamic', 'ort-web-webgpu', 'ort-node-webgpu', 'ort-node-cpu', 'tfjs-webgpu'] as const;
export type PeerName = (typeof PEERS)[number];

/** Every peer's outputs are checked against this one's. */
export const REFERENCE_PEER: PeerName = 'ort-node-cpu';

/** The peers that run on the WebGPU adapter, i.e. dawnflow's direct competitors. */
export const WEBGPU_PEERS: readonly PeerName[] = ['ort-web-webgpu', 'ort-node-webgpu', 'tfjs-webgpu'];

/** Run order: the reference first (its outputs are needed to check the others), the slowest last. */
export const RUN_ORDER: readonly PeerName[] = ['ort-node-cpu', 'dawnflow', 'dawnflow-dynamic', 'ort-node-webgpu', 'tfjs-webgpu', 'ort-web-webgpu'];

/** Relative share of the time budget each peer's process gets (the WebGPU EPs are slow here). */
export const TIME_SHARE: Readonly<Record<PeerName, number>> = {
  'ort-node-cpu': 1,
  dawnflow: 3,
  'dawnflow-dynamic': 1,
  'ort-node-webgpu': 2,
  'tfjs-webgpu': 1,
  'ort-web-webgpu': 3,
};

export function isPeerName(name: string): name is PeerName {
  return (PEERS as readonly string[]).includes(name);
}
