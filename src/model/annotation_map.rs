//! [`AnnotationMap`]: a project's annotations, kept document by document in reading order
//! and found by id through a compact index.
//!
//! Each document's annotations lie side by side in one list ([`DocAnnotations`], in
//! reading order), held by `Arc`: copying the map (a save in the background takes a copy)
//! copies one pointer per document, and an edit copies only the list of the document it
//! changes (`Arc::make_mut`). The index holds (id, document position) entries of 12
//! bytes, sorted by id in chunks of about a thousand, so an annotation costs its own 48
//! bytes and 12 more, with no allocation of its own (a tree of boxed annotations took
//! ≈ 130 bytes each).

use super::annotation::{Annotation, AnnotationId};
use itertools::Itertools;
use std::cmp::Reverse;
use std::ops::{Bound, RangeBounds};
use std::sync::Arc;

/// Documents with at most this many annotations are searched for an id front to back
/// (a few hundred nanoseconds); bigger ones keep their annotations' positions sorted by
/// id, so a document with thousands of tags is searched in a few steps. A news article
/// has tens of tags: below the limit, they cost no table, and a tag added to each of
/// 100k documents (tag-all) makes no table either.
const SCAN_LIMIT: usize = 64;

/// Up to this many annotations added to a document at once go in one by one at their
/// places; more are merged with its list in one pass.
const FEW_ADDED: usize = 8;

/// Below this many new annotations at once (or a 64th of the index), each goes into the
/// index on its own; above, the new entries are merged with the whole index in one pass.
const MERGE_FROM: usize = 16;

/// Where an annotation sorts among its document's: by start, longer first, then by id.
pub(super) type ReadingKey = (usize, Reverse<usize>, AnnotationId);

/// The [`ReadingKey`] of an annotation.
pub(super) fn reading_key(ann: &Annotation) -> ReadingKey {
    ann.reading_order()
}

/// One document's annotations: in reading order, with their positions by id when they
/// are many.
#[derive(Clone, Debug, Default)]
pub struct DocAnnotations {
    /// In reading order ([`reading_key`]).
    list: Vec<Annotation>,
    /// Positions in `list` sorted by the annotations' ids; empty while `list` holds at
    /// most [`SCAN_LIMIT`].
    by_id: Vec<u32>,
}

impl PartialEq for DocAnnotations {
    fn eq(&self, other: &Self) -> bool {
        self.list == other.list
    }
}

impl DocAnnotations {
    /// A document's annotations, sorted here into reading order.
    pub(super) fn new(mut list: Vec<Annotation>) -> Self {
        list.sort_unstable_by_key(reading_key);
        list.shrink_to_fit();
        let mut doc = Self {
            list,
            by_id: Vec::new(),
        };
        doc.index_ids();
        doc
    }

    /// The annotations in reading order.
    pub fn as_slice(&self) -> &[Annotation] {
        &self.list
    }

    /// Makes `by_id` again after `list` changed.
    fn index_ids(&mut self) {
        self.by_id.clear();
        if self.list.len() > SCAN_LIMIT {
            // Sorted again only here: when a list grows past the limit, and after many
            // annotations came at once.
            let list = &self.list;
            // A document's list holds far fewer than 2^32 annotations.
            self.by_id = (0..list.len() as u32).collect();
            self.by_id
                .sort_unstable_by_key(|&at| list.get(at as usize).map(Annotation::id));
        }
        self.by_id.shrink_to_fit();
    }

    /// The position in the list of the annotation with this id.
    fn position(&self, id: AnnotationId) -> Option<usize> {
        if self.by_id.is_empty() {
            return self.list.iter().position(|a| a.id() == id);
        }
        let list = &self.list;
        let found = self
            .by_id
            .binary_search_by_key(&Some(id), |&at| list.get(at as usize).map(Annotation::id))
            .ok()?;
        self.by_id.get(found).map(|&at| at as usize)
    }

    /// The annotation with this id.
    pub(super) fn get(&self, id: AnnotationId) -> Option<&Annotation> {
        self.list.get(self.position(id)?)
    }

    /// Adds an annotation at its place in reading order (the id order follows in one
    /// pass, without sorting again).
    fn insert(&mut self, ann: Annotation) {
        let key = reading_key(&ann);
        let id = ann.id();
        let at = self.list.partition_point(|a| reading_key(a) < key);
        self.list.insert(at, ann);
        if self.by_id.is_empty() {
            self.index_ids();
            return;
        }
        for slot in &mut self.by_id {
            if *slot as usize >= at {
                *slot += 1;
            }
        }
        let list = &self.list;
        let place = self
            .by_id
            .partition_point(|&p| list.get(p as usize).is_some_and(|a| a.id() < id));
        // A document's list holds far fewer than 2^32 annotations.
        self.by_id.insert(place, at as u32);
    }

    /// Adds annotations at their places in reading order, taking them out of `added`
    /// (whose room is kept for the caller's next document).
    fn extend(&mut self, added: &mut Vec<Annotation>) {
        // Reading keys are unique (they end with the id), so the new ones sorted and
        // merged with the list are the order a sort of everything gives.
        added.sort_unstable_by_key(reading_key);
        if added.len() <= FEW_ADDED {
            // A few (tag-all adds two or three to a document): each goes in at its place,
            // found by a binary search, and the list grows where it lies if it can.
            self.list.reserve_exact(added.len());
            for ann in added.drain(..) {
                let key = reading_key(&ann);
                let at = self.list.partition_point(|a| reading_key(a) < key);
                self.list.insert(at, ann);
            }
            self.index_ids();
            return;
        }
        let mut list = Vec::with_capacity(self.list.len() + added.len());
        let old = std::mem::take(&mut self.list);
        list.extend(old.into_iter().merge_by(added.drain(..), |a, b| {
            a.reading_order() < b.reading_order()
        }));
        self.list = list;
        self.index_ids();
    }

