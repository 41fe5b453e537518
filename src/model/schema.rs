//! The annotation schema: entity types, relation types, stance polarities and the growing
//! list of targets.

use std::collections::BTreeSet;

/// An RGB colour.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Rgb(pub [u8; 3]);

/// One entity type such as PER or ORG.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct EntityType {
    /// Short label written into exports, e.g. `PER`.
    pub name: String,
    /// What the label is for, shown as a tooltip.
    pub description: String,
    /// Highlight colour.
    pub color: Rgb,
    /// Key that applies the label (`'1'`…`'9'` by default).
    pub hotkey: Option<char>,
}

/// One stance polarity such as FAVOR.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Polarity {
    /// Name written into exports, e.g. `AGAINST`.
    pub name: String,
    /// Colour of the stance border.
    pub color: Rgb,
    /// Key that picks this polarity in the stance editor.
    pub hotkey: Option<char>,
}

/// One relation type such as `Works_for`: a typed link between two entities.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RelationType {
    /// Name written into exports, e.g. `Works_for`.
    pub name: String,
    /// Colour of the arc and its label.
    pub color: Rgb,
    /// Key that picks this type when a relation is created.
    pub hotkey: Option<char>,
    /// Entity labels allowed as the first argument (`from`); empty: any.
    pub from_labels: Vec<String>,
    /// Entity labels allowed as the second argument (`to`); empty: any.
    pub to_labels: Vec<String>,
    /// Whether the relation points from its first to its second argument (an arrow);
    /// undirected relations (brat's equivalences) are drawn without one.
    pub directed: bool,
    /// Whether this is the role of an event argument (brat's `E` lines: `Theme`, `Cause`
    /// …), linking an event's trigger to the argument, rather than a relation of its own.
    pub event_role: bool,
}

impl RelationType {
    /// A directed type that takes any labels, with the given colour and no hotkey.
    pub fn any(name: &str, color: Rgb) -> Self {
        Self {
            name: name.to_owned(),
            color,
            hotkey: None,
            from_labels: Vec::new(),
            to_labels: Vec::new(),
            directed: true,
            event_role: false,
        }
    }

    /// Whether this type may link an annotation labelled `from` to one labelled `to`
    /// (`None` for an annotation without an entity label, such as a stance).
    pub fn fits(&self, from: Option<&str>, to: Option<&str>) -> bool {
        let allows = |allowed: &[String], label: Option<&str>| {
            allowed.is_empty() || label.is_some_and(|l| allowed.iter().any(|a| a == l))
        };
        allows(&self.from_labels, from) && allows(&self.to_labels, to)
    }
}

/// The schema a project is annotated with. A project carries its own copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    /// Entity types in palette order.
    pub entity_types: Vec<EntityType>,
    /// Relation types in picker order.
    pub relation_types: Vec<RelationType>,
    /// Stance polarities in palette order.
    pub polarities: Vec<Polarity>,
    /// Stance targets named so far (grows as the user tags), sorted.
    pub targets: BTreeSet<String>,
}

impl Schema {
    /// The entity type with this name.
    pub fn entity_type(&self, name: &str) -> Option<&EntityType> {
        self.entity_types.iter().find(|t| t.name == name)
    }

    /// The entity type bound to a hotkey.
    pub fn entity_type_for_key(&self, key: char) -> Option<&EntityType> {
        self.entity_types.iter().find(|t| t.hotkey == Some(key))
    }

    /// The polarity with this name.
    pub fn polarity(&self, name: &str) -> Option<&Polarity> {
        self.polarities.iter().find(|p| p.name == name)
    }

    /// The relation type with this name.
    pub fn relation_type(&self, name: &str) -> Option<&RelationType> {
        self.relation_types.iter().find(|t| t.name == name)
    }

    /// The relation types that may link an annotation labelled `from` to one labelled
    /// `to`, in picker order.
    pub fn relation_types_for(&self, from: Option<&str>, to: Option<&str>) -> Vec<&RelationType> {
        self.relation_types
            .iter()
            .filter(|t| t.fits(from, to))
            .collect()
    }

    /// Colour of a relation type's arcs, grey when the schema does not know it.
    pub fn relation_color_of(&self, name: &str) -> Rgb {
        self.relation_type(name)
            .map(|t| t.color)
            .unwrap_or(Rgb([120, 120, 120]))
    }

