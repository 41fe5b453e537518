//! The C allocator's set-up for a process that holds one big project.
//!
//! glibc's malloc gives each thread that allocates at once an arena of its own (up to
//! eight per core), and an arena keeps what was freed in it for its next allocations
//! instead of giving it back. A command that reads a 100k-document project on every core
//! left tens of MB in arenas that only held garbage, so the command line keeps to two
//! ([`MALLOC_ARENAS`]; `spantag import`, whose parsers queue on their locks, to four).
//! The window gives every thread that runs while a project loads an arena of its own
//! ([`limit_malloc_arenas_for_window`]): with two, a loader thread shared the window's,
//! and a frame waited for its lock (BENCHMARKS.md, "Memory: a 56-byte annotation" and
//! "The lead's ninth session").

/// How many malloc arenas a command (but `import`) uses at most.
pub const MALLOC_ARENAS: i32 = 2;

/// How many malloc arenas `spantag import` uses at most: its parsers allocate a tree of
/// values per line on both cores, and with two arenas they queued on the arenas' locks
/// (at 100k documents 6.8–7.9 s against 5.5–6.3 s with four, for 5–10 MB more at the
/// peak, BENCHMARKS.md, "The lead's ninth session"). `stats` and `export` gain nothing
/// from more and keep two.
pub const IMPORT_MALLOC_ARENAS: i32 = 4;

/// Limits glibc's malloc to [`MALLOC_ARENAS`] arenas, unless `MALLOC_ARENA_MAX` is set
/// in the environment (glibc reads that itself; a measurement sets it to compare). Call
/// it first thing, before any thread starts (glibc fixes the limit when a second thread
/// first allocates). Does nothing on other C libraries.
pub fn limit_malloc_arenas() {
    limit_malloc_arenas_to(MALLOC_ARENAS);
}

/// [`limit_malloc_arenas`] for `spantag import`: [`IMPORT_MALLOC_ARENAS`].
pub fn limit_malloc_arenas_for_import() {
    limit_malloc_arenas_to(IMPORT_MALLOC_ARENAS);
}

/// Malloc arenas the window's threads may use besides its own: one a loader worker
/// (one a core), and twelve for the rest (the loader's coordinator, the font finder, the
/// renderer's, accessibility's and the file dialogs' threads, saves and searches).
const WINDOW_OTHER_ARENAS: usize = 12;

/// [`limit_malloc_arenas`] for the window: an arena for every thread that runs while a
/// project loads ([`WINDOW_OTHER_ARENAS`] and one a core). glibc gives a new thread the
/// window's own arena when the limit is reached (it tries the first arena first), so
/// with two a loader thread shared the window's: the window's thread then waited for
/// its lock, up to 4 ms at a time, whenever the loader was preempted holding it (and for
/// 30 ms in the worst frames seen), and the loader waited for the window's. An arena of
/// its own costs the 100k project 5 MB at its peak after a save (16 MB at the end of
/// the load), BENCHMARKS.md, "The lead's ninth session".
pub fn limit_malloc_arenas_for_window() {
    let arenas = 1 + crate::parallel::every_core() + WINDOW_OTHER_ARENAS;
    limit_malloc_arenas_to(i32::try_from(arenas).unwrap_or(i32::MAX));
}

/// Buffers this big or bigger are mapped on their own by [`map_big_buffers_apart`].
pub const MAPPED_FROM_BYTES: i32 = 4 << 20;

/// Makes glibc's malloc map every buffer of [`MAPPED_FROM_BYTES`] or more on its own
/// and give it back when it is freed, from now on (glibc otherwise raises that limit to
/// the size of the first such buffer freed, and later ones come from the heap, between
/// what stays). For `spantag import`, which reads its file 8 MB at a time: each piece
/// left its place in the heap among the texts and tags the project keeps, and at 100k
/// documents the process held 10–23 MB more at its peak (587–599 against 578–580 MB,
/// BENCHMARKS.md, "Memory: the annotation without its document"). Unless
/// `MALLOC_MMAP_THRESHOLD_` is set in the environment (glibc reads that itself). Does
/// nothing on other C libraries.
pub fn map_big_buffers_apart() {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_MMAP_THRESHOLD_").is_none() {
        // SAFETY: `mallopt` only sets one of malloc's tuning parameters (M_MMAP_THRESHOLD
        // takes any size up to 32 MB on 64-bit); it changes no memory in use.
        unsafe {
            libc::mallopt(libc::M_MMAP_THRESHOLD, MAPPED_FROM_BYTES);
        }
    }
}

/// Limits glibc's malloc to `arenas` arenas from now on, unless `MALLOC_ARENA_MAX` is
/// set in the environment. (One arena took `spantag import` at 100k from 641 to 603 MB
/// but cost it 20–30 % more time, 0.2 s at 10k, as its workers waited on one lock:
/// BENCHMARKS.md, "Tag-all at 100k, and the loading frame".)
fn limit_malloc_arenas_to(arenas: i32) {
    #[cfg(all(target_os = "linux", target_env = "gnu"))]
    if std::env::var_os("MALLOC_ARENA_MAX").is_none() {
        // SAFETY: `mallopt` only sets one of malloc's tuning parameters (M_ARENA_MAX
        // takes any positive value); it changes no memory in use.
        unsafe {
            libc::mallopt(libc::M_ARENA_MAX, arenas);
        }
    }
    #[cfg(not(all(target_os = "linux", target_env = "gnu")))]
    let _ = arenas;
}