    /// Takes the annotation with this id out.
    fn remove(&mut self, id: AnnotationId) -> Option<Annotation> {
        let at = self.position(id)?;
        let ann = self.list.remove(at);
        if self.list.len() <= SCAN_LIMIT {
            self.index_ids();
            return Some(ann);
        }
        self.by_id.retain(|&p| p as usize != at);
        for slot in &mut self.by_id {
            if *slot as usize > at {
                *slot -= 1;
            }
        }
        Some(ann)
    }

    /// Puts `ann` in place of the annotation with its id; returns that one.
    fn replace(&mut self, ann: Annotation) -> Option<Annotation> {
        let at = self.position(ann.id())?;
        let slot = self.list.get_mut(at)?;
        if reading_key(slot) == reading_key(&ann) {
            return Some(std::mem::replace(slot, ann));
        }
        let old = self.list.remove(at);
        self.insert(ann);
        Some(old)
    }
}

/// An index entry: an annotation id and its document's position, in 12 bytes (the id in
/// two halves, so the entry needs no 8-byte alignment).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
struct IdEntry {
    id: [u32; 2],
    doc: u32,
}

impl IdEntry {
    fn new(id: AnnotationId, doc: usize) -> Self {
        // Halves of a u64 and a document position (a project holds far fewer than 2^32
        // documents).
        Self {
            id: [(id.0 >> 32) as u32, id.0 as u32],
            doc: doc as u32,
        }
    }

    fn id(self) -> AnnotationId {
        AnnotationId(u64::from(self.id[0]) << 32 | u64::from(self.id[1]))
    }

    fn doc(self) -> usize {
        self.doc as usize
    }
}

/// Every annotation's index entry, sorted by id, in chunks of about [`CHUNK`] entries:
/// an addition or removal moves at most a chunk's entries (never the millions a single
/// sorted array would), while an entry stays 12 bytes (a tree of boxed entries takes
/// more than twice that). The chunks are shared (`Arc`, copied on write), so a copy of
/// the project copies a pointer per thousand annotations.
#[derive(Clone, Debug, Default)]
struct IdIndex {
    /// Non-empty, each sorted, and every entry of one before every entry of the next.
    chunks: Vec<Arc<Vec<IdEntry>>>,
    len: usize,
}

/// Entries a chunk of the index is made with; one is split in two past twice this.
const CHUNK: usize = 1024;

impl IdIndex {
    /// The index of entries sorted by id (and unique). The chunks are cut from the end
    /// of `sorted`, which gives back its memory as it shrinks, so the entries are not
    /// held twice.
    fn from_sorted(mut sorted: Vec<IdEntry>) -> Self {
        let len = sorted.len();
        let mut chunks = Vec::with_capacity(len.div_ceil(CHUNK));
        let mut released = sorted.len();
        while !sorted.is_empty() {
            let cut = sorted.len().saturating_sub(CHUNK);
            chunks.push(Arc::new(sorted.split_off(cut)));
            if released - sorted.len() >= 64 * CHUNK {
                sorted.shrink_to_fit();
                released = sorted.len();
            }
        }
        chunks.reverse();
        Self { chunks, len }
    }

    /// The first chunk whose last entry is not below `id` (or the number of chunks).
    fn chunk_for(&self, id: AnnotationId) -> usize {
        self.chunks
            .partition_point(|c| c.last().is_some_and(|e| e.id() < id))
    }

    fn get(&self, id: AnnotationId) -> Option<IdEntry> {
        let chunk = self.chunks.get(self.chunk_for(id))?;
        let at = chunk.binary_search_by_key(&id, |e| e.id()).ok()?;
        chunk.get(at).copied()
    }

    /// Adds an entry whose id is not in the index.
    fn insert(&mut self, entry: IdEntry) {
        let id = entry.id();
        let at = self.chunk_for(id).min(self.chunks.len().saturating_sub(1));
        let Some(chunk) = self.chunks.get_mut(at).map(Arc::make_mut) else {
            self.chunks.push(Arc::new(vec![entry]));
            self.len += 1;
            return;
        };
        let place = chunk.partition_point(|e| e.id() < id);
        chunk.insert(place, entry);
        self.len += 1;
        if chunk.len() > 2 * CHUNK {
            let second = chunk.split_off(CHUNK);
            chunk.shrink_to_fit();
            self.chunks.insert(at + 1, Arc::new(second));
        }
    }

    /// Takes out the entry of `id`.
    fn remove(&mut self, id: AnnotationId) -> Option<IdEntry> {
        let at = self.chunk_for(id);
        let place = self
            .chunks
            .get(at)?
            .binary_search_by_key(&id, |e| e.id())
            .ok()?;
        let chunk = Arc::make_mut(self.chunks.get_mut(at)?);
        let entry = chunk.remove(place);
        if chunk.is_empty() {
            self.chunks.remove(at);
        }
        self.len -= 1;
        Some(entry)
    }

