//! Helpers shared by the benchmarks: the machine line, medians, peak memory, and failing
//! with a message (a benchmark is not a test: it stops and says why).
// Each bench uses a different subset of these helpers.
#![allow(dead_code)]

use std::time::Duration;

/// Prints the machine the figures were taken on: cores, CPU model, memory, load average
/// (a busy machine inflates wall times; BENCHMARKS.md says which runs were quiet).
pub fn machine() {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|m| m.trim().to_owned())
        })
        .unwrap_or_default();
    let mem = std::fs::read_to_string("/proc/meminfo")
        .ok()
        .and_then(|s| s.lines().next().map(str::to_owned))
        .unwrap_or_default();
    let cores = std::thread::available_parallelism().map_or(1, usize::from);
    let load = std::fs::read_to_string("/proc/loadavg").unwrap_or_default();
    println!(
        "machine: {cores} cores, {cpu}, {mem}; load average {}",
        load.trim()
    );
    println!();
}

/// The median of `runs` timings of `f` (at least one).
pub fn median(runs: usize, mut f: impl FnMut() -> Duration) -> Duration {
    let mut times: Vec<Duration> = (0..runs.max(1)).map(|_| f()).collect();
    times.sort();
    times.get(times.len() / 2).copied().unwrap_or_default()
}

/// Milliseconds, two decimals under 10 ms.
pub fn ms(d: Duration) -> String {
    let ms = d.as_secs_f64() * 1000.0;
    if ms < 10.0 {
        format!("{ms:.2} ms")
    } else {
        format!("{ms:.0} ms")
    }
}

/// A `/proc/self/status` figure in kB (`VmHWM:` peak resident, `VmRSS:` resident now).
pub fn status_kb(key: &str) -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with(key))?;
    line.split_whitespace().nth(1)?.parse().ok()
}

/// Stops the benchmark with a message.
pub fn fail(message: &str) -> ! {
    eprintln!("bench failed: {message}");
    std::process::exit(1)
}

/// The events of one turn of the mouse wheel at `at`, scrolling by `dy` points.
pub fn wheel_at(at: egui::Pos2, dy: f32) -> Vec<egui::Event> {
    vec![
        egui::Event::PointerMoved(at),
        egui::Event::MouseWheel {
            unit: egui::MouseWheelUnit::Point,
            delta: egui::vec2(0.0, dy),
            phase: egui::TouchPhase::Move,
            source: egui::MouseWheelSource::Wheel,
            modifiers: egui::Modifiers::NONE,
        },
    ]
}

/// Which of a bench's `sections` to run: those named among `args` (`cargo bench --bench
/// corpus -- quick long search`), or all when none is named.
pub fn chosen_sections(args: &[String], sections: &[&'static str]) -> Vec<&'static str> {
    let named: Vec<&'static str> = sections
        .iter()
        .copied()
        .filter(|s| args.iter().any(|a| a == s))
        .collect();
    if named.is_empty() {
        sections.to_vec()
    } else {
        named
    }
}

/// How long `f` takes; its result is leaked, not dropped, so freeing a big project is
/// not counted (the benches exit soon after).
pub fn time_leaking<T>(f: impl FnOnce() -> T) -> Duration {
    let started = std::time::Instant::now();
    let result = f();
    let elapsed = started.elapsed();
    std::mem::forget(result);
    elapsed
}
