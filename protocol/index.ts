/** The protocol package: pure types and validators shared by every part of Isoscope. */
export * from './units';
export * from './agent-frames';
export * from './agent-frames.schema';
export * from './model';
export * from './webview-messages';
export * from './report';
export * from './lint';
export * from './lsp';
export * from './names';
