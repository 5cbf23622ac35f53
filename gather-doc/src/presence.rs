//! Presence: what one person's awareness state says about them, in the shape Tiptap's
//! collaboration cursor uses where that is cheap:
//!
//! ```json
//! {"user": {"name": "李老师", "color": "#1f77b4"},
//!  "cursor": {"block": 2, "anchor": {"block": 2, "offset": 0}, "head": {"block": 2, "offset": 5}}}
//! ```
//!
//! Positions are [`Pos`]: a block index in document order and a UTF-16 offset. `cursor` is
//! `null` while the person's editor does not have the focus. An empty name means "not set":
//! each reader shows a guest name of its own language, made from the client id.
//!
//! Everything read from others is untrusted: [`Peer::parse`] keeps names as text capped to
//! [`MAX_NAME_CHARS`] characters and accepts only `#rrggbb` colours, falling back to the
//! palette.

use serde::{Deserialize, Serialize};

use crate::rich_text::Pos;

/// The longest name shown, in characters.
pub const MAX_NAME_CHARS: usize = 40;

/// Readable colours on white for carets, labels and avatars (white text reads on each).
pub const PALETTE: [&str; 8] = [
    "#d1242f", "#0969da", "#1a7f37", "#8250df", "#bc4c00", "#bf3989", "#0e7c86", "#6e5c00",
];

/// The palette colour of a client id (a multiplicative hash, so neighbouring ids differ).
pub fn palette_color(client: u64) -> &'static str {
    let hash = client.wrapping_mul(0x9E37_79B9_7F4A_7C15) >> 59;
    PALETTE[hash as usize % PALETTE.len()]
}

/// Whether `color` is exactly `#` and six hex digits.
pub fn is_valid_color(color: &str) -> bool {
    color.len() == 7 && color.starts_with('#') && color[1..].chars().all(|c| c.is_ascii_hexdigit())
}

/// A name as it is shown and sent: control characters dropped, whitespace trimmed, at most
/// [`MAX_NAME_CHARS`] characters. Empty means "not set".
pub fn clean_name(name: &str) -> String {
    let name: String = name.chars().filter(|c| !c.is_control()).collect();
    name.trim()
        .chars()
        .take(MAX_NAME_CHARS)
        .collect::<String>()
        .trim_end()
        .to_owned()
}

/// The four hex digits after "Guest" for someone who has not set a name.
pub fn guest_tag(client: u64) -> String {
    format!("{:04x}", client & 0xffff)
}

/// Where someone's selection is: `anchor` where it started, `head` where the caret is.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Cursor {
    pub anchor: Pos,
    pub head: Pos,
}

/// One collaborator as read from their awareness state.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Peer {
    pub client: u64,
    /// Cleaned; empty when they have not set one.
    pub name: String,
    /// Always `#rrggbb`.
    pub color: String,
    pub cursor: Option<Cursor>,
}

#[derive(Serialize, Deserialize)]
struct StateJson {
    user: UserJson,
    cursor: Option<CursorJson>,
}

#[derive(Serialize, Deserialize)]
struct UserJson {
    #[serde(default)]
    name: String,
    #[serde(default)]
    color: String,
}

#[derive(Serialize, Deserialize)]
struct CursorJson {
    block: u32,
    anchor: PosJson,
    head: PosJson,
}

#[derive(Serialize, Deserialize)]
struct PosJson {
    block: u32,
    offset: u32,
}

impl From<Pos> for PosJson {
    fn from(pos: Pos) -> PosJson {
        PosJson {
            block: pos.block,
            offset: pos.offset,
        }
    }
}

impl From<PosJson> for Pos {
    fn from(pos: PosJson) -> Pos {
        Pos::new(pos.block, pos.offset)
    }
}

/// The JSON of one's own awareness state.
pub fn local_state(name: &str, color: &str, cursor: Option<Cursor>) -> String {
    let state = StateJson {
        user: UserJson {
            name: clean_name(name),
            color: color.to_owned(),
        },
        cursor: cursor.map(|c| CursorJson {
            block: c.head.block,
            anchor: c.anchor.into(),
            head: c.head.into(),
        }),
    };
    serde_json::to_string(&state).expect("presence serialises")
}

impl Peer {
    /// Reads someone's awareness state. `None` for a state that is not ours in shape (another
    /// kind of client), so it is not shown at all; a bad colour or cursor only falls back.
    pub fn parse(client: u64, json: &str) -> Option<Peer> {
        let value: serde_json::Value = serde_json::from_str(json).ok()?;
        let user = value.get("user")?;
        let name = user.get("name").and_then(|n| n.as_str()).unwrap_or("");
        let color = user
            .get("color")
            .and_then(|c| c.as_str())
            .filter(|c| is_valid_color(c))
            .map_or_else(|| palette_color(client).to_owned(), str::to_owned);
        let cursor = value
            .get("cursor")
            .and_then(|c| serde_json::from_value::<CursorJson>(c.clone()).ok())
            .map(|c| Cursor {
                anchor: c.anchor.into(),
                head: c.head.into(),
            });
        Some(Peer {
            client,
            name: clean_name(name),
            color,
            cursor,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_state_reads_back_as_written() {
        let cursor = Cursor {
            anchor: Pos::new(1, 2),
            head: Pos::new(3, 4),
        };
        let json = local_state("  李老师 ", "#0969da", Some(cursor));
        let value: serde_json::Value = serde_json::from_str(&json).unwrap();
        assert_eq!(value["user"]["name"], "李老师");
        assert_eq!(value["cursor"]["block"], 3);
        assert_eq!(value["cursor"]["anchor"]["offset"], 2);
        let peer = Peer::parse(7, &json).unwrap();
        assert_eq!(peer.name, "李老师");
        assert_eq!(peer.color, "#0969da");
        assert_eq!(peer.cursor, Some(cursor));
        let json = local_state("", "#0969da", None);
        assert_eq!(Peer::parse(7, &json).unwrap().cursor, None);
    }

    #[test]
    fn untrusted_names_and_colours_are_tamed() {
        let long = "名".repeat(100);
        let json = format!(
            r#"{{"user":{{"name":"{long}\u0007<b>","color":"red; background: url(x)"}},"cursor":{{"block":"x"}}}}"#
        );
        let peer = Peer::parse(9, &json).unwrap();
        assert_eq!(peer.name.chars().count(), MAX_NAME_CHARS);
        assert_eq!(peer.color, palette_color(9));
        assert_eq!(peer.cursor, None);
        assert!(Peer::parse(9, r#"{"cursor":null}"#).is_none());
        assert!(Peer::parse(9, "not json").is_none());
        assert!(is_valid_color("#A0b1C2"));
        assert!(!is_valid_color("#a0b1c"));
        assert!(!is_valid_color("#a0b1c2 "));
        assert!(!is_valid_color("#ééé"));
    }

    #[test]
    fn guests_and_colours_come_from_the_client_id() {
        assert_eq!(guest_tag(0x12_3f2a), "3f2a");
        let colours: std::collections::HashSet<_> = (0..64).map(palette_color).collect();
        assert!(colours.len() >= 6, "ids spread over the palette");
        assert!(PALETTE.iter().all(|c| is_valid_color(c)));
    }
}