    /// Adds entries (sorted by id, none in the index): one by one when they are few
    /// beside the index, else merged with all of it in one pass.
    fn insert_sorted(&mut self, added: Vec<IdEntry>) {
        if added.len() < MERGE_FROM || added.len() < self.len / 64 {
            for entry in added {
                self.insert(entry);
            }
            return;
        }
        if self.chunks.is_empty() {
            *self = Self::from_sorted(added);
            return;
        }
        // Where `added` is cut between the chunks: a chunk takes the entries below the
        // first of the next one (the last chunk takes the rest).
        let mut cuts = Vec::with_capacity(self.chunks.len());
        let mut from = 0;
        for next in self.chunks.iter().skip(1) {
            let bound = next.first().map_or(AnnotationId(u64::MAX), |e| e.id());
            let rest = added.get(from..).unwrap_or_default();
            from += rest.partition_point(|e| e.id() < bound);
            cuts.push(from);
        }
        cuts.push(added.len());
        // Each chunk that gains entries is merged into a new one (split in equal parts
        // past twice the size); the others are kept as they are, still shared with any
        // copy. No array of the whole index is made.
        let mut chunks = Vec::with_capacity(self.chunks.len() + added.len() / CHUNK + 1);
        let mut start = 0;
        for (chunk, end) in std::mem::take(&mut self.chunks).into_iter().zip(cuts) {
            let part = added.get(start..end).unwrap_or_default();
            start = end;
            if part.is_empty() {
                chunks.push(chunk);
                continue;
            }
            let merged = merge_sorted(&chunk, part);
            if merged.len() > 2 * CHUNK {
                let size = merged.len().div_ceil(merged.len().div_ceil(CHUNK));
                chunks.extend(merged.chunks(size).map(|piece| Arc::new(piece.to_vec())));
            } else {
                chunks.push(Arc::new(merged));
            }
        }
        self.chunks = chunks;
        self.len += added.len();
    }

    /// Keeps the entries for which `keep` says so (and may change them; their ids stay).
    fn retain_mut(&mut self, mut keep: impl FnMut(&mut IdEntry) -> bool) {
        for chunk in &mut self.chunks {
            Arc::make_mut(chunk).retain_mut(&mut keep);
        }
        self.chunks.retain(|c| !c.is_empty());
        self.len = self.chunks.iter().map(|c| c.len()).sum();
    }

    /// Every entry by ascending id.
    fn iter(&self) -> impl DoubleEndedIterator<Item = &IdEntry> {
        self.chunks.iter().flat_map(|c| c.iter())
    }

    /// Where the first entry with an id above (`after`) or not below `id` is: chunk and
    /// place in it.
    fn lower_bound(&self, id: AnnotationId, after: bool) -> (usize, usize) {
        let past = |e: &IdEntry| if after { e.id() <= id } else { e.id() < id };
        let chunk = self.chunks.partition_point(|c| c.last().is_some_and(&past));
        let place = self
            .chunks
            .get(chunk)
            .map_or(0, |c| c.partition_point(|e| past(e)));
        (chunk, place)
    }

    /// The entries with ids in `range`, ascending.
    fn range(
        &self,
        range: impl RangeBounds<AnnotationId>,
    ) -> impl DoubleEndedIterator<Item = &IdEntry> {
        let (first, from) = match range.start_bound() {
            Bound::Included(id) => self.lower_bound(*id, false),
            Bound::Excluded(id) => self.lower_bound(*id, true),
            Bound::Unbounded => (0, 0),
        };
        let (last, to) = match range.end_bound() {
            Bound::Included(id) => self.lower_bound(*id, true),
            Bound::Excluded(id) => self.lower_bound(*id, false),
            Bound::Unbounded => (self.chunks.len(), 0),
        };
        let end = if to == 0 { last } else { last + 1 };
        self.chunks
            .get(first..end.max(first))
            .unwrap_or_default()
            .iter()
            .enumerate()
            .flat_map(move |(k, chunk)| {
                let k = k + first;
                let lo = if k == first { from } else { 0 };
                let hi = if k == last { to } else { chunk.len() };
                chunk.get(lo..hi).unwrap_or_default()
            })
    }
}

/// A project's annotations: per document (by the document's position in the project) in
/// reading order, and by id.
#[derive(Clone, Debug, Default)]
pub struct AnnotationMap {
    /// Each document's annotations, by the document's position. Documents without any
    /// share one empty list. The vector itself is shared too, so a copy of the map is a
    /// few pointers until one of them changes.
    docs: Arc<Vec<Arc<DocAnnotations>>>,
    /// Every annotation's id and document position, sorted by id.
    index: IdIndex,
}

impl PartialEq for AnnotationMap {
    /// Equal when every document position holds the same annotations (a document with
    /// none equals one past the end).
    fn eq(&self, other: &Self) -> bool {
        if self.index.len != other.index.len {
            return false;
        }
        let longest = self.docs.len().max(other.docs.len());
        (0..longest).all(|at| self.of_document(at) == other.of_document(at))
    }
}

impl AnnotationMap {
    /// A map over `documents` documents with no annotations yet.
    pub(super) fn with_documents(documents: usize) -> Self {
        let empty = Arc::new(DocAnnotations::default());
        Self {
            docs: Arc::new(vec![empty; documents]),
            index: IdIndex::default(),
        }
    }

    /// The map of each document's annotations (by position); `Err` with an id that two
    /// of them share.
    pub(super) fn from_documents(documents: Vec<DocAnnotations>) -> Result<Self, AnnotationId> {
        let mut builder = MapBuilder::default();
        for doc in documents {
            builder.push(doc);
        }
        builder.finish()
    }

    /// How many annotations there are.
    pub fn len(&self) -> usize {
        self.index.len
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.index.len == 0
    }

    /// The index entry of an id.
    fn entry_of(&self, id: AnnotationId) -> Option<IdEntry> {
        self.index.get(id)
    }

    /// The annotation an index entry points at.
    fn resolve(&self, entry: IdEntry) -> Option<&Annotation> {
        self.docs.get(entry.doc())?.get(entry.id())
    }

    /// The annotation with this id.
    pub fn get(&self, id: &AnnotationId) -> Option<&Annotation> {
        self.resolve(self.entry_of(*id)?)
    }

    /// The position of the document of the annotation with this id.
    pub fn document_of(&self, id: &AnnotationId) -> Option<usize> {
        self.entry_of(*id).map(IdEntry::doc)
    }

    /// Whether an annotation has this id.
    pub fn contains_key(&self, id: &AnnotationId) -> bool {
        self.entry_of(*id).is_some()
    }

    /// The annotations of the document at position `doc` of the project, in reading
    /// order.
    pub fn of_document(&self, doc: usize) -> &[Annotation] {
        self.docs.get(doc).map_or(&[], |d| d.as_slice())
    }

