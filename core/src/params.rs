//! Ordered byte maps: telegram parameters and reply records.

use std::collections::HashMap;
use std::sync::Arc;

/// Up to this many entries a scan is cheaper than a hash index.
const INDEX_FROM: usize = 16;

/// Telegram parameters in first-insertion order; re-putting a key keeps its position
/// (protocol.md §1.4 `reqPut`). Keys and values are raw bytes. Past a few entries a hash index
/// finds a key, so N puts cost O(N), whatever the caller or the reply sends.
#[derive(Clone, Debug, Default)]
pub struct Params {
    entries: Vec<(Arc<[u8]>, Vec<u8>)>,
    /// key → position in `entries`; empty while `entries` is short.
    index: HashMap<Arc<[u8]>, usize>,
}

impl PartialEq for Params {
    fn eq(&self, other: &Self) -> bool {
        self.entries == other.entries
    }
}
impl Eq for Params {}

impl Params {
    /// No parameters.
    pub fn new() -> Self {
        Self::default()
    }

    fn position(&self, key: &[u8]) -> Option<usize> {
        if self.index.is_empty() {
            self.entries.iter().position(|(k, _)| **k == *key)
        } else {
            self.index.get(key).copied()
        }
    }

    /// Insert or replace; a replaced key keeps its original position.
    pub fn put(&mut self, key: &[u8], value: &[u8]) {
        if let Some(i) = self.position(key) {
            let v = &mut self.entries[i].1;
            v.clear();
            v.extend_from_slice(value);
            return;
        }
        let key: Arc<[u8]> = Arc::from(key);
        if !self.index.is_empty() {
            self.index.insert(key.clone(), self.entries.len());
        } else if self.entries.len() == INDEX_FROM {
            self.index = self
                .entries
                .iter()
                .enumerate()
                .map(|(i, (k, _))| (k.clone(), i))
                .chain([(key.clone(), self.entries.len())])
                .collect();
        }
        self.entries.push((key, value.to_vec()));
    }

    /// The value stored under `key`.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        self.position(key).map(|i| self.entries[i].1.as_slice())
    }

    /// `key` is present, even with an empty value (§4.1 tests presence, not emptiness).
    pub fn contains(&self, key: &[u8]) -> bool {
        self.position(key).is_some()
    }

    /// `(key, value)` in first-insertion order: the order on the wire (§4.8).
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> {
        self.entries.iter().map(|(k, v)| (&**k, v.as_slice()))
    }

    /// Entry `i` in insertion order, in constant time (a binding walking the parameters by index).
    pub fn entry(&self, i: usize) -> Option<(&[u8], &[u8])> {
        self.entries.get(i).map(|(k, v)| (&**k, v.as_slice()))
    }

    /// Values may change in place; keys, and so the index, do not.
    pub fn iter_mut(&mut self) -> impl Iterator<Item = (&[u8], &mut Vec<u8>)> {
        self.entries.iter_mut().map(|(k, v)| (&**k, v))
    }

    /// Number of parameters.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// No parameter at all.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }
}

/// One parsed reply record: field name → raw value, in first-seen order, duplicates last-wins
/// (protocol.md §6.3, §6.4.1). Read-only and compact, because a reference reply holds one per
/// line: the names are shared with the other records of the same data header, and the values
/// sit in one allocation with their end offsets (docs/performance.md "Reference replies").
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Record {
    names: Arc<[Arc<[u8]>]>,
    /// `names.len()` little-endian u32 end offsets, then the values back to back.
    data: Box<[u8]>,
}

const OFFSET: usize = std::mem::size_of::<u32>();

impl Record {
    /// One value per name, the names known to be distinct (a deduplicated data header).
    /// `None` when the values pass 4 GiB (they come from a reply bounded far below that).
    pub(crate) fn from_distinct<'v>(
        names: &Arc<[Arc<[u8]>]>,
        values: impl ExactSizeIterator<Item = &'v [u8]> + Clone,
    ) -> Option<Self> {
        let total: usize = values.clone().map(<[u8]>::len).sum();
        let mut data = Vec::with_capacity(values.len() * OFFSET + total);
        let mut end = 0usize;
        for v in values.clone() {
            end += v.len();
            data.extend_from_slice(&u32::try_from(end).ok()?.to_le_bytes());
        }
        for v in values {
            data.extend_from_slice(v);
        }
        Some(Self {
            names: names.clone(),
            data: data.into_boxed_slice(),
        })
    }

    /// The record of a map built with [`Params::put`] (a payment reply).
    pub(crate) fn from_params(p: &Params) -> Option<Self> {
        let names: Arc<[Arc<[u8]>]> = p.entries.iter().map(|(k, _)| k.clone()).collect();
        Self::from_distinct(&names, p.entries.iter().map(|(_, v)| v.as_slice()))
    }

    /// Number of fields.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// No field at all.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Field `j` in the reply's order, in constant time.
    pub fn field(&self, j: usize) -> Option<(&[u8], &[u8])> {
        let name = self.names.get(j)?;
        let end_at = |i: usize| {
            let b = &self.data[i * OFFSET..(i + 1) * OFFSET];
            u32::from_le_bytes([b[0], b[1], b[2], b[3]]) as usize
        };
        let start = if j == 0 { 0 } else { end_at(j - 1) };
        let values = &self.data[self.names.len() * OFFSET..];
        Some((name, &values[start..end_at(j)]))
    }

    /// `(name, value)` in the reply's order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&[u8], &[u8])> {
        // Every j below len() is a field; the fallback is never taken.
        (0..self.len()).map(|j| self.field(j).unwrap_or((&[], &[])))
    }

    /// The value of field `key`.
    pub fn get(&self, key: &[u8]) -> Option<&[u8]> {
        let j = self.names.iter().position(|n| **n == *key)?;
        self.field(j).map(|(_, v)| v)
    }

    /// The record has a field `key`.
    pub fn contains(&self, key: &[u8]) -> bool {
        self.names.iter().any(|n| **n == *key)
    }
}

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

    #[test]
    fn indexed_map_keeps_the_same_semantics() {
        let mut p = Params::new();
        for i in 0..100u32 {
            p.put(format!("k{i}").as_bytes(), b"first");
        }
        p.put(b"k3", b"again");
        p.put(b"k99", b"last");
        p.put(b"new", b"n");
        assert_eq!(p.len(), 101);
        assert_eq!(p.get(b"k3"), Some(&b"again"[..]));
        assert_eq!(p.get(b"k99"), Some(&b"last"[..]));
        assert_eq!(p.iter().nth(3), Some((&b"k3"[..], &b"again"[..])));
        assert_eq!(p.entry(3), p.iter().nth(3));
        assert_eq!(p.entry(p.len()), None);
        assert_eq!(p.iter().last(), Some((&b"new"[..], &b"n"[..])));
        assert!(p.contains(b"k50") && !p.contains(b"k100"));
    }

    #[test]
    fn record_fields_by_index() {
        let mut p = Params::new();
        p.put(b"a", b"1");
        p.put(b"b", b"");
        p.put(b"c", b"333");
        let r = Record::from_params(&p).unwrap();
        assert_eq!(r.len(), 3);
        assert_eq!(r.field(0), Some((&b"a"[..], &b"1"[..])));
        assert_eq!(r.field(1), Some((&b"b"[..], &b""[..])));
        assert_eq!(r.field(2), Some((&b"c"[..], &b"333"[..])));
        assert_eq!(r.field(3), None);
        assert_eq!(r.get(b"c"), Some(&b"333"[..]));
        assert_eq!(r.iter().collect::<Vec<_>>(), p.iter().collect::<Vec<_>>());
    }
}
