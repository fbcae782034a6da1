//! Ordered byte maps: telegram parameters and reply records.

use std::sync::Arc;

/// Telegram parameters in first-insertion order; re-putting a key keeps its position
/// (protocol.md §1.4 `reqPut`). Keys and values are raw bytes. Keys are shared: the records of
/// a reference reply all use the names of one data header.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Params {
    entries: Vec<(Arc<[u8]>, Vec<u8>)>,
}

impl Params {
    pub fn new() -> Self {
        Self::default()
    }

    /// Insert or replace; a replaced key keeps its original position.
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        match self.entries.iter_mut().find(|(k, _)| **k == *key) {
            Some((_, v)) => {
                v.clear();
                v.extend_from_slice(value);
            }
            None => self.entries.push((Arc::from(key), value.to_vec())),
        }
    }

    /// Build from keys known to be distinct (a deduplicated data header), one value each: no
    /// search and no key copy.
    pub(crate) fn from_distinct<'k, 'v>(
        pairs: impl ExactSizeIterator<Item = (&'k Arc<[u8]>, &'v [u8])>,
    ) -> Self {
        let mut entries = Vec::with_capacity(pairs.len());
        entries.extend(pairs.map(|(k, v)| (Arc::clone(k), v.to_vec())));
        Self { entries }
    }

    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.entries
            .iter()
            .find(|(k, _)| **k == *key)
            .map(|(_, v)| v.as_slice())
    }

    pub fn contains(&self, key: &[u8]) -> bool {
        self.get(key).is_some()
    }

    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> {
        self.entries.iter().map(|(k, v)| (&**k, v.as_slice()))
    }

    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&[u8], &mut Vec<u8>)> {
        self.entries.iter_mut().map(|(k, v)| (&**k, v))
    }

    pub fn len(&self) -> usize {
        self.entries.len()
    }

    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One parsed reply record: field name → raw value, in first-seen order, duplicates last-wins
/// (protocol.md §6.3, §6.4.1).
pub type Record = Params;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reput_keeps_position_and_replaces_value() {
        let mut p = Params::new();
        p.put(b"a", b"1");
        p.put(b"b", b"2");
        p.put(b"a", b"3");
        let v: Vec<_> = p.iter().collect();
        assert_eq!(v, vec![(&b"a"[..], &b"3"[..]), (&b"b"[..], &b"2"[..])]);
    }
}
