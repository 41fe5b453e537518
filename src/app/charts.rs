//! Bar charts of the statistics window, in the colours the user already knows: a label's
//! bar has the label's colour, a polarity's bar the polarity's, and the stance chart
//! stacks each target's stances by polarity.
//!
//! What a chart shows is computed by plain functions ([`label_bars`], [`polarity_stacks`])
//! so tests check the bars and colours without drawing; `*_ui` functions draw them.

use super::rgb;
use crate::corpus::stats::Stats;
use crate::model::{Rgb, Schema};
use egui::Ui;
use egui_plot::{Bar, BarChart, Plot};

/// The colour of anything the schema does not know (a polarity it lost, for instance).
const UNKNOWN: Rgb = Rgb([160, 160, 160]);

/// One bar: its name on the x axis, its height, and its fill (`None`: the plot's colour).
#[derive(Debug, Clone, PartialEq)]
pub struct ChartBar {
    /// Shown under the bar.
    pub name: String,
    /// Height.
    pub value: f64,
    /// Fill colour.
    pub fill: Option<Rgb>,
}

impl ChartBar {
    /// A bar in the plot's own colour.
    pub fn plain(name: impl Into<String>, value: f64) -> Self {
        Self {
            name: name.into(),
            value,
            fill: None,
        }
    }
}

/// Tags per label, each bar in its label's colour.
pub fn label_bars(stats: &Stats, schema: &Schema) -> Vec<ChartBar> {
    stats
        .per_label
        .iter()
        .map(|(label, n)| ChartBar {
            name: label.clone(),
            value: *n as f64,
            fill: Some(schema.color_of(label)),
        })
        .collect()
}

/// One layer of the stacked stance chart: a polarity, its colour, and its count for each
/// target (in the order of [`PolarityStacks::targets`]).
#[derive(Debug, Clone, PartialEq)]
pub struct PolarityLayer {
    /// The polarity's name.
    pub polarity: String,
    /// Its colour in the schema.
    pub color: Rgb,
    /// Stances of this polarity per target.
    pub counts: Vec<f64>,
}

/// Stances per target, stacked by polarity.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct PolarityStacks {
    /// The targets, one bar each, in name order.
    pub targets: Vec<String>,
    /// The layers, bottom first: the schema's polarities in its order, then polarities
    /// the schema does not know, by name.
    pub layers: Vec<PolarityLayer>,
}

/// The stance chart: one bar per target, stacked by polarity in the polarities' colours.
pub fn polarity_stacks(stats: &Stats, schema: &Schema) -> PolarityStacks {
    let per_target = &stats.stance.per_target;
    let targets: Vec<String> = per_target.keys().cloned().collect();
    let mut polarities: Vec<(String, Rgb)> = schema
        .polarities
        .iter()
        .map(|p| (p.name.clone(), p.color))
        .collect();
    let unknown: std::collections::BTreeSet<&String> = per_target
        .values()
        .flat_map(|counts| counts.keys())
        .filter(|name| schema.polarity(name).is_none())
        .collect();
    polarities.extend(unknown.into_iter().map(|name| (name.clone(), UNKNOWN)));
    let layers = polarities
        .into_iter()
        .map(|(polarity, color)| PolarityLayer {
            counts: per_target
                .values()
                .map(|counts| counts.get(&polarity).copied().unwrap_or(0) as f64)
                .collect(),
            polarity,
            color,
        })
        .filter(|layer| layer.counts.iter().any(|n| *n > 0.0))
        .collect();
    PolarityStacks { targets, layers }
}

/// A plot with the given names on the x axis, for bar charts.
fn plot_with_names(id: &str, names: Vec<String>) -> Plot<'static> {
    Plot::new(id)
        .height(150.0)
        .allow_zoom(false)
        .allow_drag(false)
        .allow_scroll(false)
        .allow_boxed_zoom(false)
        .show_grid([false, true])
        .include_y(0.0)
        .x_axis_formatter(move |mark, _range| {
            let i = mark.value.round();
            if (mark.value - i).abs() > 1e-6 || i < 0.0 {
                return String::new();
            }
            names.get(i as usize).cloned().unwrap_or_default()
        })
}

