//! End-to-end: an editor picks a picture through the toolbar's file input; it is shrunk,
//! uploaded and shown in the editor through a `blob:` URL (the link's token never goes in a
//! URL), on a second page that opens the document, and to a view-only link. A picture pasted and
//! one dropped are uploaded too. Screenshot in Chinese at phone width.

use std::io::Write;

use anyhow::Result;
use e2e::{workspace_root, Browser, Driver, GatherServer, WAIT};

/// A small PNG (RGB, `width` × `height`): a green top half over a blue bottom half, its zlib
/// stream made of stored (uncompressed) deflate blocks.
fn png(width: u32, height: u32) -> Vec<u8> {
    fn crc32(bytes: &[u8]) -> u32 {
        let mut crc = 0xFFFF_FFFFu32;
        for &b in bytes {
            crc ^= u32::from(b);
            for _ in 0..8 {
                crc = if crc & 1 == 1 {
                    (crc >> 1) ^ 0xEDB8_8320
                } else {
                    crc >> 1
                };
            }
        }
        !crc
    }
    fn chunk(out: &mut Vec<u8>, kind: &[u8; 4], data: &[u8]) {
        out.extend((data.len() as u32).to_be_bytes());
        let start = out.len();
        out.extend(kind);
        out.extend(data);
        let crc = crc32(&out[start..]);
        out.extend(crc.to_be_bytes());
    }
    let mut raw = Vec::new();
    for y in 0..height {
        raw.push(0); // no filter
        let rgb = if y < height / 2 {
            [0x2d, 0xa4, 0x4e]
        } else {
            [0x1f, 0x6f, 0xeb]
        };
        for _ in 0..width {
            raw.extend(rgb);
        }
    }
    let mut zlib = vec![0x78, 0x01];
    let blocks: Vec<&[u8]> = raw.chunks(65_535).collect();
    for (i, block) in blocks.iter().enumerate() {
        zlib.push(u8::from(i + 1 == blocks.len()));
        let len = block.len() as u16;
        zlib.extend(len.to_le_bytes());
        zlib.extend((!len).to_le_bytes());
        zlib.extend(*block);
    }
    let (mut a, mut b) = (1u32, 0u32);
    for &byte in &raw {
        a = (a + u32::from(byte)) % 65_521;
        b = (b + a) % 65_521;
    }
    zlib.extend(((b << 16) | a).to_be_bytes());
    let mut out = b"\x89PNG\r\n\x1a\n".to_vec();
    let mut header = Vec::new();
    header.extend(width.to_be_bytes());
    header.extend(height.to_be_bytes());
    header.extend([8, 2, 0, 0, 0]);
    chunk(&mut out, b"IHDR", &header);
    chunk(&mut out, b"IDAT", &zlib);
    chunk(&mut out, b"IEND", &[]);
    out
}

/// Waits until the editor shows `count` pictures, each from a `blob:` URL and decoded, and
/// returns their `data-src` paths.
async fn shows_pictures(browser: &Browser, count: usize) -> Result<Vec<String>> {
    browser
        .wait_js(
            &format!(
                "const imgs = [...document.querySelectorAll('[data-testid=editor] figure img')]; \
                 return imgs.length === {count} && imgs.every(i => (i.getAttribute('src') || '').startsWith('blob:') \
                   && i.complete && i.naturalWidth > 0);"
            ),
            WAIT,
        )
        .await?;
    let srcs = browser
        .js("return [...document.querySelectorAll('[data-testid=editor] figure img')].map(i => i.dataset.src);")
        .await?;
    Ok(serde_json::from_value(srcs)?)
}