    /// The list of the document at position `doc` as the map shares it (with snapshots,
    /// and with whoever keeps it: holding it costs a pointer, and an edit of that
    /// document then copies its list instead of changing it in place). `None` past the
    /// last document.
    pub fn shared_of_document(&self, doc: usize) -> Option<&Arc<DocAnnotations>> {
        self.docs.get(doc)
    }

    /// The ids in ascending order.
    pub fn keys(&self) -> impl DoubleEndedIterator<Item = &AnnotationId> {
        self.values().map(Annotation::id_ref)
    }

    /// The annotations by ascending id.
    pub fn values(&self) -> impl DoubleEndedIterator<Item = &Annotation> {
        self.index.iter().filter_map(|e| self.resolve(*e))
    }

    /// The annotations by ascending id, each with the position of its document.
    pub fn values_with_positions(&self) -> impl DoubleEndedIterator<Item = (usize, &Annotation)> {
        self.index
            .iter()
            .filter_map(|e| Some((e.doc(), self.resolve(*e)?)))
    }

    /// The annotations in the order they lie in memory: document by document, each in
    /// reading order. A pass over millions of annotations that does not need id order
    /// reads memory front to back this way instead of jumping.
    pub fn in_memory_order(&self) -> impl Iterator<Item = &Annotation> {
        self.docs.iter().flat_map(|d| d.as_slice())
    }

    /// Ids and annotations by ascending id.
    pub fn iter(&self) -> impl DoubleEndedIterator<Item = (&AnnotationId, &Annotation)> {
        self.values().map(|a| (a.id_ref(), a))
    }

    /// Ids and annotations with ids in `range`, ascending.
    pub fn range(
        &self,
        range: impl RangeBounds<AnnotationId>,
    ) -> impl DoubleEndedIterator<Item = (&AnnotationId, &Annotation)> {
        self.index
            .range(range)
            .filter_map(|e| self.resolve(*e))
            .map(|a| (a.id_ref(), a))
    }

    /// The shared lists of every document, by position (what a snapshot of the project
    /// keeps).
    pub(super) fn shared_documents(&self) -> Arc<Vec<Arc<DocAnnotations>>> {
        Arc::clone(&self.docs)
    }

    /// The list of the document at `doc`, to change (copied first if a snapshot shares
    /// it).
    fn document_mut(&mut self, doc: usize) -> Option<&mut DocAnnotations> {
        Arc::make_mut(&mut self.docs)
            .get_mut(doc)
            .map(Arc::make_mut)
    }

    /// Adds `ann`, whose id is in use by no other annotation, to the document at `doc`.
    pub(super) fn insert(&mut self, doc: usize, ann: Annotation) {
        let entry = IdEntry::new(ann.id(), doc);
        let Some(list) = self.document_mut(doc) else {
            return;
        };
        list.insert(ann);
        self.index.insert(entry);
    }

    /// Whether any of `sorted` (ascending) is the id of an annotation here: one search
    /// each when they are few, else one pass along the index.
    pub(super) fn contains_any(&self, sorted: &[AnnotationId]) -> bool {
        if sorted.len() < MERGE_FROM || sorted.len() < self.index.len / 64 {
            return sorted.iter().any(|id| self.contains_key(id));
        }
        let mut index = self.index.iter().map(|e| e.id()).peekable();
        sorted.iter().any(|id| {
            while index.next_if(|x| x < id).is_some() {}
            index.peek() == Some(id)
        })
    }

    /// For each of `ids` (in any order), whether an annotation here has it: one search
    /// each when they are few, else one pass along the index (tag-all asks about
    /// hundreds of thousands at once).
    pub fn contains_each(&self, ids: &[AnnotationId]) -> Vec<bool> {
        if ids.len() < MERGE_FROM || ids.len() < self.index.len / 64 {
            return ids.iter().map(|id| self.contains_key(id)).collect();
        }
        let mut sorted: Vec<(AnnotationId, usize)> =
            ids.iter().enumerate().map(|(i, &id)| (id, i)).collect();
        sorted.sort_unstable();
        let mut found = vec![false; ids.len()];
        let mut index = self.index.iter().map(|e| e.id()).peekable();
        for (id, i) in sorted {
            while index.next_if(|x| *x < id).is_some() {}
            if index.peek() == Some(&id)
                && let Some(slot) = found.get_mut(i)
            {
                *slot = true;
            }
        }
        found
    }

    /// [`AnnotationMap::insert_new_sorted`] sorting the ids itself.
    #[cfg(test)]
    pub(super) fn insert_new(&mut self, annotations: Vec<Annotation>, positions: Vec<u32>) {
        let mut by_id: Vec<(AnnotationId, u32)> = annotations
            .iter()
            .zip(&positions)
            .map(|(a, &doc)| (a.id(), doc))
            .collect();
        by_id.sort_unstable();
        self.insert_new_sorted(annotations, positions, by_id);
    }

    /// Adds annotations whose ids are in use neither here nor among themselves, each to
    /// the document at its position in `positions`; `by_id` has their ids with those
    /// positions, sorted by id (the caller sorted them to check them). Each document's
    /// list is sorted once per run of its annotations, and many new entries are merged
    /// into the index in one pass. The annotations are moved from the back of
    /// `annotations`, which gives its memory back as it empties (an import adds millions).
    pub(super) fn insert_new_sorted<T: NewAnnotation>(
        &mut self,
        mut annotations: Vec<T>,
        positions: Vec<u32>,
        by_id: Vec<(AnnotationId, u32)>,
    ) {
        let docs = Arc::make_mut(&mut self.docs);
        // Many annotations in document order (tag-all over a corpus, an import) grow the
        // lists of the first half of their documents on one core and the rest on another:
        // at 100k documents that is 100k lists copied to a bigger place.
        let cut = (annotations.len() >= ON_TWO_CORES_FROM && positions.is_sorted())
            .then(|| positions.get(positions.len() / 2).copied())
            .flatten()
            .map(|middle| (middle, positions.partition_point(|&p| p < middle)))
            .filter(|&(_, at)| at > 0);
        match cut {
            Some((middle, at)) => {
                let later = annotations.split_off(at);
                annotations.shrink_to_fit();
                let (first_docs, later_docs) = docs.split_at_mut(middle as usize);
                let (first_at, later_at) = positions.split_at(at);
                std::thread::scope(|scope| {
                    scope.spawn(|| extend_lists(later_docs, middle, later, later_at));
                    extend_lists(first_docs, 0, annotations, first_at);
                });
            }
            None => extend_lists(docs, 0, annotations, &positions),
        }
        drop(positions);
        let added = by_id
            .into_iter()
            .map(|(id, doc)| IdEntry::new(id, doc as usize))
            .collect();
        self.index.insert_sorted(added);
    }

