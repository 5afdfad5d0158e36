//! Rust handlers registered from the library, run in-process: no process, no socket.
//!
//! (Skeleton: filled in by the real-handlers work.)