/// A bar chart with one bar per named value, names on the x axis.
pub fn bars_ui(ui: &mut Ui, id: &str, name: &str, values: &[ChartBar]) {
    let bars: Vec<Bar> = values
        .iter()
        .enumerate()
        .map(|(i, bar)| {
            let drawn = Bar::new(i as f64, bar.value).name(&bar.name).width(0.7);
            match bar.fill {
                Some(color) => drawn.fill(rgb(color)),
                None => drawn,
            }
        })
        .collect();
    let names = values.iter().map(|b| b.name.clone()).collect();
    plot_with_names(id, names).show(ui, |plot| plot.bar_chart(BarChart::new(name, bars)));
}

/// The stance chart: one bar per target, stacked by polarity, with a legend.
pub fn polarity_chart_ui(ui: &mut Ui, id: &str, stacks: &PolarityStacks) {
    let mut charts: Vec<BarChart> = Vec::new();
    for layer in &stacks.layers {
        let bars = layer
            .counts
            .iter()
            .zip(&stacks.targets)
            .enumerate()
            .map(|(i, (n, target))| {
                Bar::new(i as f64, *n)
                    .name(target)
                    .width(0.7)
                    .fill(rgb(layer.color))
            })
            .collect();
        let below: Vec<&BarChart> = charts.iter().collect();
        let chart = BarChart::new(layer.polarity.clone(), bars)
            .color(rgb(layer.color))
            .stack_on(&below);
        charts.push(chart);
    }
    plot_with_names(id, stacks.targets.clone())
        .legend(egui_plot::Legend::default())
        .show(ui, |plot| {
            for chart in charts {
                plot.bar_chart(chart);
            }
        });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::schema::builtin_schema;
    use std::collections::BTreeMap;

    fn stats_with(per_label: &[(&str, usize)], per_target: &[(&str, &[(&str, usize)])]) -> Stats {
        let mut stats = Stats {
            per_label: per_label
                .iter()
                .map(|(k, v)| ((*k).to_owned(), *v))
                .collect(),
            ..Stats::default()
        };
        stats.stance.per_target = per_target
            .iter()
            .map(|(target, counts)| {
                let counts: BTreeMap<String, usize> =
                    counts.iter().map(|(k, v)| ((*k).to_owned(), *v)).collect();
                ((*target).to_owned(), counts)
            })
            .collect();
        stats
    }

    #[test]
    fn label_bars_take_the_labels_colours_and_grey_for_unknown_labels() {
        let schema = builtin_schema();
        let stats = stats_with(&[("PER", 3), ("ORG", 1), ("NOT-IN-SCHEMA", 2)], &[]);
        let bars = label_bars(&stats, &schema);
        let expected: Vec<(String, f64, Option<Rgb>)> =
            [("NOT-IN-SCHEMA", 2.0), ("ORG", 1.0), ("PER", 3.0)]
                .into_iter()
                .map(|(name, n)| (name.to_owned(), n, Some(schema.color_of(name))))
                .collect();
        let got: Vec<(String, f64, Option<Rgb>)> = bars
            .into_iter()
            .map(|b| (b.name, b.value, b.fill))
            .collect();
        assert_eq!(got, expected);
        let per = schema.entity_type("PER").map(|t| t.color);
        assert_eq!(got[2].2, per);
        assert_eq!(got[0].2, Some(UNKNOWN));
    }

    #[test]
    fn polarity_stacks_follow_the_schema_order_and_colours() {
        let schema = builtin_schema();
        let names: Vec<&str> = schema.polarities.iter().map(|p| p.name.as_str()).collect();
        assert!(names.len() >= 2, "the built-in schema has polarities");
        let (first, second) = (names[0], names[1]);
        let stats = stats_with(
            &[],
            &[
                ("migration", &[(second, 2), ("odd", 1)]),
                ("climate", &[(first, 4), (second, 1)]),
            ],
        );
        let stacks = polarity_stacks(&stats, &schema);
        assert_eq!(stacks.targets, ["climate", "migration"]);
        let layers: Vec<(&str, Vec<f64>)> = stacks
            .layers
            .iter()
            .map(|l| (l.polarity.as_str(), l.counts.clone()))
            .collect();
        assert_eq!(
            layers,
            [
                (first, vec![4.0, 0.0]),
                (second, vec![1.0, 2.0]),
                ("odd", vec![0.0, 1.0])
            ]
        );
        assert_eq!(
            Some(stacks.layers[0].color),
            schema.polarity(first).map(|p| p.color)
        );
        assert_eq!(stacks.layers[2].color, UNKNOWN);
    }

    #[test]
    fn no_stances_no_layers() {
        let stacks = polarity_stacks(&Stats::default(), &builtin_schema());
        assert_eq!(stacks, PolarityStacks::default());
    }
}