    /// Takes the annotation with this id out.
    pub(super) fn remove(&mut self, id: &AnnotationId) -> Option<Annotation> {
        let entry = self.index.get(*id)?;
        let ann = self.document_mut(entry.doc())?.remove(*id)?;
        self.index.remove(*id);
        Some(ann)
    }

    /// Puts `ann` in place of the annotation with its id (in the same document); returns
    /// that one.
    pub(super) fn replace(&mut self, ann: Annotation) -> Option<Annotation> {
        let entry = self.entry_of(ann.id())?;
        self.document_mut(entry.doc())?.replace(ann)
    }

    /// Makes room for `count` more documents (with no annotations) after the others.
    pub(super) fn push_documents(&mut self, count: usize) {
        let docs = Arc::make_mut(&mut self.docs);
        let empty = docs
            .iter()
            .find(|d| d.list.is_empty())
            .cloned()
            .unwrap_or_default();
        docs.extend(std::iter::repeat_n(empty, count));
    }

    /// Drops the documents whose positions `gone` says (with their annotations) and
    /// moves the others up.
    pub(super) fn remove_documents(&mut self, gone: impl Fn(usize) -> bool) {
        let mut new_position = Vec::with_capacity(self.docs.len());
        let mut next = 0;
        for at in 0..self.docs.len() {
            new_position.push((!gone(at)).then(|| {
                next += 1;
                next - 1
            }));
        }
        let docs = Arc::make_mut(&mut self.docs);
        let mut at = 0;
        docs.retain(|_| {
            at += 1;
            !gone(at - 1)
        });
        self.index
            .retain_mut(|e| match new_position.get(e.doc()).copied().flatten() {
                Some(moved) => {
                    e.doc = moved as u32;
                    true
                }
                None => false,
            });
    }
}

/// Builds an [`AnnotationMap`] one document at a time (a loader adds each as it is
/// parsed): the lists move in as they are, and the index is sorted once at the end.
#[derive(Debug, Default)]
pub(super) struct MapBuilder {
    docs: Vec<Arc<DocAnnotations>>,
    index: Vec<IdEntry>,
    empty: Arc<DocAnnotations>,
}

impl MapBuilder {
    /// Adds the next document's annotations.
    pub(super) fn push(&mut self, doc: DocAnnotations) {
        let at = self.docs.len();
        self.index
            .extend(doc.list.iter().map(|a| IdEntry::new(a.id(), at)));
        self.docs.push(if doc.list.is_empty() {
            Arc::clone(&self.empty)
        } else {
            Arc::new(doc)
        });
    }

    /// The map; `Err` with an id that two annotations share.
    pub(super) fn finish(self) -> Result<AnnotationMap, AnnotationId> {
        let Self {
            docs, mut index, ..
        } = self;
        index.sort_unstable_by_key(|e| e.id());
        if let Some(pair) = index.windows(2).find(|w| w[0].id() == w[1].id()) {
            return Err(pair[0].id());
        }
        Ok(AnnotationMap {
            docs: Arc::new(docs),
            index: IdIndex::from_sorted(index),
        })
    }
}

/// The entries of two sorted slices (with no id in both), sorted, in a vector of
/// exactly their length.
fn merge_sorted(old: &[IdEntry], added: &[IdEntry]) -> Vec<IdEntry> {
    let mut merged = Vec::with_capacity(old.len() + added.len());
    merged.extend(old.iter().merge_by(added, |a, b| a.id() < b.id()).copied());
    merged
}

/// Adds `annotations`, whose documents' positions `positions` gives, to the lists of
/// `docs` (which hold the documents from position `first` on). They are taken from the
/// back, document by document, and their memory is given back as they go: an import's
/// run holds millions, and should not sit beside all of them.
fn extend_lists<T: NewAnnotation>(
    docs: &mut [Arc<DocAnnotations>],
    first: u32,
    mut annotations: Vec<T>,
    positions: &[u32],
) {
    let mut run: Vec<Annotation> = Vec::new();
    let mut run_doc: Option<u32> = None;
    let mut add = |doc: Option<u32>, run: &mut Vec<Annotation>| {
        let list = doc
            .and_then(|doc| doc.checked_sub(first))
            .and_then(|at| docs.get_mut(at as usize));
        match list {
            Some(list) if !run.is_empty() => Arc::make_mut(list).extend(run),
            _ => run.clear(),
        }
    };
    let mut positions = positions.iter().rev();
    while let (Some(ann), Some(&doc)) = (annotations.pop(), positions.next()) {
        if run_doc != Some(doc) {
            add(run_doc, &mut run);
            run_doc = Some(doc);
        }
        run.push(ann.into_annotation());
        super::edit::give_back_memory(&mut annotations);
    }
    add(run_doc, &mut run);
}

