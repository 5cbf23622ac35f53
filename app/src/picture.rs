//! Pictures chosen on this device, made fit to send: shrunk to at most 1600 pixels across and
//! re-encoded as JPEG — a few hundred KB for a slow network, and without the camera's location
//! data. Used by the fill page's photo question and the editor's pictures.

use leptos::prelude::document;
use wasm_bindgen::closure::Closure;
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use web_sys::{Blob, CanvasRenderingContext2d, HtmlCanvasElement, HtmlImageElement, Url};

/// The longest side of a sent picture, in pixels.
const LONGEST_SIDE: f64 = 1600.0;
/// JPEG quality of a sent picture.
const QUALITY: f64 = 0.85;

/// Draws `file` on a canvas at most [`LONGEST_SIDE`] across, on white, and encodes it as JPEG.
pub async fn shrink(file: &web_sys::Blob) -> Result<Blob, JsValue> {
    let url = Url::create_object_url_with_blob(file)?;
    let image = HtmlImageElement::new()?;
    image.set_src(&url);
    let decoded = JsFuture::from(image.decode()).await;
    let _ = Url::revoke_object_url(&url);
    decoded?;
    let (width, height) = (
        f64::from(image.natural_width()),
        f64::from(image.natural_height()),
    );
    if width < 1.0 || height < 1.0 {
        return Err(JsValue::NULL);
    }
    let scale = (LONGEST_SIDE / width.max(height)).min(1.0);
    let (w, h) = ((width * scale).round(), (height * scale).round());
    let canvas: HtmlCanvasElement = document().create_element("canvas")?.dyn_into()?;
    canvas.set_width(w as u32);
    canvas.set_height(h as u32);
    let context: CanvasRenderingContext2d =
        canvas.get_context("2d")?.ok_or(JsValue::NULL)?.dyn_into()?;
    context.set_fill_style_str("#fff");
    context.fill_rect(0.0, 0.0, w, h);
    context.draw_image_with_html_image_element_and_dw_and_dh(&image, 0.0, 0.0, w, h)?;
    let promise = js_sys::Promise::new(&mut |resolve, reject| {
        let done = Closure::once_into_js(move |blob: JsValue| {
            let _ = resolve.call1(&JsValue::NULL, &blob);
        });
        if canvas
            .to_blob_with_type_and_encoder_options(
                done.unchecked_ref(),
                "image/jpeg",
                &JsValue::from(QUALITY),
            )
            .is_err()
        {
            let _ = reject.call0(&JsValue::NULL);
        }
    });
    let blob = JsFuture::from(promise).await?;
    blob.dyn_into::<Blob>().map_err(|_| JsValue::NULL)
}
