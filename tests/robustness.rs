//! The parsers of outside input on stable, as the cargo-fuzz targets in fuzz/ check them at length: the CSV loader,
//! session files, lesson files and typed objectives, given random bytes and random edits of real files (the fuzz
//! seeds). Every input ends in a one-line printable error or a valid, finite value that reads back the same
//! (tests/common/parsers.rs). Fixed seeds: the same inputs on every run and machine.

#[path = "common/parsers.rs"]
mod parsers;

use proptest::prelude::*;
use proptest::test_runner::RngSeed;

/// One edit of a file: overwrite, insert, delete or duplicate around a position (taken modulo the length).
#[derive(Clone, Debug)]
enum Edit {
    Set(usize, u8),
    Insert(usize, u8),
    Delete(usize, usize),
    Repeat(usize, usize),
}

fn edit() -> impl Strategy<Value = Edit> {
    // Bytes a parser finds interesting more often than random ones: digits, signs, brackets, quotes, separators,
    // newlines, control characters and the first byte of a multi-byte character.
    let byte =
        prop_oneof![any::<u8>(), prop::sample::select(b"0123456789.eE+-,\"'[]{}()=:#\n\r\t \0\x1b\xc3\xe2".to_vec()),];
    prop_oneof![
        (any::<usize>(), byte.clone()).prop_map(|(i, b)| Edit::Set(i, b)),
        (any::<usize>(), byte).prop_map(|(i, b)| Edit::Insert(i, b)),
        (any::<usize>(), 1usize..16).prop_map(|(i, n)| Edit::Delete(i, n)),
        (any::<usize>(), 1usize..64).prop_map(|(i, n)| Edit::Repeat(i, n)),
    ]
}

fn apply(seed: &[u8], edits: &[Edit]) -> Vec<u8> {
    let mut v = seed.to_vec();
    for e in edits {
        let at = |i: usize, len: usize| if len == 0 { 0 } else { i % len };
        match *e {
            Edit::Set(i, b) if !v.is_empty() => {
                let i = at(i, v.len());
                v[i] = b;
            }
            Edit::Set(..) => {}
            Edit::Insert(i, b) => v.insert(at(i, v.len() + 1), b),
            Edit::Delete(i, n) => {
                let i = at(i, v.len());
                v.drain(i..(i + n).min(v.len()));
            }
            Edit::Repeat(i, n) => {
                let i = at(i, v.len());
                let span = v[i..(i + n).min(v.len())].to_vec();
                v.splice(i..i, span);
            }
        }
    }
    v
}

/// A real file edited at random, or plain random bytes.
fn input(seeds: &'static [&'static [u8]]) -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => (prop::sample::select(seeds), prop::collection::vec(edit(), 1..6))
            .prop_map(|(seed, edits)| apply(seed, &edits)),
        1 => prop::collection::vec(any::<u8>(), 0..256),
    ]
}

const CSV: &[&[u8]] = &[
    include_bytes!("../fuzz/seeds/csv/notebook.csv"),
    include_bytes!("../fuzz/seeds/csv/messy.csv"),
    include_bytes!("../fuzz/seeds/csv/noheader.csv"),
];
const SESSIONS: &[&[u8]] = &[
    include_bytes!("../fuzz/seeds/session/v1.json"),
    include_bytes!("../fuzz/seeds/session/timeline.json"),
    include_bytes!("../fuzz/seeds/session/objective.json"),
    include_bytes!("../fuzz/seeds/session/huber_batches.json"),
];
const LESSONS: &[&[u8]] = &[
    include_bytes!("../assets/lessons/notebook.toml"),
    include_bytes!("../assets/lessons/momentum.toml"),
    include_bytes!("../assets/lessons/beyond-the-bowl.toml"),
];
const NUMBERS: &[&[u8]] = &[b"1/15", b"0.066666667", b"-2e-3", b"pi/4", b"sqrt(2)/2", b"1 - 0.9", b"2^-3"];
const EXPRESSIONS: &[&[u8]] = &[
    b"(1-w)^2 + 100*(b-w^2)^2",
    b"sin(w)*cos(b) + 0.1*(w^2+b^2)",
    b"-w/b + sqrt(abs(w)) + log(1 + exp(b)) - tanh(w*b)",
    b"20 + w^2 - 10*cos(2*pi*w) + b^2 - 10*cos(2*pi*b)",
];

proptest! {
    #![proptest_config(ProptestConfig {
        cases: 400,
        rng_seed: RngSeed::Fixed(0x0bad_1dea),
        failure_persistence: None,
        ..ProptestConfig::default()
    })]

    #[test]
    fn any_csv_bytes_load_or_give_one_line(bytes in input(CSV)) {
        parsers::csv(&bytes);
    }

    #[test]
    fn any_session_bytes_open_or_give_one_line(bytes in input(SESSIONS)) {
        parsers::session(&bytes);
    }

    #[test]
    fn any_lesson_bytes_read_or_give_one_line(bytes in input(LESSONS)) {
        parsers::lesson(&bytes);
    }

    #[test]
    fn any_expression_bytes_parse_or_give_one_line(bytes in input(EXPRESSIONS)) {
        parsers::expression(&bytes);
    }

    #[test]
    fn any_typed_number_reads_exactly_or_gives_one_line(bytes in input(NUMBERS)) {
        parsers::number(&bytes);
    }
}

/// The inputs the fuzz targets found (each failed before its fix): the invariants hold on them now.
#[test]
fn what_the_fuzzers_found() {
    parsers::expression(b"20 + w^2 - 10\0\0\0\0\0\0\0pi*w) + b~2 - 10*cos(2*pi*b)");
    parsers::lesson(b"format = 1\ntitle = \"t\"\n[page\0\0\0\0\0\0\0\x10\n");
    // A run with an objective and no gradient given (beyond-the-bowl's page 2): it must write back to TOML that
    // reads again (proptest found the default analytic gradient written out beside the objective).
    let (_, bowl) = descent::lesson::BUILTIN[6];
    parsers::lesson(format!("{bowl}\n").as_bytes());
    parsers::session(
        &String::from_utf8_lossy(include_bytes!("../fuzz/seeds/session/v1.json"))
            .replacen("\"analytic\"", "\"autodi\u{fffd}\u{7f}ff\"", 1)
            .into_bytes(),
    );
}