/// An annotation [`AnnotationMap::insert_new_sorted`] adds: alone, or with the document
/// it goes to (which the map knows by position already): an edit's hundreds of
/// thousands of pairs are taken as they are, not copied into a vector of annotations
/// first, and each document id is let go on the core that adds its annotation.
pub(super) trait NewAnnotation: Send {
    /// The annotation.
    fn into_annotation(self) -> Annotation;
}

impl NewAnnotation for Annotation {
    fn into_annotation(self) -> Annotation {
        self
    }
}

impl NewAnnotation for (super::DocId, Annotation) {
    fn into_annotation(self) -> Annotation {
        self.1
    }
}

/// From this many annotations at once, [`AnnotationMap::insert_new_sorted`] grows the lists on
/// two cores.
const ON_TWO_CORES_FROM: usize = 4096;

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Anchor, AnnotationKind, Span};

    fn stance(id: u64) -> Annotation {
        Annotation::new(
            AnnotationId(id),
            Anchor::Document,
            AnnotationKind::Stance {
                target: "EU".into(),
                polarity: "FAVOR".into(),
                holder: None,
            },
        )
        .expect("a document stance")
    }

    fn entity(id: u64, start: usize, end: usize) -> Annotation {
        let span = Span::within(start, end, 1 << 20).expect("span");
        Annotation::entity(AnnotationId(id), span, "PER")
    }

    fn ids<'a>(it: impl Iterator<Item = &'a Annotation>) -> Vec<u64> {
        it.map(|a| a.id().0).collect()
    }

    #[test]
    fn built_at_once_equals_built_one_by_one_and_iterates_by_id() {
        let ids_given = [5, 1, 9, 3, 7, 2];
        let mut one_by_one = AnnotationMap::with_documents(2);
        for (i, id) in ids_given.iter().enumerate() {
            one_by_one.insert(i % 2, stance(*id));
        }
        let (even, odd): (Vec<_>, Vec<_>) =
            ids_given.iter().enumerate().partition(|(i, _)| i % 2 == 0);
        let documents = [even, odd]
            .into_iter()
            .map(|half| DocAnnotations::new(half.into_iter().map(|(_, id)| stance(*id)).collect()))
            .collect();
        let at_once = AnnotationMap::from_documents(documents).expect("unique ids");
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
        let after: Vec<u64> = at_once
            .range((Bound::Excluded(AnnotationId(5)), Bound::Unbounded))
            .map(|(id, _)| id.0)
            .collect();
        assert_eq!(after, [7, 9]);
        assert_eq!(ids(at_once.values().rev()), [9, 7, 5, 3, 2, 1]);
        assert_eq!(at_once.document_of(&AnnotationId(1)), Some(1));
        assert_eq!(at_once.document_of(&AnnotationId(4)), None);
    }

    #[test]
    fn each_document_keeps_reading_order_and_memory_order_visits_every_one_once() {
        let mut map = AnnotationMap::with_documents(3);
        for (doc, ann) in [
            (0, entity(10, 5, 9)),
            (0, entity(11, 0, 20)),
            (2, entity(12, 3, 4)),
            (0, entity(13, 0, 4)),
            (0, stance(14)),
        ] {
            map.insert(doc, ann);
        }
        // By start, longer first (the document stance covers nothing: an empty span at 0).
        assert_eq!(ids(map.of_document(0).iter()), [11, 13, 14, 10]);
        assert!(map.of_document(1).is_empty() && map.of_document(7).is_empty());
        let mut seen = ids(map.in_memory_order());
        assert_eq!(seen, [11, 13, 14, 10, 12]);
        seen.sort_unstable();
        assert_eq!(seen, ids(map.values()));
        // Moving an annotation keeps the order.
        let moved = entity(10, 0, 30);
        assert_eq!(map.replace(moved).map(|a| a.id()), Some(AnnotationId(10)));
        assert_eq!(ids(map.of_document(0).iter()), [10, 11, 13, 14]);
        assert_eq!(map.remove(&AnnotationId(11)).map(|a| a.id().0), Some(11));
        assert_eq!(ids(map.of_document(0).iter()), [10, 13, 14]);
        assert_eq!(map.len(), 4);
        assert!(map.get(&AnnotationId(11)).is_none() && map.remove(&AnnotationId(11)).is_none());
    }

    #[test]
    fn a_document_with_thousands_of_tags_is_searched_by_id() {
        let count = 5_000u64;
        // Ids in an order unrelated to the text: a multiplicative hash.
        let id_of = |i: u64| (i * 2_654_435_761) % 1_000_003 + 1;
        let list = (0..count)
            .map(|i| entity(id_of(i), i as usize, i as usize + 3))
            .collect();
        let mut map = AnnotationMap::from_documents(vec![
            DocAnnotations::new(Vec::new()),
            DocAnnotations::new(list),
        ])
        .expect("unique ids");
        for i in (0..count).step_by(97) {
            let ann = map.get(&AnnotationId(id_of(i))).expect("found");
            assert_eq!(ann.spans()[0].start().0, i as usize);
        }
        let starts: Vec<usize> = map
            .of_document(1)
            .iter()
            .map(|a| a.spans()[0].start().0)
            .collect();
        assert!(starts.windows(2).all(|w| w[0] < w[1]), "reading order");
        let (positions, added): (Vec<u32>, Vec<Annotation>) = (0..40)
            .map(|i| (1, entity(2_000_000 + i, 7, 8 + i as usize)))
            .chain([(0, entity(3_000_000, 1, 2))])
            .unzip();
        assert!(map.contains_any(&[AnnotationId(1), AnnotationId(id_of(3))]));
        map.insert_new(added, positions);
        assert_eq!(map.len(), 5_041);
        assert_eq!(map.document_of(&AnnotationId(3_000_000)), Some(0));
        for i in 0..40 {
            let id = AnnotationId(2_000_000 + i);
            assert_eq!(map.get(&id).map(Annotation::id), Some(id));
        }
        let keys: Vec<AnnotationId> = map.keys().copied().collect();
        assert!(keys.windows(2).all(|w| w[0] < w[1]) && keys.len() == 5_041);
        for i in (0..count).step_by(7) {
            assert!(map.remove(&AnnotationId(id_of(i))).is_some());
        }
        assert!(
            map.of_document(1)
                .iter()
                .all(|a| map.get(&a.id()).is_some_and(|b| b == a))
        );
    }

    #[test]
    fn a_copy_keeps_what_it_saw_while_the_original_changes() {
        let mut map = AnnotationMap::with_documents(2);
        map.insert(0, entity(1, 0, 3));
        map.insert(1, entity(2, 0, 3));
        let copy = map.clone();
        map.insert(0, entity(3, 4, 6));
        map.remove(&AnnotationId(2));
        map.replace(entity(1, 0, 2));
        assert_eq!(ids(copy.values()), [1, 2]);
        assert_eq!(
            copy.get(&AnnotationId(1)).map(|a| a.spans()[0].end().0),
            Some(3)
        );
        assert_eq!(ids(map.values()), [1, 3]);
        assert_eq!(
            map.get(&AnnotationId(1)).map(|a| a.spans()[0].end().0),
            Some(2)
        );
        // The untouched document's list is still the copy's.
        let mut both = AnnotationMap::with_documents(2);
        both.insert(1, entity(5, 0, 1));
        let snapshot = both.clone();
        both.insert(0, entity(6, 0, 1));
        assert!(std::ptr::eq(
            snapshot.of_document(1).as_ptr(),
            both.of_document(1).as_ptr()
        ));
    }

    #[test]
    fn a_shared_id_is_named_and_documents_can_go() {
        let documents = vec![
            DocAnnotations::new(vec![stance(4), stance(8)]),
            DocAnnotations::new(vec![stance(4)]),
        ];
        assert_eq!(
            AnnotationMap::from_documents(documents),
            Err(AnnotationId(4))
        );
        let mut map = AnnotationMap::with_documents(3);
        map.insert(2, stance(1));
        map.push_documents(1);
        map.insert(3, stance(2));
        map.remove_documents(|at| at == 0 || at == 1);
        assert_eq!(map.document_of(&AnnotationId(1)), Some(0));
        assert_eq!(map.document_of(&AnnotationId(2)), Some(1));
        assert_eq!(ids(map.of_document(1).iter()), [2]);
    }

    #[test]
    fn the_index_splits_its_chunks_and_finds_every_id_in_any_range() {
        let id_of = |i: u64| (i * 2_654_435_761) % 1_000_003 + 1;
        let mut index = IdIndex::default();
        for i in 0..5 * CHUNK as u64 {
            index.insert(IdEntry::new(AnnotationId(id_of(i)), i as usize));
        }
        assert!(index.chunks.len() > 2, "split: {}", index.chunks.len());
        assert!(index.chunks.iter().all(|c| c.len() <= 2 * CHUNK));
        let all: Vec<u64> = index.iter().map(|e| e.id().0).collect();
        assert_eq!(all.len(), 5 * CHUNK);
        assert!(all.windows(2).all(|w| w[0] < w[1]));
        for (from, to) in [
            (0, 1),
            (3, 3_000),
            (100, 4_000),
            (all.len() - 5, all.len() - 1),
        ] {
            let (lo, hi) = (AnnotationId(all[from]), AnnotationId(all[to]));
            let got: Vec<u64> = index.range(lo..hi).map(|e| e.id().0).collect();
            assert_eq!(got, all[from..to], "{from}..{to}");
            let got: Vec<u64> = index.range(lo..=hi).rev().map(|e| e.id().0).collect();
            let want: Vec<u64> = all[from..=to].iter().rev().copied().collect();
            assert_eq!(got, want, "{from}..={to} backwards");
        }
        let many: Vec<IdEntry> = (0..3_000)
            .map(|i| IdEntry::new(AnnotationId(2_000_000 + 2 * i), 1))
            .collect();
        index.insert_sorted(many);
        assert_eq!(index.len, 5 * CHUNK + 3_000);
        let copy = index.clone();
        assert_eq!(
            index.get(AnnotationId(2_000_000 + 40)).map(IdEntry::doc),
            Some(1)
        );
        for i in 0..5 * CHUNK as u64 {
            assert_eq!(
                index.remove(AnnotationId(id_of(i))).map(IdEntry::doc),
                Some(i as usize)
            );
        }
        assert_eq!(index.len, 3_000);
        assert!(index.chunks.iter().all(|c| !c.is_empty()));
        assert!(index.get(AnnotationId(id_of(1))).is_none());
        // The copy kept every entry: the chunks were copied before they changed.
        assert_eq!(copy.len, 5 * CHUNK + 3_000);
        assert_eq!(copy.iter().count(), copy.len);
        assert_eq!(copy.get(AnnotationId(id_of(1))).map(IdEntry::doc), Some(1));
    }

    #[test]
    fn many_entries_merge_into_every_chunk_and_a_copy_keeps_its_own() {
        // Even ids in the index, then odd ids everywhere (below the first, between all,
        // past the last) and a dense run that overfills one chunk.
        let old: Vec<IdEntry> = (1..=6 * CHUNK as u64)
            .map(|i| IdEntry::new(AnnotationId(i * 10), 0))
            .collect();
        let mut index = IdIndex::from_sorted(old.clone());
        let copy = index.clone();
        let mut added: Vec<IdEntry> = (0..=6 * CHUNK as u64 + 3)
            .step_by(3)
            .map(|i| IdEntry::new(AnnotationId(i * 10 + 5), 1))
            .collect();
        added.extend(
            (0..3 * CHUNK as u64)
                .map(|i| IdEntry::new(AnnotationId(20_001 + i % 9 + 10 * (i / 9)), 2)),
        );
        added.sort_unstable_by_key(|e| e.id());
        added.dedup_by_key(|e| e.id());
        index.insert_sorted(added.clone());
        let mut want: Vec<IdEntry> = old.iter().chain(&added).copied().collect();
        want.sort_unstable_by_key(|e| e.id());
        let got: Vec<IdEntry> = index.iter().copied().collect();
        assert_eq!(got, want);
        assert_eq!(index.len, want.len());
        assert!(
            index
                .chunks
                .iter()
                .all(|c| !c.is_empty() && c.len() <= 2 * CHUNK)
        );
        for entry in [
            added[0],
            added[added.len() / 2],
            old[17],
            want[want.len() - 1],
        ] {
            assert_eq!(index.get(entry.id()), Some(entry));
        }
        // The copy taken before still holds the old entries only.
        let kept: Vec<IdEntry> = copy.iter().copied().collect();
        assert_eq!(kept, old);
    }

    #[test]
    fn a_few_or_many_added_at_once_give_the_order_of_a_sort() {
        // Starts repeat and spans nest, so the reading key's every part decides somewhere.
        let make = |k: u64| entity(1000 - k, (k % 7) as usize, (k % 7 + 1 + k % 3) as usize);
        let over = SCAN_LIMIT as u64 + 8;
        let under = SCAN_LIMIT as u64 - 1;
        for (kept, added) in [
            (over, 3),
            (over, FEW_ADDED as u64 + 12),
            (under, 3),
            (under, FEW_ADDED as u64 + 2),
            (5, 2),
            (0, 30),
        ] {
            let mut doc = DocAnnotations::new((0..kept).map(make).collect());
            doc.extend(&mut (kept..kept + added).map(make).collect());
            let sorted = DocAnnotations::new((0..kept + added).map(make).collect());
            assert_eq!(ids(doc.as_slice().iter()), ids(sorted.as_slice().iter()));
            assert_eq!(doc.by_id, sorted.by_id, "{kept} + {added}");
            assert!(doc.get(AnnotationId(1000 - kept)).is_some());
        }
    }

    #[test]
    fn many_added_at_once_in_document_order_or_not_land_in_their_documents() {
        const DOCS: usize = 600;
        let before: Vec<Annotation> = (0..DOCS as u64 * 3)
            .map(|i| entity(5_000_000 + i, (i % 40) as usize, (i % 40 + 2) as usize))
            .collect();
        let before_at: Vec<u32> = (0..before.len()).map(|i| (i / 3) as u32).collect();
        // Documents 0, 2, 4, … get 1 to 40 each: more than ON_TWO_CORES_FROM in all.
        let mut added = Vec::new();
        let mut added_at = Vec::new();
        for doc in (0..DOCS).step_by(2) {
            for k in 0..(doc % 40 + 1) {
                let id = (doc * 100 + k) as u64 + 1;
                added.push(entity(id, k, k + 1 + doc % 3));
                added_at.push(doc as u32);
            }
        }
        assert!(added.len() >= ON_TWO_CORES_FROM, "{}", added.len());
        let mut shuffled: Vec<(Annotation, u32)> = added
            .iter()
            .cloned()
            .zip(added_at.iter().copied())
            .collect();
        shuffled.reverse();
        let (shuffled, shuffled_at): (Vec<_>, Vec<_>) = shuffled.into_iter().unzip();
        for (added, added_at) in [(added, added_at), (shuffled, shuffled_at)] {
            let mut map = AnnotationMap::with_documents(DOCS);
            map.insert_new(before.clone(), before_at.clone());
            let copy = map.clone();
            map.insert_new(added.clone(), added_at.clone());
            for doc in 0..DOCS {
                let mut want: Vec<Annotation> = before
                    .iter()
                    .zip(&before_at)
                    .chain(added.iter().zip(&added_at))
                    .filter(|(_, at)| **at as usize == doc)
                    .map(|(a, _)| a.clone())
                    .collect();
                let want = DocAnnotations::new(std::mem::take(&mut want));
                let got = ids(map.of_document(doc).iter());
                assert_eq!(got, ids(want.as_slice().iter()), "document {doc}");
            }
            for (ann, &at) in added.iter().zip(&added_at) {
                assert_eq!(map.entry_of(ann.id()).map(|e| e.doc()), Some(at as usize));
            }
            // The copy taken before is as it was.
            assert_eq!(copy.of_document(0).len(), 3);
        }
    }

    #[test]
    fn contains_each_answers_as_contains_key_for_few_and_many() {
        let mut map = AnnotationMap::with_documents(1);
        let present: Vec<Annotation> = (1..=400).map(|i| entity(i * 3, 0, 1)).collect();
        let positions = vec![0; present.len()];
        map.insert_new(present, positions);
        for asked in [vec![3, 4, 1200], (0..2_000).rev().collect::<Vec<u64>>()] {
            let ids: Vec<AnnotationId> = asked.iter().map(|&i| AnnotationId(i)).collect();
            let want: Vec<bool> = ids.iter().map(|id| map.contains_key(id)).collect();
            assert_eq!(map.contains_each(&ids), want);
            assert!(want.iter().any(|&b| b) && want.iter().any(|&b| !b));
        }
    }

    #[test]
    fn merging_into_the_index_keeps_it_sorted() {
        let entry = |id: u64| IdEntry::new(AnnotationId(id), 0);
        let index = merge_sorted(&[2, 5, 9].map(entry), &[1, 3, 10, 11].map(entry));
        let got: Vec<u64> = index.iter().map(|e| e.id().0).collect();
        assert_eq!(got, [1, 2, 3, 5, 9, 10, 11]);
        let empty = merge_sorted(&[], &[entry(1 << 40), entry(u64::MAX)]);
        let got: Vec<u64> = empty.iter().map(|e| e.id().0).collect();
        assert_eq!(got, [1 << 40, u64::MAX]);
        assert_eq!(merge_sorted(&[entry(4)], &[]), [entry(4)]);
    }
}
