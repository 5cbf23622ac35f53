// The editor's block lookups, done in one call instead of one wasm-to-JS call per block (a
// 100-page document has about 2,000 blocks, and the caret is looked up several times per key).
// `app/src/editor/dom.rs` is the Rust side.

/** Where `block` is among the `[data-b]` elements under `root`, or -1. */
export function blockIndex(root, block) {
  return Array.prototype.indexOf.call(root.querySelectorAll('[data-b]'), block);
}

/** Where `child` is among the element children of `parent`, or -1. */
export function childIndex(parent, child) {
  return Array.prototype.indexOf.call(parent.children, child);
}
