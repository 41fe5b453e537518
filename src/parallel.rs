//! Ordered parallel work over a slice: the items are cut into batches that every core
//! works on, and each batch's result reaches the calling thread in the items' order, so a
//! writer can stream a file whose parts are produced in parallel (saving a project,
//! exporting spans) and hold only the batches in flight.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::mpsc;

/// Whether this process draws a window whose frames need a core of their own.
static KEEP_A_CORE_FOR_FRAMES: AtomicBool = AtomicBool::new(false);

/// Makes parallel work leave one core free from now on (the window calls this): a save or
/// an export in the background must not take the core that draws the frames. The command
/// line keeps every core.
pub fn keep_a_core_for_frames() {
    KEEP_A_CORE_FOR_FRAMES.store(true, Ordering::Relaxed);
}

/// How much background work a window starts yields to the window's own thread: on Linux
/// this is nice 19, the lowest (the window's thread keeps nice 0), so a frame gets a core
/// at once even while a save, an export or a load keeps every core busy. The scheduler
/// still hands background work a whole tick (4 ms) now and then mid-frame, when the
/// window's thread has had more than its share: at nice 9 that came every 37 ms of the
/// window's own time (a loading frame of 13 ms then took 17), at nice 19 every 270 ms
/// (BENCHMARKS.md, "The lead's ninth session"). Other programs do not
/// starve the work: the kernel shares the machine between sessions (autogroups, cgroups)
/// first, and ranks by nice only within one.
const BACKGROUND_PRIORITY: u8 = 0;

/// Starts work a window hands to another thread (loading, saving, a recovery copy, an
/// export or import) at [`BACKGROUND_PRIORITY`]. Threads it starts in turn (the parallel
/// batches of a save) inherit that priority.
pub fn spawn_background(work: impl FnOnce() + Send + 'static) {
    std::thread::spawn(move || {
        // Lowering one's own priority needs no privilege; if the platform refuses, the
        // work runs at the normal priority, which is only less smooth.
        if let Ok(value) = thread_priority::ThreadPriorityValue::try_from(BACKGROUND_PRIORITY) {
            let _ = thread_priority::set_current_thread_priority(
                thread_priority::ThreadPriority::Crossplatform(value),
            );
        }
        work();
    });
}

/// Every core, at most 16: for work the user waits for (opening a project), when the
/// window only draws a progress bar.
pub fn every_core() -> usize {
    std::thread::available_parallelism()
        .map_or(1, usize::from)
        .clamp(1, 16)
}

/// Worker threads for `batches` batches of work done while the user goes on: every core
/// (but one when a window draws), at most 16, at least 1.
pub fn workers_for(batches: usize) -> usize {
    let spare = usize::from(KEEP_A_CORE_FOR_FRAMES.load(Ordering::Relaxed));
    every_core()
        .saturating_sub(spare)
        .max(1)
        .min(batches.max(1))
}

/// Runs `work` on each batch of `batch` consecutive items (the last one may be shorter) on
/// all cores, and hands the results to `sink` on the calling thread in batch order. The
/// first error from `sink` stops the workers and is returned; `sink` is not called again.
/// With one core, or one batch, everything runs on the calling thread.
pub fn for_each_batch_in_order<T, R, E>(
    items: &[T],
    batch: usize,
    work: impl Fn(&[T]) -> R + Sync,
    sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    let batches = items.len().div_ceil(batch.max(1));
    with_workers(workers_for(batches), items, batch, work, sink)
}

