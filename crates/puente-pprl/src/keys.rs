//! Key derivation as clkhash's `generate_key_lists`: HKDF (RFC 5869) over the shared secret gives
//! two keys per feature (ignored features included, so a key's index is its feature's position):
//! the first for BLAKE2b or HMAC-SHA1, the second for HMAC-MD5.

use hkdf::Hkdf;
use sha2::{Sha256, Sha512};

use crate::schema::{KdfHash, KeyDerivation};

/// The two keys of one feature.
#[derive(Clone)]
pub struct FeatureKeys {
    pub first: Vec<u8>,
    pub second: Vec<u8>,
}

impl std::fmt::Debug for FeatureKeys {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        // Keys never appear in logs or panics.
        f.write_str("FeatureKeys(..)")
    }
}

/// Derives `count` bytes from the secret with the schema's HKDF settings.
pub fn hkdf_bytes(kdf: &KeyDerivation, secret: &[u8], count: usize) -> Vec<u8> {
    hkdf_bytes_with_info(
        kdf.hash,
        kdf.salt.as_deref(),
        kdf.info.as_deref(),
        secret,
        count,
    )
}

/// HKDF with the given hash, salt and info. `count` must be at most 255 hash lengths (the schema
/// reader checks the key size; callers derive short keys).
pub fn hkdf_bytes_with_info(
    hash: KdfHash,
    salt: Option<&[u8]>,
    info: Option<&[u8]>,
    secret: &[u8],
    count: usize,
) -> Vec<u8> {
    let mut out = vec![0u8; count];
    let info = info.unwrap_or(&[]);
    let expanded = match hash {
        KdfHash::Sha256 => Hkdf::<Sha256>::new(salt, secret).expand(info, &mut out),
        KdfHash::Sha512 => Hkdf::<Sha512>::new(salt, secret).expand(info, &mut out),
    };
    expanded.expect("the schema reader keeps HKDF output within 255 hash lengths");
    out
}

/// The keys of every feature.
pub fn feature_keys(kdf: &KeyDerivation, secret: &[u8], feature_count: usize) -> Vec<FeatureKeys> {
    let size = kdf.key_size;
    let bytes = hkdf_bytes(kdf, secret, 2 * feature_count * size);
    bytes
        .chunks_exact(2 * size)
        .map(|pair| FeatureKeys {
            first: pair[..size].to_vec(),
            second: pair[size..].to_vec(),
        })
        .collect()
}

/// Whether HKDF can derive the keys of `feature_count` features (at most 255 hash lengths).
pub fn can_derive(kdf: &KeyDerivation, feature_count: usize) -> bool {
    let limit = match kdf.hash {
        KdfHash::Sha256 => 255 * 32,
        KdfHash::Sha512 => 255 * 64,
    };
    2 * feature_count * kdf.key_size <= limit
}
