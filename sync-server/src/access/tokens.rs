//! Secrets: the server key that link tokens are derived from, random ids, and the token hash
//! the database keeps. A link's token is `HMAC-SHA256(server key, link id)`, so the database
//! alone (which holds only ids and `SHA-256(token)`) never reveals a working token, while the
//! server can show an owner a link again (to reprint a roster's personal links).

use std::path::Path;

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine;
use hmac::{Hmac, Mac};
use sha2::{Digest, Sha256};

/// The key link tokens are derived from; kept in a file outside the database.
#[derive(Clone)]
pub struct ServerKey([u8; 32]);

/// What the database stores to find a link by its token.
pub type TokenHash = [u8; 32];

impl ServerKey {
    /// Reads the key from `path`, creating it (readable by the owner only) the first time.
    pub fn load_or_create(path: &Path) -> std::io::Result<ServerKey> {
        match std::fs::read(path) {
            Ok(bytes) => {
                let decoded = URL_SAFE_NO_PAD
                    .decode(bytes.trim_ascii())
                    .ok()
                    .and_then(|b| <[u8; 32]>::try_from(b).ok());
                decoded.map(ServerKey).ok_or_else(|| {
                    std::io::Error::new(
                        std::io::ErrorKind::InvalidData,
                        format!("{} does not hold a Gather server key", path.display()),
                    )
                })
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key = random_bytes::<32>();
                if let Some(dir) = path.parent() {
                    std::fs::create_dir_all(dir)?;
                }
                write_private(path, URL_SAFE_NO_PAD.encode(key).as_bytes())?;
                tracing::info!(path = %path.display(), "created a new server key");
                Ok(ServerKey(key))
            }
            Err(e) => Err(e),
        }
    }

    /// The secret token of the link with this id: 256 bits, URL-safe, 43 characters.
    pub fn token_for(&self, link_id: &str) -> String {
        let mut mac = Hmac::<Sha256>::new_from_slice(&self.0).expect("any key length works");
        mac.update(b"gather link token v1\0");
        mac.update(link_id.as_bytes());
        URL_SAFE_NO_PAD.encode(mac.finalize().into_bytes())
    }
}

#[cfg(unix)]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut file = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    file.write_all(bytes)?;
    file.sync_all()
}

#[cfg(not(unix))]
fn write_private(path: &Path, bytes: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, bytes)
}

/// `SHA-256(token)`: how the database and the in-memory index find a link.
pub fn hash_token(token: &str) -> TokenHash {
    Sha256::digest(token.as_bytes()).into()
}

/// Cryptographically random bytes from the operating system.
pub fn random_bytes<const N: usize>() -> [u8; N] {
    let mut bytes = [0u8; N];
    getrandom::fill(&mut bytes).expect("the operating system's random source works");
    bytes
}

/// A random URL-safe id with `N` bytes of entropy (a document or link id).
pub fn random_id<const N: usize>() -> String {
    URL_SAFE_NO_PAD.encode(random_bytes::<N>())
}

/// Compares two secrets in time that does not depend on where they differ.
pub fn same_secret(a: &str, b: &str) -> bool {
    let (a, b) = (hash_token(a), hash_token(b));
    a.iter()
        .zip(b.iter())
        .fold(0u8, |acc, (x, y)| acc | (x ^ y))
        == 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_are_stable_per_key_and_differ_across_links_and_keys() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        let key = ServerKey::load_or_create(&path).unwrap();
        let again = ServerKey::load_or_create(&path).unwrap();
        let token = key.token_for("link-1");
        assert_eq!(token.len(), 43);
        assert_eq!(again.token_for("link-1"), token);
        assert_ne!(key.token_for("link-2"), token);
        let other = ServerKey::load_or_create(&dir.path().join("other.key")).unwrap();
        assert_ne!(other.token_for("link-1"), token);
        assert!(same_secret(&token, &token) && !same_secret(&token, "x"));
    }

    #[test]
    fn a_damaged_key_file_is_an_error_not_a_new_key() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("secret.key");
        std::fs::write(&path, "not a key").unwrap();
        assert!(ServerKey::load_or_create(&path).is_err());
    }
}
