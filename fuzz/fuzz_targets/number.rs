//! Typed numbers (every number field of the app, `descent exercise --answer`). The invariants are in tests/common/parsers.rs, shared with the property tests in tests/robustness.rs.
#![no_main]

#[path = "../../tests/common/parsers.rs"]
#[allow(dead_code)]
mod parsers;

libfuzzer_sys::fuzz_target!(|bytes: &[u8]| parsers::number(bytes));
