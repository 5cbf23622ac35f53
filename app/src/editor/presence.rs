//! The others' carets and selections over the editor, and one's own caret for presence.
//!
//! The overlay is a layer of absolutely positioned boxes beside the editable element (never
//! inside it: the editor's DOM shows only what the model holds), inside the editor's box,
//! which is positioned. Each person gets a thin caret in their colour with their name above
//! it, and translucent rectangles over what they selected, measured with
//! `Range.getClientRects()` on ranges built from [`EditorView::pos_to_dom`]. Positions are set
//! through the CSSOM (`style.setProperty`), which the app's Content-Security-Policy allows
//! (it forbids only `style` attributes in markup). The layer is measured again when presence
//! changes, after the document renders, after local selection changes, and on resize and
//! scroll.

use gather_doc::presence::{Cursor, Peer};
use leptos::html::Div;
use leptos::prelude::*;
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;
use web_sys::{Element, Range};

use super::input::ViewSlot;
use super::EditorView;

/// The tallest caret drawn from a whole element (an empty block) rather than a text box.
const CARET_FALLBACK_HEIGHT: f64 = 24.0;

/// One box of the overlay, in pixels from the layer's top left.
#[derive(Clone, Debug, PartialEq)]
struct Mark {
    kind: Kind,
    left: f64,
    top: f64,
    width: f64,
    height: f64,
    color: String,
}

#[derive(Clone, Debug, PartialEq)]
enum Kind {
    Selection,
    /// A caret with the person's name.
    Caret(String),
}

/// The overlay for the editor in `editor`. `peers` are the others, names ready to show;
/// `rendered` changes whenever the document was rendered again. `on_cursor` hears one's own
/// caret (`None` when the editor does not have the focus).
#[component]
pub fn PresenceLayer(
    /// The editor's state.
    editor: ViewSlot,
    /// The others with displayable names.
    peers: Signal<Vec<Peer>>,
    /// Changes after each render of remote changes.
    rendered: Signal<u64>,
    /// Hears one's own caret.
    on_cursor: impl Fn(Option<Cursor>) + 'static,
) -> impl IntoView {
    let slot = editor;
    let layer = NodeRef::<Div>::new();
    let marks = RwSignal::new(Vec::<Mark>::new());
    let waiting = StoredValue::new(false);
    // Measure once per frame at most, after the browser has laid the document out.
    let remeasure = move || {
        if waiting.try_get_value() != Some(false) {
            return;
        }
        waiting.set_value(true);
        request_animation_frame(move || {
            if waiting.try_get_value().is_none() {
                return;
            }
            waiting.set_value(false);
            let Some(layer) = layer.get_untracked() else {
                return;
            };
            let now = slot
                .try_with_value(|view| {
                    view.as_ref()
                        .map(|view| measure(view, &layer, &peers.get_untracked()))
                })
                .flatten()
                .unwrap_or_default();
            if marks
                .try_get_untracked()
                .is_some_and(|before| before != now)
            {
                marks.set(now);
            }
        });
    };
    Effect::new(move |_| {
        peers.track();
        rendered.track();
        remeasure();
    });
    let own_cursor = move || {
        slot.try_with_value(|view| {
            let view = view.as_ref()?;
            let root: &web_sys::Node = view.root.unchecked_ref();
            let active = document().active_element()?;
            if !root.contains(Some(active.unchecked_ref())) {
                return None;
            }
            let sel = view.selection()?;
            Some(Cursor {
                anchor: sel.anchor,
                head: sel.focus,
            })
        })
        .flatten()
    };
    // These listeners live as long as the page (as the editor's own do); once the page is
    // gone they find nothing and do nothing.
    let on_local = move |_: web_sys::Event| {
        if slot.try_with_value(|_| ()).is_none() {
            return;
        }
        on_cursor(own_cursor());
        remeasure();
    };
    let on_local = std::rc::Rc::new(on_local);
    for name in ["selectionchange", "focusin", "focusout"] {
        let f = on_local.clone();
        listen(&document(), name, move |e| f(e), false);
    }
    for name in ["resize", "scroll"] {
        listen(&window(), name, move |_| remeasure(), true);
    }

    view! {
        <div class="presence-layer" node_ref=layer aria-hidden="true" data-testid="presence-layer">
            {move || marks.get().into_iter().map(mark_view).collect_view()}
        </div>
    }
}

