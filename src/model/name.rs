//! Shared names: entity labels, canonical names, stance targets and polarities.
//!
//! A corpus has a few dozen labels and a few thousand canonical names, but hundreds of
//! thousands of annotations naming them. A [`Name`] is a reference-counted string, so
//! annotations that say the same thing can share one copy ([`Interner`]); cloning one is a
//! count increment. It reads like a `&str` (`Deref`, comparisons with strings).

use rustc_hash::FxHashSet;
use std::borrow::Borrow;
use std::fmt;
use std::ops::Deref;
use std::sync::Arc;

/// An immutable, shareable string: one word (a pointer to a shared, boxed string), so
/// an annotation naming a label, a target and a polarity carries three words, not six.
#[derive(Clone, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct Name(Arc<Box<str>>);

impl Name {
    /// The name as a string slice.
    pub fn as_str(&self) -> &str {
        &self.0[..]
    }
}

impl Deref for Name {
    type Target = str;

    fn deref(&self) -> &str {
        self.as_str()
    }
}

impl Borrow<str> for Name {
    fn borrow(&self) -> &str {
        self.as_str()
    }
}

impl AsRef<str> for Name {
    fn as_ref(&self) -> &str {
        self.as_str()
    }
}

impl fmt::Debug for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Debug::fmt(self.as_str(), f)
    }
}

impl fmt::Display for Name {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl From<&str> for Name {
    fn from(s: &str) -> Self {
        Name(Arc::new(s.into()))
    }
}

impl From<String> for Name {
    fn from(s: String) -> Self {
        Name(Arc::new(s.into_boxed_str()))
    }
}

impl From<&String> for Name {
    fn from(s: &String) -> Self {
        Name::from(s.as_str())
    }
}

impl From<Name> for String {
    fn from(name: Name) -> Self {
        name.as_str().to_owned()
    }
}

impl PartialEq<str> for Name {
    fn eq(&self, other: &str) -> bool {
        self.as_str() == other
    }
}

impl PartialEq<&str> for Name {
    fn eq(&self, other: &&str) -> bool {
        self.as_str() == *other
    }
}

impl PartialEq<String> for Name {
    fn eq(&self, other: &String) -> bool {
        self.as_str() == other.as_str()
    }
}

impl PartialEq<Name> for str {
    fn eq(&self, other: &Name) -> bool {
        self == other.as_str()
    }
}

impl PartialEq<Name> for &str {
    fn eq(&self, other: &Name) -> bool {
        *self == other.as_str()
    }
}

impl PartialEq<Name> for String {
    fn eq(&self, other: &Name) -> bool {
        self.as_str() == other.as_str()
    }
}

/// Hands out one shared [`Name`] per distinct string (a loader keeps one while it reads).
#[derive(Debug, Default)]
pub struct Interner {
    names: FxHashSet<Name>,
}

impl Interner {
    /// The shared name for `s`.
    pub fn name(&mut self, s: &str) -> Name {
        if let Some(name) = self.names.get(s) {
            return name.clone();
        }
        let name = Name::from(s);
        self.names.insert(name.clone());
        name
    }

    /// The shared name equal to `name` (`name` itself when the name is new).
    pub fn share(&mut self, name: Name) -> Name {
        if let Some(shared) = self.names.get(&name) {
            return shared.clone();
        }
        self.names.insert(name.clone());
        name
    }

    /// The shared name for `s`, reusing `s`'s buffer when the name is new.
    pub fn name_owned(&mut self, s: String) -> Name {
        if let Some(name) = self.names.get(s.as_str()) {
            return name.clone();
        }
        let name = Name::from(s);
        self.names.insert(name.clone());
        name
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn equal_strings_share_one_name_and_read_like_str() {
        let mut interner = Interner::default();
        let a = interner.name("PER");
        let b = interner.name_owned("PER".to_owned());
        assert!(Arc::ptr_eq(&a.0, &b.0), "one copy");
        assert_eq!(a, "PER");
        assert_eq!("PER", a);
        assert_eq!(a.as_str().len(), 3);
        assert_eq!(format!("{a} {a:?}"), "PER \"PER\"");
        assert_ne!(interner.name("ORG"), a);
    }
}
