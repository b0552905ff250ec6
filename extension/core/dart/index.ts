/** The Dart VM-service client and source, for the CLI (`isoscope connect`) and the VS Code extension. */
export { connectDartVm, type ConnectDartVmOptions, type DartVmHandle, type DartVmStatus } from './connect';
export { normalizeVmServiceUri, vmServiceHttpUri, VmServiceUriError } from './uri';
export { VmServiceConnectError } from './transport';
export { ProtocolError, RpcTimeoutError, ConnectionClosedError } from './connection';
export type { DartSourceStats, ModelSink } from './dart-source';