/// [`for_each_batch_in_order`] with `workers` threads.
fn with_workers<T, R, E>(
    workers: usize,
    items: &[T],
    batch: usize,
    work: impl Fn(&[T]) -> R + Sync,
    mut sink: impl FnMut(R) -> Result<(), E>,
) -> Result<(), E>
where
    T: Sync,
    R: Send,
{
    let batches: Vec<&[T]> = items.chunks(batch.max(1)).collect();
    if workers <= 1 || batches.len() <= 1 {
        for b in batches {
            sink(work(b))?;
        }
        return Ok(());
    }
    let next = AtomicUsize::new(0);
    let stop = AtomicBool::new(false);
    std::thread::scope(|scope| {
        // A bounded channel: finished batches do not pile up while the sink writes.
        let (tx, rx) = mpsc::sync_channel::<(usize, R)>(workers * 2);
        for _ in 0..workers {
            let tx = tx.clone();
            let (next, stop, batches, work) = (&next, &stop, &batches, &work);
            scope.spawn(move || {
                while !stop.load(Ordering::Relaxed) {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(b) = batches.get(i) else { break };
                    if tx.send((i, work(b))).is_err() {
                        break;
                    }
                }
            });
        }
        drop(tx);
        let mut pending = BTreeMap::new();
        let mut expected = 0;
        for (i, result) in rx.iter() {
            pending.insert(i, result);
            while let Some(result) = pending.remove(&expected) {
                expected += 1;
                if let Err(e) = sink(result) {
                    stop.store(true, Ordering::Relaxed);
                    // Dropping the receiver ends every worker's next send.
                    drop(rx);
                    return Err(e);
                }
            }
        }
        Ok(())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A thread's nice value, from `/proc`.
    #[cfg(target_os = "linux")]
    fn nice() -> i64 {
        let stat = std::fs::read_to_string("/proc/thread-self/stat").expect("stat");
        let fields = &stat[stat.rfind(')').expect("name") + 2..];
        // Field 19 of stat(5); the part after the name starts at field 3.
        let nice = fields.split(' ').nth(19 - 3).and_then(|n| n.parse().ok());
        nice.expect("nice")
    }

    #[cfg(target_os = "linux")]
    #[test]
    fn background_work_yields_the_cpu_to_the_window() {
        let (tx, rx) = mpsc::channel();
        spawn_background(move || {
            let own = nice();
            // Threads a background thread starts (parallel batches) inherit it.
            let inherited = std::thread::spawn(nice).join().expect("inner thread");
            let _ = tx.send((own, inherited));
        });
        let (own, inherited) = rx.recv().expect("the background thread reports");
        assert!(own > nice(), "background nice {own}, window {}", nice());
        assert_eq!(own, 19, "the lowest priority");
        assert_eq!(inherited, own);
    }

    #[test]
    fn results_arrive_in_item_order_whatever_the_batch_size() {
        let items: Vec<u32> = (0..1000).collect();
        for (batch, workers) in [
            (1, 2),
            (3, 3),
            (64, 4),
            (999, 2),
            (1000, 2),
            (5000, 2),
            (7, 1),
        ] {
            let mut seen = Vec::new();
            let done: Result<(), ()> = with_workers(
                workers,
                &items,
                batch,
                |b| b.iter().map(|x| x * 2).collect::<Vec<_>>(),
                |r| {
                    seen.extend(r);
                    Ok(())
                },
            );
            assert_eq!(done, Ok(()));
            let expected: Vec<u32> = items.iter().map(|x| x * 2).collect();
            assert_eq!(seen, expected, "batch {batch}, {workers} workers");
        }
    }

    #[test]
    fn the_first_sink_error_stops_the_work_and_is_returned() {
        let items: Vec<u32> = (0..10_000).collect();
        let mut calls = 0;
        let done = with_workers(
            2,
            &items,
            10,
            |b| b[0],
            |first| {
                calls += 1;
                if first == 50 { Err(first) } else { Ok(()) }
            },
        );
        assert_eq!(done, Err(50));
        assert_eq!(calls, 6, "the sink is not called after its error");
    }

    #[test]
    fn no_items_means_no_calls() {
        let mut calls = 0;
        let done: Result<(), ()> = for_each_batch_in_order(
            &[] as &[u8],
            8,
            |b| b.len(),
            |_| {
                calls += 1;
                Ok(())
            },
        );
        assert_eq!((done, calls), (Ok(()), 0));
    }
}
