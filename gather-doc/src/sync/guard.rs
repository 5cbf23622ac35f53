//! A cheap walk over a frame's declared lengths before yrs decodes it. yrs reserves memory for
//! the counts a message declares (a varint can declare billions of entries in five bytes), so
//! every count is checked against the bytes actually left: an entry takes at least one byte
//! per field. A frame that fails here is malformed; one that passes may still be refused by
//! yrs. Checked: the entries of a state vector, of an awareness update, the clients of an
//! update and the first client's block count — the counts for which yrs builds hash maps or
//! vectors it writes to at once. Later clients' block counts would need the whole update
//! parsed; yrs reserves those with `try_reserve`, which only claims address space, and fails
//! cleanly when the count is impossible.

use yrs::encoding::read::Error;

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
}

/// Checks every message in `frame`.
pub fn check_frame(frame: &[u8]) -> Result<(), Error> {
    let mut r = Bytes { buf: frame, at: 0 };
    while r.left() > 0 {
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
                        p.count(2)?;
                    }
                    // Update v1: per client at least (block count, client, clock).
                    1 | 2 => {
                        if p.count(3)? > 0 {
                            // The first client's block count: each block takes a few bytes.
                            p.count(1)?;
                        }
                    }
                    _ => return Err(Error::UnexpectedValue),
                }
            }
            // Awareness: per client at least (client, clock, json length).
            1 => {
                let payload = r.buf()?;
                Bytes {
                    buf: payload,
                    at: 0,
                }
                .count(3)?;
            }
            // Auth: a permission flag, and a reason when denied.
            2 => {
                if r.var()? == 0 {
                    r.buf()?;
                }
            }
            // Awareness query.
            3 => {}
            // Any other type carries one buffer.
            _ => {
                r.buf()?;
            }
        }
    }
    Ok(())
}
