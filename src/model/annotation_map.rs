//! [`AnnotationMap`]: a project's annotations by id.

use super::{Annotation, AnnotationId};
use std::collections::BTreeMap;
use std::ops::RangeBounds;

/// A project's annotations by id, each annotation in its own allocation.
///
/// The tree holds an id and a pointer per annotation (16 bytes), not the 128-byte
/// annotation itself: so a project read from a file is put together in one pass from a
/// list sorted by id ([`AnnotationMap::from_entries`]) — the list of pointers is 5 MB for
/// 300k annotations where a list of annotations would be 40 MB beside a tree of 40 MB —
/// and its nodes are full, as a tree built from sorted entries is (inserting ascending
/// ids one by one leaves nodes about half empty).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct AnnotationMap {
    tree: BTreeMap<AnnotationId, Box<Annotation>>,
}

impl AnnotationMap {
    /// An entry for [`AnnotationMap::from_entries`].
    pub(super) fn entry(ann: Annotation) -> (AnnotationId, Box<Annotation>) {
        (ann.id(), Box::new(ann))
    }

    /// The annotations of `entries` (made by [`AnnotationMap::entry`]) by id; `Err` with an
    /// id that two of them share. The ids beside the pointers keep the sort from visiting
    /// the annotations.
    pub(super) fn from_entries(
        mut entries: Vec<(AnnotationId, Box<Annotation>)>,
    ) -> Result<Self, AnnotationId> {
        entries.sort_unstable_by_key(|(id, _)| *id);
        if let Some(pair) = entries.windows(2).find(|w| w[0].0 == w[1].0) {
            return Err(pair[0].0);
        }
        Ok(Self {
            tree: entries.into_iter().collect(),
        })
    }

    /// How many annotations there are.
    pub fn len(&self) -> usize {
        self.tree.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tree.is_empty()
    }

    /// The annotation with this id.
    pub fn get(&self, id: &AnnotationId) -> Option<&Annotation> {
        self.tree.get(id).map(|a| &**a)
    }

    /// Whether an annotation has this id.
    pub fn contains_key(&self, id: &AnnotationId) -> bool {
        self.tree.contains_key(id)
    }