fn mark_view(mark: Mark) -> impl IntoView {
    let px = |v: f64| format!("{v:.1}px");
    match mark.kind {
        Kind::Selection => view! {
            <div
                class="peer-selection"
                data-testid="peer-selection"
                style:left=px(mark.left)
                style:top=px(mark.top)
                style:width=px(mark.width)
                style:height=px(mark.height)
                style:background-color=mark.color
            ></div>
        }
        .into_any(),
        Kind::Caret(name) => {
            let label_color = mark.color.clone();
            view! {
            <div
                class="peer-caret"
                data-testid="peer-caret"
                style:left=px(mark.left)
                style:top=px(mark.top)
                style:height=px(mark.height)
                style:background-color=mark.color
            >
                <span class="peer-label" data-testid="peer-label" style:background-color=label_color>
                    {name}
                </span>
            </div>
            }
            .into_any()
        }
    }
}

/// The boxes for everyone's selection and caret, relative to `layer`.
fn measure(view: &EditorView, layer: &Element, peers: &[Peer]) -> Vec<Mark> {
    let origin = layer.get_bounding_client_rect();
    let (ox, oy) = (origin.left(), origin.top());
    let mut marks = Vec::new();
    for peer in peers {
        let Some(cursor) = peer.cursor else { continue };
        let (start, end) = (
            cursor.anchor.min(cursor.head),
            cursor.anchor.max(cursor.head),
        );
        if start != end {
            if let Some(range) = range_between(view, start, end) {
                if let Some(rects) = range.get_client_rects() {
                    for i in 0..rects.length() {
                        let Some(r) = rects.get(i) else { continue };
                        if r.width() < 0.5 || r.height() < 0.5 {
                            continue;
                        }
                        marks.push(Mark {
                            kind: Kind::Selection,
                            left: r.left() - ox,
                            top: r.top() - oy,
                            width: r.width(),
                            height: r.height(),
                            color: peer.color.clone(),
                        });
                    }
                }
            }
        }
        if let Some((left, top, height)) = caret_box(view, cursor.head) {
            marks.push(Mark {
                kind: Kind::Caret(peer.name.clone()),
                left: left - ox,
                top: top - oy,
                width: 0.0,
                height,
                color: peer.color.clone(),
            });
        }
    }
    marks
}

fn range_between(
    view: &EditorView,
    start: gather_doc::rich_text::Pos,
    end: gather_doc::rich_text::Pos,
) -> Option<Range> {
    let (sn, so) = view.pos_to_dom(start)?;
    let (en, eo) = view.pos_to_dom(end)?;
    let range = document().create_range().ok()?;
    range.set_start(&sn, so).ok()?;
    range.set_end(&en, eo).ok()?;
    Some(range)
}

/// Where a caret at `pos` is drawn: left, top and height in the viewport. A collapsed range
/// has no box in an empty block, so then the element at that point, or the block, says.
fn caret_box(view: &EditorView, pos: gather_doc::rich_text::Pos) -> Option<(f64, f64, f64)> {
    let range = range_between(view, pos, pos)?;
    if let Some(r) = range.get_client_rects().and_then(|rects| rects.get(0)) {
        if r.height() > 0.0 {
            return Some((r.left(), r.top(), r.height()));
        }
    }
    let node = range.start_container().ok()?;
    let offset = range.start_offset().ok()?;
    let at: Option<Element> = node
        .child_nodes()
        .item(offset)
        .and_then(|n| n.dyn_into::<Element>().ok());
    let holder: Option<Element> = match node.dyn_ref::<Element>() {
        Some(el) => Some(el.clone()),
        None => node.parent_element(),
    };
    for el in at.into_iter().chain(holder) {
        let r = el.get_bounding_client_rect();
        if r.height() > 0.0 {
            return Some((r.left(), r.top(), r.height().min(CARET_FALLBACK_HEIGHT)));
        }
    }
    None
}

/// Adds a listener that lives as long as the page.
fn listen(
    target: &web_sys::EventTarget,
    name: &str,
    f: impl Fn(web_sys::Event) + 'static,
    capture: bool,
) {
    let closure = Closure::<dyn Fn(web_sys::Event)>::new(f);
    let _ = target.add_event_listener_with_callback_and_bool(
        name,
        closure.as_ref().unchecked_ref(),
        capture,
    );
    closure.forget();
}
