//! Document ids: short, URL-safe, and checked at every boundary.

use std::fmt;

/// Longest document id accepted.
pub const MAX_LEN: usize = 64;

/// A validated document id: 1–64 characters from `A–Z a–z 0–9 _ -`, safe in a URL path and as
/// a database key without escaping.
#[derive(Clone, Debug, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct DocId(String);

/// Why a string is not a document id.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DocIdError {
    #[error("a document id cannot be empty")]
    Empty,
    #[error("a document id is at most {MAX_LEN} characters")]
    TooLong,
    #[error("a document id may hold only letters, digits, '-' and '_'")]
    BadCharacter,
}

impl DocId {
    /// Checks `s` and wraps it.
    pub fn parse(s: &str) -> Result<DocId, DocIdError> {
        if s.is_empty() {
            return Err(DocIdError::Empty);
        }
        if s.len() > MAX_LEN {
            return Err(DocIdError::TooLong);
        }
        if !s
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'_')
        {
            return Err(DocIdError::BadCharacter);
        }
        Ok(DocId(s.to_owned()))
    }

    /// Makes a fresh id from 16 random bytes (128 bits) supplied by the caller, so the
    /// randomness source is injected: the browser's `crypto.getRandomValues`, or a test's seed.
    pub fn from_random(bytes: [u8; 16]) -> DocId {
        const ALPHABET: &[u8; 64] =
            b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
        let mut n = u128::from_le_bytes(bytes);
        // 22 base-64 digits hold 132 bits, enough for all 128.
        let id: String = (0..22)
            .map(|_| {
                let c = ALPHABET[(n & 63) as usize] as char;
                n >>= 6;
                c
            })
            .collect();
        DocId(id)
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }
}

impl fmt::Display for DocId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_url_safe_ids() {
        assert!(DocId::parse("class-3_health").is_ok());
        assert!(DocId::parse(&"a".repeat(64)).is_ok());
    }

    #[test]
    fn refuses_everything_else() {
        assert_eq!(DocId::parse(""), Err(DocIdError::Empty));
        assert_eq!(DocId::parse(&"a".repeat(65)), Err(DocIdError::TooLong));
        for bad in ["../etc", "a b", "a/b", "文档", "a%20", "a?b"] {
            assert_eq!(DocId::parse(bad), Err(DocIdError::BadCharacter), "{bad}");
        }
    }

    #[test]
    fn random_ids_are_valid_and_distinct() {
        let a = DocId::from_random([1; 16]);
        let b = DocId::from_random([2; 16]);
        assert_ne!(a, b);
        assert_eq!(a.as_str().len(), 22);
        assert_eq!(DocId::parse(a.as_str()).unwrap(), a);
    }
}