    /// The ids in ascending order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &AnnotationId> + ExactSizeIterator {
        self.tree.keys()
    }

    /// The annotations by ascending id.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Annotation> + ExactSizeIterator {
        self.tree.values().map(|a| &**a)
    }

    /// The annotations in the order they lie in memory. Each is its own allocation, and
    /// a loaded project's lie document by document, while ids (derived from content) are
    /// spread over the whole heap: a pass over millions of annotations that does not need
    /// id order reads memory front to back this way instead of jumping (at 3M
    /// annotations, several times faster than [`AnnotationMap::values`]).
    pub fn in_memory_order(&self) -> Vec<&Annotation> {
        let mut all: Vec<&Annotation> = self.tree.values().map(|a| &**a).collect();
        all.sort_unstable_by_key(|a| std::ptr::from_ref::<Annotation>(a) as usize);
        all
    }

    /// Ids and annotations by ascending id.
    pub fn iter(
        &self,
    ) -> impl DoubleEndedIterator<Item = (&AnnotationId, &Annotation)> + ExactSizeIterator {
        self.tree.iter().map(|(id, a)| (id, &**a))
    }

    /// Ids and annotations with ids in `range`, ascending.
    pub fn range(
        &self,
        range: impl RangeBounds<AnnotationId>,
    ) -> impl DoubleEndedIterator<Item = (&AnnotationId, &Annotation)> {
        self.tree.range(range).map(|(id, a)| (id, &**a))
    }

    /// Adds `ann` under its id; returns the annotation it replaces.
    pub(super) fn insert(&mut self, ann: Annotation) -> Option<Annotation> {
        self.tree.insert(ann.id(), Box::new(ann)).map(|old| *old)
    }

    /// Adds annotations whose ids are in use neither here nor among themselves. When
    /// they are many beside the tree, the tree is built again in one pass from the merged
    /// sorted entries (full nodes, no search per annotation); else one by one.
    pub(super) fn insert_new(&mut self, annotations: Vec<Annotation>) {
        if annotations.len() < self.tree.len() / 4 {
            for ann in annotations {
                self.insert(ann);
            }
            return;
        }
        let mut added: Vec<(AnnotationId, Box<Annotation>)> =
            annotations.into_iter().map(Self::entry).collect();
        added.sort_unstable_by_key(|(id, _)| *id);
        let mut old = std::mem::take(&mut self.tree).into_iter().peekable();
        let mut added = added.into_iter().peekable();
        // Both sides ascend by id: taking the smaller head each time gives the merged,
        // sorted sequence the tree is built from.
        let merged = std::iter::from_fn(|| match (old.peek(), added.peek()) {
            (Some(a), Some(b)) if b.0 < a.0 => added.next(),
            (Some(_), _) => old.next(),
            (None, _) => added.next(),
        });
        self.tree = merged.collect();
    }

    /// Takes the annotation with this id out.
    pub(super) fn remove(&mut self, id: &AnnotationId) -> Option<Annotation> {
        self.tree.remove(id).map(|a| *a)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, AnnotationKind, DocId};

    fn stance(id: u64) -> Annotation {
        Annotation::new(
            AnnotationId(id),
            DocId::from("d"),
            Anchor::Document,
            AnnotationKind::Stance {
                target: "EU".into(),
                polarity: "FAVOR".into(),
                holder: None,
            },
        )
        .expect("a document stance")
    }

    #[test]
    fn built_in_one_pass_equals_built_one_by_one() {
        let ids = [5, 1, 9, 3, 7, 2];
        let mut one_by_one = AnnotationMap::default();
        for id in ids {
            assert_eq!(one_by_one.insert(stance(id)), None);
        }
        let entries = ids
            .iter()
            .map(|id| AnnotationMap::entry(stance(*id)))
            .collect();
        let at_once = AnnotationMap::from_entries(entries).expect("unique ids");
        assert_eq!(at_once, one_by_one);
        let keys: Vec<u64> = at_once.keys().map(|id| id.0).collect();
        assert_eq!(keys, [1, 2, 3, 5, 7, 9]);
        let in_range: Vec<u64> = at_once
            .range(AnnotationId(3)..AnnotationId(9))
            .map(|(id, a)| {
                assert_eq!(*id, a.id());
                id.0
            })
            .collect();
        assert_eq!(in_range, [3, 5, 7]);
    }

    #[test]
    fn memory_order_visits_every_annotation_once() {
        let entries = [5, 1, 9, 3]
            .iter()
            .map(|id| AnnotationMap::entry(stance(*id)))
            .collect();
        let map = AnnotationMap::from_entries(entries).expect("unique ids");
        let mut ids: Vec<u64> = map.in_memory_order().iter().map(|a| a.id().0).collect();
        ids.sort_unstable();
        assert_eq!(ids, [1, 3, 5, 9]);
    }

    #[test]
    fn a_shared_id_is_named_and_insert_gives_back_what_it_replaced() {
        let entries = [4, 8, 4]
            .iter()
            .map(|id| AnnotationMap::entry(stance(*id)))
            .collect();
        assert_eq!(AnnotationMap::from_entries(entries), Err(AnnotationId(4)));
        let mut map = AnnotationMap::default();
        map.insert(stance(1));
        assert_eq!(map.insert(stance(1)).map(|a| a.id()), Some(AnnotationId(1)));
        assert_eq!(
            map.remove(&AnnotationId(1)).map(|a| a.id()),
            Some(AnnotationId(1))
        );
        assert!(map.is_empty() && map.get(&AnnotationId(1)).is_none());
    }
}
