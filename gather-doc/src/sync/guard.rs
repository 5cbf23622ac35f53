//! A cheap walk over a frame's declared lengths before yrs decodes it. yrs reserves memory for
//! the counts a message declares (a varint can declare billions of entries in five bytes), so
//! every count is checked against the bytes actually left: an entry takes at least one byte
//! per field. A frame that fails here is malformed; one that passes may still be refused by
//! yrs. Checked: the number of messages in the frame, the entries of a state vector and of an
//! awareness update, and every count in an update (clients, each client's blocks, the strings
//! and values of each block's content, the nesting of `Any` values, the delete set): the walk
//! reads an update the way yrs's v1 decoder does, without keeping anything. Client ids wider
//! than the 53 bits yrs supports, and clocks past `u32::MAX`, are refused too: yrs asserts the
//! one and adds the other without overflow checks. So are subdocuments (see [`Bytes::block`]).
//!
//! The same walk tells [`super::nesting`] where each block of an update hangs ([`Shape`]).

use yrs::encoding::read::Error;
use yrs::{ClientID, ID};

use super::frames::MSG_RECEIPT;
use super::MAX_MESSAGES_PER_FRAME;

/// [`MSG_RECEIPT`] as the varint the walk reads.
const RECEIPT: u64 = MSG_RECEIPT as u64;

/// Deepest nesting of `Any` arrays and maps in an update. yrs decodes `Any` recursively, two
/// bytes a level, so a deeper value could overflow the stack (an abort, not a panic).
/// `serde_json` stops at the same depth.
const MAX_ANY_DEPTH: usize = 128;

/// What an update says about where one of its blocks hangs, read on the way.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) enum Shape {
    /// A garbage-collected range: no item, no parent.
    Gc,
    /// An item. Its parent is written out only when it has neither origin; otherwise yrs takes
    /// the parent of the item its origin (or else its right origin) points into.
    Item {
        /// Whether the item holds a shared type (which can be a parent in turn).
        shared: bool,
        origin: Option<ID>,
        right_origin: Option<ID>,
        /// `None` for a root type (by name), else the id of the item holding the parent type.
        parent: Option<ID>,
    },
}

/// One block of an update: its first id, its length in clocks and its [`Shape`].
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(super) struct Block {
    pub id: ID,
    pub len: u32,
    pub shape: Shape,
}

/// Walks the blocks of a v1 update (that [`check_frame`] accepted), skipped ranges left out.
pub(super) fn blocks(
    update: &[u8],
    visit: &mut dyn FnMut(u64, Block) -> Result<(), Error>,
) -> Result<(), Error> {
    Bytes { buf: update, at: 0 }.update(visit)
}

struct Bytes<'a> {
    buf: &'a [u8],
    at: usize,
}

impl<'a> Bytes<'a> {
    fn left(&self) -> usize {
        self.buf.len() - self.at
    }

    /// A lib0 variable-length unsigned integer (7 bits per byte, least significant first).
    fn var(&mut self) -> Result<u64, Error> {
        let mut value = 0u64;
        for shift in (0..64).step_by(7) {
            let byte = *self.buf.get(self.at).ok_or(Error::EndOfBuffer(1))?;
            self.at += 1;
            value |= u64::from(byte & 0x7f) << shift;
            if byte & 0x80 == 0 {
                return Ok(value);
            }
        }
        Err(Error::InvalidVarInt)
    }

