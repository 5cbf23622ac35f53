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

/**
 * Builds elements from `steps`, a JSON array of strings (`app/src/editor/markup.rs` writes
 * it): `<tag` opens an element inside the open one, `@name` and the next string set an
 * attribute, `#text` adds a text node, `>` closes. Returns the outermost elements, in order.
 * The first `eager` are built whole; the others get their attributes now and their content
 * in the background, a few milliseconds at a time, so the page can show its top first
 * (`finishNodes` completes them at once). Only createElement, setAttribute and
 * createTextNode: nothing is parsed as HTML.
 */
export function buildNodes(steps, eager) {
  const list = JSON.parse(steps);
  const built = [];
  let i = 0;
  while (i < list.length) {
    const el = document.createElement(list[i].slice(1));
    i++;
    while (i < list.length && list[i].charCodeAt(0) === 64) {
      el.setAttribute(list[i].slice(1), list[i + 1]);
      i += 2;
    }
    const end = closeOf(list, i);
    if (built.length < eager) run(list, i, end, el);
    else if (end > i) later.push([list, el, i, end]);
    built.push(el);
    i = end + 1;
  }
  if (next < later.length && !timer) timer = setTimeout(work, 0);
  return built;
}

/** Builds what `buildNodes` left for later now. */
export function finishNodes() {
  while (next < later.length) runLater();
  if (timer) clearTimeout(timer);
  timer = 0;
}

// Content still to build: [steps, element, from, to], and the first not yet built.
let later = [];
let next = 0;
let timer = 0;

function work() {
  timer = 0;
  const until = performance.now() + 8;
  while (next < later.length && performance.now() < until) runLater();
  if (next < later.length) timer = setTimeout(work, 0);
}

function runLater() {
  const [list, el, from, to] = later[next];
  later[next] = null;
  next++;
  run(list, from, to, el);
  if (next === later.length) {
    later = [];
    next = 0;
  }
}

/** The index of the step closing the element whose content starts at `i`. */
function closeOf(list, i) {
  let depth = 0;
  for (; i < list.length; i++) {
    switch (list[i].charCodeAt(0)) {
      case 60:
        depth++;
        break;
      case 64:
        i++;
        break;
      case 35:
        break;
      default:
        if (depth === 0) return i;
        depth--;
    }
  }
  return i;
}

/** Carries out steps `from..to` inside `el`. */
function run(list, from, to, el) {
  const open = [];
  for (let i = from; i < to; i++) {
    const step = list[i];
    switch (step.charCodeAt(0)) {
      case 60: { // <
        const child = document.createElement(step.slice(1));
        el.appendChild(child);
        open.push(el);
        el = child;
        break;
      }
      case 64: // @
        el.setAttribute(step.slice(1), list[++i]);
        break;
      case 35: // #
        el.appendChild(document.createTextNode(step.slice(1)));
        break;
      default: // >
        el = open.pop();
    }
  }
}