async fn open(driver: &Driver, server: &GatherServer, name: &str, path: &str) -> Result<Browser> {
    let browser = driver.browser(name, 500, 900).await?;
    browser.goto(&server.url("/")).await?;
    browser
        .js("localStorage.setItem('gather-lang', 'zh'); return true;")
        .await?;
    browser.goto(&server.url(path)).await?;
    browser.wait_online().await?;
    Ok(browser)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_picture_is_picked_uploaded_and_shown_to_every_reader() -> Result<()> {
    let data = tempfile::tempdir()?;
    let server = GatherServer::start(data.path(), "127.0.0.1:0").await?;
    let driver = Driver::start().await?;
    let shots = workspace_root().join("screenshots");
    let doc = server.create_doc("捐赠物资").await?;
    let (status, viewer) = server
        .http(
            "POST",
            &format!("/api/docs/{}/links", doc.id),
            Some(&doc.owner_token),
            &serde_json::json!({ "role": "viewer", "label": "居民" }),
        )
        .await?;
    assert_eq!(status, 201, "{viewer}");

    let editor = open(&driver, &server, "editor", &doc.path).await?;
    editor.caret_to_end().await?;
    editor.type_keys("今天收到的捐赠：").await?;
    editor.wait_text("今天收到的捐赠：", WAIT).await?;

    let picture = data.path().join("捐赠的箱子.png");
    std::fs::File::create(&picture)?.write_all(&png(240, 160))?;
    editor
        .find_testid("image-file")
        .await?
        .send_keys(&picture.display().to_string())
        .await?;
    let srcs = shows_pictures(&editor, 1).await?;
    let prefix = format!("/api/docs/{}/images/", doc.id);
    assert!(srcs[0].starts_with(&prefix), "{srcs:?}");
    let caption = editor
        .js("return document.querySelector('[data-testid=editor] figcaption')?.textContent;")
        .await?;
    assert_eq!(caption, "捐赠的箱子");
    // The token never went into a URL: the page holds no `img` pointing at the API.
    let direct = editor
        .js("return [...document.querySelectorAll('img')].filter(i => (i.getAttribute('src') || '').includes('/api/')).length;")
        .await?;
    assert_eq!(direct, 0);
    editor
        .screenshot(&shots.join("doc-image-zh-phone.png"))
        .await?;

    // The server holds the picture, re-encoded as JPEG, for the viewer link too.
    let viewer_token = viewer["token"].as_str().unwrap();
    let (status, head, bytes) = server.get_bytes(&srcs[0], viewer_token).await?;
    assert_eq!(status, 200, "{head}");
    assert!(bytes.starts_with(&[0xFF, 0xD8, 0xFF]), "not a JPEG");

    // A second page of the same link, and a view-only link, see it.
    let second = open(&driver, &server, "second", &doc.path).await?;
    assert_eq!(shows_pictures(&second, 1).await?, srcs);
    let reader = open(&driver, &server, "viewer", viewer["url"].as_str().unwrap()).await?;
    assert_eq!(shows_pictures(&reader, 1).await?, srcs);

    // A pasted picture and a dropped one (the events a browser sends, with a file in them).
    let pasted = "const e = document.querySelector('[data-testid=editor]'); \
        const c = document.createElement('canvas'); c.width = 160; c.height = 90; \
        const g = c.getContext('2d'); g.fillStyle = '#d1242f'; g.fillRect(0, 0, 160, 90); \
        const blob = await new Promise(done => c.toBlob(done, 'image/png')); \
        const file = new File([blob], 'notice.png', {type: 'image/png'}); \
        const dt = new DataTransfer(); dt.items.add(file); \
        e.dispatchEvent(new ClipboardEvent('paste', {clipboardData: dt, bubbles: true, cancelable: true})); \
        return true;";
    editor.caret_to_end().await?;
    editor
        .js(&format!("return (async () => {{ {pasted} }})();"))
        .await?;
    let srcs = shows_pictures(&editor, 2).await?;
    let dropped = pasted.replace("notice.png", "boxes.jpg").replace(
        "new ClipboardEvent('paste', {clipboardData: dt,",
        "new DragEvent('drop', {dataTransfer: dt, clientX: 100, clientY: 300,",
    );
    editor
        .js(&format!("return (async () => {{ {dropped} }})();"))
        .await?;
    let srcs_after = shows_pictures(&editor, 3).await?;
    let captions = editor
        .js("return [...document.querySelectorAll('[data-testid=editor] figcaption')].map(c => c.textContent).sort();")
        .await?;
    assert_eq!(
        captions,
        serde_json::json!(["boxes", "notice", "捐赠的箱子"])
    );
    assert!(srcs.iter().all(|s| srcs_after.contains(s)));
    assert_eq!(shows_pictures(&reader, 3).await?.len(), 3);
    reader
        .screenshot(&shots.join("doc-image-viewer-zh-phone.png"))
        .await?;

    // A viewer's editor takes no picture: the toolbar is hidden and a paste does nothing.
    reader
        .js(&format!("return (async () => {{ {pasted} }})();"))
        .await?;
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    assert_eq!(shows_pictures(&reader, 3).await?.len(), 3);

    for browser in [editor, second, reader] {
        browser.close().await?;
    }
    server.stop().await?;
    Ok(())
}