    /// A length-prefixed byte buffer.
    fn buf(&mut self) -> Result<&'a [u8], Error> {
        let len = self.var()?;
        if len > self.left() as u64 {
            return Err(Error::EndOfBuffer(len as usize));
        }
        let start = self.at;
        self.at += len as usize;
        Ok(&self.buf[start..self.at])
    }

    /// A count of entries that each take at least `min_bytes`.
    fn count(&mut self, min_bytes: u64) -> Result<u64, Error> {
        let n = self.var()?;
        if n.saturating_mul(min_bytes) > self.left() as u64 {
            return Err(Error::EndOfBuffer(n as usize));
        }
        Ok(n)
    }

    /// A client id. yrs keeps 53 bits (as Yjs does, in a JavaScript number) and asserts
    /// that no more are set.
    fn client_id(&mut self) -> Result<u64, Error> {
        let client = self.var()?;
        if client >> 53 != 0 {
            return Err(Error::UnexpectedValue);
        }
        Ok(client)
    }

    /// An id: a client and a clock.
    fn id(&mut self) -> Result<(), Error> {
        self.client_id()?;
        self.var()?;
        Ok(())
    }

    /// The id of an item, whose clock yrs reads as a `u32` (wrapping larger ones around, which
    /// no encoder writes: refused).
    fn item_id(&mut self) -> Result<ID, Error> {
        let client = self.client_id()?;
        let clock = u32::try_from(self.var()?).map_err(|_| Error::UnexpectedValue)?;
        Ok(ID::new(ClientID::new(client), clock))
    }

    fn byte(&mut self) -> Result<u8, Error> {
        let byte = *self.buf.get(self.at).ok_or(Error::EndOfBuffer(1))?;
        self.at += 1;
        Ok(byte)
    }

    fn skip(&mut self, n: usize) -> Result<(), Error> {
        if n > self.left() {
            return Err(Error::EndOfBuffer(n));
        }
        self.at += n;
        Ok(())
    }

    /// A v1 update, read as `yrs::Update::decode_v1` reads it, showing `visit` each block
    /// but skipped ranges with its client's index in the update. Bytes after it are ignored,
    /// as yrs ignores them.
    fn update(
        &mut self,
        visit: &mut dyn FnMut(u64, Block) -> Result<(), Error>,
    ) -> Result<(), Error> {
        // Per client at least (block count, client, clock).
        for section in 0..self.count(3)? {
            // Per block at least an info byte and a length or content byte.
            let blocks = self.count(2)?;
            let client = self.client_id()?;
            let mut clock = self.var()?;
            clocks_fit(clock)?;
            for _ in 0..blocks {
                let (len, shape) = self.block()?;
                let end = clock.saturating_add(len);
                clocks_fit(end)?;
                // yrs drops empty items without a clock.
                if let Some(shape) = shape.filter(|_| len > 0) {
                    // Both fit a u32: checked above.
                    let id = ID::new(ClientID::new(client), clock as u32);
                    visit(
                        section,
                        Block {
                            id,
                            len: (end - clock) as u32,
                            shape,
                        },
                    )?;
                }
                clock = end;
            }
        }
        // The delete set: per client at least (client, range count); per range (clock, len).
        for _ in 0..self.count(2)? {
            self.client_id()?;
            for _ in 0..self.count(2)? {
                let clock = self.var()?;
                clocks_fit(clock.saturating_add(self.var()?))?;
            }
        }
        Ok(())
    }

    /// One block; returns the clocks it takes as yrs counts them (so that the clocks the update
    /// covers are known to fit yrs's `u32` arithmetic, and so that [`blocks`] names each block
    /// by its id), and its shape (`None` for a skipped range).
    fn block(&mut self) -> Result<(u64, Option<Shape>), Error> {
        const HAS_ORIGIN: u8 = 0x80;
        const HAS_RIGHT_ORIGIN: u8 = 0x40;
        const HAS_PARENT_SUB: u8 = 0x20;
        let info = self.byte()?;
        // Skip (10) and GC (0) ranges: a length.
        match info {
            10 => return Ok((self.var()?, None)),
            0 => return Ok((self.var()?, Some(Shape::Gc))),
            _ => {}
        }
        let origin = (info & HAS_ORIGIN != 0)
            .then(|| self.item_id())
            .transpose()?;
        let right_origin = (info & HAS_RIGHT_ORIGIN != 0)
            .then(|| self.item_id())
            .transpose()?;
        let mut parent = None;
        if info & (HAS_ORIGIN | HAS_RIGHT_ORIGIN) == 0 {
            // The parent: a root type's name, or the id of the item holding it.
            if self.var()? == 1 {
                self.buf()?;
            } else {
                parent = Some(self.item_id()?);
            }
            if info & HAS_PARENT_SUB != 0 {
                self.buf()?;
            }
        }
        let shape = |shared| Shape::Item {
            shared,
            origin,
            right_origin,
            parent,
        };
        let len = match info & 0b1111 {
            // Deleted: a length.
            1 => self.var()?,
            // JSON: yrs reads one string more than the count says.
            2 => {
                let n = self.var()?.saturating_add(1);
                if n > self.left() as u64 {
                    return Err(Error::EndOfBuffer(n as usize));
                }
                for _ in 0..n {
                    self.buf()?;
                }
                n
            }
            // A string counts its UTF-16 units, as yrs's clocks do.
            4 => {
                let text = std::str::from_utf8(self.buf()?).map_err(|_| Error::UnexpectedValue)?;
                text.encode_utf16().count() as u64
            }
            // Binary, embed (JSON text).
            3 | 5 => {
                self.buf()?;
                1
            }
            // Format: a key and JSON text.
            6 => {
                self.buf()?;
                self.buf()?;
                1
            }
            // A shared type: its kind, and an XML element's tag.
            7 => {
                match self.byte()? {
                    3 => {
                        self.buf()?;
                    }
                    0..=6 | 9 | 15 => {}
                    _ => return Err(Error::UnexpectedValue),
                }
                1
            }
            // Any values.
            8 => {
                let n = self.count(1)?;
                for _ in 0..n {
                    self.any(0)?;
                }
                n
            }
            // A subdocument. Gather's documents have none, and yrs 0.28 never frees a document
            // that holds one: each load and unload of the room would leak all of it.
            9 => return Err(Error::UnexpectedValue),
            _ => return Err(Error::UnexpectedValue),
        };
        Ok((len, Some(shape(info & 0b1111 == 7))))
    }

    /// A lib0 `Any` value at nesting `depth`.
    fn any(&mut self, depth: usize) -> Result<(), Error> {
        if depth > MAX_ANY_DEPTH {
            return Err(Error::UnexpectedValue);
        }
        match self.byte()? {
            // Undefined, null, false, true.
            127 | 126 | 121 | 120 => {}
            // Integer.
            125 => {
                self.var()?;
            }
            // Float32, float64, bigint.
            124 => self.skip(4)?,
            123 | 122 => self.skip(8)?,
            // String, buffer.
            119 | 116 => {
                self.buf()?;
            }
            // Map: per entry at least a key length and a value tag.
            118 => {
                for _ in 0..self.count(2)? {
                    self.buf()?;
                    self.any(depth + 1)?;
                }
            }
            // Array.
            117 => {
                for _ in 0..self.count(1)? {
                    self.any(depth + 1)?;
                }
            }
            _ => return Err(Error::UnexpectedValue),
        }
        Ok(())
    }
}

