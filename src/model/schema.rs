//! The annotation schema: entity types, stance polarities and the growing list of targets.

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

/// The schema a project is annotated with. A project carries its own copy.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Schema {
    /// Entity types in palette order.
    pub entity_types: Vec<EntityType>,
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
        polarities: default_polarities(),
        targets: BTreeSet::new(),
    };
    for name in ["PER", "ORG", "LOC", "DATE", "QUANTITY", "EVENT", "MISC"] {
        schema.ensure_entity_type(name);
    }
    schema
}
