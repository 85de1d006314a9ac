/**
 * The data plane: the compiler from the policy model to eBPF map entries, their byte layouts, diffs between states,
 * and the native binding that loads, attaches and programs the kernel side.
 */
export * from './bpf-error';
export * from './binding';
export { nativeUnavailableReason } from './native';
export * from './port-set';
export * from './compile';
export { PrefixLookup } from './lookup';
export * from './layout';
export * from './encode';
export * from './diff';
export * from './kernel-maps';
export * from './enforce';
export * from './conntrack';
export * from './programmer';
export * from './node-dataplane';
export * from './node-addresses';