/// Refuses clocks past `u32::MAX`, where yrs's additions would overflow.
fn clocks_fit(end: u64) -> Result<(), Error> {
    if end > u64::from(u32::MAX) {
        return Err(Error::UnexpectedValue);
    }
    Ok(())
}

/// Checks every message in `frame`.
pub fn check_frame(frame: &[u8]) -> Result<(), Error> {
    let mut r = Bytes { buf: frame, at: 0 };
    let mut messages = 0;
    while r.left() > 0 {
        // Each message becomes a value of some fifty bytes: a frame of one-byte messages
        // would otherwise take fifty times its size.
        messages += 1;
        if messages > MAX_MESSAGES_PER_FRAME {
            return Err(Error::UnexpectedValue);
        }
        match r.var()? {
            0 => {
                let kind = r.var()?;
                let payload = r.buf()?;
                let mut p = Bytes {
                    buf: payload,
                    at: 0,
                };
                match kind {
                    // State vector: (client, clock) pairs.
                    0 => {
                        for _ in 0..p.count(2)? {
                            p.id()?;
                        }
                    }
                    // Update v1.
                    1 | 2 => p.update(&mut |_, _| Ok(()))?,
                    _ => return Err(Error::UnexpectedValue),
                }
            }
            // Awareness: per client at least (client, clock, json length).
            1 => {
                let mut p = Bytes {
                    buf: r.buf()?,
                    at: 0,
                };
                for _ in 0..p.count(3)? {
                    p.id()?;
                    p.buf()?;
                }
            }
            // Auth: a permission flag, and a reason when denied.
            2 => {
                if r.var()? == 0 {
                    r.buf()?;
                }
            }
            // Awareness query.
            3 => {}
            // A receipt: one buffer holding exactly one varint.
            RECEIPT => {
                let mut p = Bytes {
                    buf: r.buf()?,
                    at: 0,
                };
                p.var()?;
                if p.left() > 0 {
                    return Err(Error::UnexpectedValue);
                }
            }
            // Any other type (our receipts request, 100, among them) carries one buffer.
            _ => {
                r.buf()?;
            }
        }
    }
    Ok(())
}
