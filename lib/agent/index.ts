/** The node agent: desired state -> kernel, with events, metrics and health endpoints. */
export * from './agent';
export * from './events';
export * from './metrics';
export * from './reconciler';
export * from './server';
export * from './uninstall';
export * from './local-source';
export { CniServer, CniServerOptions, CniSocketError, PodAdmitter } from './cni-server';
export { CniChainKeeper, CniChainKeeperOptions } from './cni-chain';
export { hostInterfaceFor, VethNotFoundError } from './veth';