    /// Adds a relation type the schema does not know yet (imports bring them): directed,
    /// any labels, a colour from the rotation, no hotkey.
    pub fn ensure_relation_type(&mut self, name: &str) {
        if self.relation_type(name).is_some() {
            return;
        }
        let color = relation_color(self.relation_types.len());
        self.relation_types.push(RelationType::any(name, color));
    }

    /// Colour for a label, grey when the schema does not know it.
    pub fn color_of(&self, label: &str) -> Rgb {
        self.entity_type(label)
            .map(|t| t.color)
            .unwrap_or(Rgb([160, 160, 160]))
    }

    /// Adds an entity type for a label the schema does not know yet (imports bring them),
    /// with a colour from a fixed rotation and the next free digit as hotkey.
    pub fn ensure_entity_type(&mut self, name: &str) {
        if self.entity_type(name).is_some() {
            return;
        }
        const ROTATION: [[u8; 3]; 8] = [
            [255, 179, 186],
            [186, 225, 255],
            [186, 255, 201],
            [255, 255, 186],
            [255, 223, 186],
            [220, 198, 255],
            [200, 230, 230],
            [240, 200, 160],
        ];
        let color = Rgb(ROTATION[self.entity_types.len() % ROTATION.len()]);
        let hotkey = ('1'..='9').find(|k| self.entity_type_for_key(*k).is_none());
        self.entity_types.push(EntityType {
            name: name.to_owned(),
            description: String::new(),
            color,
            hotkey,
        });
    }
}

/// The colour of the `index`-th relation type added without one: a fixed rotation of
/// colours that stay apart for colour-blind readers (Okabe–Ito).
pub fn relation_color(index: usize) -> Rgb {
    const ROTATION: [[u8; 3]; 6] = [
        [0, 114, 178],
        [213, 94, 0],
        [0, 158, 115],
        [204, 121, 167],
        [86, 180, 233],
        [230, 159, 0],
    ];
    Rgb(ROTATION[index % ROTATION.len()])
}

/// The default stance polarities: FAVOR, AGAINST, NEUTRAL, NONE.
pub fn default_polarities() -> Vec<Polarity> {
    [
        ("FAVOR", [46, 160, 67], 'f'),
        ("AGAINST", [215, 58, 73], 'a'),
        ("NEUTRAL", [110, 118, 129], 'n'),
        ("NONE", [170, 170, 170], 'x'),
    ]
    .into_iter()
    .map(|(name, color, key)| Polarity {
        name: name.to_owned(),
        color: Rgb(color),
        hotkey: Some(key),
    })
    .collect()
}

/// A schema built into the code, used only if the bundled `assets/schema.ron` were broken.
pub fn builtin_schema() -> Schema {
    let mut schema = Schema {
        entity_types: Vec::new(),
        relation_types: Vec::new(),
        polarities: default_polarities(),
        targets: BTreeSet::new(),
    };
    for name in ["PER", "ORG", "LOC", "DATE", "QUANTITY", "EVENT", "MISC"] {
        schema.ensure_entity_type(name);
    }
    schema
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relation_types_offer_only_what_fits_the_argument_labels() {
        let mut schema = builtin_schema();
        schema.relation_types = vec![
            RelationType {
                from_labels: vec!["PER".into()],
                to_labels: vec!["ORG".into()],
                ..RelationType::any("Works_for", Rgb([0, 0, 0]))
            },
            RelationType::any("Related", Rgb([0, 0, 0])),
        ];
        let names = |from, to| -> Vec<String> {
            schema
                .relation_types_for(from, to)
                .into_iter()
                .map(|t| t.name.clone())
                .collect()
        };
        let cases: [(Option<&str>, Option<&str>, &[&str]); 4] = [
            (Some("PER"), Some("ORG"), &["Works_for", "Related"]),
            (Some("ORG"), Some("PER"), &["Related"]),
            (Some("PER"), None, &["Related"]),
            (None, None, &["Related"]),
        ];
        for (from, to, want) in cases {
            assert_eq!(names(from, to), want, "{from:?} -> {to:?}");
        }
    }
}
